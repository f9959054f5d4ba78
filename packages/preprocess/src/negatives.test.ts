import { mnistSlice } from '@digitkit/testkit';
import { describe, expect, it } from 'vitest';
import { boundingBox } from './image.js';
import { createNegativeMaker, createPairMaker, NEGATIVE_KINDS } from './negatives.js';

describe('createNegativeMaker', () => {
  const draw = (seed: number, count: number) => {
    const make = createNegativeMaker({ seed });
    return Array.from({ length: count }, () => {
      const out = new Uint8Array(784);
      const kind = make(out);
      return { kind, out };
    });
  };

  it('draws every kind, the same sequence for the same seed and another for another seed', () => {
    const a = draw(5, 40);
    expect(new Set(a.map((n) => n.kind))).toEqual(new Set(NEGATIVE_KINDS));
    expect(draw(5, 40)).toEqual(a);
    expect(draw(6, 40).map((n) => n.out)).not.toEqual(a.map((n) => n.out));
  });

  it('leaves ink as toMnistFormat does: inside the central 20x20 box, its larger side filling most of it', () => {
    for (const { out } of draw(11, 60)) {
      const box = boundingBox({ data: out, width: 28, height: 28 }, 128)!;
      expect(box).not.toBeNull();
      expect(Math.max(box.width, box.height)).toBeGreaterThanOrEqual(14);
      expect(Math.max(box.width, box.height)).toBeLessThanOrEqual(21);
      expect(box.x).toBeGreaterThanOrEqual(3);
      expect(box.y).toBeGreaterThanOrEqual(3);
      expect(box.x + box.width).toBeLessThanOrEqual(25);
      expect(box.y + box.height).toBeLessThanOrEqual(25);
    }
  });

  it('refuses a bad seed, a picture smaller than the box and a wrong output size', () => {
    expect(() => createNegativeMaker({ seed: Number.NaN })).toThrow(/seed/);
    expect(() => createNegativeMaker({ seed: 1, width: 10 })).toThrow(/at least 20/);
    expect(() => createNegativeMaker({ seed: 1 })(new Uint8Array(10))).toThrow(/784 bytes/);
  });
});

describe('createPairMaker', async () => {
  const digits = await mnistSlice({ split: 'train', count: 200 });
  const draw = (seed: number, count: number) => {
    const make = createPairMaker({ seed, digits });
    return Array.from({ length: count }, () => {
      const out = new Uint8Array(784);
      make(out);
      return out;
    });
  };
  const aspect = (pixels: Uint8Array) => {
    const box = boundingBox({ data: pixels, width: 28, height: 28 }, 64)!;
    return box.width / box.height;
  };

  it('draws the same pairs for the same seed and others for another seed', () => {
    const a = draw(3, 20);
    expect(draw(3, 20)).toEqual(a);
    expect(draw(4, 20)).not.toEqual(a);
  });

  it('fits two digits side by side as toMnistFormat does: the larger side filling the 20x20 box, wider than one digit', () => {
    const pairs = draw(9, 60);
    for (const out of pairs) {
      const box = boundingBox({ data: out, width: 28, height: 28 }, 64)!;
      expect(box).not.toBeNull();
      expect(Math.max(box.width, box.height)).toBeGreaterThanOrEqual(16);
      expect(Math.max(box.width, box.height)).toBeLessThanOrEqual(22);
    }
    // Two digits in one flow are wider than high; MNIST's own digits are narrower (their median aspect is about 0.7).
    const median = (values: number[]) => values.sort((x, y) => x - y)[values.length >> 1]!;
    const single = median(Array.from({ length: 60 }, (_, i) => aspect(digits.images.subarray(i * 784, (i + 1) * 784))));
    const pair = median(pairs.map(aspect));
    expect(single).toBeLessThan(0.9);
    expect(pair).toBeGreaterThan(1.2);
  });

  it('refuses a bad seed, digits that are not 28x28 or too few, and a wrong output size', () => {
    expect(() => createPairMaker({ seed: Number.NaN, digits })).toThrow(/seed/);
    expect(() => createPairMaker({ seed: 1, digits: { ...digits, width: 32, height: 32 } })).toThrow(/28x28/);
    expect(() => createPairMaker({ seed: 1, digits: { ...digits, count: 1 } })).toThrow(/at least two/);
    expect(() => createPairMaker({ seed: 1, digits })(new Uint8Array(10))).toThrow(/784 bytes/);
  });
});
