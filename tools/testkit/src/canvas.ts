// Digits re-drawn the way people hand them to a recognizer: MNIST digits enlarged onto big canvases, pen strokes,
// photos of paper. Shared by @digitkit/preprocess's tests and benchmark and by tools/robustness.
import { gaussian, penCoverage, resizeBilinear } from './pixels.js';

/** Enlarges a gray byte image by `factor` with bilinear interpolation (edges clamped), rounded to bytes. */
export function upscaleBilinear(src: ArrayLike<number>, width: number, height: number, factor: number): Uint8Array {
  return Uint8Array.from(resizeBilinear(src, width, height, factor).data, Math.round);
}

/** Copies a gray image onto a larger zero canvas at (left, top), clipping what falls outside. */
export function placeOnCanvas(
  src: Uint8Array,
  width: number,
  height: number,
  canvasWidth: number,
  canvasHeight: number,
  left: number,
  top: number,
): Uint8Array {
  const out = new Uint8Array(canvasWidth * canvasHeight);
  // The source columns and rows that land on the canvas.
  const firstColumn = Math.max(0, -left);
  const endColumn = Math.min(width, canvasWidth - left);
  const firstRow = Math.max(0, -top);
  const endRow = Math.min(height, canvasHeight - top);
  if (endColumn <= firstColumn) return out;
  for (let row = firstRow; row < endRow; row++) {
    out.set(src.subarray(row * width + firstColumn, row * width + endColumn), (row + top) * canvasWidth + left + firstColumn);
  }
  return out;
}

/**
 * Gray inks on one zero canvas, each with its top-left corner at its place in `at` (clipped), every pixel the brightest
 * ink there: digits written in a row, one piece of ink where their boxes overlap.
 */
export function inksInARow(
  inks: readonly { data: Uint8Array; width: number; height: number }[],
  canvasWidth: number,
  canvasHeight: number,
  at: readonly (readonly [number, number])[],
): Uint8Array {
  const canvas = new Uint8Array(canvasWidth * canvasHeight);
  inks.forEach((ink, k) => {
    const placed = placeOnCanvas(ink.data, ink.width, ink.height, canvasWidth, canvasHeight, at[k]![0], at[k]![1]);
    for (let i = 0; i < canvas.length; i++) canvas[i] = Math.max(canvas[i]!, placed[i]!);
  });
  return canvas;
}

/**
 * 28x28 white-on-black digits (MNIST's) enlarged 6x and written side by side, `gap` pixels apart (negative: overlapping),
 * the first at x 20 and every other one 12 px lower, as opaque black-on-white RGBA of 400x280: a number as the
 * recognizer's tests draw it.
 */
export function digitsInARow(digits: readonly ArrayLike<number>[], gap: number): { data: Uint8Array; width: number; height: number } {
  const [width, height] = [400, 280];
  const inks = digits.map((digit) => cropToInk(upscaleBilinear(digit, 28, 28, 6), 168, 168));
  let left = 20;
  const at = inks.map((ink, k) => {
    const place = [left, 60 + (k % 2) * 12] as const;
    left += ink.width + gap;
    return place;
  });
  return { data: asBlackOnWhite(inksInARow(inks, width, height, at)), width, height };
}

/** A white-on-black gray canvas as black ink on a transparent RGBA canvas (ink in the alpha channel). */
export function asBlackOnTransparent(gray: Uint8Array): Uint8Array {
  const out = new Uint8Array(gray.length * 4);
  for (let i = 0; i < gray.length; i++) out[i * 4 + 3] = gray[i]!;
  return out;
}

/** A white-on-black gray canvas as opaque black-on-white RGBA. */
export function asBlackOnWhite(gray: Uint8Array): Uint8Array {
  const out = new Uint8Array(gray.length * 4);
  for (let i = 0; i < gray.length; i++) {
    const v = 255 - gray[i]!;
    out.set([v, v, v, 255], i * 4);
  }
  return out;
}

/** The part of a gray image inside the bounding box of its nonzero pixels (for re-drawing it elsewhere). */
export function cropToInk(src: Uint8Array, width: number, height: number): { data: Uint8Array; width: number; height: number } {
  let x0 = width;
  let y0 = height;
  let x1 = -1;
  let y1 = -1;
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++)
      if (src[y * width + x]! > 0) {
        x0 = Math.min(x0, x);
        x1 = Math.max(x1, x);
        y0 = Math.min(y0, y);
        y1 = Math.max(y1, y);
      }
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const data = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) data.set(src.subarray((y0 + y) * width + x0, (y0 + y) * width + x0 + w), y * w);
  return { data, width: w, height: h };
}

/**
 * A simulated phone photo of a digit on paper (RGB): warm off-white paper lit unevenly (a left-to-right gradient
 * plus vignetting), dark blue-black ink that absorbs `inkStrength` of the light, and sensor noise of `noise` levels.
 * `ink` is a white-on-black gray image (0..255) giving ink coverage; pass all zeros for a blank sheet.
 */
