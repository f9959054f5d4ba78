// Pieces every model file uses: seeded initializers, the classifier head and option checks.
import * as tfl from '@tensorflow/tfjs-layers';
import { DigitkitError } from '@digitkit/core';

const DEFAULT_SEED = 42;

/** What every shipped recipe shares: Adam, batch 128, seed 42, no weight decay (each model adds its schedule). */
export const ADAM_RECIPE = { batchSize: 128, optimizer: 'adam', weightDecay: 0, seed: 42 } as const;

// Dropout layers get no seed on purpose: TF.js's seeded dropout draws the same mask on every step (@digitkit/train seeds each step's masks).

/** The classifier head every network ends with: Dense softmax over the classes, Glorot-initialized. */
export function softmaxOutput(numClasses: number, seed: number | undefined, extra: object = {}) {
  return tfl.layers.dense({
    name: 'output',
    units: numClasses,
    activation: 'softmax',
    kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    ...extra,
  });
}

// Each layer gets its own seed derived from the model seed, so layers are not initialized alike.
export function seedSequence(seed: number | undefined): () => number {
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new DigitkitError('BAD_MODEL_OPTION', `The model seed must be an integer, got ${seed}.`);
  }
  let next = seed ?? DEFAULT_SEED;
  return () => {
    next = (Math.imul(next, 1_103_515_245) + 12_345) >>> 0;
    return next;
  };
}

export function checkUnits(name: string, values: number[]): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < 1) {
      throw new DigitkitError('BAD_MODEL_OPTION', `The "${name}" option needs positive integers, got ${JSON.stringify(values)}.`);
    }
  }
}

export function checkRate(rate: number): void {
  if (!(rate >= 0 && rate < 1)) {
    throw new DigitkitError('BAD_MODEL_OPTION', `The dropout rate must be in [0, 1), got ${rate}.`);
  }
}

export function checkClasses(n: number): void {
  if (!Number.isInteger(n) || n < 2) {
    throw new DigitkitError('BAD_MODEL_OPTION', `numClasses must be an integer >= 2, got ${n}.`);
  }
}
