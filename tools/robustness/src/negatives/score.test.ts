import { useBackend } from '@digitkit/core';
import { createRecognizer } from '@digitkit/recognizer';
import { mnistSlice } from '@digitkit/testkit';
import { beforeAll, describe, expect, it } from 'vitest';
import { scoreVerdicts } from './score.js';
import { VERDICT_SETS } from './sets.js';

const set = (name: string) => VERDICT_SETS.find((s) => s.name === name)!;

describe('scoreVerdicts', () => {
  beforeAll(async () => {
    await useBackend('wasm', { log: null });
  });

  it("counts the measure the target is about: scribbles passed of all, single digits kept of those right before", async () => {
    const test = await mnistSlice({ split: 'test', count: 200 });
    const recognizer = await createRecognizer({ model: 'cnn', log: null });
    const scribbles = scoreVerdicts(recognizer, set('scribbles'), set('scribbles').draw(test, 'tune', 12));
    expect(scribbles.measured.of).toBe(12);
    expect(scribbles.measured.passed).toBe(12 - scribbles.verdicts.digit);
    expect(scribbles.measured.passed / scribbles.measured.of).toBeCloseTo(scribbles.pass, 12);
    const singles = scoreVerdicts(recognizer, set('single digits'), set('single digits').draw(test, 'tune', 12));
    // Only the digits right before verdicts count, so the denominator is that count, not the pictures (one a condition at least).
    expect(singles.measured.of).toBe(Math.round(singles.before! * singles.count));
    expect(singles.measured.of).toBeGreaterThan(6);
    expect(singles.measured.passed).toBeLessThanOrEqual(singles.measured.of);
    // Kept are 'digit' and right now and right before: at most all right now, at least those less the ones wrong before.
    const rightNow = Math.round(singles.pass * singles.count);
    expect(singles.measured.passed).toBeLessThanOrEqual(rightNow);
    expect(singles.measured.passed).toBeGreaterThanOrEqual(rightNow - (singles.count - singles.measured.of));
    recognizer.dispose();
  });
});
