import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DigitkitError, useBackend } from '@digitkit/core';
import { cnn, mlp, predict } from './index.js';

beforeAll(async () => {
  await useBackend('wasm', { log: null });
});

describe('predict', () => {
  it('classifies more images than one batch holds, the same as one net.predict call, without leaking tensors', () => {
    const model = mlp({ seed: 4 });
    const count = 1500;
    const x = Float32Array.from({ length: count * 784 }, (_, i) => ((i * 2654435761) % 1000) / 1000);
    const before = tf.memory().numTensors;
    const predictions = predict(model, x, count);
    expect(tf.memory().numTensors).toBe(before);
    expect(predictions).toHaveLength(count);
    const direct = tf.tidy(() => tf.argMax(model.net.predict(tf.tensor2d(x, [count, 784])) as tf.Tensor, -1).dataSync());
    expect(predictions.map((p) => p.label)).toEqual(Array.from(direct));
    for (const p of predictions.slice(0, 5)) {
      expect(p.probabilities).toHaveLength(10);
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(p.probabilities[p.label]).toBe(Math.max(...p.probabilities));
    }
  });

  it('takes 784 floats per image for the CNN too', () => {
    const predictions = predict(cnn({ seed: 1 }), new Float32Array(2 * 784), 2);
    expect(predictions).toHaveLength(2);
  });

  it('says how many floats it needs when the input does not match', () => {
    expect(() => predict(mlp(), new Float32Array(700), 1)).toThrow(DigitkitError);
    expect(() => predict(mlp(), new Float32Array(700), 1)).toThrow(/700 floats for 1 images.*784 per image/);
    expect(() => predict(mlp(), new Float32Array(0), -1)).toThrow(/non-negative integer/);
    expect(predict(mlp(), new Float32Array(0), 0)).toEqual([]);
  });

  it('turns the logits of a model without softmax into probabilities', () => {
    const model = mlp({ seed: 4 });
    const logits = tfl.sequential({ layers: [tfl.layers.dense({ units: 10, inputShape: [784] })] });
    const wrapped = { ...model, net: logits };
    const x = Float32Array.from({ length: 3 * 784 }, (_, i) => (i % 255) / 255);
    const raw = (logits.predict(tf.tensor2d(x, [3, 784])) as tf.Tensor).arraySync() as number[][];
    const predictions = predict(wrapped, x, 3);
    predictions.forEach((p, i) => {
      expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      expect(p.label).toBe(raw[i]!.indexOf(Math.max(...raw[i]!)));
    });
  });

  it('fails on non-finite outputs instead of answering with NaN', () => {
    const model = mlp({ seed: 4 });
    // Finite but huge weights overflow to Infinity, and softmax(Infinity) is NaN.
    model.net.setWeights(model.net.getWeights().map((w) => tf.fill(w.shape, 3e38)));
    expect(() => predict(model, new Float32Array(784).fill(1), 1)).toThrow(/non-finite output .* image 0.*Train it again/);
  });
});
