import { createRng, DigitkitError } from '@digitkit/core';

/** Options of {@link createAugmenter}. */
export interface AugmenterOptions {
  /** Seed of the random sequence: the same seed gives the same sequence of transformed images. */
  seed: number;
  /** Largest shift in whole pixels along each axis (uniform in -maxShift..maxShift). Default 2. */
  maxShift?: number;
  /** Largest rotation in degrees (uniform in -maxRotation..maxRotation). Default 0 = off. */
  maxRotation?: number;
  /** Range of the zoom factor, uniform in [min, max]. Default [1, 1] = off. */
  scale?: [number, number];
  /** Image height in pixels. Default 28. */
  height?: number;
  /** Image width in pixels. Default 28. */
  width?: number;
}

/** Writes a normalized ([0, 1]), randomly transformed copy of `src` (bytes) into `out` (floats). */
export type Augmenter = (src: Uint8Array, out: Float32Array) => void;

/**
 * A seeded augmenter for training: each call shifts (and, when enabled, rotates and zooms) one image at random,
 * with bilinear sampling and a zero background. With rotation and zoom off it takes a whole-pixel copy fast path.
 */
export function createAugmenter(options: AugmenterOptions): Augmenter {
  const { seed, maxShift = 2, maxRotation = 0, scale = [1, 1], height = 28, width = 28 } = options;
  if (!Number.isFinite(seed)) {
    throw new DigitkitError('BAD_OPTION', `createAugmenter: seed must be a finite number, got ${seed}`);
  }
  if (!Number.isInteger(maxShift) || maxShift < 0) {
    throw new DigitkitError(
      'BAD_OPTION',
      `createAugmenter: maxShift must be a whole number of pixels >= 0, got ${maxShift}`,
    );
  }
  if (!Number.isFinite(maxRotation) || maxRotation < 0 || maxRotation > 180) {
    throw new DigitkitError('BAD_OPTION', `createAugmenter: maxRotation must be in 0..180 degrees, got ${maxRotation}`);
  }
  const [minScale, maxScale] = scale;
  if (!(minScale > 0) || !(maxScale >= minScale) || !Number.isFinite(maxScale)) {
    throw new DigitkitError(
      'BAD_OPTION',
      `createAugmenter: scale must be [min, max] with 0 < min <= max, got ${JSON.stringify(scale)}`,
    );
  }
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new DigitkitError('BAD_OPTION', `createAugmenter: height and width must be positive integers, got ${height}x${width}`);
  }
  const rng = createRng(seed);
  const size = height * width;
  const shiftChoices = 2 * maxShift + 1;
  const warps = maxRotation > 0 || minScale !== 1 || maxScale !== 1;

  const checkSizes = (src: Uint8Array, out: Float32Array) => {
    if (src.length !== size || out.length < size) {
      throw new DigitkitError(
        'BAD_INPUT',
        `augmenter: expected a ${height}x${width} image (${size} bytes) and an output of at least ${size} floats, got ${src.length} bytes and ${out.length} floats`,
      );
    }
  };

  if (!warps) {
    return (src, out) => {
      checkSizes(src, out);
      const dx = rng.int(shiftChoices) - maxShift;
      const dy = rng.int(shiftChoices) - maxShift;
      shiftNormalized(src, out, width, height, dx, dy);
    };
  }

  const degToRad = Math.PI / 180;
  return (src, out) => {
    checkSizes(src, out);
    const dx = rng.int(shiftChoices) - maxShift;
    const dy = rng.int(shiftChoices) - maxShift;
    const angle = maxRotation > 0 ? (rng.next() * 2 - 1) * maxRotation * degToRad : 0;
    const zoom = maxScale !== minScale ? minScale + rng.next() * (maxScale - minScale) : minScale;
    warpNormalized(src, out, width, height, angle, zoom, dx, dy);
  };
}

/**
 * out[y][x] = src[y - dy][x - dx] / 255, zero where the source is outside the image. A shift of the row-major image
 * is a shift of the flat array by dy * width + dx, plus zeroing the |dx| columns that wrapped round from the next
 * row: one tight loop, no per-row calls (this runs 60,000 times an epoch).
 */
function shiftNormalized(src: Uint8Array, out: Float32Array, width: number, height: number, dx: number, dy: number): void {
  const n = width * height;
  const d = dy * width + dx;
  const from = Math.max(0, Math.min(n, d));
  const to = Math.max(0, Math.min(n, n + d));
  const k = 1 / 255;
  for (let i = 0; i < from; i++) out[i] = 0;
  let i = from;
  // Four pixels per turn: about a quarter less time than one (measured on Node 20).
  for (; i + 4 <= to; i += 4) {
    const j = i - d;
    out[i] = src[j]! * k;
    out[i + 1] = src[j + 1]! * k;
    out[i + 2] = src[j + 2]! * k;
    out[i + 3] = src[j + 3]! * k;
  }
  for (; i < to; i++) out[i] = src[i - d]! * k;
  for (let i = to; i < n; i++) out[i] = 0;
  if (dx > 0) {
    for (let row = 0; row < n; row += width) for (let x = 0; x < dx && x < width; x++) out[row + x] = 0;
  } else if (dx < 0) {
    for (let row = 0; row < n; row += width) for (let x = Math.max(0, width + dx); x < width; x++) out[row + x] = 0;
  }
}

/**
 * Rotates by `angle`, zooms by `zoom` about the image centre, then shifts by (dx, dy); bilinear sampling, zero outside.
 * Works backwards from each output pixel to its source position so every output pixel is written once.
 */
function warpNormalized(
  src: Uint8Array,
  out: Float32Array,
  width: number,
  height: number,
  angle: number,
  zoom: number,
  dx: number,
  dy: number,
): void {
  // MNIST puts the centre of mass at (14, 14) of 28x28, so turn and zoom about (width/2, height/2).
  const cx = width / 2;
  const cy = height / 2;
  const cos = Math.cos(angle) / zoom;
  const sin = Math.sin(angle) / zoom;
  const inv = 1 / 255;
  for (let y = 0; y < height; y++) {
    const v = y - cy - dy;
    const u0 = -cx - dx;
    // Source position of output pixel (0, y); it moves by (cos, -sin) per output pixel along the row.
    let sx = cx + cos * u0 + sin * v;
    let sy = cy - sin * u0 + cos * v;
    const rowOut = y * width;
    for (let x = 0; x < width; x++, sx += cos, sy -= sin) {
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      if (x0 < -1 || y0 < -1 || x0 >= width || y0 >= height) {
        out[rowOut + x] = 0;
        continue;
      }
      const fx = sx - x0;
      const fy = sy - y0;
      const i = y0 * width + x0;
      let value: number;
      if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
        const top = src[i]! + (src[i + 1]! - src[i]!) * fx;
        const bottom = src[i + width]! + (src[i + width + 1]! - src[i + width]!) * fx;
        value = top + (bottom - top) * fy;
      } else {
        const inX0 = x0 >= 0;
        const inX1 = x0 + 1 < width;
        const inY0 = y0 >= 0;
        const inY1 = y0 + 1 < height;
        const a = inY0 && inX0 ? src[i]! : 0;
        const b = inY0 && inX1 ? src[i + 1]! : 0;
        const c = inY1 && inX0 ? src[i + width]! : 0;
        const d = inY1 && inX1 ? src[i + width + 1]! : 0;
        const top = a + (b - a) * fx;
        const bottom = c + (d - c) * fx;
        value = top + (bottom - top) * fy;
      }
      out[rowOut + x] = value * inv;
    }
  }
}
