// Drawing a skeleton with a round pen (anti-aliased, like a canvas with lineCap/lineJoin 'round'), and the ways a
// drawing reaches the recognizer: opaque or transparent canvases of either polarity, or a photo of paper.
import type { Rng } from '@digitkit/core';
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

/**
 * Ink coverage (0..1 per pixel) of a skeleton drawn with a round pen `penWidth` pixels wide: each segment is a capsule,
 * edges anti-aliased over one pixel, overlaps take the maximum (ink does not get darker where strokes cross).
 */
export function drawSkeleton(skeleton: Skeleton, transform: Affine, width: number, height: number, penWidth: number): Float32Array {
  const cover = new Float32Array(width * height);
  const { points, segments } = skeleton;
  const { a, b, c, d, tx, ty } = transform;
  const px = new Float32Array(points.length / 2);
  const py = new Float32Array(points.length / 2);
  for (let i = 0; i < px.length; i++) {
    const x = points[2 * i]!;
    const y = points[2 * i + 1]!;
    px[i] = a * x + b * y + tx;
    py[i] = c * x + d * y + ty;
  }
  const r = penWidth / 2;
  const stamp = (x0: number, y0: number, x1: number, y1: number) => {
    const minX = Math.max(0, Math.floor(Math.min(x0, x1) - r - 1));
    const maxX = Math.min(width - 1, Math.ceil(Math.max(x0, x1) + r + 1));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1) - r - 1));
    const maxY = Math.min(height - 1, Math.ceil(Math.max(y0, y1) + r + 1));
    const dx = x1 - x0;
    const dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    for (let y = minY; y <= maxY; y++) {
      const cy = y + 0.5;
      for (let x = minX; x <= maxX; x++) {
        const cx = x + 0.5;
        let t = len2 > 0 ? ((cx - x0) * dx + (cy - y0) * dy) / len2 : 0;
        t = Math.max(0, Math.min(1, t));
        const ex = cx - (x0 + t * dx);
        const ey = cy - (y0 + t * dy);
        const dist = Math.sqrt(ex * ex + ey * ey);
        // Coverage of a pixel by an edge at distance `dist`: a one-pixel ramp centred on the edge.
        const v = Math.min(1, Math.max(0, r - dist + 0.5));
        const i = y * width + x;
        if (v > cover[i]!) cover[i] = v;
      }
    }
  };
  for (let s = 0; s < segments.length; s += 2) {
    const i = segments[s]!;
    const j = segments[s + 1]!;
    stamp(px[i]!, py[i]!, px[j]!, py[j]!);
  }
  // Isolated skeleton points (dots) get a round stamp too.
  if (segments.length === 0) for (let i = 0; i < px.length; i++) stamp(px[i]!, py[i]!, px[i]!, py[i]!);
  return cover;
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

/** A standard normal deviate (Box-Muller). */
export function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
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

/** JPEG-style lossy softening of one channel (0..255): 8x8 DCT, quantization at `quality` (1..100), inverse DCT. */
export function jpegSoften(data: Float32Array, width: number, height: number, quality: number): Float32Array {
  const q = quality < 50 ? 5000 / quality : 200 - 2 * quality;
  const table = JPEG_LUMA.map((v) => Math.max(1, Math.floor((v * q + 50) / 100)));
  const out = data.slice();
  const block = new Float32Array(64);
  const tmp = new Float32Array(64);
  for (let by = 0; by + 8 <= height; by += 8) {
    for (let bx = 0; bx + 8 <= width; bx += 8) {
      for (let y = 0; y < 8; y++) for (let x = 0; x < 8; x++) block[y * 8 + x] = data[(by + y) * width + bx + x]! - 128;
      // Forward: tmp = D * block * D^T.
      for (let k = 0; k < 8; k++) {
        for (let x = 0; x < 8; x++) {
          let s = 0;
          for (let n = 0; n < 8; n++) s += DCT[k * 8 + n]! * block[n * 8 + x]!;
          tmp[k * 8 + x] = s;
        }
      }
      for (let k = 0; k < 8; k++) {
        for (let l = 0; l < 8; l++) {
          let s = 0;
          for (let n = 0; n < 8; n++) s += tmp[k * 8 + n]! * DCT[l * 8 + n]!;
          block[k * 8 + l] = Math.round(s / table[k * 8 + l]!) * table[k * 8 + l]!;
        }
      }
      // Inverse: D^T * coeff * D.
      for (let n = 0; n < 8; n++) {
        for (let l = 0; l < 8; l++) {
          let s = 0;
          for (let k = 0; k < 8; k++) s += DCT[k * 8 + n]! * block[k * 8 + l]!;
          tmp[n * 8 + l] = s;
        }
      }
      for (let y = 0; y < 8; y++) {
        for (let x = 0; x < 8; x++) {
          let s = 0;
          for (let l = 0; l < 8; l++) s += tmp[y * 8 + l]! * DCT[l * 8 + x]!;
          out[(by + y) * width + bx + x] = Math.min(255, Math.max(0, s + 128));
        }
      }
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
