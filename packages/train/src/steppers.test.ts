import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '@digitkit/core';
import { batches } from '@digitkit/data';
import { cnn, mlp } from '@digitkit/model';
import { createAutodiffStepper, createDenseStepper, denseStack } from './steppers.js';
import { train } from './train.js';
import { mnistSlice, setup, tensorCount, weightsOf } from './test-support.js';

let data: { train: ImageSet; validation: ImageSet };
beforeAll(async () => {
  await setup();
  data = await mnistSlice(512, 200);
});

describe('gradient paths', () => {
  it('the hand-written Dense backward gives the same step as autodiff', () => {
    const a = mlp({ seed: 4 });
    const b = mlp({ seed: 4 });
    const dense = createDenseStepper(a, denseStack(a)!, 'sgd', 0);
    const autodiff = createAutodiffStepper(b, 'sgd', 0);
    const start = weightsOf(a);
    const batch = batches(data.train, { batchSize: 100, shuffle: false }).next().value!;
    // SGD's first step with rate 1 moves each weight by exactly minus its gradient.
    tf.dispose(dense.step(batch.x, batch.y, batch.size, 1));
    tf.dispose(autodiff.step(batch.x, batch.y, batch.size, 1));
    const [wa, wb] = [weightsOf(a), weightsOf(b)];
    let largestGradient = 0;
    wa.forEach((w, i) => {
      for (let k = 0; k < w.length; k++) {
        largestGradient = Math.max(largestGradient, Math.abs(w[k]! - start[i]![k]!));
        expect(Math.abs(w[k]! - wb[i]![k]!)).toBeLessThan(1e-4);
      }
    });
    expect(largestGradient).toBeGreaterThan(1e-3);
    dense.dispose();
    autodiff.dispose();
    a.net.dispose();
    b.net.dispose();
  });

  it('uses the Dense path only for plain Dense stacks', () => {
    const plain = mlp();
    const withDropout = mlp({ dropout: 0.2 });
    const convolutional = cnn({ filters: [2, 4], dense: 8 });
    expect(denseStack(plain)).toHaveLength(3);
    expect(denseStack(withDropout)).toBeNull();
    expect(denseStack(convolutional)).toBeNull();
    for (const m of [plain, withDropout, convolutional]) m.net.dispose();
  });

  it('trains a small CNN through autodiff (dropout on) without leaking tensors', async () => {
    const model = cnn({ seed: 1, filters: [4, 8], dense: 32 });
    const counts: number[] = [];
    const before = tensorCount();
    const result = await train(model, data, {
      epochs: 3,
      batchSize: 64,
      learningRate: 3e-3,
      callbacks: { onEpochEnd: () => void counts.push(tensorCount()) },
    });
    expect(result.path).toBe('autodiff');
    expect(result.history[2]!.loss).toBeLessThan(result.history[0]!.loss);
    expect(result.history[2]!.valAccuracy).toBeGreaterThan(0.4);
    expect(new Set(counts).size).toBe(1);
    expect(tensorCount()).toBe(before);
    model.net.dispose();
  });
});
