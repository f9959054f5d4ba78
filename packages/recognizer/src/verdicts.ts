// When a picture is one digit, several, or nothing the recognizer can name: every threshold in one place, chosen by
// `pnpm --filter @digitkit/robustness bench:verdicts` (tuning half) and checked there on held-out pictures.
import type { Box } from '@digitkit/preprocess';
import { glyphNotAOne } from './shapes.js';
import type { Guess, ShippedModelName, VerdictThresholds } from './types.js';

/**
 * The shipped thresholds, per shipped model (re-check them with `bench:verdicts` whenever the shipped models change).
 * A model of your own starts from the CNN's (and has no second opinion).
 */
export const VERDICT_THRESHOLDS: Readonly<Record<ShippedModelName, Readonly<VerdictThresholds>>> = Object.freeze({
  cnn: Object.freeze({ minConfidence: 0.7, minSecondOpinion: 0.3, minPieceConfidence: 0.5, maxAspect: 1.6, maxDigits: 8 }),
  mlp: Object.freeze({ minConfidence: 0.6, minSecondOpinion: 0.3, minPieceConfidence: 0.5, maxAspect: 1.6, maxDigits: 8 }),
});

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

/** Why a single piece of ink is not called a digit, or null when it is one. */
export function singleDigitDoubt(
  probabilities: readonly number[],
  second: readonly number[] | null,
  box: Box,
  pixels: Uint8Array,
  thresholds: VerdictThresholds,
): string | null {
  const aspect = box.width / box.height;
  if (aspect > thresholds.maxAspect) {
    return `the ink is ${aspect.toFixed(1)} times as wide as it is high, wider than one digit (at most ${thresholds.maxAspect}); best guesses ${guessList(topGuesses(probabilities))}`;
  }
  const [best] = topGuesses(probabilities, 1) as [Guess];
  const glyph = best.label === 1 ? glyphNotAOne(pixels) : null;
  if (glyph !== null) return `the ink is ${glyph}, not a 1; best guesses ${guessList(topGuesses(probabilities))}`;
  if (best.probability < thresholds.minConfidence) {
    return `no digit is likely enough (need ${percent(thresholds.minConfidence)}); best guesses ${guessList(topGuesses(probabilities))}`;
  }
  const agreed = second?.[best.label] ?? 1;
  if (agreed < thresholds.minSecondOpinion) {
    return `the second model gives ${best.label} only ${percent(agreed)} (need ${percent(thresholds.minSecondOpinion)}); best guesses ${guessList(topGuesses(probabilities))}`;
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
