import { DigitkitError } from '@digitkit/core';

/** An 8-bit image as a canvas, a decoder or a camera gives it: gray, RGB or RGBA, row-major, channels interleaved. */
export interface RasterImage {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  /** 1 (gray), 3 (RGB) or 4 (RGBA). Default: inferred from `data.length / (width * height)`. */
  readonly channels?: 1 | 3 | 4;
}

/** A one-channel image, row-major: one number per pixel. */
export interface GrayImage<T extends ArrayLike<number> = ArrayLike<number>> {
  readonly data: T;
  readonly width: number;
  readonly height: number;
}

/** An axis-aligned rectangle in pixels: columns x .. x + width - 1, rows y .. y + height - 1. */
export interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}

/** How transparent pixels are flattened: over white, over black, or `auto` (white unless the visible content is light). */
export type AlphaBackground = 'white' | 'black' | 'auto';

/** Checks the size fields of an image and returns its channel count. */
export function channelsOf(image: RasterImage, caller: string): 1 | 3 | 4 {
  const { data, width, height } = image;
  if (!data || typeof data.length !== 'number') {
    throw new DigitkitError('BAD_IMAGE', `${caller}: image.data must be a Uint8Array or Uint8ClampedArray`);
  }
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new DigitkitError('BAD_IMAGE', `${caller}: image width and height must be positive integers, got ${width}x${height}`);
  }
  const pixels = width * height;
  const channels = image.channels ?? data.length / pixels;
  if (channels !== 1 && channels !== 3 && channels !== 4) {
    throw new DigitkitError(
      'BAD_IMAGE',
      `${caller}: a ${width}x${height} image needs ${pixels} (gray), ${pixels * 3} (RGB) or ${pixels * 4} (RGBA) bytes, got ${data.length}` +
        (image.channels === undefined ? '' : ` with channels=${image.channels}`),
    );
  }
  if (data.length !== pixels * channels) {
    throw new DigitkitError(
      'BAD_IMAGE',
      `${caller}: a ${width}x${height} image with ${channels} channel(s) needs ${pixels * channels} bytes, got ${data.length}`,
    );
  }
  return channels;
}

/**
 * Converts a gray, RGB or RGBA image to 8-bit luminance (Rec. 601 weights, as most image libraries use).
 * Alpha is composited over a background: a transparent canvas with black strokes becomes black on white, and with
 * `auto` (the default) a transparent canvas with light strokes becomes light on black, so neither loses its ink.
 */
export function toGrayscale(image: RasterImage, options: { background?: AlphaBackground } = {}): GrayImage<Uint8Array> {
  const channels = channelsOf(image, 'toGrayscale');
  const { data, width, height } = image;
  const pixels = width * height;
  const out = new Uint8Array(pixels);
  if (channels === 1) {
    out.set(data);
    return { data: out, width, height };
  }
  if (channels === 3) {
    for (let i = 0, j = 0; i < pixels; i++, j += 3) {
      out[i] = (77 * data[j]! + 150 * data[j + 1]! + 29 * data[j + 2]! + 128) >> 8;
    }
    return { data: out, width, height };
  }
  let background = options.background ?? 'auto';
  if (background === 'auto') {
    // Light strokes on a transparent canvas would vanish over white; pick the backdrop that contrasts with the content.
    let alphaSum = 0;
    let lumaSum = 0;
    let transparent = false;
    for (let j = 0; j < data.length; j += 4) {
      const a = data[j + 3]!;
      if (a < 255) transparent = true;
      alphaSum += a;
      lumaSum += a * (77 * data[j]! + 150 * data[j + 1]! + 29 * data[j + 2]!);
    }
    background = transparent && alphaSum > 0 && lumaSum / alphaSum / 256 > 127.5 ? 'black' : 'white';
  } else if (background !== 'white' && background !== 'black') {
    throw new DigitkitError('BAD_OPTION', `toGrayscale: background must be 'white', 'black' or 'auto', got ${JSON.stringify(background)}`);
  }
  const backdrop = background === 'white' ? 255 : 0;
  for (let i = 0, j = 0; i < pixels; i++, j += 4) {
    const a = data[j + 3]!;
    const luma = (77 * data[j]! + 150 * data[j + 1]! + 29 * data[j + 2]! + 128) >> 8;
    out[i] = Math.round((luma * a + backdrop * (255 - a)) / 255);
  }
  return { data: out, width, height };
}

