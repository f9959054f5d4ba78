// The number reader's side of recognition: ink fitted as it was trained (@digitkit/preprocess's wideFit), read whole.
import type { DigitModel } from '@digitkit/core';
import { predict } from '@digitkit/model';
import { type GrayImage, NUMBER_CLASSES, normalize, readNumberClass, wideFit } from '@digitkit/preprocess';

/** The pair each class of the reader stands for, [a, b], or null for the others (single digits, more, none). */
const PAIR_OF = Array.from({ length: NUMBER_CLASSES }, (_, label) => {
  const read = readNumberClass(label);
  return read.kind === 'digits' && read.digits.length === 2 ? (read.digits as [number, number]) : null;
});

/** The class of each pair a, b at a * 10 + b. */
const CLASS_OF_PAIR = new Array<number>(100);
PAIR_OF.forEach((pair, c) => {
  if (pair) CLASS_OF_PAIR[pair[0] * 10 + pair[1]] = c;
});

/**
 * Where the reader is sure the ink is two digits but torn between pairs (all pairs together at least `pairs`), a cut's
 * two digits agree with it from `cutPair` (not numberAgreement): the cut picks among the reader's pairs. Chosen on the
 * tuning halves (tools/robustness RESULTS.md, "A reader torn between pairs"). Not where the picture's ink is one piece
 * the model reads as one digit at least `minCutConfidence` sure (a digit with a stroke across it; RESULTS.md, "A torn
 * reader does not cut one sure digit").
 */
export const TORN_READER = Object.freeze({ pairs: 0.7, cutPair: 0.2 });

/**
 * Where the reader gives its most likely pair at least `pair` and a cut's two sides read that pair, each at least `side`
 * sure and one at least `surerSide`, the two readings agree and the pair is read without the single-digit checks (a cut
 * of digits that touch often leaves one whole and takes ink from the other, which then fails them; scribbles read as 00
 * left two weak sides). Chosen on the tuning halves (tools/robustness RESULTS.md, "Cuts that confirm a sure reader").
 */
export const CONFIRMING_CUT = Object.freeze({ pair: 0.7, side: 0.35, surerSide: 0.9 });

/** What the number reader makes of ink: two digits, how sure, and each side's digits (the pairs' probabilities summed). */
export type NumberReading =
  | {
      readonly pair: true;
      readonly digits: readonly [number, number];
      readonly probability: number;
      readonly sides: readonly [number[], number[]];
      /** All the pairs' probabilities together. */
      readonly pairs: number;
      /** The reader's probability of the pair `a`, `b`. */
      readonly probabilityOf: (a: number, b: number) => number;
    }
  | { readonly pair: false };

/** Reads light-on-dark `ink` whole: a pair when the reader's most likely class is one. */
export function readNumber(reader: DigitModel, ink: GrayImage): NumberReading {
  const fit = wideFit(ink);
  if (!fit) return { pair: false };
  const { label, probabilities } = predict(reader, normalize(fit), 1)[0]!;
  const digits = PAIR_OF[label];
  if (!digits) return { pair: false };
  // Each side as a distribution over digits, given that the ink is a pair: what a DigitPiece's probabilities say.
  const first = new Array<number>(10).fill(0);
  const second = new Array<number>(10).fill(0);
  let mass = 0;
  PAIR_OF.forEach((pair, c) => {
    if (!pair) return;
    first[pair[0]]! += probabilities[c]!;
    second[pair[1]]! += probabilities[c]!;
    mass += probabilities[c]!;
  });
  const sides: [number[], number[]] = [first.map((p) => p / mass), second.map((p) => p / mass)];
  const probabilityOf = (a: number, b: number) => probabilities[CLASS_OF_PAIR[a * 10 + b]!]!;
  return { pair: true, digits, probability: probabilities[label]!, sides, pairs: mass, probabilityOf };
}
