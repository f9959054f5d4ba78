// The drawing pieces on real MNIST digits and on shapes whose answer is known.
import { describe, expect, it } from 'vitest';
import {
  cropToInk,
  digitSkeleton,
  drawSkeleton,
  drawStrokes,
  mnistSlice,
  PEN_DIGITS,
  pearson,
  penCoverage,
  inksInARow,
  digitsInARow,
  placeOnCanvas,
  redrawOnCanvas,
  sumOf,
  toSurface,
  upscaleBilinear,
  zhangSuen,
} from './index.js';

const test = await mnistSlice({ split: 'test', count: 20 });
const digit = (i: number) => test.images.subarray(i * 784, (i + 1) * 784);

describe('placeOnCanvas', () => {
  it('puts each pixel at (left + x, top + y) and clips what falls outside, on every side', () => {
    const src = Uint8Array.from({ length: 5 * 4 }, (_, i) => i + 1);
    for (const [left, top] of [[2, 1], [-2, -1], [7, 5], [-4, 3], [1, -3], [9, 0], [-5, 0]] as const) {
      const out = placeOnCanvas(src, 5, 4, 9, 6, left, top);
      for (let y = 0; y < 6; y++)
        for (let x = 0; x < 9; x++) {
          const sx = x - left;
          const sy = y - top;
          const inside = sx >= 0 && sy >= 0 && sx < 5 && sy < 4;
          expect(out[y * 9 + x], `left ${left} top ${top} at ${x},${y}`).toBe(inside ? src[sy * 5 + sx] : 0);
        }
    }
  });
});

describe('inksInARow', () => {
  it('lays each ink at its place, keeps the brighter where two overlap, and clips at the edges', () => {
    const dim = { data: new Uint8Array(3 * 2).fill(100), width: 3, height: 2 };
    const bright = { data: new Uint8Array(2 * 2).fill(200), width: 2, height: 2 };
    const out = inksInARow([bright, dim, dim], 6, 3, [[0, 0], [1, 1], [4, 2]]);
    // Row by row: the bright ink at (0,0); a dim one laid after it over its corner at (1,1), which stays bright; the
    // last dim one cut off at the right and bottom edges.
    expect([...out]).toEqual([200, 200, 0, 0, 0, 0, 200, 200, 100, 100, 0, 0, 0, 100, 100, 100, 100, 100]);
  });
});

describe('digitsInARow', () => {
  it('writes digits 6x left to right from x 20, black on white, overlapping by a negative gap', () => {
    const inkColumns = (picture: { data: Uint8Array; width: number; height: number }) =>
      Array.from({ length: picture.width }, (_, x) => Array.from({ length: picture.height }, (_, y) => picture.data[4 * (y * picture.width + x)]!).some((v) => v < 255));
    const [apart, touching] = [digitsInARow([digit(0), digit(1)], 30), digitsInARow([digit(0), digit(1)], -10)];
    expect([apart.width, apart.height, apart.data.length]).toEqual([400, 280, 400 * 280 * 4]);
    expect(inkColumns(apart).indexOf(true)).toBe(20);
    // Apart: a run of blank columns between the digits; 10 px of overlap: ink in every column from the first to the last.
    const span = (columns: boolean[]) => columns.slice(columns.indexOf(true), columns.lastIndexOf(true) + 1);
    expect(span(inkColumns(apart)).filter((ink) => !ink).length).toBeGreaterThanOrEqual(30);
    expect(span(inkColumns(touching)).every((ink) => ink)).toBe(true);
    expect(span(inkColumns(apart)).length - span(inkColumns(touching)).length).toBe(40);
  });
});

describe('upscaleBilinear and cropToInk', () => {
  it('keeps a digit its own picture when enlarged, and crops to exactly its ink', () => {
    const big = upscaleBilinear(digit(0), 28, 28, 3);
    expect(big).toHaveLength(84 * 84);
    expect(upscaleBilinear(digit(0), 28, 28, 1)).toEqual(digit(0));
    // Back down by sampling the centre of each 3x3 block: the same digit.
    const back = Uint8Array.from({ length: 784 }, (_, i) => big[(Math.floor(i / 28) * 3 + 1) * 84 + (i % 28) * 3 + 1]!);
    expect(pearson(back, digit(0))).toBeGreaterThan(0.99);
    const ink = cropToInk(big, 84, 84);
    expect(sumOf(ink.data)).toBe(sumOf(big));
    expect(Math.min(...ink.data.subarray(0, ink.width))).toBe(0);
    expect(Math.max(...ink.data.subarray(0, ink.width))).toBeGreaterThan(0);
  });

  it('re-draws a digit on a big canvas, off-centre, with all of its ink', () => {
    const canvas = redrawOnCanvas(digit(3), 10, 280, 280, 7);
    const ink = cropToInk(canvas, 280, 280);
    expect(ink.width).toBeGreaterThan(100);
    expect(sumOf(canvas)).toBe(sumOf(cropToInk(upscaleBilinear(digit(3), 28, 28, 10), 280, 280).data));
  });
});

