import { DigitkitError, type ImageSet } from '@digitkit/core';
import { describe, expect, it } from 'vitest';
import { batches, shuffledIndices, subset, trainValidationSplit } from './index.js';

/** A synthetic 4x4 set whose image i carries i in its first two pixels, so copies can be traced back. */
function tracedSet(count: number): ImageSet {
  const images = new Uint8Array(count * 16);
  const labels = new Uint8Array(count);
  for (let i = 0; i < count; i++) {
    images[i * 16] = i & 0xff;
    images[i * 16 + 1] = i >> 8;
    images[i * 16 + 15] = 255;
    labels[i] = i % 10;
  }
  return { images, labels, count, height: 4, width: 4, numClasses: 10 };
}
const origin = (set: ImageSet, k: number) => set.images[k * 16]! + 256 * set.images[k * 16 + 1]!;

function collect(set: ImageSet, options: Parameters<typeof batches>[1]) {
  const sizes: number[] = [];
  const order: number[] = [];
  for (const batch of batches(set, options)) {
    sizes.push(batch.size);
    order.push(...batch.indices);
    expect(batch.y.length).toBe(batch.size);
    expect(batch.x.length).toBe(batch.size * 16);
    for (let i = 0; i < batch.size; i++) {
      const index = batch.indices[i]!;
      expect(batch.y[i]).toBe(set.labels[index]);
      expect(batch.x[i * 16]).toBeCloseTo((index & 0xff) / 255, 6);
      expect(batch.x[i * 16 + 15]).toBe(1);
    }
  }
  return { sizes, order };
}

