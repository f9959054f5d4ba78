import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError, useBackend } from '@digitkit/core';
import { cnn, createModel, isModelKind, MODEL_KINDS, MODELS, mlp, numberReader, parameterCount, summary } from '../index.js';

beforeAll(async () => {
  await useBackend('cpu', { log: null });
});

describe('mlp', () => {
  it('is the original Keras network: 784 -> 128 -> 64 -> 10, 109,386 parameters', () => {
    const model = mlp();
    expect(model.kind).toBe('mlp');
    expect(model.inputShape).toEqual([784]);
    expect(model.numClasses).toBe(10);
    expect(parameterCount(model)).toBe(109_386);
    expect(model.net.layers.map((l) => l.outputShape)).toEqual([
      [null, 128],
      [null, 64],
      [null, 10],
    ]);
    expect(model.net.layers.map((l) => (l.getConfig() as { activation: string }).activation)).toEqual(['relu', 'relu', 'softmax']);
  });

  it('takes hidden sizes and dropout', () => {
    const model = mlp({ hidden: [32], dropout: 0.5 });
    expect(model.net.layers.map((l) => l.getClassName())).toEqual(['Dense', 'Dropout', 'Dense']);
    expect(parameterCount(model)).toBe(784 * 32 + 32 + 32 * 10 + 10);
  });

  it('gives the same weights for the same seed and different ones for another seed', () => {
    const read = (seed: number) => mlp({ seed }).net.getWeights().map((w) => Array.from(w.dataSync()));
    const a = read(7);
    expect(read(7)).toEqual(a);
    expect(read(8)[0]).not.toEqual(a[0]);
  });

  it('rejects bad options', () => {
    expect(() => mlp({ hidden: [0] })).toThrow(DigitkitError);
    expect(() => mlp({ dropout: 1 })).toThrow(/dropout/);
    expect(() => mlp({ seed: 1.5 })).toThrow(/seed/);
  });
});

