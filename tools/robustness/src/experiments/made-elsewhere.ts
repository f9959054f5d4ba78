// Corruptions none of our families or generators make, from definitions elsewhere (ImageNet-C's Gaussian and speckle
// noise, pixelation, Gaussian blur) and from paper forms (a digit underlined, boxed, in an open comb box, crossed out),
// on MNIST test digits: the plain preprocessing, toMnistFormat (both straight to the model) and `recognize` with its
// verdicts, per shipped model. Never tuned on but for gauss-noise (stop 34: noise clipped at black) and the form
// families underlined, boxed, comb-box, double-underline, slanted-underline and dark-boxed (stop 35: lines drawn
// with a ruler).
// Usage: made-elsewhere.ts [count] [path/to/a/copy/of/preprocess/index.ts]
import type { Rng } from '@digitkit/core';
import { toMnistFormat as shippedToMnistFormat } from '@digitkit/preprocess';
import { aboutCentre, blurPlane, enlarged, frame, inkBox, linesPlane, mapPlane, normal, overlay, type Plane, rasterOf, warp } from '../corruptions/planes.js';
import { readThreeWays } from './three-ways.js';

const [countArg = '500', copy] = process.argv.slice(2);
const count = Number(countArg);
const toMnistFormat: typeof shippedToMnistFormat = copy ? (await import(copy)).toMnistFormat : shippedToMnistFormat;

/** The plane inside a blank margin of `m` pixels. */
function padded(p: Plane, m: number): Plane {
  const w = p.width + 2 * m;
  const data = new Float32Array(w * (p.height + 2 * m));
  for (let y = 0; y < p.height; y++) data.set(p.data.subarray(y * p.width, (y + 1) * p.width), (y + m) * w + m);
  return { data, width: w, height: p.height + 2 * m };
}

/** Block averages of `block` pixels, each shown as a flat square (pixelation, not a smooth thumbnail). */
function pixelated(p: Plane, block: number): Plane {
  const data = new Float32Array(p.data.length);
  const cells = Math.ceil(p.width / block);
  for (let cy = 0; cy < cells; cy++) {
    for (let cx = 0; cx < cells; cx++) {
      const [x0, y0] = [Math.floor(cx * block), Math.floor(cy * block)];
      const [x1, y1] = [Math.min(p.width, Math.floor((cx + 1) * block)), Math.min(p.height, Math.floor((cy + 1) * block))];
      let sum = 0;
      for (let y = y0; y < y1; y++) for (let x = x0; x < x1; x++) sum += p.data[y * p.width + x]!;
      const mean = sum / Math.max(1, (x1 - x0) * (y1 - y0));
      for (let y = y0; y < y1; y++) data.fill(mean, y * p.width + x0, y * p.width + x1);
    }
  }
  return { ...p, data };
}


/**
 * A form's family: the digit enlarged `zoom` times (bilinear) inside a blank margin of `margin` pixels, with ruled lines
 * of `pen` width drawn from its ink box [x0, y0, x1, y1] (segments as linesPlane takes them).
 */
const onForm =
  (zoom: number, margin: number, pen: number, lines: (box: [number, number, number, number]) => number[]) =>
  (p: Plane): Plane => {
    const q = padded(zoom > 1 ? enlarged(p, zoom) : p, margin);
    return overlay(q, linesPlane(lines(inkBox(q)), q.width, q.height, pen));
  };