/** The smallest box holding every pixel brighter than `threshold`, or `null` when there is none. */
export function boundingBox(image: GrayImage, threshold = 0): Box | null {
  const { data, width, height } = image;
  let x0 = width;
  let x1 = -1;
  let y0 = height;
  let y1 = -1;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let first = -1;
    let last = -1;
    for (let x = 0; x < width; x++) {
      if (data[row + x]! > threshold) {
        if (first < 0) first = x;
        last = x;
      }
    }
    if (first < 0) continue;
    if (y0 > y) y0 = y;
    y1 = y;
    if (first < x0) x0 = first;
    if (last > x1) x1 = last;
  }
  return y1 < 0 ? null : { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}

/**
 * The intensity-weighted centre of mass in pixel-index coordinates (pixel (0, 0) is at 0, 0), or `null` for an
 * all-zero image. MNIST digits have theirs at (14, 14) of the 28x28 frame in these coordinates.
 */
export function centerOfMass(image: GrayImage): { x: number; y: number } | null {
  const { data, width, height } = image;
  let total = 0;
  let sumX = 0;
  let sumY = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    let rowTotal = 0;
    for (let x = 0; x < width; x++) {
      const v = data[row + x]!;
      rowTotal += v;
      sumX += v * x;
    }
    total += rowTotal;
    sumY += rowTotal * y;
  }
  return total > 0 ? { x: sumX / total, y: sumY / total } : null;
}

/**
 * Resizes by area averaging (a box filter): each output pixel is the mean of the source area it covers, so
 * downscaling is anti-aliased and keeps the total ink in proportion. Use it for shrinking; it blocks when enlarging.
 */
export function resizeArea(image: GrayImage, width: number, height: number): GrayImage<Float32Array> {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new DigitkitError('BAD_OPTION', `resizeArea: the target size must be positive integers, got ${width}x${height}`);
  }
  const data = resampleArea(
    image,
    { x: 0, y: 0, width: image.width, height: image.height },
    width / image.width,
    height / image.height,
    width,
    height,
  );
  return { data, width, height };
}

/** Per output index: the first source index it reads, and the weights of the source indices from there. */
interface AxisWeights {
  starts: Int32Array;
  weights: Float64Array[];
}

/**
 * Box-filter weights along one axis: output pixel j covers source [origin + j/scale, origin + (j+1)/scale), cut to
 * [origin, origin + length) and to the image [0, limit); each source pixel weighs the fraction of it covered * scale.
 */
function areaWeights(origin: number, length: number, scale: number, outLength: number, limit: number): AxisWeights {
  const starts = new Int32Array(outLength);
  const weights: Float64Array[] = [];
  const step = 1 / scale;
  const lower = Math.max(origin, 0);
  const upper = Math.min(origin + length, limit);
  for (let j = 0; j < outLength; j++) {
    const from = Math.max(origin + j * step, lower);
    const to = Math.min(origin + (j + 1) * step, upper);
    const first = Math.floor(from);
    if (!(to > from)) {
      starts[j] = 0;
      weights.push(new Float64Array(0));
      continue;
    }
    const last = Math.ceil(to) - 1;
    const w = new Float64Array(last - first + 1);
    for (let i = first; i <= last; i++) w[i - first] = (Math.min(i + 1, to) - Math.max(i, from)) * scale;
    starts[j] = first;
    weights.push(w);
  }
  return { starts, weights };
}

/**
 * Area-averages the `region` of a gray image into `outWidth` x `outHeight` pixels, each covering 1/scale source
 * pixels. The region may reach past the image (which reads as zeros), and output pixels past the region's end see
 * zeros (so an exact scale can leave a partly covered last pixel).
 */
export function resampleArea(
  image: GrayImage,
  region: Box,
  scaleX: number,
  scaleY: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  const { data, width, height } = image;
  const wx = areaWeights(region.x, region.width, scaleX, outWidth, width);
  const wy = areaWeights(region.y, region.height, scaleY, outHeight, height);
  // Rows first (the source rows the region covers x outWidth), then columns.
  const firstRow = Math.max(0, region.y);
  const endRow = Math.min(height, region.y + region.height);
  const rows = new Float64Array(Math.max(0, endRow - firstRow) * outWidth);
  for (let r = firstRow; r < endRow; r++) {
    const srcRow = r * width;
    const outRow = (r - firstRow) * outWidth;
    for (let j = 0; j < outWidth; j++) {
      const start = srcRow + wx.starts[j]!;
      const w = wx.weights[j]!;
      let sum = 0;
      for (let k = 0; k < w.length; k++) sum += w[k]! * data[start + k]!;
      rows[outRow + j] = sum;
    }
  }
  const out = new Float32Array(outWidth * outHeight);
  for (let i = 0; i < outHeight; i++) {
    const w = wy.weights[i]!;
    if (w.length === 0) continue;
    const start = wy.starts[i]! - firstRow;
    for (let j = 0; j < outWidth; j++) {
      let sum = 0;
      for (let k = 0; k < w.length; k++) sum += w[k]! * rows[(start + k) * outWidth + j]!;
      out[i * outWidth + j] = sum;
    }
  }
  return out;
}