describe('penCoverage and drawStrokes', () => {
  it('covers a round-capped line: full along it, nothing beyond half the pen, area length x width + a disc', () => {
    const cover = penCoverage([20, 30, 80, 30], 100, 60, 10);
    expect(cover[30 * 100 + 50]).toBe(1);
    expect(cover[30 * 100 + 16]).toBe(1);
    expect(cover[30 * 100 + 9]).toBe(0);
    expect(cover[41 * 100 + 50]).toBe(0);
    expect(sumOf(cover)).toBeCloseTo(60 * 10 + Math.PI * 25, -1);
  });

  it('draws a pen digit as white strokes in the box asked for', () => {
    const one = drawStrokes(PEN_DIGITS['1']!, 200, 200, { left: 50, top: 20, width: 100, height: 160 }, 12);
    const ink = cropToInk(one, 200, 200);
    expect(ink.height).toBeGreaterThan(160);
    expect(ink.height).toBeLessThan(160 + 14);
    expect(Math.max(...one)).toBe(255);
    expect(one[0]).toBe(0);
  });
});

describe('zhangSuen', () => {
  it('thins a 7-pixel-thick bar to a one-pixel centre line', () => {
    const width = 40;
    const height = 15;
    const mask = new Uint8Array(width * height);
    for (let y = 4; y < 11; y++) for (let x = 5; x < 35; x++) mask[y * width + x] = 1;
    zhangSuen(mask, width, height);
    for (let x = 10; x < 30; x++) {
      let column = 0;
      let row = -1;
      for (let y = 0; y < height; y++) {
        if (mask[y * width + x]) {
          column++;
          row = y;
        }
      }
      expect(column).toBe(1);
      expect(Math.abs(row - 7)).toBeLessThanOrEqual(1);
    }
  });
});

describe('drawing skeletons', () => {
  it('re-draws a real MNIST digit as a connected skeleton with the pen width asked for', () => {
    const skeleton = digitSkeleton(digit(0));
    expect(skeleton.points.length / 2).toBeGreaterThan(20);
    expect(skeleton.segments.length / 2).toBeGreaterThan(20);
    // A 10x scale onto a 280 canvas with a 20 px pen: the ink's area over its skeleton length is about the pen width.
    const cover = drawSkeleton(skeleton, { a: 10, b: 0, c: 0, d: 10, tx: 0, ty: 0 }, 280, 280, 20);
    let length = 0;
    for (let s = 0; s < skeleton.segments.length; s += 2) {
      const i = skeleton.segments[s]!;
      const j = skeleton.segments[s + 1]!;
      length += 10 * Math.hypot(skeleton.points[2 * i]! - skeleton.points[2 * j]!, skeleton.points[2 * i + 1]! - skeleton.points[2 * j + 1]!);
    }
    const width = sumOf(cover) / length;
    expect(width).toBeGreaterThan(14);
    expect(width).toBeLessThan(22);
  });

  it('re-draws digits that still look like themselves at MNIST size', () => {
    for (let i = 0; i < test.count; i++) {
      const cover = drawSkeleton(digitSkeleton(digit(i)), { a: 1, b: 0, c: 0, d: 1, tx: 0, ty: 0 }, 28, 28, 2.2);
      expect(pearson(cover, digit(i)), `test image ${i}`).toBeGreaterThan(0.6);
    }
  });

  it('gives canvases the pixels a browser would: opaque white, transparent black, or white ink on black', () => {
    const cover = new Float32Array([0, 1]);
    expect([...toSurface(cover, 2, 1, 'black-on-white').data.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
    expect([...toSurface(cover, 2, 1, 'transparent-black').data]).toEqual([0, 0, 0, 0, 0, 0, 0, 255]);
    expect([...toSurface(cover, 2, 1, 'white-on-black').data.subarray(4)]).toEqual([255, 255, 255, 255]);
    expect(toSurface(cover, 2, 1, 'gray-white-on-black').channels).toBe(1);
  });
});
