// Several MNIST test digits written side by side, as people write a number: each digit's stroke skeleton re-drawn with
// one pen, at its own size and baseline, with gaps from almost touching to wide.
import type { ImageSet, Rng } from '@digitkit/core';
import { type Affine, type Raster, digitSkeleton, drawSkeleton, skeletonBounds, skeletonStrokes, toPhoto, toSurface } from '@digitkit/testkit';
import { EASY_PHOTO, photoLook } from '../conditions.js';
import type { Half } from './scene.js';
import { pick, within } from './scene.js';

/** A number drawn from MNIST test digits, and the digits it holds, left to right. */
export interface DrawnNumber {
  readonly image: Raster;
  readonly digits: number[];
  /** The strokes it was drawn with (the digits' skeletons as strokes, in the picture's pixels), as a drawing pad would
   * give them, when asked (`withStrokes`); none for a photo. */
  readonly strokes?: [number, number][][];
}

/** Test digits of each half: the tuning half draws from the first 5,000 test images, the held-out half the rest. */
export function sourceRange(half: Half, test: ImageSet): [number, number] {
  const middle = test.count >> 1;
  return half === 'tune' ? [0, middle] : [middle, test.count];
}

const CANVASES: readonly (readonly [number, number])[] = [
  [280, 280],
  [400, 300],
  [480, 360],
];

/**
 * `count` digits (from the half's test images) side by side: heights 85-115% of one another, baselines up to 12% of
 * the height apart, gaps between the drawn strokes in `gaps` (fractions of the height: 5-60% by default, below 0 the
 * digits' extents overlap, as in a number written in one flow), a tilt of up to 6 degrees for the whole.
 */
export function drawNumber(test: ImageSet, half: Half, count: number, rng: Rng, gaps: readonly [number, number] = [0.05, 0.6], withStrokes = false): DrawnNumber {
  const [from, to] = sourceRange(half, test);
  const side = test.width;
  const sources = Array.from({ length: count }, () => from + rng.int(to - from));
  const skeletons = sources.map((s) => digitSkeleton(test.images.subarray(s * side * side, (s + 1) * side * side), side));
  const surface = pick(rng, ['black-on-white', 'black-on-white', 'transparent-black', 'white-on-black', 'photo'] as const);
  const [width, height] = pick(rng, CANVASES);
  // Lay the digits out in units of one digit's height, then fit the row into the canvas.
  const heights = sources.map(() => within(rng, [0.85, 1.15]));
  const penUnits = within(rng, [0.06, 0.16]);
  let x = 0;
  const layout = skeletons.map((skeleton, i) => {
    const [x0, y0, x1, y1] = skeletonBounds(skeleton);
    const unit = heights[i]! / Math.max(y1 - y0, 1);
    const left = x;
    x += (x1 - x0) * unit + penUnits + within(rng, gaps);
    return { unit, left, x0, y0, drop: within(rng, [-0.06, 0.06]) + (1 - heights[i]!) };
  });
  const rowWidth = x - 0.05;
  const scale = Math.min((within(rng, [0.6, 0.9]) * width) / rowWidth, (within(rng, [0.35, 0.7]) * height) / 1.3);
  const pen = Math.max(2, penUnits * scale);
  const angle = (within(rng, [-6, 6]) * Math.PI) / 180;
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const originX = (width - rowWidth * scale) / 2 + (rng.next() - 0.5) * 0.1 * width;
  const originY = (height - scale) / 2 + (rng.next() - 0.5) * 0.1 * height;
  const cover = new Float32Array(width * height);
  const strokes: [number, number][][] = [];
  layout.forEach(({ unit, left, x0, y0, drop }, i) => {
    // Digit units -> row units (left + (x - x0) * unit, drop + (y - y0) * unit) -> canvas, tilted about the row's origin.
    const s = unit * scale;
    const tx = (left - x0 * unit) * scale;
    const ty = (drop - y0 * unit) * scale;
    const transform: Affine = { a: cos * s, b: -sin * s, c: sin * s, d: cos * s, tx: originX + cos * tx - sin * ty, ty: originY + sin * tx + cos * ty };
    const ink = drawSkeleton(skeletons[i]!, transform, width, height, pen);
    const { a, b, c, d, tx: ox, ty: oy } = transform;
    if (withStrokes) for (const stroke of skeletonStrokes(skeletons[i]!)) strokes.push(stroke.map(([x, y]) => [a * x + b * y + ox, c * x + d * y + oy]));
    for (let p = 0; p < cover.length; p++) if (ink[p]! > cover[p]!) cover[p] = ink[p]!;
  });
  const image = surface === 'photo' ? toPhoto(cover, width, height, photoLook(EASY_PHOTO, rng), rng) : toSurface(cover, width, height, surface);
  return { image, digits: sources.map((s) => test.labels[s]!), ...(withStrokes && surface !== 'photo' && { strokes }) };
}
