import { createHash } from 'node:crypto';
import type { ImageSet } from '@digitkit/core';
import { mnistSlice } from '@digitkit/testkit';
import { describe, expect, it } from 'vitest';
import { boundingBox, centerOfMass } from './image.js';
import { createNumberSet, NUMBER_CLASSES, NUMBER_FIT, numberClass, readNumberClass, wideFit } from './numbers.js';

const { width: FIT_WIDTH, height: FIT_HEIGHT } = NUMBER_FIT;
const asFit = (data: Uint8Array) => ({ data, width: FIT_WIDTH, height: FIT_HEIGHT });

/** A `width` x `height` picture with a filled ellipse of ink (light on dark) inside a 1-pixel border. */
function ellipse(width: number, height: number, level = 200): { data: Float32Array; width: number; height: number } {
  const data = new Float32Array((width + 2) * (height + 2));
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = (x + 0.5) / width - 0.5;
      const v = (y + 0.5) / height - 0.5;
      if (u * u + v * v <= 0.25) data[(y + 1) * (width + 2) + x + 1] = level;
    }
  }
  return { data, width: width + 2, height: height + 2 };
}

describe('wideFit', () => {
  it('fits tall ink to height 20, its centre of mass in the middle, its peak at 255', () => {
    const fit = wideFit(ellipse(9, 60, 90))!;
    expect(fit).toHaveLength(FIT_WIDTH * FIT_HEIGHT);
    const box = boundingBox(asFit(fit))!;
    expect(box.height).toBe(20);
    expect(box.width).toBeLessThanOrEqual(4);
    const com = centerOfMass(asFit(fit))!;
    // Pixel centres sit at whole coordinates, so a centred mass is within half a pixel of (27.5, 13.5) .. (28, 14).
    expect(Math.abs(com.x - 28)).toBeLessThanOrEqual(1);
    expect(Math.abs(com.y - 14)).toBeLessThanOrEqual(1);
    expect(Math.max(...fit)).toBe(255);
  });

  it('fits very wide ink to width 52 at most, keeping its aspect', () => {
    const fit = wideFit(ellipse(300, 30))!;
    const box = boundingBox(asFit(fit))!;
    expect(box.width).toBe(52);
    expect(box.height).toBeGreaterThanOrEqual(4);
    expect(box.height).toBeLessThanOrEqual(6);
  });

  it('ignores ink fainter than a tenth of the peak when it crops', () => {
    const blob = ellipse(20, 40);
    // A faint speck 40 pixels below the ink: were it cropped in, the ink would shrink to half the height.
    const data = new Float32Array(blob.width * (blob.height + 40));
    data.set(blob.data);
    data[data.length - 1] = 15;
    const box = boundingBox(asFit(wideFit({ data, width: blob.width, height: blob.height + 40 })!), 64)!;
    expect(box.height).toBeGreaterThanOrEqual(19);
  });

  it('gives null for a picture without ink', () => {
    expect(wideFit({ data: new Uint8Array(28 * 28), width: 28, height: 28 })).toBeNull();
  });
});