describe('cnn', () => {
  it('takes 28x28x1 images and gives 10 probabilities that sum to 1', () => {
    const model = cnn({ seed: 1 });
    expect(model.kind).toBe('cnn');
    expect(model.inputShape).toEqual([28, 28, 1]);
    expect(parameterCount(model)).toBe(129_194);
    const before = tf.memory().numTensors;
    const probs = tf.tidy(() => (model.net.predict(tf.randomUniform([3, 28, 28, 1], 0, 1, 'float32', 3)) as tf.Tensor).arraySync() as number[][]);
    expect(tf.memory().numTensors).toBe(before);
    expect(probs).toHaveLength(3);
    for (const row of probs) {
      expect(row).toHaveLength(10);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it('draws a new dropout mask on every training step (TF.js seeded dropout would repeat one)', () => {
    const model = cnn({ seed: 1, dropout: 0.5 });
    const x = tf.ones([2, 28, 28, 1]);
    const run = () => tf.tidy(() => Array.from((model.net.apply(x, { training: true }) as tf.Tensor).dataSync()));
    expect(run()).not.toEqual(run());
    x.dispose();
  });

  it('is seeded', () => {
    const read = (seed: number) => cnn({ seed }).net.getWeights().map((w) => Array.from(w.dataSync()));
    expect(read(3)).toEqual(read(3));
    expect(read(4)[0]).not.toEqual(read(3)[0]);
  });
});

describe('numberReader', () => {
  it('takes 28x56x1 fits of a number and gives 112 probabilities (pairs, single digits, more, none) that sum to 1', () => {
    const model = numberReader({ seed: 1 });
    expect(model).toMatchObject({ kind: 'numbers', inputShape: [28, 56, 1], numClasses: 112 });
    expect(parameterCount(model)).toBe(305_392);
    expect(model.net.layers.map((l) => l.outputShape)).toContainEqual([null, 4, 11, 32]);
    const probs = tf.tidy(() => (model.net.predict(tf.randomUniform([2, 28, 56, 1], 0, 1, 'float32', 3)) as tf.Tensor).arraySync() as number[][]);
    for (const row of probs) {
      expect(row).toHaveLength(112);
      expect(row.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    }
  });

  it('is seeded, and rejects bad options', () => {
    const read = (seed: number) => numberReader({ seed }).net.getWeights().map((w) => Array.from(w.dataSync()));
    expect(read(3)).toEqual(read(3));
    expect(read(4)[0]).not.toEqual(read(3)[0]);
    expect(() => numberReader({ filters: [16, 0] })).toThrow(/filters/);
    expect(() => numberReader({ dropout: -0.1 })).toThrow(/dropout/);
  });
});

describe('MODELS', () => {
  it('lists each kind once, and every entry builds a model of its own kind and input shape', () => {
    expect(MODEL_KINDS).toEqual(['mlp', 'cnn', 'numbers']);
    for (const kind of MODEL_KINDS) {
      const spec = MODELS[kind];
      const model = spec.create({ seed: 1 });
      expect(model.kind).toBe(kind);
      expect(model.inputShape).toEqual(spec.inputShape);
      expect(model.net.inputs[0]?.shape.slice(1)).toEqual(spec.inputShape);
      expect(spec.description.length).toBeGreaterThan(0);
      expect(spec.recipe.epochs).toBeGreaterThan(0);
    }
    expect(MODEL_KINDS.map((kind) => MODELS[kind].reads)).toEqual(['digits', 'digits', 'numbers']);
  });

  it('gives each kind the recipe measured for it', () => {
    expect(MODELS.mlp.recipe).toMatchObject({ epochs: 20, learningRate: 2e-3, schedule: 'cosine', augment: { maxShift: 2, maxRotation: 10, elastic: 0.3, negatives: 0.1 } });
    expect(MODELS.cnn.recipe).toMatchObject({ epochs: 45, learningRate: 3e-3, schedule: 'onecycle', augment: { maxShift: 2, maxRotation: 20, elastic: 0.3, outline: 0.05, clutter: 0.18, negatives: 0.1 } });
    // The number reader's set has its own non-digits: no negatives drawn into its batches.
    expect(MODELS.numbers.recipe).toMatchObject({ epochs: 16, learningRate: 3e-3, schedule: 'onecycle', augment: { maxRotation: 20, clutter: 0.18 } });
    expect(MODELS.numbers.recipe.augment).not.toHaveProperty('negatives');
  });

  it('knows only its own keys, not what every object inherits', () => {
    expect(isModelKind('cnn')).toBe(true);
    expect(isModelKind('toString')).toBe(false);
    expect(() => createModel('constructor')).toThrow(/Unknown model kind "constructor"/);
  });
});

describe('createModel', () => {
  it('builds by kind name', () => {
    expect(createModel('mlp').kind).toBe('mlp');
    expect(createModel('cnn', { seed: 2 }).kind).toBe('cnn');
  });

  it('names the known kinds for an unknown one', () => {
    expect(() => createModel('resnet')).toThrow(DigitkitError);
    expect(() => createModel('resnet')).toThrow(/"resnet".*mlp, cnn, numbers/);
  });
});

describe('summary', () => {
  it('lists every layer with its output shape and parameters, and the total', () => {
    const text = summary(mlp());
    expect(text).toMatch(/dense_1 \(Dense\)\s+\[batch, 128\]\s+100,480/);
    expect(text).toMatch(/dense_2 \(Dense\)\s+\[batch, 64\]\s+8,256/);
    expect(text).toMatch(/output \(Dense\)\s+\[batch, 10\]\s+650/);
    expect(text).toMatch(/Total params: 109,386/);
    const cnnText = summary(cnn());
    expect(cnnText).toMatch(/Conv2D/);
    expect(cnnText).toContain(`Total params: ${parameterCount(cnn()).toLocaleString('en-US')}`);
  });
});
