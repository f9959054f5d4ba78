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

/** A colour picture is read from one of its channels instead of luma when its marks stand this many times farther out
 * of it than out of luma (and no less far for its noise): a yellow or orange marker, light blue or green ink on white
 * paper. Not where only the paper's lines fade (blue rules vanish from the blue channel, and so does some of the ink). */
const CHANNEL_GAIN = 1.5;
/** How far marks stand out: the farther tail (this fraction of the pixels at each end) of the picture less its local
 * mean; and against the noise, in robust standard deviations of that difference. The local mean takes out shading,
 * which no channel escapes. */
const MARK_TAIL = 0.002;
/** The local mean's reach, as a fraction of the picture's shorter side (wider than a stroke, narrower than a shadow). */
const MARK_REACH = 1 / 16;
/** Channels are compared on every n-th pixel of each n-th row, n chosen to leave about this many on the longer side
 * (statistics of the marks, not their shape: a stroke a few pixels wide is still sampled across). */
const MARK_SAMPLE_SIDE = 160;

/**
 * The picture as one gray level per pixel for finding ink in: luma (toGrayscale), unless the picture is an opaque
 * colour one whose red, green or blue channel shows its marks CHANNEL_GAIN times as far out as luma does, and no less
 * far for its noise. Luma keeps only 29 of 255 levels of a yellow marker on white (the blue channel keeps all of
 * them), 82 of an orange one.
 */
export function grayForInk(image: RasterImage): GrayImage<Uint8Array> {
  const gray = toGrayscale(image);
  const channels = channelsOf(image, 'toMnistFormat');
  const { data, width, height } = image;
  if (channels === 1) return gray;
  // A transparent canvas is flattened by its alpha (toGrayscale): its colour is no paper's.
  if (channels === 4) for (let j = 3; j < data.length; j += 4) if (data[j] !== 255) return gray;
  // A gray picture in colour channels (a canvas drawn in black) has nothing for a channel to add.
  let colourful = false;
  for (let j = 0; j < data.length && !colourful; j += channels) colourful = data[j] !== data[j + 1] || data[j] !== data[j + 2];
  if (!colourful) return gray;
  const step = Math.max(1, Math.ceil(Math.max(width, height) / MARK_SAMPLE_SIDE));
  const [w, h] = [Math.ceil(width / step), Math.ceil(height / step)];
  const sample = (at: (pixel: number) => number) => {
    const out = new Float32Array(w * h);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) out[y * w + x] = at(y * step * width + x * step);
    return out;
  };
  const luma = marksIn(sample((p) => gray.data[p]!), w, h);
  const marks = [0, 1, 2].map((c) => marksIn(sample((p) => data[p * channels + c]!), w, h));
  const best = marks.reduce((b, m, c) => (m.reach > marks[b]!.reach ? c : b), 0);
  const { reach, noise } = marks[best]!;
  if (reach < CHANNEL_GAIN * luma.reach || reach / noise < luma.reach / luma.noise) return gray;
  const out = new Uint8Array(gray.data.length);
  for (let i = 0, j = best; i < out.length; i++, j += channels) out[i] = data[j]!;
  return { data: out, width, height };
}

/** How far marks stand out of `values` (a w x h picture), and its noise (at least 1 gray level): see MARK_TAIL. */
function marksIn(values: Float32Array, w: number, h: number): { reach: number; noise: number } {
  const reach = Math.max(2, Math.round(MARK_REACH * Math.min(w, h)));
  // The local mean from an integral image: meanFilter gives the same bytes, but at a window's cost per pixel (measured:
  // the channel check 1.3 -> 2.5 ms a picture).
  const sums = new Float64Array((w + 1) * (h + 1));
  for (let y = 0; y < h; y++) {
    let row = 0;
    for (let x = 0; x < w; x++) {
      row += values[y * w + x]!;
      sums[(y + 1) * (w + 1) + x + 1] = sums[y * (w + 1) + x + 1]! + row;
    }
  }
  // Residuals against the local mean, as 511 bins of -255..255.
  const counts = new Uint32Array(511);
  for (let y = 0; y < h; y++) {
    const [y0, y1] = [Math.max(0, y - reach), Math.min(h, y + reach + 1)];
    for (let x = 0; x < w; x++) {
      const [x0, x1] = [Math.max(0, x - reach), Math.min(w, x + reach + 1)];
      const sum = sums[y1 * (w + 1) + x1]! - sums[y0 * (w + 1) + x1]! - sums[y1 * (w + 1) + x0]! + sums[y0 * (w + 1) + x0]!;
      counts[Math.round(values[y * w + x]! - sum / ((y1 - y0) * (x1 - x0))) + 255]!++;
    }
  }
  const total = w * h;
  const level = (q: number) => {
    let seen = 0;
    for (let b = 0; b < 511; b++) if ((seen += counts[b]!) > q * total) return b - 255;
    return 255;
  };
  const median = level(0.5);
  const deviations = new Uint32Array(511);
  for (let b = 0; b < 511; b++) deviations[Math.abs(b - 255 - median)]! += counts[b]!;
  let seen = 0;
  let mad = 0;
  while ((seen += deviations[mad]!) <= total / 2) mad++;
  return { reach: Math.max(median - level(MARK_TAIL), level(1 - MARK_TAIL) - median), noise: Math.max(1, 1.4826 * mad) };
}

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
 * Where each EXIF orientation (TIFF tag 0x0112) takes the upright picture's pixel (x, y) from in the stored one, whose
 * last column and row are w and h: 1 as stored, 2 mirrored, 3 turned 180 degrees, 4 flipped, 5 transposed, 6 turned 90
 * degrees clockwise (a phone held upright), 7 transversed, 8 turned 90 degrees anticlockwise.
 */
