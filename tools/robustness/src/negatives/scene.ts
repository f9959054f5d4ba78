// Where a negative (or several digits) lands and how it reaches the recognizer: the same pads, pens, surfaces and
// photos as the single-digit conditions, so only the content differs.
import type { Rng } from '@digitkit/core';
import { type Raster, type Surface, penCoverage, toPhoto, toSurface } from '@digitkit/testkit';
import { EASY_PHOTO, photoLook } from '../conditions.js';

type Range = readonly [number, number];

/** Which half of a set a picture belongs to: thresholds are tuned on one and reported on both. */
export type Half = 'tune' | 'held-out';
export const HALVES: readonly Half[] = ['tune', 'held-out'];

/** Line segments `[x0, y0, x1, y1, ...]` in a unit-high box: x from 0 to `aspect`, y from 0 (top) to 1. */
export interface Shape {
  readonly segments: number[];
  /** Width / height of the shape's box. */
  readonly aspect: number;
}

const CANVASES: readonly (readonly [number, number])[] = [
  [280, 280],
  [400, 300],
  [300, 400],
  [112, 112],
];
const PHOTOS: readonly (readonly [number, number])[] = [
  [320, 240],
  [480, 360],
];
const SURFACES: readonly (Surface | 'photo')[] = ['black-on-white', 'black-on-white', 'transparent-black', 'white-on-black', 'photo'];

export const within = (rng: Rng, [lo, hi]: Range): number => lo + rng.next() * (hi - lo);
export const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)]!;

/** A shape drawn with a round pen at a random size and place on a random pad or photo. */
export function renderShape(shape: Shape, rng: Rng): Raster {
  const surface = pick(rng, SURFACES);
  const [width, height] = pick(rng, surface === 'photo' ? PHOTOS : CANVASES);
  // The shape's larger side fills 40-90% of the room; a pen of 1.5-9% of its height (mouse line to finger).
  const fill = within(rng, [0.4, 0.9]);
  const scale = Math.min((fill * width) / Math.max(shape.aspect, 0.2), fill * height);
  const pen = Math.max(2, scale * within(rng, [0.015, 0.09]));
  const left = pen / 2 + rng.next() * Math.max(0, width - scale * shape.aspect - pen);
  const top = pen / 2 + rng.next() * Math.max(0, height - scale - pen);
  const lines = shape.segments.map((v, i) => (i % 2 === 0 ? left + v * scale : top + v * scale));
  const cover = Float32Array.from(penCoverage(lines, width, height, pen));
  return surface === 'photo' ? toPhoto(cover, width, height, photoLook(EASY_PHOTO, rng), rng) : toSurface(cover, width, height, surface);
}

/** Polylines (unit-high box) as segments. */
export function segmentsOf(polylines: readonly (readonly (readonly [number, number])[])[]): number[] {
  const out: number[] = [];
  for (const line of polylines) {
    if (line.length === 1) out.push(line[0]![0], line[0]![1], line[0]![0], line[0]![1]);
    for (let i = 1; i < line.length; i++) out.push(line[i - 1]![0], line[i - 1]![1], line[i]![0], line[i]![1]);
  }
  return out;
}

/** Segments moved and scaled so their box is unit-high and starts at (0, 0). */
export function normalizeShape(segments: number[]): Shape {
  let [x0, y0, x1, y1] = [Infinity, Infinity, -Infinity, -Infinity];
  for (let i = 0; i < segments.length; i += 2) {
    x0 = Math.min(x0, segments[i]!);
    x1 = Math.max(x1, segments[i]!);
    y0 = Math.min(y0, segments[i + 1]!);
    y1 = Math.max(y1, segments[i + 1]!);
  }
  const size = Math.max(y1 - y0, 1e-6);
  return { segments: segments.map((v, i) => (v - (i % 2 === 0 ? x0 : y0)) / size), aspect: (x1 - x0) / size };
}
