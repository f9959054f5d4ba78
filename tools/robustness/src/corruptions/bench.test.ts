import { useBackend } from '@digitkit/core';
import { createRecognizer } from '@digitkit/recognizer';
import { mnistSlice } from '@digitkit/testkit';
import { describe, expect, it } from 'vitest';
import { WHOLE_INK_AS_DIGIT } from '../models.js';
import { FORMAT_ONLY, formatPairedTable, PLAIN, pairedDifference, scorePictures } from './bench.js';
import { corruptFamily, FAMILIES } from './families.js';

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
  const row = (name: string, pipelineOnly: number, plainOnly: number) => ({ name, split: 'tune' as const, count: 500, accuracy: {}, paired: { cnn: { pipelineOnly, plainOnly } } });
  const lineOf = (table: string, name: string) => table.split('\n').find((l) => l.startsWith(name));

  it('marks only the rows that lose beyond chance', () => {
    const table = formatPairedTable([row('spatter', 1, 12), row('rotate', 2, 3)]);
    expect(lineOf(table, 'spatter')).toMatch(/-2\.2 \(p 0\.003\) \*\*\s*$/);
    expect(lineOf(table, 'rotate')).toMatch(/-0\.2 \(p 1\.000\)\s*$/);
  });

  it('keeps the double star for losses that survive every comparison of the table counted', () => {
    // 4 vs 14 (p 0.031) is one star alone, and no longer beyond chance among 20 comparisons; 1 vs 12 (p 0.003) is not
    // either (0.003 > 0.05 / 20); 0 vs 20 (p < 0.001) is.
    const others = Array.from({ length: 17 }, (_, i) => row(`even-${i}`, 5, 5));
    const table = formatPairedTable([row('spatter', 1, 12), row('zigzag', 4, 14), row('stripe', 0, 20), ...others]);
    expect(lineOf(table, 'zigzag')).toMatch(/\(p 0\.031\) \*\s*$/);
    expect(lineOf(table, 'spatter')).toMatch(/\(p 0\.003\) \*\s*$/);
    expect(lineOf(table, 'stripe')).toMatch(/\(p <0\.001\) \*\*\s*$/);
    expect(table).toContain('all 20 comparisons');
  });
});

describe('scorePictures', () => {
  it('scores the full pipeline, toMnistFormat alone and the plain way on the same pictures, each paired with the plain one', async () => {
    await useBackend('wasm', { log: null });
    const recognizer = await createRecognizer({ model: 'cnn', log: null, verdicts: WHOLE_INK_AS_DIGIT });
    const test = await mnistSlice({ split: 'test', count: 200 });
    // zigzag: a stroke across the digit, which the layout sometimes reads as a second digit and toMnistFormat cannot.
    const set = corruptFamily(FAMILIES.find((f) => f.name === 'zigzag')!, test, 60, 1);
    const { accuracy, paired } = scorePictures({ cnn: recognizer }, set.pictures, set.labels);
    expect(Object.keys(accuracy)).toEqual(['cnn', `cnn${FORMAT_ONLY}`, `cnn${PLAIN}`]);
    expect(Object.keys(paired)).toEqual(['cnn', `cnn${FORMAT_ONLY}`]);
    // Each paired column's lead over the plain one is exactly its pictures read right alone minus the plain way's.
    for (const column of Object.keys(paired)) {
      const { pipelineOnly, plainOnly } = paired[column]!;
      expect(accuracy[column]! - accuracy[`cnn${PLAIN}`]!).toBeCloseTo((pipelineOnly - plainOnly) / set.pictures.length, 10);
    }
    expect(accuracy[`cnn${FORMAT_ONLY}`]).toBeGreaterThan(0.8);
    recognizer.dispose();
  }, 60_000);
});