export function simulatePhoto(
  ink: Uint8Array,
  width: number,
  height: number,
  next: () => number,
  options: { noise?: number; inkStrength?: number; gradient?: number; vignette?: number } = {},
): Uint8Array {
  const { noise = 6, inkStrength = 0.7, gradient = 50, vignette = 40 } = options;
  const rng = { next };
  const out = new Uint8Array(width * height * 3);
  const cx = width / 2;
  const cy = height / 2;
  const rMax = Math.hypot(cx, cy);
  const tint = [1, 0.96, 0.86];
  const inkColor = [0.9, 0.95, 1.1];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const light = 170 + gradient * (x / width - 0.5) - vignette * (Math.hypot(x - cx, y - cy) / rMax) ** 2;
      const a = ink[y * width + x]! / 255;
      for (let c = 0; c < 3; c++) {
        const paper = light * tint[c]!;
        const v = paper * (1 - inkStrength * a * inkColor[c]!) + noise * gaussian(rng);
        out[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return out;
}

/** A polyline in canvas pixels. */
export type Stroke = Array<[number, number]>;

/**
 * Digit shapes as pen strokes in a unit box (x right, y down, 0..1), for drawing them at any size and line width.
 * Not MNIST, but drawn the way people draw on a canvas: what toMnistFormat gets from a drawing app.
 */
export const PEN_DIGITS: Record<string, Stroke[]> = {
  '0': [Array.from({ length: 41 }, (_, i) => [0.5 + 0.4 * Math.sin((i / 40) * 2 * Math.PI), 0.5 - 0.5 * Math.cos((i / 40) * 2 * Math.PI)] as [number, number])],
  '1': [[[0.35, 0.2], [0.55, 0], [0.55, 1]]],
  '4': [[[0.65, 1], [0.65, 0], [0.05, 0.7], [0.95, 0.7]]],
  '7': [[[0.1, 0], [0.9, 0], [0.35, 1]]],
  '2': [[
    ...Array.from({ length: 15 }, (_, i) => [0.5 - 0.4 * Math.cos((i / 14) * Math.PI), 0.3 - 0.3 * Math.sin((i / 14) * Math.PI)] as [number, number]),
    [0.1, 1], [0.95, 1],
  ]],
};

/**
 * Draws strokes (unit-box coordinates mapped to the box at left/top with the given size) with a round pen of
 * `lineWidth` pixels, anti-aliased by coverage of the distance to the nearest segment: white (255) on black.
 */
export function drawStrokes(
  strokes: Stroke[],
  canvasWidth: number,
  canvasHeight: number,
  box: { left: number; top: number; width: number; height: number },
  lineWidth: number,
): Uint8Array {
  const segments: number[] = [];
  for (const stroke of strokes)
    for (let i = 1; i < stroke.length; i++) {
      const [ax, ay] = stroke[i - 1]!;
      const [bx, by] = stroke[i]!;
      segments.push(box.left + ax * box.width, box.top + ay * box.height, box.left + bx * box.width, box.top + by * box.height);
    }
  return Uint8Array.from(penCoverage(segments, canvasWidth, canvasHeight, lineWidth), (c) => Math.round(c * 255));
}

/**
 * An MNIST digit re-drawn as a person's canvas would hold it: enlarged `factor` times (bilinear), cropped to its
 * ink, and placed off-centre on a white-on-black canvas at a position that varies with `seed`.
 */
export function redrawOnCanvas(
  digit: Uint8Array,
  factor: number,
  canvasWidth: number,
  canvasHeight: number,
  seed: number,
): Uint8Array {
  const ink = cropToInk(upscaleBilinear(digit, 28, 28, factor), 28 * factor, 28 * factor);
  const roomX = Math.max(1, canvasWidth - ink.width - 10);
  const roomY = Math.max(1, canvasHeight - ink.height - 5);
  const left = 5 + ((seed * 37) % roomX);
  const top = 2 + ((seed * 53) % roomY);
  return placeOnCanvas(ink.data, ink.width, ink.height, canvasWidth, canvasHeight, left, top);
}

/**
 * A white-on-black canvas (`width` pixels wide) as dark ink (30) on squared paper (244): lines at gray `line` every
 * `gap` pixels both ways (rows 3, columns 5 past each multiple), under the ink; one gray channel. `tilt` (radians) turns
 * the lines as a photo taken askew would (1 px lines, not smoothed).
 */
export function onSquaredPaper(canvas: Uint8Array, width: number, gap: number, line: number, tilt = 0): Uint8Array {
  const [c, s] = [Math.cos(tilt), Math.sin(tilt)];
  const onLine = (u: number, at: number) => (((u % gap) + gap) % gap) - at;
  return Uint8Array.from(canvas, (v, i) => {
    const [x, y] = [i % width, Math.floor(i / width)];
    const [across, down] = [onLine(y * c - x * s, 3), onLine(x * c + y * s, 5)];
    const paper = (across >= 0 && across < 1) || (down >= 0 && down < 1) ? line : 244;
    return Math.round(paper + ((30 - paper) * v) / 255);
  });
}

/** An RGB photo with each pixel's channels times `light(x, y)` (0..1): a shadow falling on paper and ink alike. */
function underLight(photo: Uint8Array, width: number, height: number, light: (x: number, y: number) => number): Uint8Array {
  const out = photo.slice();
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const l = light(x, y);
      for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = Math.round(out[(y * width + x) * 3 + c]! * l);
    }
  return out;
}

/**
 * Darkens an RGB photo where a hard shadow falls: everything left of a slanted line (x < edge - 0.3 y, 6 px soft
 * edge; `edge` 90 by default) gets 55% of the light. The shadow runs into the image's edges, as a real one does.
 */
export function addShadow(photo: Uint8Array, width: number, height: number, edge = 90): Uint8Array {
  return underLight(photo, width, height, (x, y) => 0.55 + 0.45 * Math.min(1, Math.max(0, (x - edge + y * 0.3) / 6)));
}

/**
 * Darkens an RGB photo under a narrow shadow across it (a pen's, a ruler's): a band `band` pixels wide through the
 * centre, at `angle` radians, gets `light` of the light (hard edges).
 */
export function addShadowBand(photo: Uint8Array, width: number, height: number, angle: number, band: number, light = 0.5): Uint8Array {
  const [nx, ny] = [-Math.sin(angle), Math.cos(angle)];
  return underLight(photo, width, height, (x, y) => (Math.abs((x - width / 2) * nx + (y - height / 2) * ny) < band / 2 ? light : 1));
}