const FAMILIES: Record<string, (p: Plane, rng: Rng) => Plane> = {
  'gauss-noise': (p, rng) => mapPlane(p, (v) => v + 0.25 * normal(rng)),
  'gauss-noise-0.1': (p, rng) => mapPlane(p, (v) => v + 0.1 * normal(rng)),
  'large-noisy': (p, rng) => mapPlane(enlarged(p, 4), (v) => v + 0.2 * normal(rng)),
  'dark-on-noisy': (p, rng) => mapPlane(p, (v) => 1 - v + 0.2 * normal(rng)),
  'dark-on-grainy': (p, rng) => mapPlane(p, (v) => 1 - v + 0.08 * normal(rng)),
  speckle: (p, rng) => mapPlane(p, (v) => v + v * 0.6 * normal(rng)),
  'pixelate-10': (p) => pixelated(p, 2.8),
  'gauss-blur-1.5': (p) => blurPlane(p, 1.5),
  'low-contrast': (p) => mapPlane(p, (v) => 0.45 + 0.15 * v),
  'half-tone': (p, rng) => mapPlane(p, (v) => (rng.next() < v ? 1 : 0)),
  'rotate-40': (p, rng) => {
    const t = ((rng.next() < 0.5 ? -1 : 1) * 40 * Math.PI) / 180;
    return warp(p, aboutCentre([Math.cos(t), Math.sin(t), -Math.sin(t), Math.cos(t)]));
  },
  underlined: onForm(1, 6, 1.6, ([x0, , x1, y1]) => [x0 - 2, y1 + 3, x1 + 2, y1 + 3]),
  boxed: onForm(1, 8, 1.5, ([x0, y0, x1, y1]) => frame(x0 - 3, y0 - 3, x1 + 3, y1 + 3)),
  'comb-box': onForm(1, 8, 1.5, ([x0, , x1, y1]) => [x0 - 3, y1 - 5, x0 - 3, y1 + 3, x0 - 3, y1 + 3, x1 + 3, y1 + 3, x1 + 3, y1 + 3, x1 + 3, y1 - 5]),
  // Drawn after the ruled-line stage was tuned on the three above (stop 35), run once: other sizes, pens, polarity
  // (double-underline then became the tuning set of the touching-underline stage).
  'boxed-large-pen': onForm(3, 20, 4, ([x0, y0, x1, y1]) => frame(x0 - 8, y0 - 8, x1 + 8, y1 + 8)),
  'double-underline': onForm(1, 8, 1.2, ([x0, , x1, y1]) => [x0 - 4, y1 + 2, x1 + 4, y1 + 2, x1 + 4, y1 + 5, x0 - 4, y1 + 5]),
  'dark-boxed': (p) => mapPlane(onForm(1, 8, 2, ([x0, y0, x1, y1]) => frame(x0 - 2, y0 - 2, x1 + 4, y1 + 2))(p), (v) => 0.9 - 0.7 * v),
  // Drawn after the touching-underline stage was tuned on double-underline (stop 35), run once.
  'touching-large': onForm(3, 20, 5, ([x0, , x1, y1]) => [x0 - 10, y1 + 2, x1 + 10, y1 + 2]),
  'slanted-underline': onForm(1, 8, 1.6, ([x0, , x1, y1]) => [x0 - 3, y1 + 3, x1 + 3, y1 + 5]),
  // Drawn after the slanted-bar test was tuned on slanted-underline (stop 35), run once.
  'slanted-large': onForm(2, 12, 3, ([x0, , x1, y1]) => [x0 - 6, y1 + 8, x1 + 6, y1 + 3]),
  // Drawn after the touching-frame stage was tuned on dark-boxed (stop 35), run once.
  'boxed-tight-large': onForm(2, 10, 3, ([x0, y0, x1, y1]) => frame(x0 - 1, y0 - 2, x1 + 2, y1 + 1)),
  'crossed-out': (p, rng) => {
    const [y0, y1] = [4 + rng.int(20), 4 + rng.int(20)];
    return overlay(p, linesPlane([0, y0, 28, y1], 28, 28, 2.5));
  },
};

await readThreeWays(
  Object.fromEntries(Object.entries(FAMILIES).map(([name, corrupt]) => [name, (p: Plane, rng: Rng) => rasterOf(corrupt(p, rng))])),
  { count, seed: 77, toMnistFormat },
);
