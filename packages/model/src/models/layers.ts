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

/** What `lenet` builds: the network's name and input, its two blocks' filters, its dense units, dropout and classes. */
export interface LenetShape {
  name: string;
  inputShape: number[];
  filters: [number, number];
  dense: number;
  dropout: number;
  numClasses: number;
}

/**
 * The LeNet-style network both convolutional families are (the CNN, the number reader): two blocks of 5x5 convolution
 * (ReLU, "valid" padding) and 2x2 max-pooling, then Dense ReLU, dropout and the softmax head; seeded in that order.
 */
export function lenet(shape: LenetShape, seeds: () => number): tfl.Sequential {
  const conv = (name: string, filters: number, extra: object = {}) =>
    tfl.layers.conv2d({
      name,
      filters,
      kernelSize: 5,
      padding: 'valid',
      activation: 'relu',
      kernelInitializer: tfl.initializers.heNormal({ seed: seeds() }),
      ...extra,
    });
  const net = tfl.sequential({ name: shape.name });
  net.add(conv('conv_1', shape.filters[0], { inputShape: shape.inputShape }));
  net.add(tfl.layers.maxPooling2d({ name: 'pool_1', poolSize: 2, strides: 2 }));
  net.add(conv('conv_2', shape.filters[1]));
  net.add(tfl.layers.maxPooling2d({ name: 'pool_2', poolSize: 2, strides: 2 }));
  net.add(tfl.layers.flatten({ name: 'flatten' }));
  net.add(tfl.layers.dense({ name: 'dense_1', units: shape.dense, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: seeds() }) }));
  if (shape.dropout > 0) net.add(tfl.layers.dropout({ name: 'dropout', rate: shape.dropout }));
  net.add(softmaxOutput(shape.numClasses, seeds()));
  return net;
}
