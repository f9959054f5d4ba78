import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError, useBackend } from '@digitkit/core';
import { missingWasmTrainingKernels, registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from './register.js';

// Its own file: vitest gives each file its own TF.js, so this one starts with the shipped kernels.

beforeAll(async () => {
  await useBackend('wasm', { log: null });
});

const identity = () => tf.tensor2d([1, 2, 3, 4], [2, 2]);

describe('registering the WASM training kernels', () => {
  it('refuses to run a kernel put in by hand over the shipped one it calls, instead of calling itself', () => {
    const shipped = tf.getKernel('BatchMatMul', 'wasm')!;
    const ours = WASM_TRAINING_KERNELS.find((k) => k.kernelName === 'BatchMatMul')!;
    tf.unregisterKernel('BatchMatMul', 'wasm');
    tf.registerKernel(ours);
    const a = identity();
    try {
      expect(() => tf.matMul(a, a)).toThrow(DigitkitError);
      expect(() => tf.matMul(a, a)).toThrow(/registerWasmTrainingKernels\(\)/);
    } finally {
      a.dispose();
      tf.unregisterKernel('BatchMatMul', 'wasm');
      tf.registerKernel(shipped);
    }
  });

  it('says which are missing until registerWasmTrainingKernels() puts them in, keeping the shipped setup', () => {
    expect(missingWasmTrainingKernels()).toEqual(WASM_TRAINING_KERNELS.map((k) => k.kernelName));
    const shipped = tf.getKernel('BatchMatMul', 'wasm');
    registerWasmTrainingKernels();
    expect(missingWasmTrainingKernels()).toEqual([]);
    expect(tf.getKernel('BatchMatMul', 'wasm')?.setupFunc).toBe(shipped?.setupFunc);
    const a = identity();
    const product = tf.matMul(a, a, true, false);
    expect(Array.from(product.dataSync())).toEqual([10, 14, 14, 20]);
    tf.dispose([a, product]);
  });
});
