import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '@digitkit/core';
import { batches } from '@digitkit/data';
import { cnn, mlp } from '@digitkit/model';
import { createStepper, trainableHandles } from './steppers.js';
import { train } from './train.js';
import { mnistSlice, sameWeights, setup, tensorCount, weightsOf } from './test-support.js';

let data: { train: ImageSet; validation: ImageSet };
beforeAll(async () => {
  await setup();
  data = await mnistSlice(512, 200);
});

describe('the training step', () => {
  it('moves each weight by the gradient of the mean cross-entropy (plain autodiff of the textbook loss)', () => {
    const model = mlp({ seed: 4 });
    const reference = mlp({ seed: 4 });
    const stepper = createStepper(model, 'sgd', 0);
    const start = weightsOf(model);
    const batch = batches(data.train, { batchSize: 100, shuffle: false }).next().value!;
    // SGD's first step with rate 1 moves each weight by exactly minus its gradient.
    const [lossSum, correct] = stepper.step(batch.x, batch.y, batch.size, 1, 0);
    const vars = trainableHandles(reference).map((w) => w.read());
    const expected = tf.tidy(() => {
      const x = tf.tensor2d(batch.x.subarray(0, batch.size * 784), [batch.size, 784]);
      const y = tf.oneHot(tf.tensor1d(Int32Array.from(batch.y.subarray(0, batch.size)), 'int32'), 10);
      const { value, grads } = tf.variableGrads(() => {
        const p = reference.net.apply(x, { training: true }) as tf.Tensor2D;
        return tf.div(tf.neg(tf.sum(tf.mul(tf.log(p), y))), batch.size) as tf.Scalar;
      }, vars);
      return { loss: value.dataSync()[0]!, grads: vars.map((v) => grads[v.name]!.dataSync() as Float32Array) };
    });
    expect(lossSum.dataSync()[0]! / batch.size).toBeCloseTo(expected.loss, 4);
    expect(correct.dataSync()[0]).toBeGreaterThanOrEqual(0);
    tf.dispose([lossSum, correct]);
    const after = weightsOf(model);
    let largest = 0;
    after.forEach((w, i) => {
      for (let k = 0; k < w.length; k++) {
        const moved = start[i]![k]! - w[k]!;
        largest = Math.max(largest, Math.abs(moved));
        expect(Math.abs(moved - expected.grads[i]![k]!)).toBeLessThan(1e-4);
      }
    });
    expect(largest).toBeGreaterThan(1e-3);
    stepper.dispose();
    model.net.dispose();
    reference.net.dispose();
  });

  it('draws the dropout masks from the step\'s seed: the same seed the same gradients, another seed others', () => {
    const model = cnn({ seed: 1, filters: [4, 8], dense: 32 });
    const stepper = createStepper(model, 'adam', 0);
    const batch = batches(data.train, { batchSize: 64, shuffle: false }).next().value!;
    const gradientsAt = (seed: number) => {
      const { grads, lossSum, correct } = stepper.gradients(batch.x, batch.y, batch.size, 1, seed);
      const values = grads.map((g) => Float32Array.from(g.dataSync() as Float32Array));
      tf.dispose([...grads, lossSum, correct]);
      return values;
    };
    const [first, again, other] = [gradientsAt(7), gradientsAt(7), gradientsAt(8)];
    expect(sameWeights(first, again)).toBe(true);
    expect(sameWeights(first, other)).toBe(false);
    // The seed is the step's, not the model's: a saved model has none.
    expect(model.net.getLayer('dropout').getConfig().seed).toBeUndefined();
    stepper.dispose();
    model.net.dispose();
  });

  it('trains a CNN (dropout on) to the same weights, bit for bit, from the same seed', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const model = cnn({ seed: 1, filters: [4, 8], dense: 32 });
      await train(model, { train: data.train }, { epochs: 1, batchSize: 64, learningRate: 3e-3, seed: 9, augment: { maxShift: 2 } });
      runs.push(weightsOf(model));
      model.net.dispose();
    }
    expect(sameWeights(runs[0]!, runs[1]!)).toBe(true);
  });

  it('trains a small CNN (dropout on) without leaking tensors', async () => {
    const model = cnn({ seed: 1, filters: [4, 8], dense: 32 });
    const counts: number[] = [];
    const before = tensorCount();
    const result = await train(model, data, {
      epochs: 3,
      batchSize: 64,
      learningRate: 3e-3,
      callbacks: { onEpochEnd: () => void counts.push(tensorCount()) },
    });
    expect(result.history[2]!.loss).toBeLessThan(result.history[0]!.loss);
    expect(result.history[2]!.valAccuracy).toBeGreaterThan(0.4);
    expect(new Set(counts).size).toBe(1);
    expect(tensorCount()).toBe(before);
    model.net.dispose();
  });
});
