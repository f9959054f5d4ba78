// Occlusion and clutter families of MNIST-C (Mu & Gilmer 2019): stripe, fog, spatter, dotted line, zigzag.
import type { Rng } from '@digitkit/core';
import { blurPlane, linesPlane, mapPlane, normal, overlay, type Plane } from './planes.js';

/** Stripe: the left and right quarters (7 columns each) of the 28x28 image inverted, as two white bands. */
export function stripe(plane: Plane): Plane {
  const band = Math.round(plane.width / 4);
  return mapPlane(plane, (v, i) => {
    const x = i % plane.width;
    return x < band || x >= plane.width - band ? 1 - v : v;
  });
}

/**
 * Fog: a plasma fractal (diamond-square, roughness `decay`) added `strength` times over the digit, then everything
 * rescaled so the digit's peak keeps its level: ink stands only max/(max + strength) above the fog (MNIST-C: 3, 1.4).
 */
export function fog(plane: Plane, rng: Rng, strength = 3, decay = 1.4): Plane {
  const map = plasmaFractal(256, decay, rng);
  const peak = plane.data.reduce((a, b) => Math.max(a, b), 0);
  return mapPlane(plane, (v, i) => {
    const x = i % plane.width;
    const y = Math.floor(i / plane.width);
    return ((v + strength * map[y * 256 + x]!) * peak) / (peak + strength);
  });
}

/**
 * Spatter: mud drops of gray 63/255 over the digit. Random liquid (mean 0.65, sd 0.3 per pixel) blurred by sigma 1,
 * what stays above its mean is wet; the wet mask blurred by 1.5 and kept where above 0.8 is the mud, which covers.
 */
export function spatter(plane: Plane, rng: Rng): Plane {
  const { width, height } = plane;
  const liquid = blurPlane({ data: Float32Array.from(plane.data, () => 0.65 + 0.3 * normal(rng)), width, height }, 1);
  const wet = blurPlane(mapPlane(liquid, (v) => (v > 0.65 ? 1 : 0)), 1.5);
  return mapPlane(plane, (v, i) => {
    const mud = wet.data[i]! >= 0.8 ? wet.data[i]! : 0;
    return v * (1 - mud) + (63 / 255) * mud;
  });
}

/** Dotted line: a line across the whole image between random heights on both sides, in 2-pixel dashes. */
export function dottedLine(plane: Plane, rng: Rng): Plane {
  const { width, height } = plane;
  const [r0, r1] = [rng.int(height - 1) + 0.5, rng.int(height - 1) + 0.5];
  const line = linesPlane([0, r0, width, r1], width, height, 2);
  const dashed = mapPlane(line, (v, i) => (Math.floor((i % width) / 2) % 2 === 0 ? 0 : v));
  return overlay(plane, dashed);
}

/**
 * Zigzag: a zigzag stroke (teeth 2 px high every 2 px) along a line from column 2 to 25, starting at a random height
 * and rising or falling up to 5 rows.
 */
export function zigzag(plane: Plane, rng: Rng, tooth = 2): Plane {
  const { width, height } = plane;
  const [c0, c1] = [2, 25];
  const r0 = rng.int(height - 1);
  const r1 = r0 + rng.int(10) - 5;
  const theta = Math.atan2(r1 - r0, c1 - c0);
  const length = Math.hypot(c1 - c0, r1 - r0);
  // The zigzag in the line's own frame (u along it, v across), then turned onto it.
  const points: [number, number][] = [[0, 0]];
  for (let i = 0; (2 * i + 1) * tooth < length; i++) points.push([(2 * i + 1) * tooth, (i % 2 === 0 ? 1 : -1) * tooth]);
  points.push([length, 0]);
  const [cos, sin] = [Math.cos(theta), Math.sin(theta)];
  const xy = points.map(([u, v]) => [c0 + 0.5 + u * cos - v * sin, r0 + 0.5 + u * sin + v * cos] as const);
  const segments = xy.slice(1).flatMap(([x, y], i) => [xy[i]![0], xy[i]![1], x, y]);
  return overlay(plane, linesPlane(segments, width, height, 1.5));
}

/**
 * A `size` x `size` plasma fractal (diamond-square on a torus) in 0..1: each halving of the step adds random offsets
 * `decay`^2 times smaller, so large smooth clouds carry small detail.
 */
export function plasmaFractal(size: number, decay: number, rng: Rng): Float32Array {
  const map = new Float32Array(size * size);
  const at = (y: number, x: number) => map[((y + size) % size) * size + ((x + size) % size)]!;
  let amplitude = 1;
  for (let step = size; step >= 2; step >>= 1) {
    const half = step >> 1;
    const jitter = () => amplitude * (2 * rng.next() - 1);
    for (let y = 0; y < size; y += step) {
      for (let x = 0; x < size; x += step) {
        map[(y + half) * size + x + half] = (at(y, x) + at(y, x + step) + at(y + step, x) + at(y + step, x + step)) / 4 + jitter();
      }
    }
    for (let y = 0; y < size; y += half) {
      for (let x = (y / half) % 2 === 0 ? half : 0; x < size; x += step) {
        map[y * size + x] = (at(y - half, x) + at(y + half, x) + at(y, x - half) + at(y, x + half)) / 4 + jitter();
      }
    }
    amplitude /= decay * decay;
  }
  const [low, high] = map.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [Infinity, -Infinity]);
  return map.map((v) => (v - low) / (high - low || 1));
}
