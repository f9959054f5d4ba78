import { createRng, DigitkitError, type ImageSet, type Rng } from '@digitkit/core';
import { type Box, boundingBox, centerOfMass, type GrayImage, resizeArea } from './image.js';
import { checkSeed, createNegativeMaker, digitAndBox, drawBaselineDrop, drawWrittenScale, type TouchingLayout, touchingDigits } from './negatives.js';

// The number reader's data: a model that reads one or two touching digits whole (recognition, not segmentation), from
// a 56x28 "wide fit" of their ink, trained on MNIST digits written side by side.

/** The number reader's input: ink fitted by {@link wideFit} into this many pixels. */
export const NUMBER_FIT = { width: 56, height: 28 } as const;
/** The ink's height in a wide fit (MNIST's 20 of 28), and its widest (2 pixels of background each side). */
const FIT_INK_HEIGHT = 20;
const FIT_INK_WIDTH = 52;

/**
 * Light-on-dark ink fitted into {@link NUMBER_FIT}: cropped to its box (pixels above a tenth of its peak), scaled by
 * area to height 20 (or width 52 if that is smaller), aspect kept, its centre of mass moved to the middle (as far as
 * the picture allows), and scaled so its peak is 255. Null when there is no ink.
 */
export function wideFit(ink: GrayImage): Uint8Array | null {
  let peak = 0;
  for (let i = 0; i < ink.data.length; i++) peak = Math.max(peak, ink.data[i]!);
  if (!(peak > 0)) return null;
  const box = boundingBox(ink, 0.1 * peak)!;
  const small = scaledCrop(ink, box, Math.min(FIT_INK_HEIGHT / box.height, FIT_INK_WIDTH / box.width));
  const com = centerOfMass(small)!;
  const top = small.data.reduce((a, b) => Math.max(a, b), 0);
  const { width, height } = NUMBER_FIT;
  const dx = Math.min(Math.max(Math.round(width / 2 - com.x), 0), width - small.width);
  const dy = Math.min(Math.max(Math.round(height / 2 - com.y), 0), height - small.height);
  const out = new Uint8Array(width * height);
  for (let y = 0; y < small.height; y++) {
    for (let x = 0; x < small.width; x++) out[(y + dy) * width + x + dx] = Math.round((small.data[y * small.width + x]! / top) * 255);
  }
  return out;
}

/** `box` of `image` area-resized by `scale` (at least a pixel a side). */
function scaledCrop(image: GrayImage, box: Box, scale: number): GrayImage<Float32Array> {
  // Cropped first, then resized: the fits readers were trained on come from exactly this arithmetic.
  const crop = new Float32Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) crop[y * box.width + x] = image.data[(box.y + y) * image.width + box.x + x]!;
  }
  const width = Math.max(1, Math.round(box.width * scale));
  const height = Math.max(1, Math.round(box.height * scale));
  return resizeArea({ data: crop, width: box.width, height: box.height }, width, height);
}

/** How many classes the number reader tells apart: 100 pairs, 10 single digits, three or more digits, no digit. */
export const NUMBER_CLASSES = 112;
/** Classes 0-99 are the pairs ab (class 10a + b); then the single digits, then these two. */
const FIRST_SINGLE_CLASS = 100;
const MANY_DIGITS_CLASS = 110;
const NO_DIGIT_CLASS = 111;

/** What a number reader's class stands for: one or two digits (left to right), three or more digits, or no digit. */
export type NumberReading = { kind: 'digits'; digits: number[] } | { kind: 'many' } | { kind: 'none' };

/** The number reader's class for ink holding `digits` (left to right): 10a + b for two, 100 + d for one, 110 for more, 111 for none. */
export function numberClass(digits: readonly number[]): number {
  if (!Array.isArray(digits) || !digits.every((d) => Number.isInteger(d) && d >= 0 && d <= 9)) {
    throw new DigitkitError('BAD_OPTION', `numberClass: digits must be an array of integers 0-9 (left to right), got ${JSON.stringify(digits)}`);
  }
  if (digits.length === 0) return NO_DIGIT_CLASS;
  if (digits.length === 1) return FIRST_SINGLE_CLASS + digits[0]!;
  if (digits.length === 2) return 10 * digits[0]! + digits[1]!;
  return MANY_DIGITS_CLASS;
}

/** What the number reader's class `label` stands for (the inverse of {@link numberClass}). */
export function readNumberClass(label: number): NumberReading {
  if (!Number.isInteger(label) || label < 0 || label >= NUMBER_CLASSES) {
    throw new DigitkitError('BAD_OPTION', `readNumberClass: a number class is an integer from 0 to ${NUMBER_CLASSES - 1}, got ${label}`);
  }
  if (label < FIRST_SINGLE_CLASS) return { kind: 'digits', digits: [Math.floor(label / 10), label % 10] };
  if (label < MANY_DIGITS_CLASS) return { kind: 'digits', digits: [label - FIRST_SINGLE_CLASS] };
  return label === MANY_DIGITS_CLASS ? { kind: 'many' } : { kind: 'none' };
}

/** Shares of a number set's pictures: touching pairs, single digits and touching triples; the rest are non-digits. */
export interface NumberMix {
  pairs: number;
  singles: number;
  triples: number;
}

export interface NumberSetOptions {
  /** How many pictures. */
  count: number;
  seed: number;
  /** Default `{ pairs: 0.4, singles: 0.35, triples: 0.1 }` (15% non-digits): the mix of the best reader measured. */
  mix?: NumberMix;
}

