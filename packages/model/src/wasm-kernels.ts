import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError } from '@digitkit/core';

// The WASM backend ships forward kernels but not every gradient kernel (upstream tfjs issue 8474).
// These fill the gaps from kernels it has, calling them directly on the backend (no op tape, no engine
// bookkeeping), and free every intermediate they make.

type Info = tf.TensorInfo;
type Attrs = Record<string, unknown>;
type KernelArgs = { inputs: Record<string, Info>; backend: tf.KernelBackend; attrs?: Attrs };

/** Marks our kernel configs, so a second call (or a second copy of this module) can see they are in place. */
const DIGITKIT_KERNEL = Symbol.for('digitkit.wasmTrainingKernel');

/**
 * Registers, for the `wasm` backend, the kernels that training digitkit's models needs and the
 * shipped WASM backend lacks or runs slowly (see the package README for figures):
 * - `Conv2DBackpropFilter` (missing): one WASM (XNNPACK) convolution of the transposed input with
 *   the transposed output gradient as its filter; for inputs with at most 4 channels, JS im2col on the
 *   WASM heap and one WASM matrix product.
 * - `Conv2DBackpropInput` (replaced, NHWC float32): for stride 1 a convolution of the output
 *   gradient with the filter rotated by 180 degrees; other strides a matrix product and a col2im pass.
 * - `MaxPoolGrad` (replaced): one pass over the pooling windows on the WASM heap.
 * - `BatchMatMul` (replaced for transposed operands only): explicit transpose, then an untransposed
 *   multiply.
 * Idempotent. Call after importing `@tensorflow/tfjs-backend-wasm` (e.g. after `useBackend('wasm')`).
 * Returns the names of the kernels digitkit provides for `wasm`.
 */
export function registerWasmTrainingKernels(): string[] {
  for (const name of ['Conv2D', 'Transpose', 'BatchMatMul', 'Reverse', 'Conv2DBackpropInput', 'MaxPoolGrad']) {
    if (!tf.getKernel(name, 'wasm')) {
      throw new DigitkitError(
        'WASM_NOT_LOADED',
        `The WASM backend is not loaded (no ${name} kernel): import "@tensorflow/tfjs-backend-wasm" (or call useBackend("wasm")) before registerWasmTrainingKernels().`,
      );
    }
  }
  install('Conv2DBackpropFilter', () => conv2DBackpropFilterFastest);
  install('Conv2DBackpropInput', (shipped) => conv2DBackpropInput(shipped!));
  install('MaxPoolGrad', () => maxPoolGrad);
  install('BatchMatMul', (shipped) => untransposedBatchMatMul(shipped!));
  return [...WASM_TRAINING_KERNELS];
}

/** The kernels `registerWasmTrainingKernels` provides. */
export const WASM_TRAINING_KERNELS: readonly string[] = ['Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul'];

type Kernel = (args: KernelArgs) => Info;

/**
 * With few input channels (a first layer on grayscale images) the transposed convolution has too few
 * output pixels to keep XNNPACK busy, and the patches are cheap to gather: use im2col there.
 */
function conv2DBackpropFilterFastest(args: KernelArgs): Info {
  const channels = args.inputs.x?.shape[3] ?? 0;
  return channels <= 4 ? conv2DBackpropFilterIm2col(args) : conv2DBackpropFilter(args);
}

/** Puts our kernel in place of the shipped one (if any), keeping the shipped setup so it still initializes. */
function install(name: string, make: (shipped: Kernel | undefined) => Kernel): void {
  if (isOurs(name)) return;
  const shipped = tf.getKernel(name, 'wasm');
  if (shipped) tf.unregisterKernel(name, 'wasm');
  tf.registerKernel(
    mark({
      kernelName: name,
      backendName: 'wasm',
      ...(shipped?.setupFunc ? { setupFunc: shipped.setupFunc } : {}),
      kernelFunc: make(shipped?.kernelFunc as unknown as Kernel | undefined) as unknown as tf.KernelFunc,
    }),
  );
}

