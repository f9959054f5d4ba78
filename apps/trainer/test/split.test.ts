// planSplit's arithmetic at its edges (the CLI tests cover the messages end to end).
import { describe, expect, it } from 'vitest';
import { planSplit } from '../src/split.js';

describe('planSplit', () => {
  it('holds out 1/12 by default, and --limit of the default training count gives the default split', () => {
    expect(planSplit(60_000, undefined, undefined)).toMatchObject({ train: 55_000, validation: 5_000, pool: 60_000 });
    expect(planSplit(60_000, 55_000, undefined)).toMatchObject({ train: 55_000, validation: 5_000, pool: 60_000 });
    expect(planSplit(60_000, 3_000, undefined)).toMatchObject({ train: 3_000, validation: 273, pool: 3_273 });
  });

  it('gives a large --limit what the set has left for validation, down to none', () => {
    expect(planSplit(60_000, 58_000, undefined)).toMatchObject({ train: 58_000, validation: 2_000, why: 'validation: what the set has left' });
    expect(planSplit(60_000, 60_000, undefined)).toMatchObject({ train: 60_000, validation: 0, pool: 60_000 });
  });

  it('keeps an explicit --validation that fits, and refuses one that does not, or a --limit past the set', () => {
    expect(planSplit(60_000, 58_000, 2_000)).toMatchObject({ train: 58_000, validation: 2_000, pool: 60_000 });
    expect(() => planSplit(60_000, 58_000, 2_001)).toThrow(/at most 2,000 can be held out/);
    expect(() => planSplit(60_000, 60_001, undefined)).toThrow(/more training images than the set has \(60,000\)/);
    expect(() => planSplit(100, undefined, 100)).toThrow(/leaves no training images: the set has 100/);
  });

  it('says an empty training set is empty, whatever the flags (not a usage error)', () => {
    for (const [limit, validation] of [[undefined, undefined], [100, undefined], [undefined, 0]] as const) {
      expect(() => planSplit(0, limit, validation)).toThrow(expect.objectContaining({ code: 'EMPTY_SET', message: expect.stringMatching(/holds no images .* nothing to train on/) }));
    }
  });
});
