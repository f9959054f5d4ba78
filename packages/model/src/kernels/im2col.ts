import type { convGeometry } from './geometry.js';
import type { PatchRuns } from './patch-runs.js';

// The patch matrix of a convolution in the layout that makes its products untransposed: one row per
// output position (b, oh, ow), one column per patch element (kh, kw, ci). In NHWC each kh row of a
// patch is one contiguous run of kw * ci input values. Windows wholly inside the image go to the
// WebAssembly loops of ./patch-runs.ts (one call per output row); windows over the padding, or every
// window where those loops are unavailable, go through the JS loop here.

type Geometry = ReturnType<typeof convGeometry>;

/** Most floats an im2col matrix may hold (256 MB): larger ones go to the kernels' other paths. */
export const IM2COL_MAX_FLOATS = 64 * 1024 * 1024;

/** Whether the [positions, patch] matrix of `g` stays under IM2COL_MAX_FLOATS. */
export function im2colFits(g: Geometry): boolean {
  return g.positions * g.patch <= IM2COL_MAX_FLOATS;
}

/** Floats of patch matrix per chunk when one is built and used chunk by chunk: about 512 KB, which stays in cache. */
export const CHUNK_FLOATS = 128 * 1024;

/** How many images' patch matrices to build and use at a time (at least one), and whether one chunk fits IM2COL_MAX_FLOATS. */
export function imageChunks(g: Geometry): { images: number; fits: boolean } {
  const perImage = g.outHeight * g.outWidth * g.patch;
  const images = Math.max(1, Math.min(g.batchSize, Math.floor(CHUNK_FLOATS / perImage)));
  return { images, fits: images * perImage <= IM2COL_MAX_FLOATS };
}

/** The geometry of images [first, first + count) of `g`'s batch. */
export function imageRange(g: Geometry, count: number): Geometry {
  return { ...g, batchSize: count, positions: count * g.outHeight * g.outWidth };
}

/** Writes the [positions, kh * kw * ci] patch matrix of `x` (NHWC) into `cols`; zeros where a patch leaves the image. */
export function im2col(x: Float32Array, cols: Float32Array, g: Geometry, runs: PatchRuns | null): void {
  forEachOutputRow(g, runs !== null, (o, image, ih0, from, to) => {
    const { inWidth, inChannels: ci, strideWidth: sw, left, filterHeight: kh, filterWidth: kw } = g;
    runs!.gather(cols.byteOffset + 4 * o, x.byteOffset + 4 * ((image + ih0) * inWidth + from * sw - left) * ci, to - from, kh, 4 * sw * ci, 4 * inWidth * ci, 4 * kw * ci);
  }, (o, image, ih0, iw0) => {
    const { inHeight, inWidth, inChannels: ci, filterHeight: kh, filterWidth: kw } = g;
    for (let r = 0; r < kh; r++) {
      const ih = ih0 + r;
      for (let c = 0; c < kw; c++) {
        const iw = iw0 + c;
        const inside = ih >= 0 && ih < inHeight && iw >= 0 && iw < inWidth;
        let s = ((image + ih) * inWidth + iw) * ci;
        for (let k = 0; k < ci; k++) cols[o++] = inside ? x[s++]! : 0;
      }
    }
  });
}

/**
 * The transposed patch matrix [kh * kw * ci, positions] where every window lies inside the image, so
 * that dW = this . dy is an untransposed product whose packed operand is the small dy. One channel with
 * horizontal stride 1: each row is, per image, runs of outWidth contiguous floats; otherwise each
 * (kh, kw, output row) is an [outWidth, ci] block of x copied transposed. Only where `im2colTransposedFits`.
 */
