// Drawing strokes and skeletons with a round pen (anti-aliased, like a canvas with lineCap/lineJoin 'round'), and the ways a
// drawing reaches the recognizer: opaque or transparent canvases of either polarity, or a photo of paper.
import type { Rng } from '@digitkit/core';
import { gaussian, penCoverage } from './pixels.js';
import type { Skeleton } from './skeleton.js';

/** Skeleton (28x28 units) to canvas pixels: x' = a x + b y + tx, y' = c x + d y + ty. */
export interface Affine {
  a: number;
  b: number;
  c: number;
  d: number;
  tx: number;
  ty: number;
}

/** Ink coverage of a skeleton (28x28 units) drawn through `transform` with a round pen: see {@link penCoverage}. */
export function drawSkeleton(skeleton: Skeleton, transform: Affine, width: number, height: number, penWidth: number): Float32Array {
  const { points, segments } = skeleton;
  const { a, b, c, d, tx, ty } = transform;
  // Single precision, as the skeleton's points are: the same drawing on every machine and in every version.
  const canvasX = (i: number) => Math.fround(a * points[2 * i]! + b * points[2 * i + 1]! + tx);
  const canvasY = (i: number) => Math.fround(c * points[2 * i]! + d * points[2 * i + 1]! + ty);
  const lines: number[] = [];
  for (let s = 0; s < segments.length; s += 2) {
    const i = segments[s]!;
    const j = segments[s + 1]!;
    lines.push(canvasX(i), canvasY(i), canvasX(j), canvasY(j));
  }
  // Isolated skeleton points (dots) get a round stamp too.
  if (segments.length === 0) for (let i = 0; i < points.length / 2; i++) lines.push(canvasX(i), canvasY(i), canvasX(i), canvasY(i));
  return Float32Array.from(penCoverage(lines, width, height, penWidth));
}

/** How a drawing is handed to the recognizer. */
export type Surface = 'black-on-white' | 'transparent-black' | 'white-on-black' | 'transparent-white' | 'gray-white-on-black';

/** An image in the shape `toMnistFormat` takes. */
export interface Raster {
  data: Uint8Array;
  width: number;
  height: number;
  channels: 1 | 3 | 4;
}

/** Turns ink coverage into the pixels a canvas (or `getImageData`) would give for that surface. */
export function toSurface(cover: Float32Array, width: number, height: number, surface: Surface): Raster {
  const n = width * height;
  if (surface === 'gray-white-on-black') {
    const data = new Uint8Array(n);
    for (let i = 0; i < n; i++) data[i] = Math.round(cover[i]! * 255);
    return { data, width, height, channels: 1 };
  }
  const data = new Uint8Array(n * 4);
  for (let i = 0, j = 0; i < n; i++, j += 4) {
    const c = cover[i]!;
    if (surface === 'black-on-white') {
      // The web pad's ink colour #111827 over white.
      data[j] = Math.round(255 - c * (255 - 0x11));
      data[j + 1] = Math.round(255 - c * (255 - 0x18));
      data[j + 2] = Math.round(255 - c * (255 - 0x27));
      data[j + 3] = 255;
    } else if (surface === 'white-on-black') {
      const v = Math.round(c * 255);
      data[j] = data[j + 1] = data[j + 2] = v;
      data[j + 3] = 255;
    } else if (surface === 'transparent-black') {
      // A fresh canvas is transparent black (0,0,0,0); black strokes only raise alpha.
      data[j + 3] = Math.round(c * 255);
    } else {
      // White strokes on a transparent canvas: colour premultiplication is undone by getImageData, so RGB stays white.
      const a = Math.round(c * 255);
      data[j] = data[j + 1] = data[j + 2] = a > 0 ? 255 : 0;
      data[j + 3] = a;
    }
  }
  return { data, width, height, channels: 4 };
}

/** Separable Gaussian blur of one channel (edges clamped). */
export function gaussianBlur(data: Float32Array, width: number, height: number, sigma: number): Float32Array {
  if (sigma <= 0.05) return data.slice();
  const radius = Math.ceil(3 * sigma);
  const kernel = new Float32Array(2 * radius + 1);
  let sum = 0;
  for (let k = -radius; k <= radius; k++) sum += kernel[k + radius] = Math.exp((-k * k) / (2 * sigma * sigma));
  for (let k = 0; k < kernel.length; k++) kernel[k]! /= sum;
  const tmp = new Float32Array(data.length);
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++) s += kernel[k + radius]! * data[y * width + Math.min(width - 1, Math.max(0, x + k))]!;
      tmp[y * width + x] = s;
    }
  }
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let k = -radius; k <= radius; k++) s += kernel[k + radius]! * tmp[Math.min(height - 1, Math.max(0, y + k)) * width + x]!;
      out[y * width + x] = s;
    }
  }
  return out;
}

