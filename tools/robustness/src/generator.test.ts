import type { ImageSet } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONDITIONS, drawCondition } from './conditions.js';
import { drawSkeleton, toSurface } from './render.js';
import { digitSkeleton, zhangSuen } from './skeleton.js';

let test: ImageSet;
beforeAll(async () => {
  test = (await loadMnist()).test;
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
    const skeleton = digitSkeleton(test.images.subarray(0, 784));
    expect(skeleton.points.length / 2).toBeGreaterThan(20);
    expect(skeleton.segments.length / 2).toBeGreaterThan(20);
    // A 10x scale onto a 280 canvas with a 20 px pen: the ink's area over its skeleton length is about the pen width.
    const cover = drawSkeleton(skeleton, { a: 10, b: 0, c: 0, d: 10, tx: 0, ty: 0 }, 280, 280, 20);
    let ink = 0;
    for (const v of cover) ink += v;
    let length = 0;
    for (let s = 0; s < skeleton.segments.length; s += 2) {
      const i = skeleton.segments[s]!;
      const j = skeleton.segments[s + 1]!;
      length += 10 * Math.hypot(skeleton.points[2 * i]! - skeleton.points[2 * j]!, skeleton.points[2 * i + 1]! - skeleton.points[2 * j + 1]!);
    }
    const width = ink / length;
    expect(width).toBeGreaterThan(14);
    expect(width).toBeLessThan(22);
  });

  it('gives canvases the pixels a browser would: opaque white, transparent black, or white ink on black', () => {
    const cover = new Float32Array([0, 1]);
    expect([...toSurface(cover, 2, 1, 'black-on-white').data.subarray(0, 4)]).toEqual([255, 255, 255, 255]);
    expect([...toSurface(cover, 2, 1, 'transparent-black').data]).toEqual([0, 0, 0, 0, 0, 0, 0, 255]);
    expect([...toSurface(cover, 2, 1, 'white-on-black').data.subarray(4)]).toEqual([255, 255, 255, 255]);
    expect(toSurface(cover, 2, 1, 'gray-white-on-black').channels).toBe(1);
  });
});

describe('drawCondition', () => {
  it('is deterministic per seed, and the first n pictures do not depend on how many are asked for', () => {
    const photo = CONDITIONS.find((c) => c.name === 'photo')!;
    const a = drawCondition(photo, test, 3, 5);
    const b = drawCondition(photo, test, 2, 5);
    const c = drawCondition(photo, test, 2, 6);
    expect(b.map((d) => d.source)).toEqual(a.slice(0, 2).map((d) => d.source));
    expect(b[1]!.image.data).toEqual(a[1]!.image.data);
    expect(c[0]!.image.data).not.toEqual(a[0]!.image.data);
    expect(a[0]!.label).toBe(test.labels[a[0]!.source]);
  });

  it('draws every condition inside its canvas sizes, pens and surfaces', () => {
    for (const condition of CONDITIONS) {
      for (const digit of drawCondition(condition, test, 4, 2)) {
        const { width, height, channels, data } = digit.image;
        expect(data.length).toBe(width * height * channels);
        if (!condition.raw && condition.name !== 'mnist-pipeline') {
          expect(digit.pen).toBeGreaterThanOrEqual(condition.pen[0]);
          expect(digit.pen).toBeLessThanOrEqual(condition.pen[1]);
        }
      }
    }
  });
});
