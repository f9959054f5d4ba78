import * as tf from '@tensorflow/tfjs-core';
import { swapLastTwoAxes } from './geometry.js';
import { type Info, type KernelArgs, asKernelFunc, run, runShipped, withTemps } from './wasm.js';

// Replaces the shipped kernel for transposed operands only: the shipped transposed product is 12-30x
// slower than an explicit transpose followed by the untransposed product. Autodiff's gradient of
// every matMul asks for transposed products, so this is most of the MLP's training speed on WASM.

function untransposedBatchMatMul({ inputs, backend, attrs }: KernelArgs): Info {
  const { transposeA, transposeB } = (attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
  if (!transposeA && !transposeB) return runShipped(tf.BatchMatMul, inputs, attrs ?? {}, backend);
  const { a, b } = inputs as { a: Info; b: Info };
  return withTemps(backend, (keep) => {
    const a2 = transposeA ? keep(run('Transpose', { x: a }, { perm: swapLastTwoAxes(a.shape.length) }, backend)) : a;
    const b2 = transposeB ? keep(run('Transpose', { x: b }, { perm: swapLastTwoAxes(b.shape.length) }, backend)) : b;
    return runShipped(tf.BatchMatMul, { a: a2, b: b2 }, { ...attrs, transposeA: false, transposeB: false }, backend);
  });
}

export const batchMatMulConfig: tf.KernelConfig = {
  kernelName: tf.BatchMatMul,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(untransposedBatchMatMul),
};
