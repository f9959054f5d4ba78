import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { Optimizer } from './optimizer.js';
import { setup, tensorCount } from './test-support.js';

beforeAll(setup);

/** Adam and SGD by the textbook, in float64, for one parameter vector. */
function reference(name: 'adam' | 'sgd', w: number[], grads: number[][], rates: number[], weightDecay: number): number[] {
  const m = w.map(() => 0);
  const v = w.map(() => 0);
  w = [...w];
  grads.forEach((g, step) => {
    const t = step + 1;
    const lr = rates[step]!;
    for (let i = 0; i < w.length; i++) {
      const decayed = w[i]! * (1 - lr * weightDecay);
      if (name === 'adam') {
        m[i] = 0.9 * m[i]! + 0.1 * g[i]!;
        v[i] = 0.999 * v[i]! + 0.001 * g[i]! ** 2;
        const rate = (lr * Math.sqrt(1 - 0.999 ** t)) / (1 - 0.9 ** t);
        w[i] = decayed - (rate * m[i]!) / (Math.sqrt(v[i]!) + 1e-7);
      } else {
        m[i] = 0.9 * m[i]! + g[i]!;
        w[i] = decayed - lr * m[i]!;
      }
    }
  });
  return w;
}

describe('Optimizer', () => {
  for (const name of ['adam', 'sgd'] as const) {
    it(`${name} matches the textbook update, weight decay on kernels only`, () => {
      const start = [0.5, -1, 2, 0.25, 3, -2];
      const grads = [
        [0.1, -0.2, 0.3, 1, -1, 0.5],
        [0.05, 0.1, -0.3, 0.5, 0.2, -0.1],
        [-0.2, 0.3, 0.1, -0.4, 0.6, 0.05],
      ];
      const rates = [0.1, 0.05, 0.02];
      const before = tensorCount();
      const optimizer = new Optimizer(name, [[2, 2], [2]], 0.1);
      let kernel: tf.Tensor = tf.tensor2d(start.slice(0, 4), [2, 2]);
      let bias: tf.Tensor = tf.tensor1d(start.slice(4));
      grads.forEach((g, step) => {
        const gk = tf.tensor2d(g.slice(0, 4), [2, 2]);
        const gb = tf.tensor1d(g.slice(4));
        const [k, b] = optimizer.apply([kernel, bias], [gk, gb], rates[step]!);
        tf.dispose([kernel, bias, gk, gb]);
        kernel = k!;
        bias = b!;
      });
      const expectedKernel = reference(name, start.slice(0, 4), grads.map((g) => g.slice(0, 4)), rates, 0.1);
      const expectedBias = reference(name, start.slice(4), grads.map((g) => g.slice(4)), rates, 0);
      Array.from(kernel.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(expectedKernel[i]!, 5));
      Array.from(bias.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(expectedBias[i]!, 5));
      expect(optimizer.step).toBe(3);
      const state = optimizer.exportState();
      expect(state).toHaveLength(name === 'adam' ? 4 : 2);
      expect(optimizer.slotShapes()[0]).toEqual([2, 2]);
      tf.dispose([kernel, bias]);
      optimizer.dispose();
      expect(tensorCount()).toBe(before);
    });
  }
});

describe('Optimizer on WASM', () => {
  it.each(['adam', 'sgd'] as const)('%s: the fused update kernels give the bits of the composed ops, with no leaks', (name) => {
    expect(tf.getBackend()).toBe('wasm');
    const shapes = [[30, 7], [7]];
    let seed = 11;
    const random = (n: number) =>
      Float32Array.from({ length: n }, () => {
        seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
        return seed / 2 ** 31 - 1;
      });
    const start = shapes.map((s) => random(s[0]! * (s[1] ?? 1)));
    const grads = [0, 1, 2].map(() => shapes.map((s) => random(s[0]! * (s[1] ?? 1))));
    const before = tensorCount();
    const [fused, composed] = [true, false].map((useFused) => {
      const optimizer = new Optimizer(name, shapes, 0.01, useFused);
      let values = start.map((v, i) => tf.tensor(v, shapes[i]));
      grads.forEach((g, step) => {
        const gt = g.map((v, i) => tf.tensor(v, shapes[i]));
        const next = tf.tidy(() => optimizer.apply(values, gt, 0.01 * (step + 1)));
        tf.dispose([...values, ...gt]);
        values = next;
      });
      const out = [...values.map((v) => v.dataSync() as Float32Array), ...optimizer.exportState()];
      tf.dispose(values);
      optimizer.dispose();
      return out;
    });
    expect(fused!.map((a) => Array.from(a))).toEqual(composed!.map((a) => Array.from(a)));
    expect(fused![0]).not.toEqual(start[0]);
    expect(tensorCount()).toBe(before);
  });
});
