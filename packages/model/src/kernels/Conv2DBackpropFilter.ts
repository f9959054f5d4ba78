import * as tf from '@tensorflow/tfjs-core';
import { IM2COL_MAX_CHANNELS } from './Conv2D.js';
import { filterGradientCall } from './geometry.js';
import { CHUNK_FLOATS, im2col, im2colFits, im2colTransposed, im2colTransposedFits, imageChunks, imageRange } from './im2col.js';
import { patchRunsFor } from './patch-runs.js';
import { mostlyZeros, sparseRowsTimesFor } from './sparse-rows.js';
import { type Info, type KernelArgs, asKernelFunc, heapOf, run, runShipped, withTemps } from './wasm.js';

// Missing from the shipped WASM backend (upstream tfjs issue 8474): without it a CNN cannot train.

/**
 * dW by the SIMD patch matrix and one untransposed product for inputs of up to 4 channels (the first
 * layer: 8x the previous JS im2col, about 2x the transposed convolution). From 16 channels on, the
 * transposed convolution (the previous path) was as fast or a little faster in every run, so it stays
 * there; also beyond the patch matrix's memory bound and without WebAssembly SIMD.
 */
export const conv2DBackpropFilterFastest = (skipZeros = true) => (args: KernelArgs): Info => {
  const channels = args.inputs.x?.shape[3] ?? 0;
  const sparse = skipZeros ? conv2DBackpropFilterSparse : () => null;
  return (channels <= IM2COL_MAX_CHANNELS ? conv2DBackpropFilterRows(args) : sparse(args)) ?? conv2DBackpropFilter(args);
};

/** The previous registration (JS im2col for up to 4 input channels, else the transposed convolution), kept for the bench. */
export function conv2DBackpropFilterPrevious(args: KernelArgs): Info {
  const channels = args.inputs.x?.shape[3] ?? 0;
  return channels <= 4 ? conv2DBackpropFilterIm2col(args) : conv2DBackpropFilter(args);
}

export const conv2DBackpropFilterConfig: tf.KernelConfig = {
  kernelName: tf.Conv2DBackpropFilter,
  backendName: 'wasm',
  kernelFunc: asKernelFunc(conv2DBackpropFilterFastest()),
};

/**
 * dW by the patch matrix built in SIMD (./im2col.ts). Windows inside the image: dW = im2col(x)^T
 * [patch, positions] . dy [positions, co], a few images at a time (the chunk's matrix still in cache),
 * the chunks' [patch, co] products added in order. Windows over the padding: dW^T = dy^T . im2col(x),
 * transposed back. Null when the patch matrix would be too large or WebAssembly SIMD is unavailable.
 */
export function conv2DBackpropFilterRows(args: KernelArgs): Info | null {
  const { x, dy, filterShape, g } = filterGradientCall(args);
  const backend = args.backend;
  const runs = patchRunsFor(backend);
  // Without the SIMD loops the JS im2col loses to the transposed convolution (measured in 0.1).
  if (!runs) return null;
  const heap = heapOf(backend);
  if (im2colTransposedFits(g)) {
    const { images, fits } = imageChunks(g);
    if (!fits) return null;
    // The transposed patch matrix first in the product, so XNNPACK packs the small dy, not the patches.
    const sums = new Float32Array(g.patch * g.outChannels);
    const xPerImage = g.inHeight * g.inWidth * g.inChannels;
    const dyPerImage = g.outHeight * g.outWidth * g.outChannels;
    for (let first = 0; first < g.batchSize; first += images) {
      const count = Math.min(images, g.batchSize - first);
      const part = imageRange(g, count);
      withTemps(backend, (keep) => {
        const colsT = keep(heap.makeOutput([g.patch, part.positions], 'float32'));
        const dyPart = keep(heap.makeOutput([part.positions, g.outChannels], 'float32'));
        // Views after every allocation: allocating can grow (and detach) the heap.
        (heap.typedArrayFromHeap(dyPart) as Float32Array).set((heap.typedArrayFromHeap(dy) as Float32Array).subarray(first * dyPerImage, (first + count) * dyPerImage));
        const xs = (heap.typedArrayFromHeap(x) as Float32Array).subarray(first * xPerImage, (first + count) * xPerImage);
        im2colTransposed(xs, heap.typedArrayFromHeap(colsT) as Float32Array, part, runs);
        const dw = heap.typedArrayFromHeap(keep(run('BatchMatMul', { a: colsT, b: dyPart }, { transposeA: false, transposeB: false }, backend)));
        for (let i = 0; i < sums.length; i++) sums[i] = sums[i]! + dw[i]!;
      });
    }
    const out = heap.makeOutput([...filterShape], 'float32');
    (heap.typedArrayFromHeap(out) as Float32Array).set(sums);
    return out;
  }
  if (!im2colFits(g)) return null;
  return withTemps(backend, (keep) => {
    const dy2d = keep(run('Reshape', { x: dy }, { shape: [g.positions, g.outChannels] }, backend));
    const cols = keep(heap.makeOutput([g.positions, g.patch], 'float32'));
    im2col(heap.typedArrayFromHeap(x) as Float32Array, heap.typedArrayFromHeap(cols) as Float32Array, g, runs);
    const dyT = keep(run('Transpose', { x: dy2d }, { perm: [1, 0] }, backend));
    const dwT = keep(run('BatchMatMul', { a: dyT, b: cols }, { transposeA: false, transposeB: false }, backend));
    const dw = keep(run('Transpose', { x: dwT }, { perm: [1, 0] }, backend));
    return run('Reshape', { x: dw }, { shape: [...filterShape] }, backend);
  });
}

