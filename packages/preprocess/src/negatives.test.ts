import { describe, expect, it } from 'vitest';
import { boundingBox } from './image.js';
import { createNegativeMaker, NEGATIVE_KINDS } from './negatives.js';

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