export function im2colTransposed(x: Float32Array, colsT: Float32Array, g: Geometry, runs: PatchRuns): void {
  const { batchSize, inHeight, inWidth, inChannels: ci, outHeight, outWidth, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, positions } = g;
  const [xAt, colsAt] = [x.byteOffset, colsT.byteOffset];
  for (let r = 0; r < kh; r++) {
    for (let c = 0; c < kw; c++) {
      const row = (r * kw + c) * ci * positions;
      for (let b = 0; b < batchSize; b++) {
        const column = b * outHeight * outWidth;
        if (ci === 1 && sw === 1) {
          runs.gather(colsAt + 4 * (row + column), xAt + 4 * ((b * inHeight + r) * inWidth + c), outHeight, 1, 4 * sh * inWidth, 0, 4 * outWidth);
          continue;
        }
        for (let oh = 0; oh < outHeight; oh++) {
          const from = xAt + 4 * ((b * inHeight + oh * sh + r) * inWidth + c) * ci;
          runs.gather2d(colsAt + 4 * (row + column + oh * outWidth), from, ci, outWidth, 4 * positions, 4, 4 * sw * ci);
        }
      }
    }
  }
}

/** Whether `im2colTransposed` can build this call's matrix: no window over the padding. */
export function im2colTransposedFits(g: Geometry): boolean {
  const { inHeight, inWidth, outHeight, outWidth, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, top, left } = g;
  return top === 0 && left === 0 && (outHeight - 1) * sh + kh <= inHeight && (outWidth - 1) * sw + kw <= inWidth;
}

/** The reverse of `im2col`: adds each row of `cols` ([positions, patch]) into `dx` (NHWC, zeroed here first). */
export function col2im(cols: Float32Array, dx: Float32Array, g: Geometry, runs: PatchRuns | null): void {
  dx.fill(0);
  forEachOutputRow(g, runs !== null, (o, image, ih0, from, to) => {
    const { inWidth, inChannels: ci, strideWidth: sw, left, filterHeight: kh, filterWidth: kw } = g;
    runs!.scatterAdd(dx.byteOffset + 4 * ((image + ih0) * inWidth + from * sw - left) * ci, cols.byteOffset + 4 * o, to - from, kh, 4 * sw * ci, 4 * inWidth * ci, 4 * kw * ci);
  }, (o, image, ih0, iw0) => {
    const { inHeight, inWidth, inChannels: ci, filterHeight: kh, filterWidth: kw } = g;
    for (let r = 0; r < kh; r++) {
      const ih = ih0 + r;
      for (let c = 0; c < kw; c++, o += ci) {
        const iw = iw0 + c;
        if (ih < 0 || ih >= inHeight || iw < 0 || iw >= inWidth) continue;
        const d = ((image + ih) * inWidth + iw) * ci;
        for (let k = 0; k < ci; k++) dx[d + k] = dx[d + k]! + cols[o + k]!;
      }
    }
  });
}

/**
 * Walks the output positions in order: each output row's run of windows wholly inside the image
 * goes to `inside` (o: the first row of the matrix, in floats), every other window to `edge`.
 */
function forEachOutputRow(
  g: Geometry,
  useInside: boolean,
  inside: (o: number, image: number, ih0: number, from: number, to: number) => void,
  edge: (o: number, image: number, ih0: number, iw0: number) => void,
): void {
  const { batchSize, inHeight, inWidth, outHeight, outWidth, filterHeight: kh, filterWidth: kw, strideHeight: sh, strideWidth: sw, top, left, patch } = g;
  // The output columns whose windows lie wholly inside the image horizontally: [first, last).
  const first = Math.min(outWidth, Math.ceil(left / sw));
  const last = Math.max(first, Math.min(outWidth, Math.floor((inWidth - kw + left) / sw) + 1));
  let o = 0;
  for (let b = 0; b < batchSize; b++) {
    const image = b * inHeight;
    for (let oh = 0; oh < outHeight; oh++) {
      const ih0 = oh * sh - top;
      const rowsInside = useInside && ih0 >= 0 && ih0 + kh <= inHeight && first < last;
      const [from, to] = rowsInside ? [first, last] : [outWidth, outWidth];
      for (let ow = 0; ow < Math.min(from, outWidth); ow++, o += patch) edge(o, image, ih0, ow * sw - left);
      if (to > from) {
        inside(o, image, ih0, from, to);
        o += (to - from) * patch;
      }
      for (let ow = to; ow < outWidth; ow++, o += patch) edge(o, image, ih0, ow * sw - left);
    }
  }
}
