import { DigitkitError, type ImageSet } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { describe, expect, it } from 'vitest';
import { inputShapeFor, meanStd, normalize, oneHot, standardize } from './index.js';

describe('normalize', () => {
  it('maps bytes to [0, 1] as x / 255, into a new array or the one given', () => {
    const pixels = Uint8Array.from([0, 1, 128, 255]);
    const out = normalize(pixels);
    expect(Array.from(out)).toEqual([0, Math.fround(1 / 255), Math.fround(128 / 255), 1]);
    const target = new Float32Array(6).fill(-1);
    expect(normalize(pixels, target)).toBe(target);
    expect(Array.from(target.subarray(4))).toEqual([-1, -1]);
  });
  it('refuses an output shorter than the input', () => {
    expect(() => normalize(new Uint8Array(4), new Float32Array(3))).toThrow(/holds 3 floats but the input has 4/);
  });
});

describe('meanStd and standardize', () => {
  it('give the well-known MNIST training statistics (0.1307, 0.3081)', async () => {
    const { train } = await loadMnist();
    const stats = meanStd(train);
    expect(stats.mean).toBeCloseTo(0.1307, 4);
    expect(stats.std).toBeCloseTo(0.3081, 4);
  });
  it('standardize gives mean 0 and std 1 over the data the stats came from', () => {
    const images = Uint8Array.from({ length: 2 * 784 }, (_, i) => (i * 37) % 256);
    const set: ImageSet = { images, labels: Uint8Array.of(0, 1), count: 2, height: 28, width: 28, numClasses: 10 };
    const x = standardize(normalize(images), meanStd(set));
    const mean = x.reduce((a, b) => a + b, 0) / x.length;
    const variance = x.reduce((a, b) => a + (b - mean) ** 2, 0) / x.length;
    expect(mean).toBeCloseTo(0, 5);
    expect(variance).toBeCloseTo(1, 4);
  });
  it('refuses a zero or missing std and an empty set', () => {
    expect(() => standardize(new Float32Array(2), { mean: 0, std: 0 })).toThrow(DigitkitError);
    expect(() => standardize(new Float32Array(2), { mean: Number.NaN, std: 1 })).toThrow(/finite mean/);
    const empty: ImageSet = { images: new Uint8Array(0), labels: new Uint8Array(0), count: 0, height: 28, width: 28, numClasses: 10 };
    expect(() => meanStd(empty)).toThrow(/no pixels/);
  });
});

describe('oneHot', () => {
  it('writes one 1 per row at the label', () => {
    const out = oneHot([2, 0], 3);
    expect(Array.from(out)).toEqual([0, 0, 1, 1, 0, 0]);
    expect(oneHot(Uint8Array.of(9)).length).toBe(10);
  });
  it('names the bad label and where it is', () => {
    expect(() => oneHot([1, 10])).toThrow(/label 10 at position 1 is not an integer in 0..9/);
    expect(() => oneHot([1.5])).toThrow(DigitkitError);
    expect(() => oneHot([0], 0)).toThrow(/numClasses/);
  });
});

describe('inputShapeFor', () => {
  it('gives [784] for a flat input and [28, 28, 1] for an image input', () => {
    expect(inputShapeFor('flat')).toEqual([784]);
    expect(inputShapeFor('image')).toEqual([28, 28, 1]);
    expect(inputShapeFor('image', 32, 16)).toEqual([32, 16, 1]);
    expect(() => inputShapeFor('square' as 'flat')).toThrow(/layout must be 'flat' or 'image'/);
  });
});
