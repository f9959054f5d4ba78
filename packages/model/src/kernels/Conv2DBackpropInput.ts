import * as tf from '@tensorflow/tfjs-core';
import { inputGradientCall } from './geometry.js';
import { col2im, imageChunks, imageRange } from './im2col.js';
import { patchRunsFor } from './patch-runs.js';
import { type Info, type Kernel, type KernelArgs, asKernelFunc, heapOf, run, runShipped, withTemps } from './wasm.js';

// Replaces the shipped kernel (present, but naive and slow) for NHWC float32; other formats go to it.

const shippedConv2DBackpropInput: Kernel = (args) => runShipped(tf.Conv2DBackpropInput, args.inputs, args.attrs ?? {}, args.backend);

/** The previous registration (rotated-filter convolution for stride 1, col2im otherwise), kept for the bench. */
export const conv2DBackpropInputByConvFirst: Kernel = conv2DBackpropInputByConv(conv2DBackpropInputCol2im(shippedConv2DBackpropInput));

/**
 * col2im for every stride (since its scatter-add runs in SIMD it beats the rotated-filter convolution,
 * which multiplies the zero padding too); beyond col2im's memory bound or without WebAssembly SIMD, the
 * previous path (that convolution for stride 1, JS col2im otherwise); other formats to the shipped kernel.
 */
export const conv2DBackpropInputConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropInput,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(conv2DBackpropInputCol2im(conv2DBackpropInputByConvFirst, { simdOnly: true })),
};

/**
 * dx = col2im(dy . W^T), a few images at a time: one untransposed WASM matrix product gives, for every
 * output position, the gradient of its whole input patch ([b*oh*ow, kh*kw*ci]); the SIMD loops of ./patch-runs.ts (or the JS
 * ones) add the patches back into dx on the WASM heap. Any stride and padding; NHWC (other formats, a
 * patch matrix over the memory bound, and with `simdOnly` a backend without the SIMD loops go to `fallback`).
 */
export function conv2DBackpropInputCol2im(fallback: Kernel, { simdOnly = false } = {}): Kernel {
  return (args: KernelArgs): Info => {
    const call = inputGradientCall(args);
    const chunks = call && imageChunks(call.g);
    if (!call || !chunks?.fits || (simdOnly && !patchRunsFor(args.backend))) return fallback(args);
    const { dy, filter, inputShape, g } = call;
    const backend = args.backend;
    const heap = heapOf(backend);
    const runs = patchRunsFor(backend);
    return withTemps(backend, (keep) => {
      const w2d = keep(run('Reshape', { x: filter }, { shape: [g.patch, g.outChannels] }, backend));
      const wT = keep(run('Transpose', { x: w2d }, { perm: [1, 0] }, backend));
      const out = heap.makeOutput([...inputShape], 'float32');
      // A few images at a time, so each chunk's patch gradients are still in cache when they are added
      // back (1.3-1.5x faster than the whole batch at once); the product reuses Wt's packing (cached by tensor).
      const dyPerImage = g.outHeight * g.outWidth * g.outChannels;
      const dxPerImage = g.inHeight * g.inWidth * g.inChannels;
      for (let first = 0; first < g.batchSize; first += chunks.images) {
        const count = Math.min(chunks.images, g.batchSize - first);
        // Each chunk's buffers freed before the next: the allocator hands the same, cache-warm memory back.
        withTemps(backend, (keepChunk) => {
          const part = keepChunk(heap.makeOutput([count * g.outHeight * g.outWidth, g.outChannels], 'float32'));
          // Views after every allocation: allocating can grow (and detach) the heap.
          (heap.typedArrayFromHeap(part) as Float32Array).set((heap.typedArrayFromHeap(dy) as Float32Array).subarray(first * dyPerImage, (first + count) * dyPerImage));
          const cols = keepChunk(run('BatchMatMul', { a: part, b: wT }, { transposeA: false, transposeB: false }, backend));
          const dx = (heap.typedArrayFromHeap(out) as Float32Array).subarray(first * dxPerImage, (first + count) * dxPerImage);
          col2im(heap.typedArrayFromHeap(cols) as Float32Array, dx, imageRange(g, count), runs);
        });
      }
      return out;
    });
  };
}

/**
 * dx = conv2d(dy, filter rotated 180 degrees with in/out channels swapped), padded by (kernel - 1 - pad):
 * one WASM (XNNPACK) convolution. Exact for stride 1; other strides go to `fallback`.
 */
export function conv2DBackpropInputByConv(fallback: Kernel): Kernel {
  return (args: KernelArgs): Info => {
    const call = inputGradientCall(args);
    if (!call) return fallback(args);
    const { dy, filter, g } = call;
    const backend = args.backend;
    const { filterHeight: fh, filterWidth: fw, padInfo } = g;
    const pads = [fh - 1 - padInfo.top, fh - 1 - padInfo.bottom, fw - 1 - padInfo.left, fw - 1 - padInfo.right];
    if (g.strideHeight !== 1 || g.strideWidth !== 1 || pads.some((p) => p < 0)) return fallback(args);
    return withTemps(backend, (keep) => {
      const reversed = keep(run('Reverse', { x: filter }, { dims: [0, 1] }, backend));
      const rotated = keep(run('Transpose', { x: reversed }, { perm: [0, 1, 3, 2] }, backend));
      return runShipped(
        'Conv2D',
        { x: dy, filter: rotated },
        { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]], dataFormat: 'NHWC' },
        backend,
      );
    });
  };
}
