import * as tf from '@tensorflow/tfjs-core';
import { type AdamLoop, adamLoopFor } from './adam-simd.js';
import { type Info, type KernelArgs, asKernelFunc, heapOf, run, scalarOn, withTemps } from './wasm.js';

// One Adam update per parameter in one dispatch and one pass over memory (./adam-simd.ts) instead of
// about a dozen element-wise kernels, each a pass with its own output; the same float32 operations in
// the same order, so the same bits. Training the MLP: 6 dispatches a step instead of ~54.

/** Kernel name of the fused Adam update (registered for `wasm`; other backends use the composed ops). */
export const ADAM_UPDATE = 'DigitkitAdamUpdate';

/**
 * Attributes of `ADAM_UPDATE`. Inputs: `value`, `grad`, `m`, `v` (float32, one shape); outputs:
 * [next value, next m, next v]. `rate` is the bias-corrected rate, `decay` multiplies the value first (1: none).
 */
export interface AdamUpdateAttrs {
  rate: number;
  decay: number;
  beta1: number;
  beta2: number;
  epsilon: number;
}

function fusedAdamUpdate(args: KernelArgs): Info[] {
  const loop = adamLoopFor(args.backend);
  return loop ? adamUpdateSimd(args, loop) : adamUpdateByKernels(args);
}

function adamUpdateSimd({ inputs, backend, attrs }: KernelArgs, loop: AdamLoop): Info[] {
  const { value, grad, m, v } = inputs as Record<'value' | 'grad' | 'm' | 'v', Info>;
  const { rate, decay, beta1, beta2, epsilon } = attrs as unknown as AdamUpdateAttrs;
  const heap = heapOf(backend);
  const outputs = [value, m, v].map((t) => heap.makeOutput([...t.shape], 'float32'));
  // Byte offsets, taken after every allocation (the heap may have grown; offsets stay valid).
  const offsets = [value, grad, m, v, ...outputs].map((t) => heap.typedArrayFromHeap(t).byteOffset);
  loop(...offsets, heap.typedArrayFromHeap(value).length, beta1, 1 - beta1, beta2, 1 - beta2, epsilon, rate, decay);
  return outputs;
}

/** Without WebAssembly SIMD (or on a shared, threaded heap): the shipped kernels, called on the backend directly. */
export function adamUpdateByKernels({ inputs, backend, attrs }: KernelArgs): Info[] {
  const { value, grad, m, v } = inputs as Record<'value' | 'grad' | 'm' | 'v', Info>;
  const { rate, decay, beta1, beta2, epsilon } = attrs as unknown as AdamUpdateAttrs;
  return withTemps(backend, (keep) => {
    const op = (name: string, a: Info, b?: Info) => run(name, b ? { a, b } : { x: a }, {}, backend);
    const temp = (name: string, a: Info, b?: Info) => keep(op(name, a, b));
    const [b1, c1, b2, c2, eps, lr] = [beta1, 1 - beta1, beta2, 1 - beta2, epsilon, rate].map((c) => keep(scalarOn(backend, c)));
    // The order of the composed ops (optimizer.ts in @digitkit/train), operand for operand.
    const m1 = op(tf.Add, temp(tf.Multiply, m, b1), temp(tf.Multiply, grad, c1));
    const v1 = op(tf.Add, temp(tf.Multiply, v, b2), temp(tf.Multiply, temp(tf.Square, grad), c2));
    const base = decay === 1 ? value : temp(tf.Multiply, value, keep(scalarOn(backend, decay)));
    const step = temp(tf.Multiply, temp(tf.RealDiv, m1, temp(tf.Add, temp(tf.Sqrt, v1), eps)), lr);
    return [op(tf.Sub, base, step), m1, v1];
  });
}

export const adamUpdateConfig: tf.KernelConfig = {
  kernelName: ADAM_UPDATE,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(fusedAdamUpdate),
};
