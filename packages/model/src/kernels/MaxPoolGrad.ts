import * as tf from '@tensorflow/tfjs-core';
import { checkNhwcFloat32, poolGeometry } from './geometry.js';
import { maxPoolGrad2x2For } from './max-pool-grad-simd.js';
import { type Info, type KernelArgs, asKernelFunc, heapOf } from './wasm.js';

// Replaces the shipped kernel (present, slow).

/**
 * dx: each output's gradient goes to the first maximum of its window (row-major), as TF.js's CPU
 * backend does. cnn()'s 2x2 pools in one SIMD pass (./max-pool-grad-simd.ts); other windows in one JS
 * pass over the windows, reading and writing the WASM heap directly.
 */
export function maxPoolGrad(args: KernelArgs): Info {
  return maxPoolGradSimd(args) ?? maxPoolGradLoops(args);
}

/** The 2x2 / stride 2 pools of even-sized images with channels in fours, in SIMD; null for any other call. */
function maxPoolGradSimd({ inputs, backend, attrs }: KernelArgs): Info | null {
  const { dy, input } = inputs as { dy: Info; input: Info };
  checkNhwcFloat32('MaxPoolGrad', undefined, [input, dy]);
  const g = poolGeometry(input.shape, attrs as unknown as tf.MaxPoolGradAttrs);
  const simd = maxPoolGrad2x2For(backend);
  const channels = g.inChannels;
  const plain2x2 = g.filterHeight === 2 && g.filterWidth === 2 && g.strideHeight === 2 && g.strideWidth === 2 && g.top === 0 && g.left === 0;
  if (!simd || !plain2x2 || g.inHeight !== 2 * g.outHeight || g.inWidth !== 2 * g.outWidth || channels % 4 !== 0) return null;
  const heap = heapOf(backend);
  const out = heap.makeOutput(input.shape, 'float32');
  // Byte offsets after makeOutput: allocating can grow the heap.
  const [x, grad, dx] = [input, dy, out].map((t) => heap.typedArrayFromHeap(t).byteOffset) as [number, number, number];
  const [image, outImage] = [4 * g.inHeight * g.inWidth * channels, 4 * g.outHeight * g.outWidth * channels];
  for (let b = 0; b < g.batchSize; b++) simd(x + b * image, grad + b * outImage, dx + b * image, g.outHeight, g.outWidth, 4 * channels, 4 * g.inWidth * channels);
  return out;
}

/** Any window, stride and padding, in JS (the 2x2 / stride 2 case without bounds checks). */
export function maxPoolGradLoops({ inputs, backend, attrs }: KernelArgs): Info {
  const { dy, input } = inputs as { dy: Info; input: Info };
  checkNhwcFloat32('MaxPoolGrad', undefined, [input, dy]);
  const g = poolGeometry(input.shape, attrs as unknown as tf.MaxPoolGradAttrs);
  const channels = g.inChannels;
  const heap = heapOf(backend);
  const out = heap.makeOutput(input.shape, 'float32');
  const plain2x2 = g.filterHeight === 2 && g.filterWidth === 2 && g.strideHeight === 2 && g.strideWidth === 2 && g.top === 0 && g.left === 0;
  // Views after makeOutput: allocating can grow (and detach) the heap.
  const x = heap.typedArrayFromHeap(input) as Float32Array;
  const grad = heap.typedArrayFromHeap(dy) as Float32Array;
  const dx = heap.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const rowStride = g.inWidth * channels;
  const imageStride = g.inHeight * rowStride;
  if (plain2x2 && 2 * g.outHeight <= g.inHeight && 2 * g.outWidth <= g.inWidth) {
    pool2x2Grad(x, grad, dx, g.batchSize, g.outHeight, g.outWidth, channels, rowStride, imageStride);
    return out;
  }
  let o = 0;
  for (let b = 0; b < g.batchSize; b++) {
    const image = b * imageStride;
    for (let oh = 0; oh < g.outHeight; oh++) {
      const h0 = Math.max(0, oh * g.strideHeight - g.top);
      const h1 = Math.min(g.inHeight, oh * g.strideHeight - g.top + g.filterHeight);
      for (let ow = 0; ow < g.outWidth; ow++) {
        const w0 = Math.max(0, ow * g.strideWidth - g.left);
        const w1 = Math.min(g.inWidth, ow * g.strideWidth - g.left + g.filterWidth);
        for (let c = 0; c < channels; c++, o++) {
          let best = Number.NEGATIVE_INFINITY;
          let at = -1;
          for (let h = h0; h < h1; h++) {
            let i = image + h * rowStride + w0 * channels + c;
            for (let w = w0; w < w1; w++, i += channels) {
              const v = x[i]!;
              if (at < 0 || v > best) {
                best = v;
                at = i;
              }
            }
          }
          if (at >= 0) dx[at] = dx[at]! + grad[o]!;
        }
      }
    }
  }
  return out;
}

export const maxPoolGradConfig: tf.KernelConfig = {
  kernelName: tf.MaxPoolGrad,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(maxPoolGrad),
};

/** The common 2x2 / stride 2 / unpadded case without window bounds checks (same first-maximum rule). */
function pool2x2Grad(x: Float32Array, g: Float32Array, dx: Float32Array, batchSize: number, outHeight: number, outWidth: number, channels: number, rowStride: number, imageStride: number): void {
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oh = 0; oh < outHeight; oh++) {
      const rowStart = b * imageStride + 2 * oh * rowStride;
      for (let ow = 0; ow < outWidth; ow++) {
        const first = rowStart + 2 * ow * channels;
        for (let c = 0; c < channels; c++, o++) {
          const i00 = first + c;
          const i01 = i00 + channels;
          const i10 = i00 + rowStride;
          const i11 = i10 + channels;
          let at = i00;
          let best = x[i00]!;
          if (x[i01]! > best) {
            best = x[i01]!;
            at = i01;
          }
          if (x[i10]! > best) {
            best = x[i10]!;
            at = i10;
          }
          if (x[i11]! > best) at = i11;
          dx[at] = dx[at]! + g[o]!;
        }
      }
    }
  }
}
