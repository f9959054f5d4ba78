// Affine families of MNIST-C (Mu & Gilmer 2019): shear, scale, rotate, translate, each about the image centre and at
// the severity of the published set, direction picked at random.
import type { Rng } from '@digitkit/core';
import { aboutCentre, type Plane, randomSign, warp } from './planes.js';

/** Shear by an angle of 0.4 rad either way: source x = x - sin(a) y, source y = cos(a) y (about the centre). */
export function shear(plane: Plane, rng: Rng, angle = 0.4): Plane {
  const a = randomSign(rng) * angle;
  return warp(plane, aboutCentre([1, -Math.sin(a), 0, Math.cos(a)]));
}

/** Scale the digit down to `factor` of its size about the centre (MNIST-C: 0.7). */
export function scale(plane: Plane, _rng: Rng, factor = 0.7): Plane {
  return warp(plane, aboutCentre([1 / factor, 0, 0, 1 / factor]));
}

/** Rotate by 0.4 rad (23°) either way about the centre. */
export function rotate(plane: Plane, rng: Rng, angle = 0.4): Plane {
  const a = randomSign(rng) * angle;
  const [c, s] = [Math.cos(a), Math.sin(a)];
  return warp(plane, aboutCentre([c, -s, s, c]));
}

/** Translate by `shift` pixels along each axis, each either way (MNIST-C: 3). */
export function translate(plane: Plane, rng: Rng, shift = 3): Plane {
  const [dx, dy] = [randomSign(rng) * shift, randomSign(rng) * shift];
  return warp(plane, [1, 0, -dx, 0, 1, -dy]);
}
