import { describe, expect, it } from 'vitest';
import { connectedComponents, maskAbove } from './index.js';

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
