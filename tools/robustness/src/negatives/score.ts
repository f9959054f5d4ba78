// Scores a recognizer's verdicts on a verdict set: how often things that are no digit stay uncalled, numbers are read
// right, and single digits stay 'digit' and right.
import type { Recognition, Recognizer } from '@digitkit/recognizer';
import { toMnistFormat } from '@digitkit/preprocess';
import type { VerdictSample, VerdictSet } from './sets.js';

export interface VerdictScore {
  readonly set: string;
  readonly kind: VerdictSet['kind'];
  readonly count: number;
  /** Pictures per verdict. */
  readonly verdicts: Record<Recognition['verdict'], number>;
  /**
   * The target measure: not-a-digit, not called one digit; number, read as exactly its digits; digit, 'digit' and
   * the right label.
   */
  readonly pass: number;
  /** Single digits only: right through the pipeline without verdicts (toMnistFormat, model), the ceiling of `pass`. */
  readonly before?: number;
  /** The target measure as counts: for single digits the right ones kept of those right before, else pass of count. */
  readonly measured: { readonly passed: number; readonly of: number };
  /** Milliseconds per picture in `recognize`. */
  readonly ms: number;
  /** A few pictures that failed the target, by name. */
  readonly misses: readonly string[];
}

/** Runs `recognize` on every sample and scores it by the set's kind. */
export function scoreVerdicts(recognizer: Recognizer, set: VerdictSet, samples: readonly VerdictSample[]): VerdictScore {
  const verdicts = { digit: 0, digits: 0, unsure: 0, empty: 0 };
  const misses: string[] = [];
  let pass = 0;
  let before = 0;
  let kept = 0;
  let ms = 0;
  for (const sample of samples) {
    const t0 = performance.now();
    const result = recognizer.recognize(sample.image, sample.strokes ? { strokes: sample.strokes } : {});
    ms += performance.now() - t0;
    verdicts[result.verdict]++;
    const ok = passes(set.kind, sample, result);
    if (ok) pass++;
    else if (misses.length < 12) misses.push(`${sample.what} -> ${describe(result)}`);
    if (set.kind === 'digit') {
      const old = wholeInkLabel(recognizer, sample);
      if (old === sample.digits![0]) {
        before++;
        if (ok) kept++;
      }
    }
  }
  const n = samples.length;
  return {
    set: set.name,
    kind: set.kind,
    count: n,
    verdicts,
    pass: pass / n,
    ...(set.kind === 'digit' && { before: before / n }),
    measured: set.kind === 'digit' ? { passed: kept, of: before } : { passed: pass, of: n },
    ms: ms / n,
    misses,
  };
}

function passes(kind: VerdictSet['kind'], sample: VerdictSample, result: Recognition): boolean {
  if (kind === 'not-a-digit') return result.verdict !== 'digit';
  if (kind === 'number') return result.verdict === 'digits' && result.digits.join('') === sample.digits!.join('');
  return result.verdict === 'digit' && result.label === sample.digits![0];
}

/** The label the pipeline gave before verdicts: the whole ink as one digit. */
function wholeInkLabel(recognizer: Recognizer, sample: VerdictSample): number | null {
  const mnist = toMnistFormat(sample.image);
  if (mnist.empty) return null;
  const result = recognizer.recognizeMnist(mnist.pixels);
  return result.verdict === 'digit' ? result.label : null;
}

/** A verdict in a few words, for the list of misses. */
export function describe(result: Recognition): string {
  switch (result.verdict) {
    case 'digit':
      return `digit ${result.label} (${Math.round(result.confidence * 100)}%)`;
    case 'digits':
      return `digits ${result.digits.join('')} (${result.pieces.map((p) => Math.round(p.confidence * 100)).join('/')}%)`;
    case 'unsure':
      return `unsure [${result.guesses.map((g) => `${g.label} ${Math.round(g.probability * 100)}%`).join(', ')}]`;
    default:
      return result.verdict;
  }
}