/**
 * Like {@link resampleArea}, but each output pixel takes the max of the source pixels it touches: a stroke thinner
 * than an output pixel keeps its full intensity (for thickening it afterwards).
 */
export function resampleMax(image: GrayImage, region: Box, scale: number, outWidth: number, outHeight: number): Float32Array {
  const { data, width, height } = image;
  const wx = areaWeights(region.x, region.width, scale, outWidth, width);
  const wy = areaWeights(region.y, region.height, scale, outHeight, height);
  const firstRow = Math.max(0, region.y);
  const endRow = Math.min(height, region.y + region.height);
  const rows = new Float32Array(Math.max(0, endRow - firstRow) * outWidth);
  for (let r = firstRow; r < endRow; r++) {
    const srcRow = r * width;
    const outRow = (r - firstRow) * outWidth;
    for (let j = 0; j < outWidth; j++) {
      const start = srcRow + wx.starts[j]!;
      const n = wx.weights[j]!.length;
      let m = 0;
      for (let k = 0; k < n; k++) if (data[start + k]! > m) m = data[start + k]!;
      rows[outRow + j] = m;
    }
  }
  const out = new Float32Array(outWidth * outHeight);
  for (let i = 0; i < outHeight; i++) {
    const n = wy.weights[i]!.length;
    const start = wy.starts[i]! - firstRow;
    for (let j = 0; j < outWidth; j++) {
      let m = 0;
      for (let k = 0; k < n; k++) if (rows[(start + k) * outWidth + j]! > m) m = rows[(start + k) * outWidth + j]!;
      out[i * outWidth + j] = m;
    }
  }
  return out;
}

/**
 * Bilinear resampling of a region for enlarging (scale >= 1): output pixel centres map back to source positions,
 * reading zeros outside the image.
 */
export function resampleBilinear(
  image: GrayImage,
  region: Box,
  scale: number,
  outWidth: number,
  outHeight: number,
): Float32Array {
  const { data, width, height } = image;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : data[y * width + x]!);
  const out = new Float32Array(outWidth * outHeight);
  for (let i = 0; i < outHeight; i++) {
    const sy = region.y + (i + 0.5) / scale - 0.5;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let j = 0; j < outWidth; j++) {
      const sx = region.x + (j + 0.5) / scale - 0.5;
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[i * outWidth + j] = top * (1 - fy) + bottom * fy;
    }
  }
  return out;
}

/** Shrinks by a whole factor, averaging each factor x factor block (partial blocks at the edges average what they hold). */
export function shrinkByFactor(image: GrayImage, factor: number): GrayImage<Float32Array> {
  const { data, width, height } = image;
  const outWidth = Math.ceil(width / factor);
  const outHeight = Math.ceil(height / factor);
  const sums = new Float64Array(outWidth * outHeight);
  for (let y = 0; y < height; y++) {
    const outRow = Math.floor(y / factor) * outWidth;
    const row = y * width;
    for (let bx = 0, x = 0; bx < outWidth; bx++) {
      const end = Math.min(x + factor, width);
      let sum = 0;
      for (; x < end; x++) sum += data[row + x]!;
      sums[outRow + bx] = sums[outRow + bx]! + sum;
    }
  }
  const out = new Float32Array(outWidth * outHeight);
  for (let by = 0; by < outHeight; by++) {
    const rows = Math.min(factor, height - by * factor);
    for (let bx = 0; bx < outWidth; bx++) {
      const columns = Math.min(factor, width - bx * factor);
      out[by * outWidth + bx] = sums[by * outWidth + bx]! / (rows * columns);
    }
  }
  return { data: out, width: outWidth, height: outHeight };
}

/**
 * Mean stroke width of the pixels at or above `level`, estimated as 2 * area / perimeter (exact for long straight
 * strokes; the perimeter counts pixel edges between ink and not-ink). Returns 0 when nothing is at the level.
 * MNIST's test digits measure 2.0 at level 128 (median; 1.2 at the 2nd-3rd percentile, 3.1 at the 95th).
 */
export function strokeWidth(image: GrayImage, level: number): number {
  const { data, width, height } = image;
  let area = 0;
  let perimeter = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (!(data[i]! >= level)) continue;
      area++;
      if (x === 0 || !(data[i - 1]! >= level)) perimeter++;
      if (x === width - 1 || !(data[i + 1]! >= level)) perimeter++;
      if (y === 0 || !(data[i - width]! >= level)) perimeter++;
      if (y === height - 1 || !(data[i + width]! >= level)) perimeter++;
    }
  }
  return perimeter > 0 ? (2 * area) / perimeter : 0;
}
