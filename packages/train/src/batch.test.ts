import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '@digitkit/core';
import { boundingBox } from '@digitkit/preprocess';
import { AUGMENT_OFF, assembleBatch, type BatchBuffers, batchBuffers, NOT_A_DIGIT, shardRange, shardSeed } from './batch.js';
import { encodeLabels } from './steppers.js';
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
    const augment = { maxShift: 2, maxRotation: 10, scale: 0.1, shear: 0.2, elastic: 0.5, strokeWidth: 0.3, outline: 0.1, blur: 0.2, lowResolution: 0.2, noise: 0.2, clutter: 0.2, stains: 0.2, contrast: 0.2, negatives: 0.1, pairs: 0.1 };
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
  it('replaces about the asked share of images by non-digits, labelled NOT_A_DIGIT, the same ones for the same draw', () => {
    const many = Uint32Array.from({ length: 64 }, (_, i) => i);
    const augment = { ...AUGMENT_OFF, maxShift: 2, negatives: 0.25 };
    const draw = (batch: number) => {
      const out = batchBuffers(64, 784);
      assembleBatch(set, many, 3, 1, batch, augment, out);
      return out;
    };
    const first = draw(0);
    const places = [...first.labels].flatMap((label, i) => (label === NOT_A_DIGIT ? [i] : []));
    expect(places.length).toBeGreaterThan(6);
    expect(places.length).toBeLessThan(28);
    expect(draw(0).labels).toEqual(first.labels);
    expect(draw(0).x).toEqual(first.x);
    expect(draw(1).labels).not.toEqual(first.labels);
    // A non-digit is new ink, not the digit that had the place; the digits keep their labels.
    for (const i of places) {
      const own = Array.from({ length: 784 }, (_, p) => set.images[i * 784 + p]! / 255);
      const drawn = first.x.subarray(i * 784, (i + 1) * 784);
      expect(drawn.some((v) => v > 0.5)).toBe(true);
      expect(own.reduce((d, v, p) => d + Math.abs(v - drawn[p]!), 0)).toBeGreaterThan(20);
    }
    [...first.labels].forEach((label, i) => label !== NOT_A_DIGIT && expect(label).toBe(set.labels[i]));
    // Off (0), nothing is replaced.
    const none = batchBuffers(64, 784);
    assembleBatch(set, many, 3, 1, 0, { ...augment, negatives: 0 }, none);
    expect([...none.labels]).toEqual([...set.labels.subarray(0, 64)]);
  });
  it("replaces about the asked share by touching pairs of the set's digits, labelled NOT_A_DIGIT, leaving the non-digits' draw as it was", () => {
    const many = Uint32Array.from({ length: 64 }, (_, i) => i);
    const negativesOnly = { ...AUGMENT_OFF, negatives: 0.2 };
    const draw = (augment: typeof negativesOnly) => {
      const out = batchBuffers(64, 784);
      assembleBatch(set, many, 3, 1, 0, augment, out);
      return out;
    };
    const before = draw(negativesOnly);
    const after = draw({ ...negativesOnly, pairs: 0.3 });
    const replaced = (out: BatchBuffers) => [...out.labels].flatMap((label, i) => (label === NOT_A_DIGIT ? [i] : []));
    // Every place a non-digit took keeps it, bit for bit; pairs take about 0.3 of the rest.
    for (const i of replaced(before)) expect(after.x.subarray(i * 784, (i + 1) * 784)).toEqual(before.x.subarray(i * 784, (i + 1) * 784));
    const pairs = replaced(after).filter((i) => !replaced(before).includes(i));
    expect(pairs.length).toBeGreaterThan(6);
    expect(pairs.length).toBeLessThan(28);
    // A pair is two digits side by side: mostly wider than high (a digit rarely is; a 1 and a slanted digit may not be).
    const wide = (pixels: ArrayLike<number>) => {
      const box = boundingBox({ data: Uint8Array.from(pixels, (v) => v * 255), width: 28, height: 28 }, 64)!;
      return box.width > box.height;
    };
    expect(pairs.filter((i) => wide(after.x.subarray(i * 784, (i + 1) * 784))).length).toBeGreaterThanOrEqual(0.75 * pairs.length);
  });
});

describe('encodeLabels', () => {
  it('one-hot rows for digits, equal probabilities and label -1 for non-digits', () => {
    const { y, labelView, negatives } = encodeLabels(Uint8Array.from([2, NOT_A_DIGIT]), 2, 4, new Float32Array(8), new Int32Array(2));
    expect([...y]).toEqual([0, 0, 1, 0, 0.25, 0.25, 0.25, 0.25]);
    expect([...labelView]).toEqual([2, -1]);
    expect(negatives).toBe(1);
  });
});
