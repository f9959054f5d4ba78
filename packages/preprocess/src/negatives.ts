import { createRng, DigitkitError, type ImageSet, type Rng } from '@digitkit/core';
import { drawSegment } from './augment.js';
import { type Box, boundingBox, type GrayImage, resampleArea } from './image.js';
import { toMnistFormat } from './mnist-format.js';

// Synthetic "not a digit" pictures for outlier exposure (Hendrycks et al. 2019): trained towards equal probabilities
// for every class, they teach a model to be unsure of ink that is no digit. Drawn as toMnistFormat leaves a picture
// (ink fit into the central 20x20 box, MNIST's stroke width), so nothing but their shape tells them from digits.

/** Makes one non-digit into `out` (bytes, 0 background). */
export type NegativeMaker = (out: Uint8Array) => NegativeKind;

/** What a synthetic non-digit is (see {@link NEGATIVE_KINDS}). */
export type NegativeKind = (typeof NEGATIVE_KINDS)[number];

/** The kinds, drawn in equal shares. */
// Two digits on top of each other were tried too and dropped: when one covers the other, the picture is a digit.
export const NEGATIVE_KINDS = ['scribble', 'strokes'] as const;

export interface NegativeMakerOptions {
  seed: number;
  /** Picture side in pixels. Default 28 (MNIST). */
  width?: number;
  height?: number;
}

type Point = [number, number];
/** Draws one kind into `out`; `canvas` is a free float buffer of the picture's size. */
type Draw = (out: Uint8Array, rng: Rng, width: number, height: number, canvas: Float32Array) => void;

/** The box MNIST fits its digits into, and the pen: MNIST strokes are about 2-3 px wide at 28x28. */
const BOX = 20;
const PEN = [0.9, 1.6] as const;

const KINDS: Record<NegativeKind, Draw> = {
  // One or two smooth wandering strokes: a turning pen with momentum, so it curls, loops and crosses itself.
  scribble: (out, rng, width, height, canvas) => {
    const strokes: Point[][] = [];
    for (let s = 1 + (rng.next() < 0.35 ? 1 : 0); s > 0; s--) {
      const points: Point[] = [[rng.next(), rng.next()]];
      let heading = rng.next() * 2 * Math.PI;
      let turn = (rng.next() * 2 - 1) * 0.6;
      for (let i = 12 + rng.int(28); i > 0; i--) {
        turn = Math.max(-0.9, Math.min(0.9, turn + (rng.next() * 2 - 1) * 0.35));
        heading += turn;
        const [x, y] = points[points.length - 1]!;
        points.push([x + Math.cos(heading) * 0.12, y + Math.sin(heading) * 0.12]);
      }
      strokes.push(points);
    }
    drawFitted(strokes, out, rng, width, height, canvas);
  },
  // Three to six straight strokes between random points of a 4x4 grid, some joined: like letters, arrows, signs.
  strokes: (out, rng, width, height, canvas) => {
    const anchor = (): Point => [rng.int(4) / 3 + (rng.next() - 0.5) * 0.15, rng.int(4) / 3 + (rng.next() - 0.5) * 0.15];
    const strokes: Point[][] = [];
    let last = anchor();
    for (let i = 3 + rng.int(4); i > 0; i--) {
      const from = rng.next() < 0.6 ? last : anchor();
      let to = anchor();
      while (to[0] === from[0] && to[1] === from[1]) to = anchor();
      strokes.push([from, to]);
      last = to;
    }
    drawFitted(strokes, out, rng, width, height, canvas);
  },
};

/** A seeded maker of non-digit pictures: the same seed gives the same sequence. */
export function createNegativeMaker(options: NegativeMakerOptions): NegativeMaker {
  const { seed, width = 28, height = 28 } = options;
  checkSeed('createNegativeMaker', seed);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < BOX || height < BOX) {
    throw new DigitkitError('BAD_OPTION', `createNegativeMaker: width and height must be integers of at least ${BOX} pixels, got ${width}x${height}`);
  }
  const rng = createRng(seed);
  const canvas = new Float32Array(width * height);
  return (out) => {
    checkOutput('negative maker', out, width, height);
    const kind = NEGATIVE_KINDS[rng.int(NEGATIVE_KINDS.length)]!;
    KINDS[kind](out, rng, width, height, canvas);
    return kind;
  };
}

