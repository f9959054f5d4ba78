import { createRng, DigitkitError, type Rng } from '@digitkit/core';
import { drawSegment } from './augment.js';

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
  if (!Number.isFinite(seed)) throw new DigitkitError('BAD_OPTION', `createNegativeMaker: seed must be a finite number, got ${seed}`);
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < BOX || height < BOX) {
    throw new DigitkitError('BAD_OPTION', `createNegativeMaker: width and height must be integers of at least ${BOX} pixels, got ${width}x${height}`);
  }
  const rng = createRng(seed);
  const canvas = new Float32Array(width * height);
  return (out) => {
    if (out.length !== width * height) {
      throw new DigitkitError('BAD_INPUT', `negative maker: expected a ${width}x${height} output (${width * height} bytes), got ${out.length}`);
    }
    const kind = NEGATIVE_KINDS[rng.int(NEGATIVE_KINDS.length)]!;
    KINDS[kind](out, rng, width, height, canvas);
    return kind;
  };
}

/** Strokes in unit-ish coordinates, scaled so their larger side fills the MNIST box, centred, drawn with one pen. */
function drawFitted(strokes: Point[][], out: Uint8Array, rng: Rng, width: number, height: number, canvas: Float32Array): void {
  const all = strokes.flat();
  const xs = all.map((p) => p[0]);
  const ys = all.map((p) => p[1]);
  const [left, right, top, bottom] = [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)];
  const scale = (BOX - 2 * PEN[1]) / Math.max(right - left, bottom - top, 1e-6);
  const ox = width / 2 - ((left + right) / 2) * scale;
  const oy = height / 2 - ((top + bottom) / 2) * scale;
  const pen = PEN[0] + rng.next() * (PEN[1] - PEN[0]);
  canvas.fill(0);
  for (const stroke of strokes) {
    for (let i = 1; i < stroke.length; i++) {
      const [x0, y0] = stroke[i - 1]!;
      const [x1, y1] = stroke[i]!;
      drawSegment(canvas, width, height, ox + x0 * scale, oy + y0 * scale, ox + x1 * scale, oy + y1 * scale, pen, 1, 0);
    }
  }
  for (let i = 0; i < out.length; i++) out[i] = Math.round(canvas[i]! * 255);
}