/**
 * dW = im2col(x)^T . dy (used for inputs with few channels, where it beats `conv2DBackpropFilter`):
 * the input patches gathered in JS straight into a [kh*kw*ci, b*oh*ow] matrix on the WASM heap,
 * then one untransposed WASM matrix product. Any stride and padding, NHWC.
 */
export function conv2DBackpropFilterIm2col({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  checkConvInputs('Conv2DBackpropFilter', dataFormat, [x, dy]);
  const info = tf.backend_util.computeConv2DInfo(x.shape as Shape4, filterShape, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  checkShape('Conv2DBackpropFilter', 'dy', dy, [batchSize, outHeight, outWidth, outChannels]);
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const k = filterHeight * filterWidth * inChannels;
  const n = batchSize * outHeight * outWidth;
  const heap = backend as unknown as WasmHeap;
  const temps: Info[] = [];
  try {
    const colsT = heap.makeOutput([k, n], 'float32');
    temps.push(colsT);
    const cols = heap.typedArrayFromHeap(colsT) as Float32Array;
    const xs = heap.typedArrayFromHeap(x) as Float32Array;
    let o = 0;
    for (let kh = 0; kh < filterHeight; kh++) {
      for (let kw = 0; kw < filterWidth; kw++) {
        for (let ci = 0; ci < inChannels; ci++) {
          for (let b = 0; b < batchSize; b++) {
            for (let oh = 0; oh < outHeight; oh++) {
              const ih = oh * strideHeight + kh - top;
              if (ih < 0 || ih >= inHeight) {
                cols.fill(0, o, o + outWidth);
                o += outWidth;
                continue;
              }
              const row = (b * inHeight + ih) * inWidth;
              for (let ow = 0; ow < outWidth; ow++, o++) {
                const iw = ow * strideWidth + kw - left;
                cols[o] = iw >= 0 && iw < inWidth ? xs[(row + iw) * inChannels + ci]! : 0;
              }
            }
          }
        }
      }
    }
    const dy2d = run('Reshape', { x: dy }, { shape: [n, outChannels] }, backend);
    temps.push(dy2d);
    const product = run('BatchMatMul', { a: colsT, b: dy2d }, { transposeA: false, transposeB: false }, backend, SHIPPED_MATMUL);
    temps.push(product);
    return run('Reshape', { x: product }, { shape: [...filterShape] }, backend);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * The input gradient: for stride 1 a convolution with the rotated filter (`conv2DBackpropInputByConv`),
 * otherwise `conv2DBackpropInputCol2im`; formats other than NHWC float32 go to the shipped kernel.
 */
function conv2DBackpropInput(shipped: Kernel): Kernel {
  return conv2DBackpropInputByConv(conv2DBackpropInputCol2im(shipped));
}

/**
 * dx = col2im(dy . W^T): one untransposed WASM matrix product gives, for every output position, the
 * gradient of its whole input patch ([b*oh*ow, kh*kw*ci]); a JS pass adds the patches back into
 * dx on the WASM heap. Any stride and padding; NHWC (other formats go to `fallback`).
 */
export function conv2DBackpropInputCol2im(fallback: Kernel): Kernel {
  const shipped = fallback;
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: Info; filter: Info };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if ((dataFormat !== undefined && dataFormat !== 'NHWC') || dy.dtype !== 'float32' || filter.dtype !== 'float32') return shipped(args);
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as Shape4, strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
    checkShape('Conv2DBackpropInput', 'dy', dy, [batchSize, outHeight, outWidth, outChannels]);
    const top = info.padInfo.top;
    const left = info.padInfo.left;
    const k = filterHeight * filterWidth * inChannels;
    const n = batchSize * outHeight * outWidth;
    const heap = backend as unknown as WasmHeap;
    const temps: Info[] = [];
    try {
      const w2d = run('Reshape', { x: filter }, { shape: [k, outChannels] }, backend);
      temps.push(w2d);
      const wT = run('Transpose', { x: w2d }, { perm: [1, 0] }, backend);
      temps.push(wT);
      const dy2d = run('Reshape', { x: dy }, { shape: [n, outChannels] }, backend);
      temps.push(dy2d);
      const colsInfo = run('BatchMatMul', { a: dy2d, b: wT }, { transposeA: false, transposeB: false }, backend, SHIPPED_MATMUL);
      temps.push(colsInfo);
      const out = heap.makeOutput([...inputShape], 'float32');
      // Views after makeOutput: allocating can grow (and detach) the heap.
      const dx = heap.typedArrayFromHeap(out) as Float32Array;
      const cols = heap.typedArrayFromHeap(colsInfo) as Float32Array;
      dx.fill(0);
      let c = 0;
      for (let b = 0; b < batchSize; b++) {
        for (let oh = 0; oh < outHeight; oh++) {
          for (let ow = 0; ow < outWidth; ow++) {
            for (let kh = 0; kh < filterHeight; kh++) {
              const ih = oh * strideHeight + kh - top;
              if (ih < 0 || ih >= inHeight) {
                c += filterWidth * inChannels;
                continue;
              }
              for (let kw = 0; kw < filterWidth; kw++) {
                const iw = ow * strideWidth + kw - left;
                if (iw < 0 || iw >= inWidth) {
                  c += inChannels;
                  continue;
                }
                let d = ((b * inHeight + ih) * inWidth + iw) * inChannels;
                for (let ci = 0; ci < inChannels; ci++, c++, d++) dx[d] = dx[d]! + cols[c]!;
              }
            }
          }
        }
      }
      return out;
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

function checkConvInputs(kernel: string, dataFormat: string | undefined, tensors: Info[]): void {
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new DigitkitError('UNSUPPORTED_KERNEL_ATTR', `digitkit's WASM ${kernel} supports dataFormat "NHWC" only, got "${dataFormat}".`);
  }
  for (const t of tensors) {
    if (t.dtype !== 'float32') throw new DigitkitError('UNSUPPORTED_KERNEL_ATTR', `digitkit's WASM ${kernel} supports float32 only, got ${t.dtype}.`);
  }
}

function checkShape(kernel: string, name: string, t: Info, expected: number[]): void {
  if (t.shape.join() !== expected.join()) {
    throw new DigitkitError('UNSUPPORTED_KERNEL_ATTR', `${kernel}: ${name} has shape [${t.shape.join(', ')}], expected [${expected.join(', ')}].`);
  }
}

type Shape4 = [number, number, number, number];

/**
 * dW[kh, kw, ci, co] = sum over b, oh, ow of x[b, oh*s + kh - padTop, ow*s + kw - padLeft, ci] * dy[b, oh, ow, co].
 * That is a convolution over (oh, ow) with the batch as the channel axis: input x transposed to
 * [ci, h, w, b], filter dy transposed to [oh, ow, b, co], stride 1, dilation s -> [ci, kh, kw, co].
 */
export function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): Info {
  const { x, dy } = inputs as { x: Info; dy: Info };
  const { strides, pad, dataFormat, dimRoundingMode, filterShape } = attrs as unknown as tf.Conv2DBackpropFilterAttrs;
  if (dataFormat !== undefined && dataFormat !== 'NHWC') {
    throw new DigitkitError('UNSUPPORTED_KERNEL_ATTR', `digitkit's WASM Conv2DBackpropFilter supports dataFormat "NHWC" only, got "${dataFormat}".`);
  }
  if (x.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new DigitkitError('UNSUPPORTED_KERNEL_ATTR', `digitkit's WASM Conv2DBackpropFilter supports float32 only, got ${x.dtype} and ${dy.dtype}.`);
  }
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    strides,
    1,
    pad,
    dimRoundingMode,
    false,
    'channelsLast',
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth, strideHeight, strideWidth } = info;
  checkShape('Conv2DBackpropFilter', 'dy', dy, [batchSize, outHeight, outWidth, outChannels]);
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  // Pad the far side so the "filter" (dy) slides exactly filterHeight x filterWidth times; when the
  // forward pass left input rows unused (valid padding with a stride), crop the output instead.
  const bottom = filterHeight + (outHeight - 1) * strideHeight - inHeight - top;
  const right = filterWidth + (outWidth - 1) * strideWidth - inWidth - left;

  const temps: Info[] = [];
  try {
    const xT = run('Transpose', { x }, { perm: [3, 1, 2, 0] }, backend);
    temps.push(xT);
    const dyT = run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }, backend);
    temps.push(dyT);
    let conv = run(
      'Conv2D',
      { x: xT, filter: dyT },
      {
        strides: [1, 1],
        dilations: [strideHeight, strideWidth],
        pad: [
          [0, 0],
          [top, Math.max(0, bottom)],
          [left, Math.max(0, right)],
          [0, 0],
        ],
        dataFormat: 'NHWC',
      },
      backend,
    );
    temps.push(conv);
    if (conv.shape[1] !== filterHeight || conv.shape[2] !== filterWidth) {
      conv = run('Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [inChannels, filterHeight, filterWidth, outChannels] }, backend);
      temps.push(conv);
    }
    return run('Transpose', { x: conv }, { perm: [1, 2, 0, 3] }, backend);
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/**
 * dx = conv2d(dy, filter rotated 180 degrees with in/out channels swapped), padded by (kernel - 1 - pad):
 * one WASM (XNNPACK) convolution. Exact for stride 1; other strides go to `fallback`.
 */
export function conv2DBackpropInputByConv(fallback: Kernel): Kernel {
  const shipped = fallback;
  return (args) => {
    const { inputs, backend, attrs } = args;
    const { dy, filter } = inputs as { dy: Info; filter: Info };
    const { strides, pad, dataFormat, dimRoundingMode, inputShape } = attrs as unknown as tf.Conv2DBackpropInputAttrs;
    if ((dataFormat !== undefined && dataFormat !== 'NHWC') || dy.dtype !== 'float32' || filter.dtype !== 'float32') return shipped(args);
    const info = tf.backend_util.computeConv2DInfo(inputShape, filter.shape as [number, number, number, number], strides, 1, pad, dimRoundingMode, false, 'channelsLast');
    const { filterHeight: fh, filterWidth: fw, padInfo } = info;
    const pads = [fh - 1 - padInfo.top, fh - 1 - padInfo.bottom, fw - 1 - padInfo.left, fw - 1 - padInfo.right];
    if (info.strideHeight !== 1 || info.strideWidth !== 1 || pads.some((p) => p < 0)) return shipped(args);
    const temps: Info[] = [];
    try {
      const reversed = run('Reverse', { x: filter }, { dims: [0, 1] }, backend);
      temps.push(reversed);
      const rotated = run('Transpose', { x: reversed }, { perm: [0, 1, 3, 2] }, backend);
      temps.push(rotated);
      return run(
        'Conv2D',
        { x: dy, filter: rotated },
        { strides: [1, 1], dilations: [1, 1], pad: [[0, 0], [pads[0], pads[1]], [pads[2], pads[3]], [0, 0]], dataFormat: 'NHWC' },
        backend,
      );
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

/**
 * dx: each output's gradient goes to the first maximum of its window (row-major), as TF.js's CPU
 * backend does. One pass over the windows, reading and writing the WASM heap directly.
 */
export function maxPoolGrad({ inputs, backend, attrs }: KernelArgs): Info {
  const { dy, input } = inputs as { dy: Info; input: Info };
  const { filterSize, strides, pad, dimRoundingMode } = attrs as unknown as tf.MaxPoolGradAttrs;
  if (input.dtype !== 'float32' || dy.dtype !== 'float32') {
    throw new DigitkitError('UNSUPPORTED_KERNEL_ATTR', `digitkit's WASM MaxPoolGrad supports float32 only, got ${input.dtype}.`);
  }
  const info = tf.backend_util.computePool2DInfo(input.shape as [number, number, number, number], filterSize, strides, 1, pad, dimRoundingMode);
  const { batchSize, inHeight, inWidth, inChannels: channels, outHeight, outWidth, strideHeight, strideWidth, filterHeight, filterWidth } = info;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const wasm = backend as unknown as WasmHeap;
  const out = wasm.makeOutput(input.shape, 'float32');
  // Views after makeOutput: allocating can grow (and detach) the heap.
  const x = wasm.typedArrayFromHeap(input) as Float32Array;
  const g = wasm.typedArrayFromHeap(dy) as Float32Array;
  const dx = wasm.typedArrayFromHeap(out) as Float32Array;
  dx.fill(0);
  const rowStride = inWidth * channels;
  const imageStride = inHeight * rowStride;
  if (filterHeight === 2 && filterWidth === 2 && strideHeight === 2 && strideWidth === 2 && top === 0 && left === 0 && 2 * outHeight <= inHeight && 2 * outWidth <= inWidth) {
    pool2x2Grad(x, g, dx, batchSize, outHeight, outWidth, channels, rowStride, imageStride);
    return out;
  }
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * imageStride;
    for (let oh = 0; oh < outHeight; oh++) {
      const h0 = Math.max(0, oh * strideHeight - top);
      const h1 = Math.min(inHeight, oh * strideHeight - top + filterHeight);
      for (let ow = 0; ow < outWidth; ow++) {
        const w0 = Math.max(0, ow * strideWidth - left);
        const w1 = Math.min(inWidth, ow * strideWidth - left + filterWidth);
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
          if (at >= 0) dx[at] = dx[at]! + g[o]!;
        }
      }
    }
  }
  return out;
}

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

interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(t: Info): Float32Array | Int32Array | Uint8Array;
}

/** BatchMatMul that never hands WASM a transposed operand (its transposed path is far slower). */
function untransposedBatchMatMul(original: Kernel): Kernel {
  SHIPPED_MATMUL = original;
  return ({ inputs, backend, attrs }: KernelArgs): Info => {
    const { transposeA, transposeB } = (attrs ?? {}) as unknown as tf.BatchMatMulAttrs;
    if (!transposeA && !transposeB) return original({ inputs, backend, attrs: attrs ?? {} });
    const { a, b } = inputs as { a: Info; b: Info };
    const temps: Info[] = [];
    try {
      const a2 = transposeA ? swapLastTwo(a, backend) : a;
      if (a2 !== a) temps.push(a2);
      const b2 = transposeB ? swapLastTwo(b, backend) : b;
      if (b2 !== b) temps.push(b2);
      return original({ inputs: { a: a2, b: b2 }, backend, attrs: { ...attrs, transposeA: false, transposeB: false } });
    } finally {
      for (const t of temps) backend.disposeData(t.dataId);
    }
  };
}

function swapLastTwo(t: Info, backend: tf.KernelBackend): Info {
  const rank = t.shape.length;
  const perm = t.shape.map((_, i) => i);
  perm[rank - 2] = rank - 1;
  perm[rank - 1] = rank - 2;
  return run('Transpose', { x: t }, { perm }, backend);
}

/** Set when our BatchMatMul replaces the shipped one: our kernels call the shipped one for untransposed products. */
let SHIPPED_MATMUL: Kernel | undefined;

function run(name: string, inputs: Record<string, Info>, attrs: Attrs, backend: tf.KernelBackend, direct?: Kernel): Info {
  if (direct) return direct({ inputs, backend, attrs });
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new DigitkitError('WASM_NOT_LOADED', `The WASM backend has no ${name} kernel; import "@tensorflow/tfjs-backend-wasm".`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

function isOurs(name: string): boolean {
  const kernel = tf.getKernel(name, 'wasm') as (tf.KernelConfig & { [DIGITKIT_KERNEL]?: boolean }) | undefined;
  return Boolean(kernel?.[DIGITKIT_KERNEL]);
}

function mark(config: tf.KernelConfig): tf.KernelConfig {
  return Object.assign(config, { [DIGITKIT_KERNEL]: true });
}
