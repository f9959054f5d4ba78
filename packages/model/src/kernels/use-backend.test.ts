import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@digitkit/core';
import { missingWasmTrainingKernels, registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './register.js';

// Its own file (its own TF.js): the kernels go in through the backend table's after-load step, as the apps do it.

let registered: readonly string[] = [];
beforeAll(async () => {
  registered = (await useBackend('wasm', { kernels: WASM_TRAINING_KERNELS, log: null })).kernels;
});

describe("useBackend('wasm', { kernels: WASM_TRAINING_KERNELS })", () => {
  it('registers every training kernel once the backend runs', () => {
    expect(registered).toEqual(WASM_TRAINING_KERNELS.map((k) => k.kernelName));
    expect(missingWasmTrainingKernels()).toEqual([]);
  });

  it('leaves the kernels it replaced reachable, so ours fall back to them (plain and transposed products)', () => {
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const plain = tf.matMul(a, a);
    const transposed = tf.matMul(a, a, true, false);
    expect(Array.from(plain.dataSync())).toEqual([7, 10, 15, 22]);
    expect(Array.from(transposed.dataSync())).toEqual([10, 14, 14, 20]);
    tf.dispose([a, plain, transposed]);
  });

  it('is not undone or doubled by a later registerWasmTrainingKernels()', () => {
    registerWasmTrainingKernels();
    expect(missingWasmTrainingKernels()).toEqual([]);
    const a = tf.tensor2d([1, 2, 3, 4], [2, 2]);
    const product = tf.matMul(a, a);
    expect(Array.from(product.dataSync())).toEqual([7, 10, 15, 22]);
    tf.dispose([a, product]);
  });
});