/** The JPEG luminance quantization table (ITU T.81, Annex K), scaled to a quality. */
const JPEG_LUMA = [
  16, 11, 10, 16, 24, 40, 51, 61, 12, 12, 14, 19, 26, 58, 60, 55, 14, 13, 16, 24, 40, 57, 69, 56, 14, 17, 22, 29, 51, 87, 80,
  62, 18, 22, 37, 56, 68, 109, 103, 77, 24, 35, 55, 64, 81, 104, 113, 92, 49, 64, 78, 87, 103, 121, 120, 101, 72, 92, 95, 98,
  112, 100, 103, 99,
];
const DCT = (() => {
  const m = new Float32Array(64);
  for (let k = 0; k < 8; k++) {
    for (let n = 0; n < 8; n++) m[k * 8 + n] = (k === 0 ? Math.SQRT1_2 : 1) * 0.5 * Math.cos(((2 * n + 1) * k * Math.PI) / 16);
  }
  return m;
})();

const DCT_T = Float32Array.from({ length: 64 }, (_, i) => DCT[(i % 8) * 8 + Math.floor(i / 8)]!);

/** out = a · b for 8x8 row-major matrices, each sum taken in index order. */
function product8(a: ArrayLike<number>, b: ArrayLike<number>, out: Float32Array | Float64Array): void {
  for (let i = 0; i < 8; i++) {
    for (let j = 0; j < 8; j++) {
      let s = 0;
      for (let n = 0; n < 8; n++) s += a[i * 8 + n]! * b[n * 8 + j]!;
      out[i * 8 + j] = s;
    }
  }
}

/** JPEG-style lossy softening of one channel (0..255): 8x8 DCT, quantization at `quality` (1..100), inverse DCT. */
export function jpegSoften(data: Float32Array, width: number, height: number, quality: number): Float32Array {
  const q = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  const table = JPEG_LUMA.map((v) => Math.max(1, Math.floor((v * q + 50) / 100)));
  const out = data.slice();
  const block = new Float32Array(64);
  const tmp = new Float32Array(64);
  // Double precision for the second product of each transform: quantizing and clamping read the exact sums.
  const sums = new Float64Array(64);
  for (let by = 0; by + 8 <= height; by += 8) {
    for (let bx = 0; bx + 8 <= width; bx += 8) {
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) block[y * 8 + x] = data[(by + y) * width + bx + x]! - 128;
      // Forward: D * block * D^T, quantized.
      product8(DCT, block, tmp);
      product8(tmp, DCT_T, sums);
      for (let i = 0; i < 64; i++) block[i] = Math.round(sums[i]! / table[i]!) * table[i]!;
      // Inverse: D^T * coefficients * D.
      product8(DCT_T, block, tmp);
      product8(tmp, DCT, sums);
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) out[(by + y) * width + bx + x] = Math.min(255, Math.max(0, sums[y * 8 + x]! + 128));
    }
  }
  return out;
}

/** How a photo of a drawn digit looks. */
export interface PhotoLook {
  /** Paper colour (RGB) under even light. */
  paper: [number, number, number];
  /** Ink colour (RGB). */
  ink: [number, number, number];
  /** Brightness change across the picture (fraction of the paper's brightness lost at the darkest side). */
  gradient: number;
  /** Direction of the lighting gradient in radians. */
  gradientAngle: number;
  /** Darkening towards the corners (vignette), fraction. */
  vignette: number;
  /** Optical blur (Gaussian sigma in pixels). */
  blur: number;
  /** Sensor noise (standard deviation in gray levels). */
  noise: number;
  /** JPEG quality 1..100 (0: no compression). */
  jpegQuality: number;
}

/**
 * A photo of paper with the ink coverage on it: uneven light, blur, noise and JPEG softness on the brightness, then the
 * paper's and ink's tints (JPEG keeps colour at lower detail anyway), as RGB.
 */
export function toPhoto(cover: Float32Array, width: number, height: number, look: PhotoLook, rng: Rng): Raster {
  const n = width * height;
  const blurred = gaussianBlur(cover, width, height, look.blur);
  const cos = Math.cos(look.gradientAngle);
  const sin = Math.sin(look.gradientAngle);
  const half = Math.hypot(width, height) / 2;
  const lumaOf = (rgb: [number, number, number]) => 0.299 * rgb[0] + 0.587 * rgb[1] + 0.114 * rgb[2];
  const paperLuma = lumaOf(look.paper);
  const inkLuma = lumaOf(look.ink);
  const plane = new Float32Array(n);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const u = ((x - width / 2) * cos + (y - height / 2) * sin) / half; // -1..1 along the gradient
      const r2 = ((x - width / 2) ** 2 + (y - height / 2) ** 2) / (half * half);
      const light = (1 - look.gradient * (0.5 + 0.5 * u)) * (1 - look.vignette * r2);
      const i = y * width + x;
      const c = blurred[i]!;
      plane[i] = (paperLuma * (1 - c) + inkLuma * c) * light + look.noise * gaussian(rng);
    }
  }
  const luma = look.jpegQuality > 0 ? jpegSoften(plane, width, height, look.jpegQuality) : plane;
  const data = new Uint8Array(n * 3);
  for (let i = 0; i < n; i++) {
    const c = blurred[i]!;
    for (let ch = 0; ch < 3; ch++) {
      const tint = ((look.paper[ch]! / paperLuma) * (1 - c) + (look.ink[ch]! / Math.max(1, inkLuma)) * c);
      data[i * 3 + ch] = Math.min(255, Math.max(0, Math.round(luma[i]! * tint)));
    }
  }
  return { data, width, height, channels: 3 };
}