describe('shuffledIndices', () => {
  it('is a permutation fixed by the seed', () => {
    const a = shuffledIndices(1000, 42);
    expect(Array.from(a).sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(shuffledIndices(1000, 42)).toEqual(a);
    expect(shuffledIndices(1000, 43)).not.toEqual(a);
    expect(shuffledIndices(0, 1)).toEqual(new Uint32Array(0));
  });

  it('rejects a bad count or seed', () => {
    expect(() => shuffledIndices(-1, 1)).toThrow(DigitkitError);
    expect(() => shuffledIndices(2.5, 1)).toThrow(DigitkitError);
    expect(() => shuffledIndices(3, Number.NaN)).toThrow(DigitkitError);
  });
});

describe('subset', () => {
  it('copies the chosen examples in order', () => {
    const set = tracedSet(50);
    const part = subset(set, [7, 3, 3, 49]);
    expect(part.count).toBe(4);
    expect([0, 1, 2, 3].map((k) => origin(part, k))).toEqual([7, 3, 3, 49]);
    expect(Array.from(part.labels)).toEqual([7, 3, 3, 9]);
    expect(part.images.buffer).not.toBe(set.images.buffer);
  });

  it('rejects indices outside the set', () => {
    expect(() => subset(tracedSet(5), [5])).toThrow(/index 5 at position 0 is outside the set \(0 .. 4\)/);
    expect(() => subset(tracedSet(5), [-1])).toThrow(DigitkitError);
  });
});

describe('trainValidationSplit', () => {
  it('partitions the set: every example lands in exactly one part, reproducibly', () => {
    const set = tracedSet(1000);
    const { train, validation } = trainValidationSplit(set, { validationCount: 150, seed: 3 });
    expect([train.count, validation.count]).toEqual([850, 150]);
    const all = [...Array.from({ length: train.count }, (_, k) => origin(train, k)), ...Array.from({ length: validation.count }, (_, k) => origin(validation, k))];
    expect(all.sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    for (let k = 0; k < validation.count; k++) expect(validation.labels[k]).toBe(origin(validation, k) % 10);
    const again = trainValidationSplit(set, { validationCount: 150, seed: 3 });
    expect(again.validation.images).toEqual(validation.images);
    expect(trainValidationSplit(set, { validationCount: 150, seed: 4 }).validation.images).not.toEqual(validation.images);
  });

  it('takes a fraction, rounded', () => {
    const { train, validation } = trainValidationSplit(tracedSet(101), { validationFraction: 0.1, seed: 1 });
    expect([train.count, validation.count]).toEqual([91, 10]);
  });

  it('rejects missing, conflicting or out-of-range sizes', () => {
    const set = tracedSet(10);
    expect(() => trainValidationSplit(set, { seed: 1 })).toThrow(/validationCount/);
    expect(() => trainValidationSplit(set, { seed: 1, validationCount: 1, validationFraction: 0.1 })).toThrow(/not both/);
    expect(() => trainValidationSplit(set, { seed: 1, validationCount: 11 })).toThrow(DigitkitError);
    expect(() => trainValidationSplit(set, { seed: 1, validationFraction: 1.5 })).toThrow(DigitkitError);
  });
});

describe('batches', () => {
  const set = tracedSet(1000);

  it('visits every example exactly once per epoch, in a seed-fixed order', () => {
    const { sizes, order } = collect(set, { batchSize: 128, seed: 5 });
    expect(sizes).toEqual([128, 128, 128, 128, 128, 128, 128, 104]);
    expect([...order].sort((a, b) => a - b)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(order).toEqual(Array.from(shuffledIndices(1000, 5)));
    expect(collect(set, { batchSize: 128, seed: 5 }).order).toEqual(order);
    expect(collect(set, { batchSize: 128, seed: 6 }).order).not.toEqual(order);
  });

  it('keeps the set order without shuffle, honours order and dropLast', () => {
    expect(collect(set, { batchSize: 300, shuffle: false }).order).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    const dropped = collect(set, { batchSize: 300, seed: 1, dropLast: true });
    expect(dropped.sizes).toEqual([300, 300, 300]);
    expect(new Set(dropped.order).size).toBe(900);
    const order = Uint32Array.from([9, 8, 7, 1, 1]);
    expect(collect(set, { batchSize: 2, order })).toEqual({ sizes: [2, 2, 1], order: [9, 8, 7, 1, 1] });
    expect(collect(set, { batchSize: 5000 }).sizes).toEqual([1000]);
    expect(collect(tracedSet(0), { batchSize: 4 }).sizes).toEqual([]);
  });

  it('encodes pixels with a custom function', () => {
    const seen: number[] = [];
    const encode = (pixels: Uint8Array, out: Float32Array) => {
      seen.push(pixels.length);
      for (let p = 0; p < pixels.length; p++) out[p] = pixels[p]! === 255 ? -1 : 0.5;
    };
    const [first] = batches(set, { batchSize: 4, shuffle: false, encode });
    expect(seen).toEqual([16, 16, 16, 16]);
    expect(first!.x[15]).toBe(-1);
    expect(first!.x[2]).toBe(0.5);
  });

  it('reuses its buffers from one batch to the next (as documented)', () => {
    const iterator = batches(set, { batchSize: 10, shuffle: false });
    const first = iterator.next().value!;
    const firstX = first.x;
    expect(first.indices[0]).toBe(0);
    const second = iterator.next().value!;
    expect(second.x).toBe(firstX);
    expect(first.indices[0]).toBe(10);
  });

  it('rejects bad options with a clear message', () => {
    expect(() => batches(set, { batchSize: 0 })).toThrow(/batchSize must be an integer/);
    expect(() => batches(set, { batchSize: 1.5 })).toThrow(DigitkitError);
    expect(() => batches(set, undefined as never)).toThrow(/batchSize/);
    expect(() => batches(set, { batchSize: 2, order: [1, 2] as never })).toThrow(/Uint32Array/);
    expect(() => batches(set, { batchSize: 2, order: Uint32Array.of(1000) })).toThrow(/order\[0\] = 1000/);
    expect(() => batches(set, { batchSize: 2, encode: 3 as never })).toThrow(/encode/);
  });
});
