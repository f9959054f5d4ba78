import * as tf from '@tensorflow/tfjs-core';
import { type Info, type KernelArgs, asKernelFunc, heapOf, runShipped } from './wasm.js';

// Replaces the shipped kernel, which copies. Autodiff clones every tensor it saves for the backward
// pass (a training step of the MLP: 20 clones, among them the input batch and the first weight
// matrix); tensors are immutable, so the clone can share the data and count a reference, as the CPU
// backend's Identity does.

function sharedIdentity({ inputs, backend, attrs }: KernelArgs): Info {
  const { x } = inputs as { x: Info };
  if (x.dtype === 'string') return runShipped(tf.Identity, inputs, attrs ?? {}, backend);
  return shareData(x, backend);
}

/** A tensor of `x`'s shape on the same data, counted once more (freed with the last of them). */
export function shareData(x: Info, backend: tf.KernelBackend): Info {
  heapOf(backend).incRef(x.dataId);
  return { dataId: x.dataId, shape: [...x.shape], dtype: x.dtype };
}

export const identityConfig: tf.KernelConfig = {
  kernelName: tf.Identity,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(sharedIdentity),
};
