import * as tf from '@tensorflow/tfjs-core';
import { shareData } from './Identity.js';
import { type Info, type KernelArgs, asKernelFunc, runShipped } from './wasm.js';

// Replaces the shipped kernel for a cast to the tensor's own dtype only, which the shipped kernel copies:
// every ReLU gradient casts its float32 step mask to float32 (a [128, 24, 24, 16] copy in cnn()'s first
// layer). Tensors are immutable, so the result shares the data, as Identity does. Real casts go to it.

function sameTypeCast({ inputs, backend, attrs }: KernelArgs): Info {
  const { x } = inputs as { x: Info };
  const { dtype } = attrs as unknown as tf.CastAttrs;
  return x.dtype === dtype && dtype !== 'string' ? shareData(x, backend) : runShipped(tf.Cast, inputs, attrs ?? {}, backend);
}

export const castConfig: tf.KernelConfig = {
  kernelName: tf.Cast,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(sameTypeCast),
};
