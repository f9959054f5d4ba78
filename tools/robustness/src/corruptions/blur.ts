// Blur families: MNIST-C's glass and motion blur (Mu & Gilmer 2019), and a lens's defocus.
import type { Rng } from '@digitkit/core';
import { blurPlane, convolve, diskKernel, type Plane, sample } from './planes.js';

/**
 * Glass blur: blur (sigma 0.7), quantize to bytes, then twice swap pixels with a random neighbour up to `delta` away
 * (frosted glass), and blur again (MNIST-C's mildest severity: sigma 0.7, delta 1, 2 passes).
 */
export function glassBlur(plane: Plane, rng: Rng, sigma = 0.7, delta = 1, passes = 2): Plane {
  const { width, height } = plane;
  const data = blurPlane(plane, sigma).data.map((v) => Math.floor(Math.min(1, v) * 255) / 255);
  const offset = () => rng.int(2 * delta) - delta;
  for (let pass = 0; pass < passes; pass++) {
    for (let y = height - delta - 1; y > delta; y--) {
      for (let x = width - delta - 1; x > delta; x--) {
        if (rng.next() < 0.5) continue;
        const j = (y + offset()) * width + x + offset();
        const i = y * width + x;
        [data[i], data[j]] = [data[j]!, data[i]!];
      }
    }
  }
  return blurPlane({ data, width, height }, sigma);
}

/**
 * Motion blur: each pixel averages the image along a line `length` pixels long behind it, weighted by a half
 * Gaussian of `sigma` pixels, at a random angle within ±45° (MNIST-C: radius 10, sigma 3).
 */
export function motionBlur(plane: Plane, rng: Rng, length = 10, sigma = 3): Plane {
  const angle = ((rng.next() * 90 - 45) * Math.PI) / 180;
  const [dx, dy] = [Math.cos(angle), Math.sin(angle)];
  const weights = Array.from({ length: length + 1 }, (_, k) => Math.exp(-(k * k) / (2 * sigma * sigma)));
  const total = weights.reduce((a, b) => a + b, 0);
  const { width, height } = plane;
  const out = new Float32Array(plane.data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let s = 0;
      weights.forEach((w, k) => {
        s += w * sample(plane, x - k * dx, y - k * dy);
      });
      out[y * width + x] = s / total;
    }
  }
  return { data: out, width, height };
}

/** Defocus: a lens out of focus spreads each point over a disk, here of radius 1.5-2.5 pixels on the 28x28 digit. */
export function defocus(plane: Plane, rng: Rng, radius: readonly [number, number] = [1.5, 2.5]): Plane {
  const { kernel, side } = diskKernel(radius[0] + rng.next() * (radius[1] - radius[0]));
  return convolve(plane, kernel, side);
}
