import * as tf from '@tensorflow/tfjs-core';
import { patchRunsFor } from './patch-runs.js';
import { type Info, type KernelArgs, asKernelFunc, heapOf, runShipped } from './wasm.js';

// Replaces the shipped kernel for one case only: a float32 sum over every axis but the last (the bias
// gradient of every convolution and dense layer). The shipped kernel transposes the whole tensor to
// put the summed axes last first; here each row is added into the result in one SIMD pass. Others go to it.

/** The sum over all axes but the last as column sums of an [rows, channels] matrix, or null for any other call. */
function columnSum({ inputs, backend, attrs }: KernelArgs): Info | null {
  const { x } = inputs as { x: Info };
  const { axis, keepDims } = attrs as unknown as tf.SumAttrs;
  const rank = x.shape.length;
  const axes = tf.util.parseAxisParam(axis, x.shape).sort((a, b) => a - b);
  const runs = patchRunsFor(backend);
  const leading = rank >= 2 && axes.length === rank - 1 && axes.every((a, i) => a === i);
  if (!runs || x.dtype !== 'float32' || !leading || tf.util.sizeFromShape(x.shape) === 0) return null;
  const channels = x.shape[rank - 1]!;
  const heap = heapOf(backend);
  const out = heap.makeOutput(keepDims ? [...Array(rank - 1).fill(1), channels] : [channels], 'float32');
  const sums = heap.typedArrayFromHeap(out) as Float32Array;
  sums.fill(0);
  const rows = tf.util.sizeFromShape(x.shape) / channels;
  // Every row added into the same run: strided side fixed (steps 0), packed side advancing.
  runs.scatterAdd(sums.byteOffset, heap.typedArrayFromHeap(x).byteOffset, rows, 1, 0, 0, 4 * channels);
  return out;
}

export const sumConfig: tf.KernelConfig = {
  kernelName: tf.Sum,
  backendName: 'wasm',
  kernelFunc: asKernelFunc((args: KernelArgs) => columnSum(args) ?? runShipped(tf.Sum, args.inputs, args.attrs ?? {}, args.backend)),
};
