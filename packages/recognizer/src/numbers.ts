// The number reader's side of recognition: ink fitted as it was trained (@digitkit/preprocess's wideFit), read whole.
import type { DigitModel } from '@digitkit/core';
import { predict } from '@digitkit/model';
import { type GrayImage, normalize, readNumberClass, wideFit } from '@digitkit/preprocess';

/** The pairs are classes 0-99 (10a + b); the classes past them are single digits, more and none. */
const PAIRS = 100;

/** What the number reader makes of ink: two digits, how sure, and each side's digits (the pairs' probabilities summed). */
export type NumberReading =
  | { readonly pair: true; readonly digits: readonly [number, number]; readonly probability: number; readonly sides: readonly [number[], number[]] }
  | { readonly pair: false };

/** Reads light-on-dark `ink` whole: a pair when the reader's most likely class is one. */
export function readNumber(reader: DigitModel, ink: GrayImage): NumberReading {
  const fit = wideFit(ink);
  if (!fit) return { pair: false };
  const { label, probabilities } = predict(reader, normalize(fit), 1)[0]!;
  const read = readNumberClass(label);
  if (read.kind !== 'digits' || read.digits.length !== 2) return { pair: false };
  // Each side as a distribution over digits, given that the ink is a pair: what a DigitPiece's probabilities say.
  const first = new Array<number>(10).fill(0);
  const second = new Array<number>(10).fill(0);
  let mass = 0;
  for (let c = 0; c < PAIRS; c++) {
    first[Math.floor(c / 10)]! += probabilities[c]!;
    second[c % 10]! += probabilities[c]!;
    mass += probabilities[c]!;
  }
  const sides: [number[], number[]] = [first.map((p) => p / mass), second.map((p) => p / mass)];
  return { pair: true, digits: [read.digits[0]!, read.digits[1]!], probability: probabilities[label]!, sides };
}
