// When a picture is one digit, several, or nothing the recognizer can name: every threshold in one place, chosen by
// `pnpm --filter @digitkit/robustness bench:verdicts` (tuning half) and checked there on held-out pictures.
import { type Box, createAugmenter } from '@digitkit/preprocess';
import { glyphNotAOne } from './shapes.js';
import type { Guess, ShippedModelName, VerdictThresholds } from './types.js';

/**
 * The shipped thresholds, per shipped model (re-check them with `bench:verdicts` whenever the shipped models change).
 * A model of your own starts from the CNN's (and has no second opinion).
 */
export const VERDICT_THRESHOLDS: Readonly<Record<ShippedModelName, Readonly<VerdictThresholds>>> = Object.freeze({
  // One sureness instead of a threshold on each probability: at the same single digits kept it refuses as many or more
  // scribbles, letters and symbols (the MLP 3-5 points more). Weights from a grid, minSureness where 97% of the tuning
  // half's single digits stay (src/experiments/verdict-score.ts in tools/robustness). minCutConfidence: the lowest at
  // which at most 4% of the tuning half's letters, scribbles and symbols are read as a number (the CNN takes 0.98, the
  // MLP 0.95; at 0.9 the CNN reads 7.5% of letters as one, and only 4% more touching pairs right).
  // numberAlone: the lowest of 0.9, 0.95, 0.97 at which at most 4% of the tuning half's letters, scribbles and symbols
  // (together) are read as a number (the MLP 3.3% at 0.9). The CNN keeps 0.9 at 4.3% since cuts pick among a torn
  // reader's pairs (one script N read as 92) and confirm a sure one: at 0.95 it lost 22 of 1,440 deeply overlapping
  // pairs made elsewhere; tools/robustness RESULTS.md, "The number reader shipped", "A reader torn between pairs" and
  // "Cuts that confirm a sure reader".
  cnn: Object.freeze({ minSureness: 0.62, viewWeight: 3, secondOpinionWeight: 2, minPieceConfidence: 0.5, minCutConfidence: 0.98, maxAspect: 1.6, maxDigits: 8, numberAgreement: 0.5, numberAlone: 0.9 }),
  mlp: Object.freeze({ minSureness: 0.63, viewWeight: 1.5, secondOpinionWeight: 4, minPieceConfidence: 0.5, minCutConfidence: 0.95, maxAspect: 1.6, maxDigits: 8, numberAgreement: 0.5, numberAlone: 0.9 }),
});

/** The copies behind `viewWeight`: the training augmenter's stroke-width change (a pixel or so thicker or
 * thinner), always applied and nothing else moved, from a fixed seed. */
export const STROKE_VIEWS = Object.freeze({ count: 4, seed: 11 });

/** Writes the STROKE_VIEWS.count stroke views of a 28x28 into `out`, as model inputs (floats in [0, 1]), one after another. */
export function writeStrokeViews(pixels: Uint8Array, out: Float32Array): void {
  // A fresh augmenter per picture: its random draws do not depend on the image, so every picture gets the same changes.
  const augment = createAugmenter({ seed: STROKE_VIEWS.seed, maxShift: 0, strokeWidth: 1 });
  for (let v = 0; v < STROKE_VIEWS.count; v++) augment(pixels, out.subarray(v * pixels.length, (v + 1) * pixels.length));
}

/** How ink is split into pieces (see segment.ts): fixed by the geometry of handwriting, not tuned per model. */
export const SEGMENTATION = Object.freeze({
  /** The ink's box is shrunk to at most this many pixels high before splitting. */
  side: 64,
  /** Components smaller than this fraction of the largest are specks. */
  minPieceFraction: 0.05,
  /** Components sharing at least this fraction of the narrower one's columns are one digit. */
  mergeOverlap: 0.4,
  /** Pieces shorter than this fraction of the tallest are parts of a digit (a bar, a broken stroke), not digits. */
  minPieceHeight: 0.4,
  /** ...and join a neighbour closer than this fraction of the tallest piece's height. */
  shortGap: 0.25,
  /** Pieces closer than this fraction of the tallest one's height are one digit in parts, when the whole is a sure digit. */
  oneDigitGap: 0.12,
  /** Digits that touch (see touchingCuts): ink at least this many times as wide as high is cut (a side again: three), */
  minCutAspect: 0.9,
  /** or this many when the number reader reads the ink as two digits (a 1 beside a digit, two 1s: narrower than most pairs), */
  pairCutAspect: 0.5,
  /** and ink read as one sure digit too from this aspect on, kept as digits when each is surer than the whole was */
  sureCutAspect: 1.1,
  /** and spans at least this share of its height (digits side by side each span most of it), */
  sureCutHeight: 0.75,
  /** along its `cuts` cheapest seams (more read a few more numbers right, and more letters as numbers), */
  cuts: 2,
  /** or this many where the number reader reads the ink as two digits and none of the cheapest reads its pair, */
  pairCuts: 4,
  /** each entering at most this many strokes (two digits side by side meet in one place; a # is cut across two bars), */
  maxCutStrokes: 1,
  /** and in ink along at most this share of its rows (digits touch along part of their height; down solid ink, a filled square, every cut is a 1), */
  maxSeamInk: 0.8,
  /** each free to wind this fraction of the ink's height either side of its column, */
  cutBand: 0.15,
  /** the columns tried this fraction of the height apart and at least `cutMargin` of it from either edge, */
  cutStep: 0.05,
  cutMargin: 0.12,
  /** leaving each side at least this share of the ink; */
  minCutShare: 0.08,
  /** each side fitted from an image at most this many pixels a side (a quarter of a piece's: a stroke's time budget). */
  cutSide: 64,
});

