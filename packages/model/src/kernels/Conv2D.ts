import * as tf from '@tensorflow/tfjs-core';
import { convGeometry, isNhwcFloat32 } from './geometry.js';
import { im2col, im2colFits } from './im2col.js';
import { patchRunsFor } from './patch-runs.js';
import { type Info, type KernelArgs, asKernelFunc, heapOf, run, runShipped, withTemps } from './wasm.js';

// Replaces the shipped convolution for inputs with few channels only (a first layer on grayscale
// images): there XNNPACK's convolution has only kh * kw * ci values to multiply per output position,
// while im2col and one untransposed matrix product over them keep its matrix kernel busy (cnn()'s
// conv_1: 12.7 vs 17.1 ms in turns, load 5.6). Others go to the shipped kernel.

/** Most input channels the im2col path takes (measured: beyond a few channels XNNPACK's own convolution wins). */
export const IM2COL_MAX_CHANNELS = 4;

type ConvAttrs = tf.Conv2DAttrs & Partial<Pick<tf.FusedConv2DAttrs, 'activation' | 'leakyreluAlpha'>>;

/** The geometry when `im2colConv` can run this call, otherwise null. */
function im2colGeometry(x: Info, filter: Info, attrs: ConvAttrs, maxChannels: number) {
  const dilations = attrs.dilations ?? 1;
  const plain = (Array.isArray(dilations) ? dilations : [dilations, dilations]).every((d) => d === 1);
  if (!plain || !isNhwcFloat32(attrs.dataFormat, [x, filter]) || x.shape.length !== 4 || x.shape[3]! > maxChannels) return null;
  const g = convGeometry(x.shape, filter.shape, attrs);
  return im2colFits(g) ? g : null;
}

/**
 * A convolution as im2col(x) [positions, patch] . filter [patch, co] -> [positions, co], which is
 * already the NHWC output. With `fused`, bias and activation ride on the shipped fused matrix product.
 */
function im2colConv(args: KernelArgs, fused: boolean, maxChannels: number): Info | null {
  const { x, filter, bias, preluActivationWeights } = args.inputs as Record<string, Info>;
  const attrs = args.attrs as unknown as ConvAttrs;
  // prelu weights broadcast against the 4-D output, not the 2-D product; the fused product takes rank-1 bias only.
  if (fused && (preluActivationWeights || attrs.activation === 'prelu' || (bias && bias.shape.length !== 1))) return null;
  const g = im2colGeometry(x!, filter!, attrs, maxChannels);
  const backend = args.backend;
  const runs = patchRunsFor(backend);
  // Without the SIMD loops (no WebAssembly SIMD, or a threaded heap) the JS im2col would lose to the shipped kernel.
  if (!g || !runs) return null;
  const heap = heapOf(backend);
  return withTemps(backend, (keep) => {
    const colsInfo = keep(heap.makeOutput([1, g.positions, g.patch], 'float32'));
    im2col(heap.typedArrayFromHeap(x!) as Float32Array, heap.typedArrayFromHeap(colsInfo) as Float32Array, g, runs);
    const w = keep(run('Reshape', { x: filter! }, { shape: [1, g.patch, g.outChannels] }, backend));
    const product = fused
      ? keep(
          run(
            tf._FusedMatMul,
            bias ? { a: colsInfo, b: w, bias } : { a: colsInfo, b: w },
            { transposeA: false, transposeB: false, activation: attrs.activation ?? 'linear', leakyreluAlpha: attrs.leakyreluAlpha ?? 0 },
            backend,
          ),
        )
      : keep(run(tf.BatchMatMul, { a: colsInfo, b: w }, { transposeA: false, transposeB: false }, backend));
    return run('Reshape', { x: product }, { shape: [...g.outShape] }, backend);
  });
}

/** Conv2D by im2col for inputs of up to `maxChannels` channels, the shipped kernel otherwise. */
export function conv2DIm2col(maxChannels = IM2COL_MAX_CHANNELS) {
  return (args: KernelArgs): Info => im2colConv(args, false, maxChannels) ?? runShipped(tf.Conv2D, args.inputs, args.attrs ?? {}, args.backend);
}

export const conv2DConfig: tf.KernelConfig = {
  kernelName: tf.Conv2D,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(conv2DIm2col()),
};

/** FusedConv2D (inference: layers fuse bias and activation outside training) the same way. */
export const fusedConv2DConfig: tf.KernelConfig = {
  kernelName: tf.FusedConv2D,
  backendName: 'wasm',
  kernelFunc: asKernelFunc((args: KernelArgs) => im2colConv(args, true, IM2COL_MAX_CHANNELS) ?? runShipped(tf.FusedConv2D, args.inputs, args.attrs ?? {}, args.backend)),
};
