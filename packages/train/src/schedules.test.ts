import { describe, expect, it } from 'vitest';
import { DigitkitError } from '@digitkit/core';
import { MODEL_KINDS, MODELS } from '@digitkit/model';
import { constantSchedule, cosineSchedule, oneCycleSchedule, parseSchedule, stepSchedule } from './schedules.js';
import { defaultRecipe, parseOptimizer } from './options.js';

describe('learning-rate schedules', () => {
  it('constant keeps the rate', () => {
    const s = constantSchedule({ learningRate: 0.01 });
    expect([s(0, 0), s(5, 17)]).toEqual([0.01, 0.01]);
  });

  it('cosine starts at the rate, halves at mid-run and ends at the minimum', () => {
    const s = cosineSchedule({ learningRate: 0.1, epochs: 10, stepsPerEpoch: 100 });
    expect(s(0, 0)).toBeCloseTo(0.1, 12);
    expect(s(5, 0)).toBeCloseTo(0.05, 12);
    expect(s(9, 100)).toBeCloseTo(0, 12);
    expect(s(2, 50)).toBeLessThan(s(2, 49));
    const floor = cosineSchedule({ learningRate: 0.1, epochs: 4, minLearningRate: 0.01 });
    expect(floor(4, 0)).toBeCloseTo(0.01, 12);
  });

  it('cosine warm-up rises linearly first', () => {
    const s = cosineSchedule({ learningRate: 1, epochs: 10, stepsPerEpoch: 10, warmupEpochs: 1 });
    expect(s(0, 0)).toBeCloseTo(0.1, 12);
    expect(s(0, 4)).toBeCloseTo(0.5, 12);
    expect(s(1, 0)).toBeCloseTo(1, 12);
  });

  it('step multiplies by gamma every stepEpochs', () => {
    const s = stepSchedule({ learningRate: 1, epochs: 9, stepEpochs: 3, gamma: 0.5 });
    expect([0, 2, 3, 5, 6, 8].map((e) => s(e, 0))).toEqual([1, 1, 0.5, 0.5, 0.25, 0.25]);
    // Default: a third of the run, gamma 0.1.
    const d = stepSchedule({ learningRate: 1, epochs: 6 });
    expect([d(1, 0), d(2, 0), d(4, 0)]).toEqual([1, 0.1, 0.1 ** 2]);
  });

  it('one-cycle rises from rate/25 to the peak at 30% and falls to rate/25e4', () => {
    const s = oneCycleSchedule({ learningRate: 1, epochs: 10, stepsPerEpoch: 101 });
    const total = 10 * 101 - 1;
    const peak = Math.round(0.3 * total);
    const at = (t: number) => s(Math.floor(t / 101), t % 101);
    expect(at(0)).toBeCloseTo(1 / 25, 12);
    expect(at(peak)).toBeCloseTo(1, 12);
    expect(at(total)).toBeCloseTo(1 / 25 / 1e4, 12);
    expect(at(peak / 2)).toBeGreaterThan(at(peak / 4));
    expect(at(peak + 100)).toBeLessThan(at(peak + 50));
  });

  it('parses names and rejects unknown ones with the list of choices', () => {
    expect(parseSchedule('Cosine')).toBe('cosine');
    expect(parseSchedule('one-cycle')).toBe('onecycle');
    expect(() => parseSchedule('exponential')).toThrowError(/Unknown learning-rate schedule "exponential".*constant, step, cosine, onecycle/);
    expect(() => parseSchedule('x')).toThrowError(DigitkitError);
    expect(parseOptimizer('SGD')).toBe('sgd');
    expect(() => parseOptimizer('rmsprop')).toThrowError(/Unknown optimizer "rmsprop". Choose one of: adam, sgd/);
  });

  it('has a default recipe per model kind', () => {
    expect(defaultRecipe('mlp').schedule).toBe('cosine');
    expect(defaultRecipe('cnn').epochs).toBeGreaterThan(0);
    expect(() => defaultRecipe('rnn' as never)).toThrowError(/Unknown model kind "rnn". Choose one of: mlp, cnn/);
  });

  it('reads the recipe from the model table, and hands out a copy', () => {
    for (const kind of MODEL_KINDS) expect(defaultRecipe(kind)).toEqual(MODELS[kind].recipe);
    const recipe = defaultRecipe('cnn') as { epochs: number; augment: { maxShift?: number } };
    recipe.epochs = 1;
    recipe.augment.maxShift = 9;
    expect(defaultRecipe('cnn')).toMatchObject({ epochs: 45, augment: { maxShift: 2, maxRotation: 20 } });
  });
});
