// The conditions' pictures (the drawing pieces themselves are tested in @digitkit/testkit).
import { mnistSlice } from '@digitkit/testkit';
import { describe, expect, it } from 'vitest';
import { CONDITIONS, drawCondition } from './conditions.js';

const test = await mnistSlice({ split: 'test' });

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
