import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '@digitkit/core';
import { assembleBatch, batchBuffers, shardRange, shardSeed } from './batch.js';
import { mnistSlice } from './test-support.js';

let set: ImageSet;
beforeAll(async () => {
  set = (await mnistSlice(64, 1)).train;
});

describe('shardRange', () => {
  it('splits a batch into contiguous shares whose sizes differ by at most one', () => {
    expect([0, 1, 2].map((k) => shardRange(10, 3, k))).toEqual([[0, 4], [4, 7], [7, 10]]);
    for (const [size, n] of [[1, 2], [127, 2], [128, 8], [3, 5]] as const) {
      const shares = Array.from({ length: n }, (_, k) => shardRange(size, n, k));
      expect(shares[0]![0]).toBe(0);
      expect(shares.at(-1)![1]).toBe(size);
      shares.slice(1).forEach(([start], k) => expect(start).toBe(shares[k]![1]));
      const sizes = shares.map(([a, b]) => b - a);
      expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
    }
  });
});

describe('assembleBatch', () => {
  const indices = Uint32Array.from([5, 0, 63]);
  it('writes the images scaled to [0, 1] and their labels', () => {
    const out = batchBuffers(3, 784);
    expect(assembleBatch(set, indices, 1, 0, 0, false, out)).toBe(3);
    expect(Array.from(out.labels)).toEqual([set.labels[5], set.labels[0], set.labels[63]]);
    expect(out.x[784 + 200]).toBeCloseTo(set.images[200]! / 255, 7);
  });
  it('is a pure function of its arguments: the same draw for the same (seed, epoch, batch), another for another batch', () => {
    // Every family the workers must draw alike, the appearance ones included.
    const augment = { maxShift: 2, maxRotation: 10, scale: 0.1, shear: 0.2, elastic: 0.5, strokeWidth: 0.3, blur: 0.2, lowResolution: 0.2, noise: 0.2, clutter: 0.2, contrast: 0.2 };
    const draw = (seed: number, batch: number) => {
      const out = batchBuffers(3, 784);
      assembleBatch(set, indices, seed, 2, batch, augment, out);
      return out.x;
    };
    expect(draw(7, 3)).toEqual(draw(7, 3));
    expect(draw(7, 3)).not.toEqual(draw(7, 4));
    // Worker 0 draws what the in-process loop draws; the others draw their own streams.
    expect(shardSeed(7, 0)).toBe(7);
    expect(draw(shardSeed(7, 1), 3)).not.toEqual(draw(7, 3));
  });
});
