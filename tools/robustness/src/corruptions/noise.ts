// Noise families of MNIST-C (Mu & Gilmer 2019), at the severities its published set uses.
import type { Rng } from '@digitkit/core';
import { mapPlane, type Plane, poisson } from './planes.js';

/** Shot noise: each pixel a photon count of mean `photons` * its brightness, rescaled (MNIST-C: 3 photons at full ink). */
export function shotNoise(plane: Plane, rng: Rng, photons = 3): Plane {
  return mapPlane(plane, (v) => Math.min(1, poisson(rng, v * photons) / photons));
}

/** Impulse (salt-and-pepper) noise: a fraction `amount` of pixels set to white or black at even odds (MNIST-C: 0.17). */
export function impulseNoise(plane: Plane, rng: Rng, amount = 0.17): Plane {
  return mapPlane(plane, (v) => (rng.next() < amount ? (rng.next() < 0.5 ? 1 : 0) : v));
}
