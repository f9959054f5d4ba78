import * as tf from '@tensorflow/tfjs-core';
import { sparseRowsProduct } from './sparse-rows.js';
import { type Info, type KernelArgs, asKernelFunc, runShipped } from './wasm.js';

// A dense layer's forward product (bias, then ReLU or none) whose input is mostly zeros skips them
// (./sparse-rows.ts: the same bits as the shipped XNNPACK product); everything else goes to the shipped kernel.

function fusedMatMul({ inputs, backend, attrs }: KernelArgs): Info {
  const { a, b, bias, preluActivationWeights } = inputs as Record<string, Info | undefined>;
  const { transposeA, transposeB, activation } = (attrs ?? {}) as unknown as tf._FusedMatMulAttrs;
  const plain = !transposeA && !transposeB && !preluActivationWeights && (activation === undefined || activation === 'linear' || activation === 'relu');
  return (plain ? sparseRowsProduct({ a: a!, b: b!, bias, relu: activation === 'relu' }, backend) : null) ?? runShipped(tf._FusedMatMul, inputs, attrs ?? {}, backend);
}

export const fusedMatMulConfig: tf.KernelConfig = {
  kernelName: tf._FusedMatMul,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(fusedMatMul),
};