/** The top `count` classes of a probability vector, most likely first. */
export function topGuesses(probabilities: readonly number[], count = 3): Guess[] {
  return probabilities
    .map((probability, label) => ({ label, probability }))
    .sort((a, b) => b.probability - a.probability)
    .slice(0, count);
}

const percent = (p: number) => `${Math.round(p * 100)}%`;
const guessList = (guesses: readonly Guess[]) => guesses.map((g) => `${g.label} (${percent(g.probability)})`).join(', ');

/** What the recognizer knows of one piece of ink when it decides whether it is a digit. */
export interface SinglePieceEvidence {
  /** The model on the 28x28. */
  readonly probabilities: readonly number[];
  /** The model on its stroke views (none when viewWeight is 0). */
  readonly views: readonly (readonly number[])[];
  /** The other shipped model on the 28x28, or null. */
  readonly second: readonly number[] | null;
  readonly box: Box;
  readonly pixels: Uint8Array;
}

/** Why a single piece of ink is not called a digit, or null when it is one. */
export function singleDigitDoubt({ probabilities, views, second, box, pixels }: SinglePieceEvidence, thresholds: VerdictThresholds): string | null {
  const guesses = () => `best guesses ${guessList(topGuesses(probabilities))}`;
  const aspect = box.width / box.height;
  if (aspect > thresholds.maxAspect) {
    return `the ink is ${aspect.toFixed(1)} times as wide as it is high, wider than one digit (at most ${thresholds.maxAspect}); ${guesses()}`;
  }
  const [best] = topGuesses(probabilities, 1) as [Guess];
  const glyph = best.label === 1 ? glyphNotAOne(pixels) : null;
  if (glyph !== null) return `the ink is ${glyph}, not a 1; ${guesses()}`;
  // Each probability floored at 1e-6 so that one 0 does not make the mean 0 whatever the others say.
  const terms: [weight: number, probability: number, what: string][] = [[1, best.probability, 'the model']];
  if (views.length > 0) terms.push([thresholds.viewWeight, views.reduce((sum, view) => sum + view[best.label]!, 0) / views.length, 'its stroke views (thicker or thinner)']);
  if (second !== null) terms.push([thresholds.secondOpinionWeight, second[best.label]!, 'the second model']);
  const weight = terms.reduce((sum, [w]) => sum + w, 0);
  const sureness = Math.exp(terms.reduce((sum, [w, p]) => sum + w * Math.log(Math.max(1e-6, p)), 0) / weight);
  if (sureness < thresholds.minSureness) {
    const evidence = terms.map(([, p, what]) => `${what} ${percent(p)}`).join(', ');
    return `not sure enough of ${best.label}: sureness ${percent(sureness)}, need ${percent(thresholds.minSureness)} (${evidence}); ${guesses()}`;
  }
  return null;
}

/** Why pieces are not read as a number, or null when each is a digit sure enough. */
export function piecesDoubt(pieces: readonly (readonly number[])[], thresholds: VerdictThresholds): string | null {
  if (pieces.length > thresholds.maxDigits) return `the ink falls into ${pieces.length} pieces, more than the ${thresholds.maxDigits} digits read at once`;
  const weak = pieces.findIndex((p) => Math.max(...p) < thresholds.minPieceConfidence);
  if (weak < 0) return null;
  return `piece ${weak + 1} of ${pieces.length} (from the left) is no digit sure enough (need ${percent(thresholds.minPieceConfidence)}); its best guesses ${guessList(topGuesses(pieces[weak]!))}`;
}
