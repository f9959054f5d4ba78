import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError } from '@digitkit/core';
import type { Info, KernelArgs } from './wasm.js';

// Shapes, strides and padding of the convolution and pooling kernels, and the checks they share.

export type Shape4 = [number, number, number, number];

/** A convolution's geometry in NHWC with dilation 1, plus its top/left padding. */
export function convGeometry(
  xShape: readonly number[],
  filterShape: readonly number[],
  attrs: { strides: number | [number, number]; pad: tf.Conv2DBackpropFilterAttrs['pad']; dimRoundingMode?: 'floor' | 'round' | 'ceil' },
) {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as Shape4,
    filterShape as Shape4,
    attrs.strides,
    1,
    attrs.pad,
    attrs.dimRoundingMode,
    false,
    'channelsLast',
  );
  return {
    ...info,
    top: info.padInfo.top,
    left: info.padInfo.left,
    /** Values in one input patch (kh * kw * ci): the rows of an im2col matrix. */
    patch: info.filterHeight * info.filterWidth * info.inChannels,
    /** Output positions (b * oh * ow): its columns. */
    positions: info.batchSize * info.outHeight * info.outWidth,
  };
}

/** The inputs, attributes and geometry of a Conv2DBackpropFilter call; throws unless NHWC float32. */
export function filterGradientCall({ inputs, attrs }: KernelArgs) {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const a = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  checkNhwcFloat32('Conv2DBackpropFilter', a.dataFormat, [x, dy]);
  const g = convGeometry(x.shape, a.filterShape, a);
  checkShape('Conv2DBackpropFilter', 'dy', dy, [g.batchSize, g.outHeight, g.outWidth, g.outChannels]);
  return { x, dy, filterShape: a.filterShape, g };
}

/** The inputs, attributes and geometry of a Conv2DBackpropInput call, or null when not NHWC float32 (for the shipped kernel). */
export function inputGradientCall({ inputs, attrs }: KernelArgs) {
  const { dy, filter } = inputs as { dy: Info; filter: Info };
  const a = attrs as unknown as tf.Conv2DBackpropInputAttrs;
  if (!isNhwcFloat32(a.dataFormat, [dy, filter])) return null;
  const g = convGeometry(a.inputShape, filter.shape, a);
  checkShape('Conv2DBackpropInput', 'dy', dy, [g.batchSize, g.outHeight, g.outWidth, g.outChannels]);
  return { dy, filter, inputShape: a.inputShape, g };
}

/** A pooling window's geometry (NHWC), plus its top/left padding. */
export function poolGeometry(xShape: readonly number[], attrs: tf.MaxPoolGradAttrs) {
  const info = tf.backend_util.computePool2DInfo(xShape as Shape4, attrs.filterSize, attrs.strides, 1, attrs.pad, attrs.dimRoundingMode);
  return { ...info, top: info.padInfo.top, left: info.padInfo.left };
}

/** Whether the kernel's inputs are in the one layout the heap loops handle: NHWC float32. */
export function isNhwcFloat32(dataFormat: string | undefined, tensors: Info[]): boolean {
  return (dataFormat === undefined || dataFormat === 'NHWC') && tensors.every((t) => t.dtype === 'float32');
}

/** Throws a DigitkitError unless the inputs are NHWC float32 (for kernels with no shipped one to fall back to). */
export function checkNhwcFloat32(kernel: string, dataFormat: string | undefined, tensors: Info[]): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new DigitkitError('UNSUPPORTED_KERNEL_ATTR', `digitkit's WASM ${kernel} supports dataFormat "NHWC" only, got "${dataFormat}".`);
  }
  for (const t of tensors) {
    if (t.dtype !== 'float32') throw new DigitkitError('UNSUPPORTED_KERNEL_ATTR', `digitkit's WASM ${kernel} supports float32 only, got ${t.dtype}.`);
  }
}

export function checkShape(kernel: string, name: string, t: Info, expected: readonly number[]): void {
  if (t.shape.join() !== expected.join()) {
    throw new DigitkitError('UNSUPPORTED_KERNEL_ATTR', `${kernel}: ${name} has shape [${t.shape.join(', ')}], expected [${expected.join(', ')}].`);
  }
}

/** The permutation that swaps the last two axes of a rank-`rank` tensor. */
export function swapLastTwoAxes(rank: number): number[] {
  const perm = Array.from({ length: rank }, (_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return perm;
}