/**
 * dW = im2col(x)^T . dy (used for inputs with few channels, where it beats `conv2DBackpropFilter`):
 * the input patches gathered in JS straight into a [kh*kw*ci, b*oh*ow] matrix on the WASM heap,
 * then one untransposed WASM matrix product. Any stride and padding, NHWC.
 */
export function conv2DBackpropFilterIm2col(args: KernelArgs): Info {
  const { x, dy, filterShape, g } = filterGradientCall(args);
  const backend = args.backend;
  const heap = heapOf(backend);
  return withTemps(backend, (keep) => {
    const colsT = keep(heap.makeOutput([g.patch, g.positions], 'float32'));
    const cols = heap.typedArrayFromHeap(colsT) as Float32Array;
    const xs = heap.typedArrayFromHeap(x) as Float32Array;
    // Row p of the matrix is patch element (kh, kw, ci); its columns run over (b, oh, ow).
    let o = 0;
    for (let p = 0; p < g.patch; p++) {
      const ci = p % g.inChannels;
      const kw = Math.floor(p / g.inChannels) % g.filterWidth;
      const kh = Math.floor(p / (g.inChannels * g.filterWidth));
      for (let b = 0; b < g.batchSize; b++) {
        for (let oh = 0; oh < g.outHeight; oh++, o += g.outWidth) {
          const ih = oh * g.strideHeight + kh - g.top;
          if (ih < 0 || ih >= g.inHeight) {
            cols.fill(0, o, o + g.outWidth);
            continue;
          }
          const row = (b * g.inHeight + ih) * g.inWidth;
          for (let ow = 0; ow < g.outWidth; ow++) {
            const iw = ow * g.strideWidth + kw - g.left;
            cols[o + ow] = iw >= 0 && iw < g.inWidth ? xs[(row + iw) * g.inChannels + ci]! : 0;
          }
        }
      }
    }
    const dy2d = keep(run('Reshape', { x: dy }, { shape: [g.positions, g.outChannels] }, backend));
    const product = keep(run('BatchMatMul', { a: colsT, b: dy2d }, { transposeA: false, transposeB: false }, backend));
    return run('Reshape', { x: product }, { shape: [...filterShape] }, backend);
  });
}

/**
 * dW[kh, kw, ci, co] = sum over b, oh, ow of x[b, oh*s + kh - padTop, ow*s + kw - padLeft, ci] * dy[b, oh, ow, co].
 * That is a convolution over (oh, ow) with the batch as the channel axis: input x transposed to
 * [ci, h, w, b], filter dy transposed to [oh, ow, b, co], stride 1, dilation s -> [ci, kh, kw, co].
 */
