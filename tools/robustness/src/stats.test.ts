import { describe, expect, it } from 'vitest';
import { belowTarget, binomialAtMost, holmPasses } from './stats.js';

describe('binomialAtMost', () => {
  it('sums the exact lower tail: P(X <= 2), X ~ Bin(10, 1/2) = 56 / 1024; Bin(3, 0.97) = 1 - 0.97^3', () => {
    expect(binomialAtMost(2, 10, 0.5)).toBeCloseTo(56 / 1024, 12);
    expect(binomialAtMost(2, 3, 0.97)).toBeCloseTo(1 - 0.97 ** 3, 12);
    expect(binomialAtMost(0, 4, 0.5)).toBeCloseTo(1 / 16, 12);
  });

  it('is 1 for the whole range and stays finite and exact for thousands of trials', () => {
    expect(binomialAtMost(7, 7, 0.3)).toBe(1);
    // P(X <= 280), X ~ Bin(300, 0.97), by exact rational arithmetic: 8.62057e-4.
    expect(binomialAtMost(280, 300, 0.97)).toBeCloseTo(8.62057084605571e-4, 9);
    const tail = binomialAtMost(1000, 3000, 0.5);
    expect(tail).toBeGreaterThan(0);
    expect(tail).toBeLessThan(1e-60);
  });
});

describe('belowTarget', () => {
  it('calls 290 of 300 against 97% short but within chance (p 0.41), 280 of 300 short beyond it', () => {
    const near = belowTarget(290, 300, 0.97);
    expect(near.p).toBeCloseTo(0.41258156897, 9);
    expect(near.shortBeyondChance).toBe(false);
    const far = belowTarget(280, 300, 0.97);
    expect(far.p).toBeCloseTo(8.62057084605571e-4, 9);
    expect(far.shortBeyondChance).toBe(true);
  });

  it('weighs a shortfall by its count: 250 of 300 against 85% is within chance (p 0.23)', () => {
    expect(belowTarget(250, 300, 0.85)).toEqual({ p: expect.closeTo(0.23070830181, 9), shortBeyondChance: false });
  });

  it('gives a met target p 1, however few the pictures, and an empty count nothing to judge', () => {
    expect(belowTarget(291, 300, 0.97)).toEqual({ p: 1, shortBeyondChance: false });
    expect(belowTarget(1, 1, 0.97)).toEqual({ p: 1, shortBeyondChance: false });
    expect(belowTarget(0, 0, 0.97)).toEqual({ p: 1, shortBeyondChance: false });
  });
});

describe('holmPasses', () => {
  it('holds the smallest p to alpha / m, the next to alpha / (m - 1), and stops at the first that fails', () => {
    // Sorted: 0.001 < 0.05 / 4, 0.013 < 0.05 / 3, 0.02 < 0.05 / 2; 0.06 fails.
    expect(holmPasses([0.06, 0.001, 0.02, 0.013])).toEqual([false, true, true, true]);
    // 0.017 > 0.05 / 3 fails, so 0.02 fails after it although 0.02 < 0.05 / 2.
    expect(holmPasses([0.04, 0.001, 0.02, 0.017])).toEqual([false, true, false, false]);
  });

  it('passes what a single test would when there is one, and nothing once the smallest fails', () => {
    expect(holmPasses([0.049])).toEqual([true]);
    expect(holmPasses([0.049, 0.04])).toEqual([false, false]);
    expect(holmPasses([])).toEqual([]);
  });
});
