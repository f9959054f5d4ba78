// Scribbles: what people draw to test a digit pad before drawing a digit. Random pen strokes (a tangle, a zigzag, a
// loop run over itself), smoothed like a hand's movement.
import type { Rng } from '@digitkit/core';
import { type Shape, normalizeShape, pick, segmentsOf, within } from './scene.js';

type Point = readonly [number, number];

const STYLES = {
  /** Random points joined by a smooth curve. */
  tangle: (rng: Rng): Point[][] => [smooth(Array.from({ length: 5 + rng.int(9) }, () => [rng.next(), rng.next()] as const))],
  /** Back and forth across a box. */
  zigzag: (rng: Rng): Point[][] => {
    const turns = 3 + rng.int(6);
    const wide = rng.next() < 0.5;
    return [Array.from({ length: turns + 1 }, (_, i) => (wide ? [i / turns, (i % 2) + (rng.next() - 0.5) * 0.3] : [(i % 2) + (rng.next() - 0.5) * 0.3, i / turns]) as Point)];
  },
  /**
   * Loops run over each other, as a pen circling while it moves along: a coil. Loops circling in place are a 0 written
   * over (people do), so the coil always drifts by 0.4-0.75 of the box, either way (one draw, as before).
   */
  loops: (rng: Rng): Point[][] => {
    const turns = 1.5 + rng.next() * 3;
    const side = rng.next() - 0.5;
    const drift = Math.sign(side) * (0.4 + 0.7 * Math.abs(side));
    const squash = within(rng, [0.5, 1.5]);
    return [Array.from({ length: Math.round(turns * 24) }, (_, i) => {
      const t = (i / 24) * 2 * Math.PI;
      return [0.5 + 0.4 * Math.cos(t) * squash + (drift * i) / (turns * 24), 0.5 + 0.4 * Math.sin(t) + 0.05 * Math.sin(3.1 * t)] as Point;
    })];
  },
  /** Two or three unrelated strokes. */
  strokes: (rng: Rng): Point[][] => Array.from({ length: 2 + rng.int(2) }, () => smooth(Array.from({ length: 2 + rng.int(3) }, () => [rng.next(), rng.next()] as const))),
};

export const SCRIBBLE_STYLES = Object.keys(STYLES) as (keyof typeof STYLES)[];

/** One scribble of a random style. */
export function scribble(rng: Rng): Shape {
  return normalizeShape(segmentsOf(STYLES[pick(rng, SCRIBBLE_STYLES)](rng)));
}

/** A Catmull-Rom curve through the points, 8 steps per span: a hand moves smoothly between where it aims. */
function smooth(points: readonly Point[]): Point[] {
  if (points.length < 3) return [...points];
  const out: Point[] = [];
  const at = (i: number) => points[Math.max(0, Math.min(points.length - 1, i))]!;
  for (let i = 0; i + 1 < points.length; i++) {
    const [p0, p1, p2, p3] = [at(i - 1), at(i), at(i + 1), at(i + 2)];
    for (let s = 0; s < 8; s++) {
      const t = s / 8;
      const f = (a: number, b: number, c: number, d: number) =>
        0.5 * (2 * b + (-a + c) * t + (2 * a - 5 * b + 4 * c - d) * t * t + (-a + 3 * b - 3 * c + d) * t * t * t);
      out.push([f(p0[0], p1[0], p2[0], p3[0]), f(p0[1], p1[1], p2[1], p3[1])]);
    }
  }
  out.push(points[points.length - 1]!);
  return out;
}
