import { describe, expect, it } from 'vitest';
import { formatPairedTable, pairedDifference } from './bench.js';

describe('pairedDifference', () => {
  it('calls ten pictures only the plain way reads, of 500, a loss beyond chance (p = 2 / 2^10)', () => {
    const d = pairedDifference({ pipelineOnly: 0, plainOnly: 10 }, 500);
    expect(d.points).toBeCloseTo(-2, 9);
    expect(d.p).toBeCloseTo(2 / 1024, 12);
    expect(d.losesBeyondChance).toBe(true);
  });

  it('does not call five to none (p 0.0625) or three to four (p 1) a loss', () => {
    const fiveToNone = pairedDifference({ pipelineOnly: 0, plainOnly: 5 }, 500);
    expect(fiveToNone.p).toBeCloseTo(0.0625, 12);
    expect(fiveToNone.losesBeyondChance).toBe(false);
    expect(pairedDifference({ pipelineOnly: 3, plainOnly: 4 }, 500)).toEqual({ points: -0.2, p: 1, losesBeyondChance: false });
  });

  it('gives a gain the p of the same loss, never calls a gain a loss, and gives thousands of pictures a finite p', () => {
    const [loss, gain] = [pairedDifference({ pipelineOnly: 2, plainOnly: 12 }, 500), pairedDifference({ pipelineOnly: 12, plainOnly: 2 }, 500)];
    // 2 * P(X <= 2), X ~ Bin(14, 1/2) = 2 * (1 + 14 + 91) / 16384.
    expect(loss.p).toBeCloseTo((2 * 106) / 16384, 12);
    expect(gain.p).toBe(loss.p);
    expect([loss.losesBeyondChance, gain.losesBeyondChance]).toEqual([true, false]);
    const many = pairedDifference({ pipelineOnly: 900, plainOnly: 1100 }, 5000);
    expect(many.p).toBeGreaterThan(0);
    expect(many.p).toBeLessThan(1e-4);
  });
});

describe('formatPairedTable', () => {
  it('marks only the rows that lose beyond chance', () => {
    const row = (name: string, pipelineOnly: number, plainOnly: number) => ({ name, split: 'tune' as const, count: 500, accuracy: {}, paired: { cnn: { pipelineOnly, plainOnly } } });
    const lines = formatPairedTable([row('spatter', 1, 12), row('rotate', 2, 3)]).split('\n');
    expect(lines.find((l) => l.startsWith('spatter'))).toMatch(/-2\.2 \(p 0\.003\) \*$/);
    expect(lines.find((l) => l.startsWith('rotate'))).toMatch(/-0\.2 \(p 1\.000\)\s*$/);
  });
});
