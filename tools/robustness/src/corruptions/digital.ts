// Brightness and edges (MNIST-C, Mu & Gilmer 2019), thumbnails and JPEG: what cameras and file formats do to a digit.
import type { Rng } from '@digitkit/core';
import jpeg from 'jpeg-js';
import { blurPlane, lowResolution, mapPlane, type Plane } from './planes.js';

/** Brightness: every pixel 0.5 brighter (the HSV value channel of a gray image), clipped: ink on mid-gray. */
export function brightness(plane: Plane, _rng: Rng, lift = 0.5): Plane {
  return mapPlane(plane, (v) => Math.min(1, v + lift));
}

/** A thumbnail: area-shrunk to `side` x `side`, then enlarged bilinearly back to 28x28. */
export function thumbnail(side: number): (plane: Plane) => Plane {
  return (plane) => lowResolution(plane, side);
}

/** Encodes the plane as a baseline JPEG at `quality` (jpeg-js) and decodes it again: blocks and ringing. */
export function jpegRoundTrip(plane: Plane, quality: number): Plane {
  const { width, height } = plane;
  const decoded = jpeg.decode(jpegEncode(plane, quality), { useTArray: true });
  return { data: Float32Array.from({ length: width * height }, (_, i) => decoded.data[i * 4]! / 255), width, height };
}

/** The JPEG file (bytes) of a plane at `quality` 1..100. */
export function jpegEncode(plane: Plane, quality: number): Uint8Array {
  const { width, height } = plane;
  const rgba = Buffer.alloc(width * height * 4, 255);
  plane.data.forEach((v, i) => rgba.fill(Math.round(Math.min(1, Math.max(0, v)) * 255), i * 4, i * 4 + 3));
  return jpeg.encode({ data: rgba, width, height }, quality).data;
}

/**
 * Canny edges: blur (sigma 1), Sobel gradient, keep local maxima across the edge, and hysteresis (strong edges above
 * `high`, weak ones above `low` kept where they join a strong one). The digit becomes its outline.
 */
export function cannyEdges(plane: Plane, _rng?: Rng, low = 0.1, high = 0.2): Plane {
  const { width, height } = plane;
  const smooth = blurPlane(plane, 1).data;
  const at = (x: number, y: number) => smooth[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))]!;
  const gx = new Float32Array(width * height);
  const gy = new Float32Array(width * height);
  const magnitude = new Float32Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      gx[i] = at(x + 1, y - 1) + 2 * at(x + 1, y) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x - 1, y) - at(x - 1, y + 1);
      gy[i] = at(x - 1, y + 1) + 2 * at(x, y + 1) + at(x + 1, y + 1) - at(x - 1, y - 1) - 2 * at(x, y - 1) - at(x + 1, y - 1);
      magnitude[i] = Math.hypot(gx[i]!, gy[i]!);
    }
  }
  const mag = (x: number, y: number) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : magnitude[y * width + x]!);
  // 0: none, 1: weak, 2: strong.
  const edge = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const m = magnitude[i]!;
      if (m < low) continue;
      // The neighbours across the edge, along the gradient rounded to one of 4 directions.
      const angle = (Math.atan2(gy[i]!, gx[i]!) + Math.PI) % Math.PI;
      const sector = Math.round(angle / (Math.PI / 4)) % 4;
      const [dx, dy] = ([[1, 0], [1, 1], [0, 1], [-1, 1]] as const)[sector]!;
      if (m >= mag(x + dx, y + dy) && m >= mag(x - dx, y - dy)) edge[i] = m >= high ? 2 : 1;
    }
  }
  const stack = [...edge.keys()].filter((i) => edge[i] === 2);
  while (stack.length > 0) {
    const i = stack.pop()!;
    const [x, y] = [i % width, Math.floor(i / width)];
    for (let ny = Math.max(0, y - 1); ny <= Math.min(height - 1, y + 1); ny++) {
      for (let nx = Math.max(0, x - 1); nx <= Math.min(width - 1, x + 1); nx++) {
        const j = ny * width + nx;
        if (edge[j] === 1) {
          edge[j] = 2;
          stack.push(j);
        }
      }
    }
  }
  return { data: Float32Array.from(edge, (e) => (e === 2 ? 1 : 0)), width, height };
}
