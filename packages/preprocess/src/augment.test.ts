import { DigitkitError } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { centerOfMass, createAugmenter, normalize } from './index.js';
import { sumOf } from '@digitkit/testkit';

let digits: Uint8Array[] = [];
beforeAll(async () => {
  const { test } = await loadMnist();
  digits = Array.from({ length: 500 }, (_, i) => test.images.subarray(i * 784, (i + 1) * 784));
});

const sum = sumOf;
const com = (a: ArrayLike<number>) => centerOfMass({ data: a, width: 28, height: 28 })!;

describe('createAugmenter (shift only, the fast path)', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const run = (seed: number) => {
      const augment = createAugmenter({ seed });
      return digits.slice(0, 20).map((d) => {
        const out = new Float32Array(784);
        augment(d, out);
        return Array.from(out);
      });
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('with maxShift 0 writes exactly normalize(src)', () => {
    const augment = createAugmenter({ seed: 1, maxShift: 0 });
    const out = new Float32Array(784);
    augment(digits[0]!, out);
    expect(Array.from(out)).toEqual(Array.from(normalize(digits[0]!)));
  });

  it('moves the centre of mass by whole pixels in -2..2, every one of the 25 shifts turning up', () => {
    const augment = createAugmenter({ seed: 3, maxShift: 2 });
    const out = new Float32Array(784);
    const seen = new Set<string>();
    let unclipped = 0;
    for (let round = 0; round < 4; round++) {
      for (const d of digits) {
        augment(d, out);
        // Only images whose ink all stayed in the frame keep their centre of mass exactly shifted.
        if (Math.abs(sum(out) - sum(d) / 255) > 1e-3) continue;
        unclipped++;
        const before = com(d);
        const after = com(out);
        const dx = after.x - before.x;
        const dy = after.y - before.y;
        expect(Math.abs(dx - Math.round(dx))).toBeLessThan(1e-4);
        expect(Math.abs(dy - Math.round(dy))).toBeLessThan(1e-4);
        expect(Math.abs(Math.round(dx))).toBeLessThanOrEqual(2);
        expect(Math.abs(Math.round(dy))).toBeLessThanOrEqual(2);
        seen.add(`${Math.round(dx)},${Math.round(dy)}`);
      }
    }
    expect(unclipped).toBeGreaterThan(1900);
    expect(seen.size).toBe(25);
  });

  it('shifts larger than the frame leave an all-zero image, not garbage', () => {
    const augment = createAugmenter({ seed: 4, maxShift: 40 });
    const out = new Float32Array(784);
    let blank = 0;
    for (const d of digits.slice(0, 200)) {
      augment(d, out);
      expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
      if (sum(out) === 0) blank++;
    }
    expect(blank).toBeGreaterThan(100);
  });

  it('refuses bad options and wrong-sized images with a message naming them', () => {
    expect(() => createAugmenter({ seed: 1, maxShift: 1.5 })).toThrow(/maxShift must be a whole number/);
    expect(() => createAugmenter({ seed: 1, scale: [1.2, 0.8] })).toThrow(/0 < min <= max/);
    expect(() => createAugmenter({ seed: 1, maxRotation: -5 })).toThrow(DigitkitError);
    const augment = createAugmenter({ seed: 1 });
    expect(() => augment(new Uint8Array(100), new Float32Array(784))).toThrow(/expected a 28x28 image \(784 bytes\)/);
  });
});

describe('createAugmenter (rotation and zoom)', () => {
  it('is deterministic per seed and changes the image', () => {
    const run = (seed: number) => {
      const augment = createAugmenter({ seed, maxRotation: 15, scale: [0.9, 1.1] });
      const out = new Float32Array(784);
      augment(digits[1]!, out);
      return Array.from(out);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(Array.from(normalize(digits[1]!)));
  });

  it('rotating about (14, 14), where MNIST puts the centre of mass, keeps the ink and its centre', () => {
    const augment = createAugmenter({ seed: 11, maxShift: 0, maxRotation: 20 });
    const out = new Float32Array(784);
    for (const d of digits.slice(0, 100)) {
      augment(d, out);
      const inkBefore = sum(d) / 255;
      expect(Math.abs(sum(out) - inkBefore) / inkBefore).toBeLessThan(0.05);
      const before = com(d);
      const after = com(out);
      expect(Math.hypot(after.x - 14, after.y - 14)).toBeLessThan(Math.hypot(before.x - 14, before.y - 14) + 0.3);
    }
  });

  it('zooming by k scales the ink area by about k squared', () => {
    const augment = createAugmenter({ seed: 2, maxShift: 0, scale: [1.2, 1.2] });
    const out = new Float32Array(784);
    const ratios = digits.slice(0, 100).map((d) => {
      augment(d, out);
      return sum(out) / (sum(d) / 255);
    });
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    expect(mean).toBeGreaterThan(1.3);
    expect(mean).toBeLessThan(1.5);
  });
});
