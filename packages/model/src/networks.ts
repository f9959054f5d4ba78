import * as tfl from '@tensorflow/tfjs-layers';
import { DigitkitError, type DigitModel, type ModelKind } from '@digitkit/core';

export interface MlpOptions {
  /** Units of each hidden Dense layer (ReLU). Default `[128, 64]`, the original Keras network. */
  hidden?: number[];
  /** Dropout rate after each hidden layer, 0 (default) for none. */
  dropout?: number;
  /** Seed for the weight initializers: the same seed gives the same initial weights. */
  seed?: number;
  /** Output classes. Default 10. */
  numClasses?: number;
}

// Dropout layers get no seed on purpose: TF.js's seeded dropout draws the same mask on every step.

export interface CnnOptions {
  /** Filters of the two 5x5 convolution blocks. Default `[16, 32]`. */
  filters?: [number, number];
  /** Units of the dense layer before the output. Default 128. */
  dense?: number;
  /** Dropout rate before the output layer. Default 0.3. */
  dropout?: number;
  /** Seed for the weight initializers: the same seed gives the same initial weights. */
  seed?: number;
  /** Output classes. Default 10. */
  numClasses?: number;
}

export type ModelOptions = MlpOptions | CnnOptions;

export const MODEL_KINDS: readonly ModelKind[] = ['mlp', 'cnn'];

const DEFAULT_SEED = 42;

/**
 * The original Keras project's network: 784 -> Dense 128 ReLU -> Dense 64 ReLU -> Dense 10 softmax
 * (109,386 parameters with the defaults).
 */
export function mlp(options: MlpOptions = {}): DigitModel {
  const hidden = options.hidden ?? [128, 64];
  const dropout = options.dropout ?? 0;
  const numClasses = options.numClasses ?? 10;
  checkUnits('hidden', hidden);
  checkRate(dropout);
  checkClasses(numClasses);
  const seeds = seedSequence(options.seed);
  const net = tfl.sequential({ name: 'digitkit_mlp' });
  hidden.forEach((units, i) => {
    net.add(
      tfl.layers.dense({
        name: `dense_${i + 1}`,
        units,
        activation: 'relu',
        kernelInitializer: tfl.initializers.heNormal({ seed: seeds() }),
        ...(i === 0 ? { inputShape: [784] } : {}),
      }),
    );
    if (dropout > 0) net.add(tfl.layers.dropout({ name: `dropout_${i + 1}`, rate: dropout }));
  });
  net.add(softmaxOutput(numClasses, seeds(), hidden.length === 0 ? { inputShape: [784] } : {}));
  return { kind: 'mlp', inputShape: [784], numClasses, net };
}

/**
 * A small LeNet-style CNN for 28x28x1 digits: two blocks of 5x5 convolution (ReLU, "valid" padding)
 * and 2x2 max-pooling (28 -> 24 -> 12 -> 8 -> 4), then Dense 128 ReLU, dropout and a softmax output.
 * About 1.1 million multiply-adds per image, so it trains on one WASM thread.
 */
export function cnn(options: CnnOptions = {}): DigitModel {
  const [f1, f2] = options.filters ?? [16, 32];
  const dense = options.dense ?? 128;
  const dropout = options.dropout ?? 0.3;
  const numClasses = options.numClasses ?? 10;
  checkUnits('filters', [f1, f2]);
  checkUnits('dense', [dense]);
  checkRate(dropout);
  checkClasses(numClasses);
  const seeds = seedSequence(options.seed);
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
  const net = tfl.sequential({ name: 'digitkit_cnn' });
  net.add(conv('conv_1', f1, { inputShape: [28, 28, 1] }));
  net.add(tfl.layers.maxPooling2d({ name: 'pool_1', poolSize: 2, strides: 2 }));
  net.add(conv('conv_2', f2));
  net.add(tfl.layers.maxPooling2d({ name: 'pool_2', poolSize: 2, strides: 2 }));
  net.add(tfl.layers.flatten({ name: 'flatten' }));
  net.add(
    tfl.layers.dense({
      name: 'dense_1',
      units: dense,
      activation: 'relu',
      kernelInitializer: tfl.initializers.heNormal({ seed: seeds() }),
    }),
  );
  if (dropout > 0) net.add(tfl.layers.dropout({ name: 'dropout', rate: dropout }));
  net.add(softmaxOutput(numClasses, seeds()));
  return { kind: 'cnn', inputShape: [28, 28, 1], numClasses, net };
}

/** The classifier head both networks end with: Dense softmax over the classes, Glorot-initialized. */
function softmaxOutput(numClasses: number, seed: number | undefined, extra: object = {}) {
  return tfl.layers.dense({
    name: 'output',
    units: numClasses,
    activation: 'softmax',
    kernelInitializer: tfl.initializers.glorotUniform({ seed }),
    ...extra,
  });
}

/** Builds a model by kind name (`mlp` or `cnn`), as a CLI flag or config file gives it. */
export function createModel(kind: string, options: ModelOptions = {}): DigitModel {
  if (kind === 'mlp') return mlp(options as MlpOptions);
  if (kind === 'cnn') return cnn(options as CnnOptions);
  throw new DigitkitError(
    'UNKNOWN_MODEL',
    `Unknown model kind "${kind}". Choose one of: ${MODEL_KINDS.join(', ')}.`,
  );
}

// Each layer gets its own seed derived from the model seed, so layers are not initialized alike.
function seedSequence(seed: number | undefined): () => number {
  if (seed !== undefined && !Number.isInteger(seed)) {
    throw new DigitkitError('BAD_MODEL_OPTION', `The model seed must be an integer, got ${seed}.`);
  }
  let next = seed ?? DEFAULT_SEED;
  return () => {
    next = (Math.imul(next, 1_103_515_245) + 12_345) >>> 0;
    return next;
  };
}

function checkUnits(name: string, values: number[]): void {
  for (const v of values) {
    if (!Number.isInteger(v) || v < 1) {
      throw new DigitkitError('BAD_MODEL_OPTION', `The "${name}" option needs positive integers, got ${JSON.stringify(values)}.`);
    }
  }
}

function checkRate(rate: number): void {
  if (!(rate >= 0 && rate < 1)) {
    throw new DigitkitError('BAD_MODEL_OPTION', `The dropout rate must be in [0, 1), got ${rate}.`);
  }
}

function checkClasses(n: number): void {
  if (!Number.isInteger(n) || n < 2) {
    throw new DigitkitError('BAD_MODEL_OPTION', `numClasses must be an integer >= 2, got ${n}.`);
  }
}