/** Strokes in unit-ish coordinates, scaled so their larger side fills the MNIST box, centred, drawn with one pen. */
function drawFitted(strokes: Point[][], out: Uint8Array, rng: Rng, width: number, height: number, canvas: Float32Array): void {
  let left = Number.POSITIVE_INFINITY;
  let right = Number.NEGATIVE_INFINITY;
  let top = Number.POSITIVE_INFINITY;
  let bottom = Number.NEGATIVE_INFINITY;
  for (let s = 0; s < strokes.length; s++) {
    const stroke = strokes[s]!;
    for (let i = 0; i < stroke.length; i++) {
      const point = stroke[i]!;
      left = Math.min(left, point[0]);
      right = Math.max(right, point[0]);
      top = Math.min(top, point[1]);
      bottom = Math.max(bottom, point[1]);
    }
  }
  const scale = (BOX - 2 * PEN[1]) / Math.max(right - left, bottom - top, 1e-6);
  const ox = width / 2 - ((left + right) / 2) * scale;
  const oy = height / 2 - ((top + bottom) / 2) * scale;
  const pen = PEN[0] + rng.next() * (PEN[1] - PEN[0]);
  canvas.fill(0);
  for (let s = 0; s < strokes.length; s++) {
    const stroke = strokes[s]!;
    for (let i = 1; i < stroke.length; i++) {
      const from = stroke[i - 1]!;
      const to = stroke[i]!;
      drawSegment(canvas, width, height, ox + from[0] * scale, oy + from[1] * scale, ox + to[0] * scale, oy + to[1] * scale, pen, 1, 0);
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = roundNonNegative(canvas[i]! * 255);
}

/** Throws BAD_OPTION unless `seed` is a finite number. */
export function checkSeed(caller: string, seed: number): void {
  if (!Number.isFinite(seed)) throw new DigitkitError('BAD_OPTION', `${caller}: seed must be a finite number, got ${seed}`);
}

function checkOutput(caller: string, out: Uint8Array, width: number, height: number): void {
  if (out.length !== width * height) {
    throw new DigitkitError('BAD_INPUT', `${caller}: expected a ${width}x${height} output (${width * height} bytes), got ${out.length}`);
  }
}

/** Math.round of a number >= 0 (the same integer: ties up), without Math.round's cost when it becomes a byte. */
function roundNonNegative(value: number): number {
  if (value === 0) return 0;
  const whole = value | 0;
  return value - whole >= 0.5 ? whole + 1 : whole;
}

export interface PairMakerOptions {
  seed: number;
  /** The digits pairs are drawn from (28x28, light on black, as MNIST). */
  digits: ImageSet;
}

/**
 * A seeded maker of two digits of `digits` written in one flow, fitted as the recognizer fits a picture (toMnistFormat
 * on the whole ink): what a number whose digits touch looks like to a model, which no single digit is. Trained towards
 * equal probabilities like the other non-digits, it teaches a model to doubt such ink, so the recognizer cuts it.
 */
export function createPairMaker({ seed, digits }: PairMakerOptions): (out: Uint8Array) => void {
  checkSeed('createPairMaker', seed);
  if (digits.width !== MNIST_SIDE || digits.height !== MNIST_SIDE || digits.count < 2) {
    throw new DigitkitError('BAD_OPTION', `createPairMaker: needs at least two ${MNIST_SIDE}x${MNIST_SIDE} digits, got ${digits.count} of ${digits.width}x${digits.height}`);
  }
  const rng = createRng(seed);
  return (out) => {
    checkOutput('pair maker', out, MNIST_SIDE, MNIST_SIDE);
    // A pair is redrawn in the rare case the pipeline finds no ink in it (two nearly blank digits).
    for (let attempt = 0; attempt < 4; attempt++) {
      const fitted = toMnistFormat(touchingPair(digits, rng), { polarity: 'light-on-dark' });
      if (!fitted.empty) return void out.set(fitted.pixels);
    }
    out.fill(0);
  };
}

const MNIST_SIDE = 28;
/** Room around the pair, so toMnistFormat sees background on every side; neighbours from 15% of the height overlapping to 5% apart. */
const PAIR_LAYOUT: TouchingLayout = { gap: [-0.15, 0.05], margin: 8 };

/** Two random digits of `digits` written in one flow (see {@link touchingDigits}), as bytes. */
function touchingPair(digits: ImageSet, rng: Rng): GrayImage<Uint8Array> {
  // Each digit's index, size and drop are drawn in turn: the order this maker's pictures have always come from.
  const written = [0, 1].map(() => {
    const { image, box } = digitAndBox(digits, rng.int(digits.count));
    const scale = drawWrittenScale(rng);
    const width = Math.max(1, Math.round(box.width * scale));
    const height = Math.max(1, Math.round(box.height * scale));
    // Resampled in place, not cropped first as the number set's digits are: the two differ in the last float bits.
    const ink = { data: resampleArea(image, box, width / box.width, height / box.height, width, height), width, height };
    return { ink, drop: drawBaselineDrop(rng, height) };
  });
  const pair = touchingDigits(written, rng, PAIR_LAYOUT);
  return { data: Uint8Array.from(pair.data, (value) => Math.min(255, Math.round(value))), width: pair.width, height: pair.height };
}

/** Digit `index` of a set of 28x28 digits, and its ink's box (the whole bitmap when it is blank). */
export function digitAndBox(digits: ImageSet, index: number): { image: GrayImage<Uint8Array>; box: Box } {
  const side = MNIST_SIDE;
  const image = { data: digits.images.subarray(index * side * side, (index + 1) * side * side), width: side, height: side };
  return { image, box: boundingBox(image) ?? { x: 0, y: 0, width: side, height: side } };
}

/** One digit of a number written in one flow: its ink (light on black) and how far its baseline drops, in pixels. */
export interface WrittenDigit {
  ink: GrayImage<Float32Array>;
  drop: number;
}

/** How the digits of a number sit: neighbours' ink boxes `gap` of the tallest digit's height apart (a range, negative
 * for overlapping), `margin` pixels of background around them. */
export interface TouchingLayout {
  gap: readonly [least: number, most: number];
  margin: number;
}

/** A written digit's size against its neighbours': heights 85-115% of one another. */
export function drawWrittenScale(rng: Rng): number {
  return 0.85 + rng.next() * 0.3;
}

/** How far a written digit's baseline drops: up to 6% of its height either way. */
export function drawBaselineDrop(rng: Rng, height: number): number {
  return Math.round((rng.next() - 0.5) * 0.12 * height);
}

/**
 * Digits side by side on a black canvas, as people write a number in one flow: each starts a gap of `layout` (drawn
 * here, one per neighbour) right of the ink before it, and ends at the tallest digit's bottom moved by its drop. Where
 * two inks meet, the more inked pixel wins. A margin of at least the largest drop keeps every digit on the canvas.
 */
export function touchingDigits(written: readonly WrittenDigit[], rng: Rng, layout: TouchingLayout): GrayImage<Float32Array> {
  const { margin } = layout;
  const [least, most] = layout.gap;
  const unit = Math.max(...written.map(({ ink }) => ink.height));
  const xs: number[] = [];
  let right = margin;
  for (const [k, { ink }] of written.entries()) {
    // From the rightmost ink so far: a narrow digit overlapped by more than its width does not pull the next one back.
    const x = k === 0 ? margin : Math.max(margin, right + Math.round((least + rng.next() * (most - least)) * unit));
    xs.push(x);
    right = Math.max(right, x + ink.width);
  }
  const width = right + margin;
  // The common baseline sits the first drop below the margin, and the canvas grows by every drop: a pair's canvas as the pair maker has always sized it.
  const top = margin + Math.abs(written[0]!.drop);
  const height = unit + written.reduce((sum, { drop }) => sum + Math.abs(drop), 0) + 2 * margin;
  const data = new Float32Array(width * height);
  written.forEach(({ ink, drop }, k) => {
    const y0 = top + drop + (unit - ink.height);
    for (let y = 0; y < ink.height; y++) {
      for (let x = 0; x < ink.width; x++) {
        const i = (y0 + y) * width + xs[k]! + x;
        data[i] = Math.max(data[i]!, ink.data[y * ink.width + x]!);
      }
    }
  });
  return { data, width, height };
}
