// Pixel pieces the corruption families share. A plane is one gray channel as floats in 0..1 (1 = ink), row-major.
import type { Rng } from '@digitkit/core';
import { resizeArea } from '@digitkit/preprocess';
import { type Raster, gaussian, gaussianBlur, penCoverage, resizeBilinear } from '@digitkit/testkit';

/** MNIST's side. */
export const SIDE = 28;

/** One gray channel, values 0..1. */
export interface Plane {
  data: Float32Array;
  width: number;
  height: number;
}

/** An MNIST digit's bytes as a 28x28 plane. */
export function planeOf(digit: Uint8Array): Plane {
  return { data: Float32Array.from(digit, (v) => v / 255), width: SIDE, height: SIDE };
}

/** A plane as the one-channel picture a recognizer receives (clipped to 0..1, rounded to bytes). */
export function rasterOf(plane: Plane): Raster {
  const data = Uint8Array.from(plane.data, (v) => Math.round(Math.min(1, Math.max(0, v)) * 255));
  return { data, width: plane.width, height: plane.height, channels: 1 };
}

/** The same plane with every value mapped. */
export function mapPlane(plane: Plane, f: (v: number, i: number) => number): Plane {
  return { ...plane, data: plane.data.map(f) };
}

/** Gaussian blur of a plane (edges clamped). */
export function blurPlane(plane: Plane, sigma: number): Plane {
  return { ...plane, data: gaussianBlur(plane.data, plane.width, plane.height, sigma) };
}

/** -1 or 1 with equal odds: the reference implementation picks each transform's direction at random. */
export function randomSign(rng: Rng): number {
  return rng.next() < 0.5 ? -1 : 1;
}

/** A 2x3 affine map [a, b, c, d, e, f]: (x, y) -> (a x + b y + c, d x + e y + f). */
export type Affine2x3 = readonly [number, number, number, number, number, number];

/** The 2x2 map `m` (row-major) about the image centre (13.5, 13.5), which stays where it is. */
export function aboutCentre(m: readonly [number, number, number, number], centre = (SIDE - 1) / 2): Affine2x3 {
  const [a, b, d, e] = m;
  return [a, b, centre * (1 - a - b), d, e, centre * (1 - d - e)];
}

/**
 * Warps a plane: output pixel (x, y) reads the source at `inverse(x, y)` (bilinear, zero outside), as image libraries
 * warp with an inverse map.
 */
export function warp(plane: Plane, inverse: Affine2x3): Plane {
  const { data, width, height } = plane;
  const [a, b, c, d, e, f] = inverse;
  const at = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : data[y * width + x]!);
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const sx = a * x + b * y + c;
      const sy = d * x + e * y + f;
      const x0 = Math.floor(sx);
      const y0 = Math.floor(sy);
      const fx = sx - x0;
      const fy = sy - y0;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[y * width + x] = top * (1 - fy) + bottom * fy;
    }
  }
  return { data: out, width, height };
}

/** Samples a plane at a real position (bilinear, edges clamped). */
export function sample(plane: Plane, x: number, y: number): number {
  const { data, width, height } = plane;
  const cx = Math.min(width - 1, Math.max(0, x));
  const cy = Math.min(height - 1, Math.max(0, y));
  const x0 = Math.floor(cx);
  const y0 = Math.floor(cy);
  const x1 = Math.min(width - 1, x0 + 1);
  const y1 = Math.min(height - 1, y0 + 1);
  const fx = cx - x0;
  const fy = cy - y0;
  const top = data[y0 * width + x0]! * (1 - fx) + data[y0 * width + x1]! * fx;
  const bottom = data[y1 * width + x0]! * (1 - fx) + data[y1 * width + x1]! * fx;
  return top * (1 - fy) + bottom * fy;
}

/** Line segments `[x0, y0, x1, y1, ...]` (pixel-edge coordinates) as soft ink, `width` pixels wide. */
export function linesPlane(segments: readonly number[], width: number, height: number, penWidth: number): Plane {
  return { data: Float32Array.from(penCoverage(segments, width, height, penWidth)), width, height };
}

