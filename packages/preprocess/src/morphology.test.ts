import { createRng } from '@digitkit/core';
import { describe, expect, it } from 'vitest';
import { connectedComponents, maskAbove } from './index.js';
import { dilateDisk, erodeDisk } from './morphology.js';

describe('maskAbove', () => {
  it('marks only the pixels strictly above the level', () => {
    expect([...maskAbove(Float32Array.from([0, 0.5, 0.51, 1, -1]), 0.5)]).toEqual([0, 0, 1, 1, 0]);
  });
});

describe('connectedComponents', () => {
  it('labels 8-connected pieces 1.. with their areas (areas[label - 1])', () => {
    // Two pieces: a diagonal (8-connected, so one piece) on the left and a lone pixel on the right.
    const mask = Uint8Array.from([
      1, 0, 0, 0, 1,
      0, 1, 0, 0, 0,
      0, 0, 1, 0, 0,
    ]);
    const { labels, areas } = connectedComponents(mask, 5, 3);
    expect(labels[0]).toBe(labels[6]);
    expect(labels[6]).toBe(labels[12]);
    expect(labels[4]).not.toBe(labels[0]);
    expect(labels[1]).toBe(0);
    expect(areas[labels[0]! - 1]).toBe(3);
    expect(areas[labels[4]! - 1]).toBe(1);
  });
});

describe('dilateDisk and erodeDisk', () => {
  /** Every pixel's max (or min) over the pixels within `r` of it, by brute force. */
  const byDisk = (data: Float32Array, w: number, h: number, r: number, pick: (a: number, b: number) => number) =>
    Float32Array.from(data, (_, i) => {
      const [x, y] = [i % w, Math.floor(i / w)];
      let m = data[i]!;
      for (let dy = -r; dy <= r; dy++) {
        for (let dx = -r; dx <= r; dx++) {
          const inside = dx * dx + dy * dy <= r * r && x + dx >= 0 && x + dx < w && y + dy >= 0 && y + dy < h;
          if (inside) m = pick(m, data[(y + dy) * w + x + dx]!);
        }
      }
      return m;
    });

  it('take the max (or min, clipped at 0) over a round pen of each radius, to the bit', () => {
    const rng = createRng(5);
    const [w, h] = [23, 17];
    // Sparse ink on zeros, as the levels are: a wrong row width or shift shows.
    const data = Float32Array.from({ length: w * h }, () => (rng.next() < 0.15 ? Math.fround(rng.next() * 200) : 0));
    for (const r of [1, 2, 3, 5, 8, 12, 30]) {
      expect(dilateDisk(data, w, h, r)).toEqual(byDisk(data, w, h, r, Math.max));
      expect(erodeDisk(data, w, h, r)).toEqual(byDisk(data, w, h, r, Math.min));
    }
    expect(dilateDisk(data, w, h, 0.7)).toEqual(data);
  });
});
