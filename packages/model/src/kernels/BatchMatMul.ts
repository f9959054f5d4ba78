import * as tf from '@tensorflow/tfjs-core';
import { swapLastTwoAxes } from './geometry.js';
import { sparseRowsProduct } from './sparse-rows.js';
import { type Info, type KernelArgs, asKernelFunc, run, runShipped, withTemps } from './wasm.js';

// Transposed operands are transposed explicitly: the shipped transposed product is 12-30x slower than an
// explicit transpose followed by the untransposed product, and autodiff's gradient of every matMul asks
// for transposed products. A left operand mostly zeros (pixels, ReLU outputs) skips them, read in place (./sparse-rows.ts).

/** The kernel; `skipZeros` false is the previous one (transposes, then the shipped product), kept for the bench. */
export const untransposedBatchMatMul = (skipZeros = true) => ({ inputs, backend, attrs }: KernelArgs): Info => {
  const { transposeA, transposeB } = (attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
  const { a, b } = inputs as { a: Info; b: Info };
  return withTemps(backend, (keep) => {
    const b2 = transposeB ? keep(run('Transpose', { x: b }, { perm: swapLastTwoAxes(b.shape.length) }, backend)) : b;
    const sparse = skipZeros ? sparseRowsProduct({ a, b: b2, transposeA }, backend) : null;
    if (sparse) return sparse;
    const a2 = transposeA ? keep(run('Transpose', { x: a }, { perm: swapLastTwoAxes(a.shape.length) }, backend)) : a;
    return runShipped(tf.BatchMatMul, { a: a2, b: b2 }, { ...attrs, transposeA: false, transposeB: false }, backend);
  });
};

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(untransposedBatchMatMul()),
};