/** The four sides of the rectangle from (a, b) to (c, d), as linesPlane's segments (a form's box). */
export const frame = (a: number, b: number, c: number, d: number): number[] => [a, b, c, b, c, b, c, d, c, d, a, d, a, d, a, b];

/** The box [x0, y0, x1, y1] of the pixels above 0.3 (the ink, not its faint edge). */
export function inkBox(p: Plane): [number, number, number, number] {
  const box: [number, number, number, number] = [p.width, p.height, -1, -1];
  for (let y = 0; y < p.height; y++) {
    for (let x = 0; x < p.width; x++) {
      if (!(p.data[y * p.width + x]! > 0.3)) continue;
      box[0] = Math.min(box[0], x);
      box[1] = Math.min(box[1], y);
      box[2] = Math.max(box[2], x);
      box[3] = Math.max(box[3], y);
    }
  }
  return box;
}

/** The plane enlarged `factor` times, bilinear (a digit written large). */
export function enlarged(p: Plane, factor: number): Plane {
  const big = resizeBilinear(p.data, p.width, p.height, factor);
  return { data: Float32Array.from(big.data), width: big.width, height: big.height };
}

/** The brighter of two planes per pixel: a mark drawn over the digit (ink does not add up past full). */
export function overlay(base: Plane, marks: Plane): Plane {
  return mapPlane(base, (v, i) => Math.max(v, marks.data[i]!));
}

/** A standard normal deviate. */
export function normal(rng: Rng): number {
  return gaussian(rng);
}

/** A Poisson deviate of mean `lambda` (Knuth's product of uniforms: fine for the small means shot noise uses). */
export function poisson(rng: Rng, lambda: number): number {
  const limit = Math.exp(-lambda);
  let k = 0;
  let p = rng.next();
  while (p > limit) {
    k++;
    p *= rng.next();
  }
  return k;
}

/** Area-shrinks a plane to `side` x `side` (what a thumbnail keeps), then enlarges it bilinearly back to its size. */
export function lowResolution(plane: Plane, side: number): Plane {
  const small = resizeArea(plane, side, side);
  const up = resizeBilinear(small.data, side, side, plane.width / side);
  return { data: Float32Array.from(up.data), width: up.width, height: up.height };
}

/** Convolves a plane with a square kernel of odd side (edges clamped). */
export function convolve(plane: Plane, kernel: Float32Array, side: number): Plane {
  const { data, width, height } = plane;
  const r = side >> 1;
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      for (let ky = -r; ky <= r; ky++) {
        const yy = Math.min(height - 1, Math.max(0, y + ky));
        for (let kx = -r; kx <= r; kx++) {
          const xx = Math.min(width - 1, Math.max(0, x + kx));
          s += kernel[(ky + r) * side + kx + r]! * data[yy * width + xx]!;
        }
      }
      out[y * width + x] = s;
    }
  }
  return { data: out, width, height };
}

/** A lens's out-of-focus kernel: a disk of `radius` pixels, each pixel weighted by how much of it the disk covers. */
export function diskKernel(radius: number): { kernel: Float32Array; side: number } {
  const r = Math.ceil(radius);
  const side = 2 * r + 1;
  const kernel = new Float32Array(side * side);
  const sub = 4;
  let sum = 0;
  for (let y = -r; y <= r; y++) {
    for (let x = -r; x <= r; x++) {
      let inside = 0;
      for (let sy = 0; sy < sub; sy++) {
        for (let sx = 0; sx < sub; sx++) {
          const px = x - 0.5 + (sx + 0.5) / sub;
          const py = y - 0.5 + (sy + 0.5) / sub;
          if (px * px + py * py <= radius * radius) inside++;
        }
      }
      sum += kernel[(y + r) * side + x + r] = inside;
    }
  }
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= sum;
  return { kernel, side };
}