describe('numberClass and readNumberClass', () => {
  it('lay out 100 pairs, 10 single digits, three or more digits and no digit', () => {
    expect(NUMBER_CLASSES).toBe(112);
    expect(numberClass([4, 2])).toBe(42);
    expect(numberClass([0, 7])).toBe(7);
    expect(numberClass([7])).toBe(107);
    expect(numberClass([1, 2, 3])).toBe(110);
    expect(numberClass([1, 2, 3, 4])).toBe(110);
    expect(numberClass([])).toBe(111);
  });

  it('read every class back to the digits it stands for', () => {
    for (let label = 0; label < NUMBER_CLASSES; label++) {
      const reading = readNumberClass(label);
      const digits = reading.kind === 'digits' ? reading.digits : reading.kind === 'many' ? [1, 2, 3] : [];
      if (reading.kind === 'digits') expect(reading.digits.length).toBe(label < 100 ? 2 : 1);
      expect(numberClass(digits)).toBe(label);
    }
    expect(readNumberClass(110)).toEqual({ kind: 'many' });
    expect(readNumberClass(111)).toEqual({ kind: 'none' });
  });

  it('refuse digits that are not 0-9 and labels that are no class, saying what they take', () => {
    for (const digits of [[10], [1, -1], [2.5], [Number.NaN]]) {
      expect(() => numberClass(digits)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', message: expect.stringMatching(/integers 0-9/) }));
    }
    for (const label of [-1, 112, 3.5, Number.NaN]) {
      expect(() => readNumberClass(label)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', message: expect.stringMatching(/from 0 to 111/) }));
    }
  });
});

describe('createNumberSet', async () => {
  const digits = await mnistSlice({ split: 'train', count: 200 });
  const shares = (set: ImageSet) => {
    const counts = { pairs: 0, singles: 0, triples: 0, none: 0 };
    for (const label of set.labels) {
      if (label < 100) counts.pairs++;
      else if (label < 110) counts.singles++;
      else if (label === 110) counts.triples++;
      else counts.none++;
    }
    return Object.fromEntries(Object.entries(counts).map(([k, n]) => [k, n / set.count]));
  };

  it('makes wide fits labelled by the number class, the same bytes for the same seed and others for another', () => {
    const set = createNumberSet(digits, { count: 300, seed: 4 });
    expect(set).toMatchObject({ count: 300, width: 56, height: 28, numClasses: 112 });
    expect(set.images).toHaveLength(300 * 56 * 28);
    expect(set.labels).toHaveLength(300);
    expect(createNumberSet(digits, { count: 300, seed: 4 })).toEqual(set);
    expect(createNumberSet(digits, { count: 300, seed: 5 }).images).not.toEqual(set.images);
    // Pinned: readers trained on the number-reader experiment's sets read these, so its bytes must not drift.
    const hash = createHash('sha256').update(set.images).update(set.labels).digest('hex');
    expect(hash).toBe('639e2cd9bd644928dad730ec2121089032e07e0b27990aff12bcae9c874cd2e9');
  });

  it('labels pairs 10a + b and triples 110 from the digits drawn', () => {
    // Only 3s and 8s: every pair must be 33, 38, 83 or 88, every single 103 or 108.
    const keep = [...digits.labels.keys()].filter((i) => digits.labels[i] === 3 || digits.labels[i] === 8);
    const images = new Uint8Array(keep.length * 784);
    keep.forEach((from, to) => images.set(digits.images.subarray(from * 784, (from + 1) * 784), to * 784));
    const threesAndEights = { ...digits, images, labels: Uint8Array.from(keep, (i) => digits.labels[i]!), count: keep.length };
    const set = createNumberSet(threesAndEights, { count: 300, seed: 2, mix: { pairs: 0.5, singles: 0.3, triples: 0.2 } });
    expect(new Set(set.labels)).toEqual(new Set([33, 38, 83, 88, 103, 108, 110]));
  });

  it('draws a single digit as its own ink: the wide fit of that MNIST digit, labelled 100 + d', () => {
    const set = createNumberSet(digits, { count: 300, seed: 2, mix: { pairs: 0.5, singles: 0.5, triples: 0 } });
    const fitsOfDigits = new Map<string, number>();
    for (let i = 0; i < digits.count; i++) {
      const fit = wideFit({ data: digits.images.subarray(i * 784, (i + 1) * 784), width: 28, height: 28 })!;
      fitsOfDigits.set(fit.join(), digits.labels[i]!);
    }
    let singles = 0;
    for (let i = 0; i < set.count; i++) {
      if (set.labels[i]! < 100) continue;
      singles++;
      expect(set.labels[i]! - 100).toBe(fitsOfDigits.get(set.images.subarray(i * 1568, (i + 1) * 1568).join()));
    }
    expect(singles).toBeGreaterThan(100);
  });

  it('follows the mix: pairs, singles, triples and the rest non-digits', () => {
    const mix = { pairs: 0.3, singles: 0.2, triples: 0.25 };
    const got = shares(createNumberSet(digits, { count: 2000, seed: 8, mix }));
    expect(got.pairs).toBeCloseTo(0.3, 1);
    expect(got.singles).toBeCloseTo(0.2, 1);
    expect(got.triples).toBeCloseTo(0.25, 1);
    expect(got.none).toBeCloseTo(0.25, 1);
    const byDefault = shares(createNumberSet(digits, { count: 2000, seed: 8 }));
    expect(byDefault.pairs).toBeCloseTo(0.4, 1);
    expect(byDefault.singles).toBeCloseTo(0.35, 1);
    expect(byDefault.triples).toBeCloseTo(0.1, 1);
    expect(byDefault.none).toBeCloseTo(0.15, 1);
  });

  it('draws pairs wider than single digits and triples wider still', () => {
    const set = createNumberSet(digits, { count: 600, seed: 3 });
    const widths: Record<'pairs' | 'singles' | 'triples', number[]> = { pairs: [], singles: [], triples: [] };
    for (let i = 0; i < set.count; i++) {
      const label = set.labels[i]!;
      if (label === 111) continue;
      const box = boundingBox(asFit(set.images.subarray(i * 1568, (i + 1) * 1568)), 64)!;
      widths[label < 100 ? 'pairs' : label < 110 ? 'singles' : 'triples'].push(box.width);
    }
    const median = (values: number[]) => values.sort((x, y) => x - y)[values.length >> 1]!;
    expect(median(widths.singles)).toBeLessThan(20);
    // Overlapping by up to a quarter of the height, two digits are still well over one and a half digits wide.
    expect(median(widths.pairs)).toBeGreaterThan(1.4 * median(widths.singles));
    expect(median(widths.triples)).toBeGreaterThan(median(widths.pairs));
  });

  it('refuses bad digits, counts, seeds and mixes, saying what it takes', () => {
    const refuses = (call: () => unknown, message: RegExp) =>
      expect(call).toThrow(expect.objectContaining({ code: 'BAD_OPTION', message: expect.stringMatching(message) }));
    refuses(() => createNumberSet({ ...digits, width: 32, height: 32 }, { count: 10, seed: 1 }), /at least three 28x28 digits/);
    refuses(() => createNumberSet({ ...digits, count: 2 }, { count: 10, seed: 1 }), /at least three 28x28 digits .*got 2 of 28x28/);
    const labels = digits.labels.slice();
    labels[5] = 10;
    refuses(() => createNumberSet({ ...digits, labels }, { count: 10, seed: 1 }), /labelled 0-9, got 10 at 5/);
    for (const count of [0, 2.5, Number.NaN, 1e9]) refuses(() => createNumberSet(digits, { count, seed: 1 }), /count must be an integer from 1 to 684784 .*1 GiB/);
    refuses(() => createNumberSet(digits, { count: 10, seed: Number.NaN }), /seed must be a finite number/);
    for (const mix of [{ pairs: -0.1, singles: 0.5, triples: 0 }, { pairs: 0.6, singles: 0.3, triples: 0.2 }, { pairs: Number.NaN, singles: 0, triples: 0 }]) {
      refuses(() => createNumberSet(digits, { count: 10, seed: 1, mix }), /mix shares must be numbers from 0 to 1 summing to at most 1/);
    }
    expect(() => createNumberSet(digits, { count: 10, seed: 1, mix: { pairs: 0.6, singles: 0.3, triples: 0.1 } })).not.toThrow();
  });
});