const EXIF_SOURCE: Readonly<Record<number, (x: number, y: number, w: number, h: number) => [number, number]>> = {
  1: (x, y) => [x, y],
  2: (x, y, w) => [w - x, y],
  3: (x, y, w, h) => [w - x, h - y],
  4: (x, y, _w, h) => [x, h - y],
  5: (x, y) => [y, x],
  6: (x, y, _w, h) => [y, h - x],
  7: (x, y, w, h) => [w - y, h - x],
  8: (x, y, w) => [w - y, x],
};

/**
 * The picture as it is meant to be seen, from its pixels as stored and its EXIF orientation (1-8): phones store a
 * photo taken upright turned on its side, with orientation 6, and only the viewer turns it. Browsers do this when they
 * decode; JPEG decoders in Node (jpeg-js) do not. Orientation 1 gives the picture itself.
 */
export function applyExifOrientation(image: RasterImage, orientation: number): RasterImage {
  const source = EXIF_SOURCE[orientation];
  if (!source) throw new DigitkitError('BAD_OPTION', `applyExifOrientation: orientation must be an EXIF orientation, 1 to 8, got ${orientation}`);
  const channels = channelsOf(image, 'applyExifOrientation');
  if (orientation === 1) return image;
  const { data, width, height } = image;
  const sideways = orientation >= 5;
  const [outWidth, outHeight] = sideways ? [height, width] : [width, height];
  const out = new Uint8Array(data.length);
  for (let y = 0; y < outHeight; y++) {
    for (let x = 0; x < outWidth; x++) {
      const [sx, sy] = source(x, y, width - 1, height - 1);
      const [from, to] = [(sy * width + sx) * channels, (y * outWidth + x) * channels];
      for (let c = 0; c < channels; c++) out[to + c] = data[from + c]!;
    }
  }
  return { data: out, width: outWidth, height: outHeight, channels };
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
export function resampleArea(image: GrayImage, region: Box, scaleX: number, scaleY: number, outWidth: number, outHeight: number): Float32Array {
  return resampleSeparable(image, region, scaleX, scaleY, outWidth, outHeight, weightedSum);
}

/**
 * Like {@link resampleArea}, but each output pixel takes the max of the source pixels it touches: a stroke thinner
 * than an output pixel keeps its full intensity (for thickening it afterwards).
 */
export function resampleMax(image: GrayImage, region: Box, scale: number, outWidth: number, outHeight: number): Float32Array {
  return resampleSeparable(image, region, scale, scale, outWidth, outHeight, maxCovered);
}

/** Combines the source values an output pixel covers (`weights.length` of them, `stride` apart from `start`). */
type Combine = (values: ArrayLike<number>, start: number, stride: number, weights: Float64Array) => number;

const weightedSum: Combine = (values, start, stride, weights) => {
  let sum = 0;
  for (let k = 0; k < weights.length; k++) sum += weights[k]! * values[start + k * stride]!;
  return sum;
};

const maxCovered: Combine = (values, start, stride, weights) => {
  let max = 0;
  for (let k = 0; k < weights.length; k++) if (values[start + k * stride]! > max) max = values[start + k * stride]!;
  return max;
};

/** Box-filter resampling of a region, one axis at a time, with `combine` making each output pixel of its inputs. */
function resampleSeparable(
  image: GrayImage,
  region: Box,
  scaleX: number,
  scaleY: number,
  outWidth: number,
  outHeight: number,
  combine: Combine,
): Float32Array {
  const { data, width, height } = image;
  const wx = areaWeights(region.x, region.width, scaleX, outWidth, width);
  const wy = areaWeights(region.y, region.height, scaleY, outHeight, height);
  // Rows first (the source rows the region covers x outWidth), then columns.
  const firstRow = Math.max(0, region.y);
  const endRow = Math.min(height, region.y + region.height);
  const rows = new Float64Array(Math.max(0, endRow - firstRow) * outWidth);
  for (let r = firstRow; r < endRow; r++) {
    const outRow = (r - firstRow) * outWidth;
    for (let j = 0; j < outWidth; j++) rows[outRow + j] = combine(data, r * width + wx.starts[j]!, 1, wx.weights[j]!);
  }
  const out = new Float32Array(outWidth * outHeight);
  for (let i = 0; i < outHeight; i++) {
    const w = wy.weights[i]!;
    if (w.length === 0) continue;
    const start = (wy.starts[i]! - firstRow) * outWidth;
    for (let j = 0; j < outWidth; j++) out[i * outWidth + j] = combine(rows, start + j, outWidth, w);
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

/** The largest value (-Infinity for none). */
export function maxOf(values: ArrayLike<number>): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

/** Resamples a region at `scale`: area averaging when shrinking, bilinear interpolation when enlarging. */
export function resample(image: GrayImage, region: Box, scale: number, outWidth: number, outHeight: number): Float32Array {
  return scale <= 1
    ? resampleArea(image, region, scale, scale, outWidth, outHeight)
    : resampleBilinear(image, region, scale, outWidth, outHeight);
}

/** Mean of each pixel's size x size neighbourhood (clipped at the edges: the mean of what is inside), as two passes. */
export function meanFilter(image: GrayImage<Float32Array>, size: number): GrayImage<Float32Array> {
  const { data, width, height } = image;
  const before = Math.floor((size - 1) / 2);
  const after = size - 1 - before;
  const pass = (from: Float32Array, along: number, across: number, step: number, stride: number) => {
    const to = new Float32Array(from.length);
    for (let j = 0; j < across; j++) {
      for (let i = 0; i < along; i++) {
        const first = Math.max(0, i - before);
        const last = Math.min(along - 1, i + after);
        let sum = 0;
        for (let k = first; k <= last; k++) sum += from[j * stride + k * step]!;
        to[j * stride + i * step] = sum / (last - first + 1);
      }
    }
    return to;
  };
  return { data: pass(pass(data, width, height, 1, width), height, width, width, 1), width, height };
}

/**
 * Median of the (2r+1)-square window around each pixel (clipped at the edges), of values rounded to 0..255, by a
 * sliding 256-bin histogram.
 */
export function localMedian(image: GrayImage, radius: number): Float32Array {
  const { data, width, height } = image;
  const out = new Float32Array(data.length);
  const levels = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) levels[i] = Math.min(255, Math.max(0, Math.round(data[i]!)));
  const bins = new Int32Array(256);
  for (let y = 0; y < height; y++) {
    bins.fill(0);
    const y0 = Math.max(0, y - radius);
    const y1 = Math.min(height - 1, y + radius);
    let count = 0;
    // Huang's method: keep the median bin m and the count of values below it as the window slides.
    let m = 0;
    let below = 0;
    const update = (x: number, delta: number) => {
      for (let yy = y0; yy <= y1; yy++) {
        const v = levels[yy * width + x]!;
        bins[v]! += delta;
        if (v < m) below += delta;
      }
      count += delta * (y1 - y0 + 1);
    };
    for (let x = 0; x <= Math.min(width - 1, radius); x++) update(x, 1);
    for (let x = 0; x < width; x++) {
      if (x > 0) {
        if (x + radius < width) update(x + radius, 1);
        if (x - radius - 1 >= 0) update(x - radius - 1, -1);
      }
      const half = count / 2;
      while (below > half && m > 0) below -= bins[--m]!;
      while (below + bins[m]! <= half && m < 255) below += bins[m++]!;
      out[y * width + x] = m;
    }
  }
  return out;
}

/** After a first fit, {@link smoothLight} fits again this many times to the pixels within LIGHT_SIGMAS of the last... */
const LIGHT_ROUNDS = 3;
/** ...robust deviations: strokes, far off the light, stop pulling it. */
const LIGHT_SIGMAS = 2.5;

/**
 * The light across an image as a quadratic surface in x and y (a level, a slope, a vignette's bowl): least squares over
 * the pixels, then again over those near the fit, so that sparse strokes pull it little.
 */
export function smoothLight(image: GrayImage): Float32Array {
  const { data, width, height } = image;
  // Each pixel's terms, in coordinates -1..1 across the image.
  const basis = Array.from({ length: data.length }, (_, i) => {
    const u = (2 * (i % width) + 1) / width - 1;
    const v = (2 * Math.floor(i / width) + 1) / height - 1;
    return [1, u, v, u * u, u * v, v * v];
  });
  const fit = new Float32Array(data.length);
  let used = new Uint8Array(data.length).fill(1);
  for (let round = 0; round <= LIGHT_ROUNDS; round++) {
    const coef = leastSquares(data, used, basis);
    for (let i = 0; i < data.length; i++) fit[i] = basis[i]!.reduce((sum, t, k) => sum + t * coef[k]!, 0);
    const deviations = Float32Array.from(data, (d, i) => Math.abs(d - fit[i]!));
    const limit = LIGHT_SIGMAS * robustSigma(deviations.filter((_, i) => used[i] === 1));
    const next = Uint8Array.from(deviations, (d) => (d <= limit ? 1 : 0));
    if (next.reduce((a, b) => a + b, 0) < 2 * coef.length) break;
    used = next;
  }
  return fit;
}

/** A robust standard deviation from absolute deviations (1.4826 times their median); sorts `absolute` in place. */
export function robustSigma(absolute: Float32Array): number {
  return 1.4826 * absolute.sort()[absolute.length >> 1]!;
}

/** Coefficients of the terms in `basis` (per pixel) that best fit `data` where `used` is 1 (normal equations, a tiny ridge against singularity). */
function leastSquares(data: ArrayLike<number>, used: Uint8Array, basis: readonly number[][]): number[] {
  const k = basis[0]!.length;
  const a = Array.from({ length: k }, () => new Float64Array(k + 1));
  for (let i = 0; i < data.length; i++) {
    if (!used[i]) continue;
    const t = basis[i]!;
    for (let r = 0; r < k; r++) {
      for (let c = 0; c < k; c++) a[r]![c]! += t[r]! * t[c]!;
      a[r]![k]! += t[r]! * data[i]!;
    }
  }
  for (let r = 0; r < k; r++) a[r]![r]! += 1e-6 * (a[0]![0]! + 1);
  // Gauss-Jordan elimination with partial pivoting on the augmented matrix.
  for (let c = 0; c < k; c++) {
    let pivot = c;
    for (let r = c + 1; r < k; r++) if (Math.abs(a[r]![c]!) > Math.abs(a[pivot]![c]!)) pivot = r;
    [a[c], a[pivot]] = [a[pivot]!, a[c]!];
    for (let r = 0; r < k; r++) {
      if (r === c) continue;
      const f = a[r]![c]! / a[c]![c]!;
      for (let j = c; j <= k; j++) a[r]![j]! -= f * a[c]![j]!;
    }
  }
  return a.map((row, r) => row[k]! / row[r]!);
}

/** Median of the outermost ring of pixels. */
export function borderMedian(image: GrayImage): number {
  const { data, width, height } = image;
  const ring: number[] = [];
  for (let x = 0; x < width; x++) ring.push(data[x]!, data[(height - 1) * width + x]!);
  for (let y = 1; y < height - 1; y++) ring.push(data[y * width]!, data[y * width + width - 1]!);
  ring.sort((a, b) => a - b);
  return ring[ring.length >> 1]!;
}

/** Robust statistics of bright detail over a background: see {@link inkStatistics}. */
export interface InkStatistics {
  /** The background level: the median, sigma-clipped. */
  background: number;
  /** A robust standard deviation of the background's noise: 1.4826 * median absolute deviation. */
  sigma: number;
  /** The strong ink level: the 90th percentile of what lies above the noise (of the marks at half the peak or more,
   * where faint residue outnumbers them), or null when nothing does. */
  strong: number | null;
}

const BINS_PER_LEVEL = 4;
const BINS = 256 * BINS_PER_LEVEL;

/**
 * Of values (0..255) of bright ink over a background: the background level, its noise, and the strong ink level,
 * where "above the noise" means more than `noiseSigmas` deviations above the background. One histogram, 1/4 gray
 * level per bin.
 */
export function inkStatistics(values: Float32Array, noiseSigmas: number): InkStatistics {
  const counts = histogramOf(values);
  // Sigma clipping: where ink covers much of the image (a tight crop) it inflates the first estimate, so estimate
  // again from what lies below background + noiseSigmas deviations, until that stops shrinking.
  let top = BINS - 1;
  let median = 0;
  let mad = 0;
  for (let round = 0; round < 8; round++) {
    let total = 0;
    for (let b = 0; b <= top; b++) total += counts[b]!;
    median = histogramQuantile(counts, total, 0.5, top);
    const medianBin = Math.floor(median * BINS_PER_LEVEL);
    const deviations = new Uint32Array(BINS);
    for (let b = 0; b <= top; b++) deviations[Math.abs(b - medianBin)]! += counts[b]!;
    mad = histogramQuantile(deviations, total, 0.5, BINS - 1) - 0.5 / BINS_PER_LEVEL;
    const nextTop = Math.min(BINS - 1, Math.floor((median + noiseSigmas * 1.4826 * mad) * BINS_PER_LEVEL) + 1);
    if (nextTop >= top) break;
    top = nextTop;
  }
  // Bin centres put a floor of half a bin under the median; a flat background has neither noise nor offset.
  const background = median <= 0.5 / BINS_PER_LEVEL ? 0 : median;
  const sigma = 1.4826 * mad;
  const floor = background + noiseSigmas * sigma;
  // Bins wholly above the floor hold the candidate ink.
  const firstBin = Math.floor(floor * BINS_PER_LEVEL) + 1;
  let above = 0;
  for (let b = firstBin; b < BINS; b++) above += counts[b]!;
  if (above === 0) return { background, sigma, strong: null };
  const strong = percentile90From(counts, firstBin);
  // A small digit in a large photo is outnumbered by faint residue above the noise (shading an opening let through,
  // grain smoothed): then that 90th percentile is the residue's level, and the strong ink is the marks' at half their peak.
  const peak = peakLevel(counts, firstBin, Math.max(MIN_MARK_PIXELS, Math.round(MARK_FRACTION * values.length)));
  if (strong - background >= RESIDUE_SHARE * (peak - background)) return { background, sigma, strong };
  const halfBin = Math.floor((background + (peak - background) / 2) * BINS_PER_LEVEL);
  return { background, sigma, strong: percentile90From(counts, halfBin) };
}

/** The ink's peak: the level its brightest MIN_MARK_PIXELS values reach (MARK_FRACTION of a picture of more than
 * 90,000 pixels; a small digit's strokes cover more)... */
const MIN_MARK_PIXELS = 9;
const MARK_FRACTION = 1e-4;
/** ...under which share of the peak's height a 90th percentile of what lies above the noise is residue's, not ink's. */
const RESIDUE_SHARE = 0.25;

/** The level of the 90th percentile of the values in bins `from` and up. */
function percentile90From(counts: Uint32Array, from: number): number {
  let total = 0;
  for (let b = from; b < BINS; b++) total += counts[b]!;
  let seen = 0;
  for (let b = from; b < BINS; b++) {
    seen += counts[b]!;
    if (seen > 0.9 * total) return (b + 0.5) / BINS_PER_LEVEL;
  }
  return 255;
}

/** The level the `marks` brightest values reach (bins above `floorBin` only). */
function peakLevel(counts: Uint32Array, floorBin: number, marks: number): number {
  let b = BINS - 1;
  for (let seen = counts[b]!; b > floorBin && seen < marks; seen += counts[--b]!);
  return (b + 0.5) / BINS_PER_LEVEL;
}

/** Counts of values (0..255) in bins of 1/BINS_PER_LEVEL gray level. */
function histogramOf(values: Float32Array): Uint32Array {
  const counts = new Uint32Array(BINS);
  for (let i = 0; i < values.length; i++) {
    const bin = Math.floor(values[i]! * BINS_PER_LEVEL);
    counts[bin < 0 ? 0 : bin >= BINS ? BINS - 1 : bin]!++;
  }
  return counts;
}

/** The value at quantile q of the counts in bins 0..lastBin (bin centre). */
function histogramQuantile(counts: Uint32Array, total: number, q: number, lastBin = BINS - 1): number {
  const target = q * total;
  let seen = 0;
  for (let b = 0; b <= lastBin; b++) {
    seen += counts[b]!;
    if (seen > target) return (b + 0.5) / BINS_PER_LEVEL;
  }
  return (lastBin + 0.5) / BINS_PER_LEVEL;
}

/** The values (0..255) at each of the quantiles `qs`, to 1/4 gray level, from one histogram. */
export function levelQuantiles(values: Float32Array, ...qs: number[]): number[] {
  const counts = histogramOf(values);
  return qs.map((q) => histogramQuantile(counts, values.length, q));
}
