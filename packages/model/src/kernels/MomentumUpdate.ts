import * as tf from '@tensorflow/tfjs-core';
import { type Info, type KernelArgs, asKernelFunc, run, scalarOn, withTemps } from './wasm.js';

// One SGD-with-momentum update per parameter in one dispatch: the same element-wise WASM kernels as
// the composed update (so the same bits), called on the backend directly instead of four engine
// dispatches per parameter.

/** Kernel name of the fused momentum update (registered for `wasm`; other backends use the composed ops). */
export const MOMENTUM_UPDATE = 'DigitkitMomentumUpdate';

/**
 * Attributes of `MOMENTUM_UPDATE`. Inputs: `value`, `grad`, `velocity` (float32, one shape); outputs:
 * [next value, next velocity]. `decay` multiplies the value first (1: none).
 */
export interface MomentumUpdateAttrs {
  rate: number;
  decay: number;
  momentum: number;
}

function fusedMomentumUpdate({ inputs, backend, attrs }: KernelArgs): Info[] {
  const { value, grad, velocity } = inputs as Record<'value' | 'grad' | 'velocity', Info>;
  const { rate, decay, momentum } = attrs as unknown as MomentumUpdateAttrs;
  return withTemps(backend, (keep) => {
    const op = (name: string, a: Info, b: Info) => run(name, { a, b }, {}, backend);
    const [mu, lr] = [momentum, rate].map((c) => keep(scalarOn(backend, c)));
    // The order of the composed ops (optimizer.ts in @digitkit/train), operand for operand.
    const u1 = op(tf.Add, keep(op(tf.Multiply, velocity, mu!)), grad);
    const base = decay === 1 ? value : keep(op(tf.Multiply, value, keep(scalarOn(backend, decay))));
    return [op(tf.Sub, base, keep(op(tf.Multiply, u1, lr!))), u1];
  });
}

export const momentumUpdateConfig: tf.KernelConfig = {
  kernelName: MOMENTUM_UPDATE,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(fusedMomentumUpdate),
};