export function conv2DBackpropFilter(args: KernelArgs): Info {
  const { x, dy, g } = filterGradientCall(args);
  const backend = args.backend;
  // Pad the far side so the "filter" (dy) slides exactly filterHeight x filterWidth times; when the
  // forward pass left input rows unused (valid padding with a stride), crop the output instead.
  const bottom = g.filterHeight + (g.outHeight - 1) * g.strideHeight - g.inHeight - g.top;
  const right = g.filterWidth + (g.outWidth - 1) * g.strideWidth - g.inWidth - g.left;
  return withTemps(backend, (keep) => {
    const xT = keep(run('Transpose', { x }, { perm: [3, 1, 2, 0] }, backend));
    const dyT = keep(run('Transpose', { x: dy }, { perm: [1, 2, 0, 3] }, backend));
    let conv = keep(
      runShipped(
        'Conv2D',
        { x: xT, filter: dyT },
        {
          strides: [1, 1],
          dilations: [g.strideHeight, g.strideWidth],
          pad: [
            [0, 0],
            [g.top, Math.max(0, bottom)],
            [g.left, Math.max(0, right)],
            [0, 0],
          ],
          dataFormat: 'NHWC',
        },
        backend,
      ),
    );
    if (conv.shape[1] !== g.filterHeight || conv.shape[2] !== g.filterWidth) {
      conv = keep(run('Slice', { x: conv }, { begin: [0, 0, 0, 0], size: [g.inChannels, g.filterHeight, g.filterWidth, g.outChannels] }, backend));
    }
    return run('Transpose', { x: conv }, { perm: [1, 2, 0, 3] }, backend);
  });
}

/**
 * dW with the same bits as conv2DBackpropFilter, skipping the zeros of dy (a max-pool's gradient: three quarters).
 * The transposed convolution adds each dW[kh, kw, ci, co]'s terms in (oh, ow, b) order from 0 (checked bit for bit);
 * so does dy^T [co, (oh, ow, b)] . patches [(oh, ow, b), (kh, kw, ci)] in the sparse loop, a few output positions'
 * rows of the patch matrix gathered at a time (about 512 KB, still in cache when the loop reads it) and each chunk's
 * terms added onto the sums so far. Null (the transposed convolution then) unless dy is mostly zeros, every window
 * lies inside the image, the patch has a multiple of 4 values and the SIMD loops are there.
 */
export function conv2DBackpropFilterSparse(args: KernelArgs): Info | null {
  const { x, dy, filterShape, g } = filterGradientCall(args);
  const backend = args.backend;
  const runs = patchRunsFor(backend);
  const times = sparseRowsTimesFor(backend);
  const inside = g.top === 0 && g.left === 0 && (g.outHeight - 1) * g.strideHeight + g.filterHeight <= g.inHeight && (g.outWidth - 1) * g.strideWidth + g.filterWidth <= g.inWidth;
  if (!runs || !times || !inside || g.patch % 4 !== 0 || !mostlyZeros(dy, backend)) return null;
  const heap = heapOf(backend);
  const { batchSize, inHeight, inWidth, inChannels: ci, outChannels: co, patch } = g;
  const outPositions = g.outHeight * g.outWidth;
  const perChunk = Math.max(1, Math.floor(CHUNK_FLOATS / (batchSize * patch)));
  return withTemps(backend, (keep) => {
    // dy as [co, (oh, ow, b)]: each output channel's terms in the order the sums take them.
    const dyRows = keep(run('Transpose', { x: dy }, { perm: [3, 1, 2, 0] }, backend));
    const chunk = keep(heap.makeOutput([perChunk * batchSize, patch], 'float32'));
    const list = keep(heap.makeOutput([2 * perChunk * batchSize], 'float32'));
    const dwT = keep(heap.makeOutput([co, patch], 'float32'));
    // Offsets after every allocation: allocating can grow the heap.
    const [at, xAt, dyAt, listAt, outAt] = [chunk, x, dyRows, list, dwT].map((t) => heap.typedArrayFromHeap(t).byteOffset) as [number, number, number, number, number];
    for (let first = 0; first < outPositions; first += perChunk) {
      const count = Math.min(perChunk, outPositions - first);
      for (let k = 0; k < count; k++) {
        const oh = Math.floor((first + k) / g.outWidth);
        const ow = (first + k) % g.outWidth;
        // Rows (b) of output position (oh, ow): kh runs of kw * ci values from each image.
        runs.gather(at + 4 * k * batchSize * patch, xAt + 4 * (oh * g.strideHeight * inWidth + ow * g.strideWidth) * ci, batchSize, g.filterHeight, 4 * inHeight * inWidth * ci, 4 * inWidth * ci, 4 * g.filterWidth * ci);
      }
      // The first chunk starts from 0, the others from the sums so far.
      const [start, startStep] = first === 0 ? [0, 0] : [outAt, 4 * patch];
      times(outAt, dyAt + 4 * first * batchSize, at, start, startStep, listAt, co, count * batchSize, 4 * patch, 0, 4 * outPositions * batchSize, 4);
    }
    const dw = keep(run('Transpose', { x: dwT }, { perm: [1, 0] }, backend));
    return run('Reshape', { x: dw }, { shape: [...filterShape] }, backend);
  });
}