/** Neighbours from 25% of the height overlapping to 6% apart: closer than the pair maker's, as numbers are read whole. */
const NUMBER_LAYOUT: TouchingLayout = { gap: [-0.25, 0.06], margin: 2 };
const DEFAULT_MIX: NumberMix = { pairs: 0.4, singles: 0.35, triples: 0.1 };
const MNIST_SIDE = 28;
/** The largest set whose pictures fit in 1 GiB. */
const MAX_COUNT = Math.floor(2 ** 30 / (NUMBER_FIT.width * NUMBER_FIT.height));

/**
 * A training set for the number reader, drawn from `digits` (28x28, light on black, labelled 0-9): each picture, wide
 * fitted ({@link wideFit}), is two digits written touching (class 10a + b), a single digit as it is (100 + d), three
 * digits written touching (110), or a synthetic non-digit of {@link createNegativeMaker} on a 28x28 or a 56x28 canvas
 * (111), in the shares of `mix`. The same seed gives the same bytes.
 */
export function createNumberSet(digits: ImageSet, options: NumberSetOptions): ImageSet {
  const { count, seed, mix = DEFAULT_MIX } = options;
  checkNumberSetOptions(digits, count, seed, mix);
  const { pairs, singles, triples } = mix;
  const rng = createRng(seed);
  const size = NUMBER_FIT.width * NUMBER_FIT.height;
  const images = new Uint8Array(count * size);
  const labels = new Uint8Array(count);
  // Non-digits on a digit's canvas and on a number's, so their ink's shape, not its canvas, tells them apart.
  const onSquare = createNegativeMaker({ seed: seed + 1 });
  const onWide = createNegativeMaker({ seed: seed + 2, ...NUMBER_FIT });
  const label = (index: number) => digits.labels[index]!;
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    // Two digits are drawn for every picture, used or not: readers were trained on sets drawn in this order.
    const a = rng.int(digits.count);
    const b = rng.int(digits.count);
    let ink: GrayImage;
    if (roll < pairs) {
      ink = writtenNumber(digits, [a, b], rng);
      labels[i] = numberClass([label(a), label(b)]);
    } else if (roll < pairs + singles) {
      ink = digitInk(digits, a, 1);
      labels[i] = numberClass([label(a)]);
    } else if (roll < pairs + singles + triples) {
      const c = rng.int(digits.count);
      ink = writtenNumber(digits, [a, b, c], rng);
      labels[i] = numberClass([label(a), label(b), label(c)]);
    } else {
      const wide = rng.next() < 0.5;
      const canvas = wide ? NUMBER_FIT : { width: MNIST_SIDE, height: MNIST_SIDE };
      const data = new Uint8Array(canvas.width * canvas.height);
      (wide ? onWide : onSquare)(data);
      ink = { data, ...canvas };
      labels[i] = numberClass([]);
    }
    const fit = wideFit(ink);
    if (fit) images.set(fit, i * size);
  }
  return { images, labels, count, ...NUMBER_FIT, numClasses: NUMBER_CLASSES };
}

/** Digit `index`'s ink, cropped and scaled by `scale`. */
function digitInk(digits: ImageSet, index: number, scale: number): GrayImage<Float32Array> {
  const { image, box } = digitAndBox(digits, index);
  return scaledCrop(image, box, scale);
}

/** The digits at `indices` written touching, in one flow. */
function writtenNumber(digits: ImageSet, indices: readonly number[], rng: Rng): GrayImage<Float32Array> {
  // All sizes, then all drops: the draw order readers were trained on.
  const inks = indices.map((index) => digitInk(digits, index, drawWrittenScale(rng)));
  const written = inks.map((ink) => ({ ink, drop: drawBaselineDrop(rng, ink.height) }));
  return touchingDigits(written, rng, NUMBER_LAYOUT);
}

function checkNumberSetOptions(digits: ImageSet, count: number, seed: number, mix: NumberMix): void {
  checkSeed('createNumberSet', seed);
  if (digits.width !== MNIST_SIDE || digits.height !== MNIST_SIDE || digits.count < 3) {
    throw new DigitkitError(
      'BAD_OPTION',
      `createNumberSet: needs at least three ${MNIST_SIDE}x${MNIST_SIDE} digits (a triple takes three), got ${digits.count} of ${digits.width}x${digits.height}`,
    );
  }
  const badLabel = digits.labels.subarray(0, digits.count).findIndex((l) => l > 9);
  if (badLabel >= 0) {
    throw new DigitkitError('BAD_OPTION', `createNumberSet: digits must be labelled 0-9, got ${digits.labels[badLabel]} at ${badLabel}`);
  }
  if (!Number.isInteger(count) || count < 1 || count > MAX_COUNT) {
    throw new DigitkitError(
      'BAD_OPTION',
      `createNumberSet: count must be an integer from 1 to ${MAX_COUNT} (more pictures would pass 1 GiB), got ${count}`,
    );
  }
  const shares = [mix.pairs, mix.singles, mix.triples];
  // A little slack for shares written as decimals (0.6 + 0.3 + 0.1 is not exactly 1).
  if (!shares.every((share) => share >= 0 && share <= 1) || shares.reduce((sum, share) => sum + share, 0) > 1 + 1e-9) {
    throw new DigitkitError(
      'BAD_OPTION',
      `createNumberSet: mix shares must be numbers from 0 to 1 summing to at most 1 (the rest are non-digits), got pairs ${mix.pairs}, singles ${mix.singles}, triples ${mix.triples}`,
    );
  }
}
