// Helpers the tests and the benchmark share: re-drawing MNIST digits as big canvases, and closeness measures.

/** Enlarges a gray image by `factor` with bilinear interpolation (pixel centres aligned, edges clamped). */
export function upscaleBilinear(src: ArrayLike<number>, width: number, height: number, factor: number): Uint8Array {
  const outWidth = Math.round(width * factor);
  const outHeight = Math.round(height * factor);
  const out = new Uint8Array(outWidth * outHeight);
  const at = (x: number, y: number) =>
    src[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))]!;
  for (let j = 0; j < outHeight; j++) {
    const sy = (j + 0.5) / factor - 0.5;
    const y0 = Math.floor(sy);
    const fy = sy - y0;
    for (let i = 0; i < outWidth; i++) {
      const sx = (i + 0.5) / factor - 0.5;
      const x0 = Math.floor(sx);
      const fx = sx - x0;
      const top = at(x0, y0) * (1 - fx) + at(x0 + 1, y0) * fx;
      const bottom = at(x0, y0 + 1) * (1 - fx) + at(x0 + 1, y0 + 1) * fx;
      out[j * outWidth + i] = Math.round(top * (1 - fy) + bottom * fy);
    }
  }
  return out;
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
  for (let y = 0; y < height; y++) {
    const cy = y + top;
    if (cy < 0 || cy >= canvasHeight) continue;
    for (let x = 0; x < width; x++) {
      const cx = x + left;
      if (cx < 0 || cx >= canvasWidth) continue;
      out[cy * canvasWidth + cx] = src[y * width + x]!;
    }
  }
  return out;
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

/** Pearson correlation of two equally long arrays (1 = same picture up to brightness and contrast). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  let ma = 0;
  let mb = 0;
  for (let i = 0; i < n; i++) {
    ma += a[i]!;
    mb += b[i]!;
  }
  ma /= n;
  mb /= n;
  let sab = 0;
  let saa = 0;
  let sbb = 0;
  for (let i = 0; i < n; i++) {
    const da = a[i]! - ma;
    const db = b[i]! - mb;
    sab += da * db;
    saa += da * da;
    sbb += db * db;
  }
  return sab / Math.sqrt(saa * sbb);
}

/** Mean absolute difference of two byte images, as a fraction of 255. */
export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length / 255;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
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

/** A seeded standard normal sampler (Box-Muller) over createRng-like uniform draws. */
export function gaussian(next: () => number): () => number {
  return () => Math.sqrt(-2 * Math.log(1 - next())) * Math.cos(2 * Math.PI * next());
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
  const normal = gaussian(next);
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
        const v = paper * (1 - inkStrength * a * inkColor[c]!) + noise * normal();
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
  const out = new Uint8Array(canvasWidth * canvasHeight);
  const half = lineWidth / 2;
  const segments: Array<[number, number, number, number]> = [];
  for (const stroke of strokes)
    for (let i = 1; i < stroke.length; i++) {
      const [ax, ay] = stroke[i - 1]!;
      const [bx, by] = stroke[i]!;
      segments.push([box.left + ax * box.width, box.top + ay * box.height, box.left + bx * box.width, box.top + by * box.height]);
    }
  for (const [ax, ay, bx, by] of segments) {
    const x0 = Math.max(0, Math.floor(Math.min(ax, bx) - half - 1));
    const x1 = Math.min(canvasWidth - 1, Math.ceil(Math.max(ax, bx) + half + 1));
    const y0 = Math.max(0, Math.floor(Math.min(ay, by) - half - 1));
    const y1 = Math.min(canvasHeight - 1, Math.ceil(Math.max(ay, by) + half + 1));
    const dx = bx - ax;
    const dy = by - ay;
    const len2 = dx * dx + dy * dy || 1;
    for (let y = y0; y <= y1; y++)
      for (let x = x0; x <= x1; x++) {
        const px = x + 0.5;
        const py = y + 0.5;
        const t = Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / len2));
        const d = Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
        const coverage = Math.max(0, Math.min(1, half + 0.5 - d));
        const v = Math.round(coverage * 255);
        if (v > out[y * canvasWidth + x]!) out[y * canvasWidth + x] = v;
      }
  }
  return out;
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

/** The best Pearson correlation over shifts of `a` by up to one pixel each way (28x28 images). */
export function pearsonWithinOnePixel(a: Uint8Array, b: ArrayLike<number>): number {
  let best = -1;
  const shifted = new Uint8Array(784);
  for (let dy = -1; dy <= 1; dy++)
    for (let dx = -1; dx <= 1; dx++) {
      shifted.fill(0);
      for (let y = 0; y < 28; y++)
        for (let x = 0; x < 28; x++) {
          const sx = x - dx;
          const sy = y - dy;
          if (sx >= 0 && sy >= 0 && sx < 28 && sy < 28) shifted[y * 28 + x] = a[sy * 28 + sx]!;
        }
      best = Math.max(best, pearson(shifted, b));
    }
  return best;
}

export function sumOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum;
}

/**
 * Darkens an RGB photo where a hard shadow falls: everything left of a slanted line (x < 90 - 0.3 y, 6 px soft
 * edge) gets 55% of the light. The shadow runs into the image's edges, as a real one does.
 */
export function addShadow(photo: Uint8Array, width: number, height: number): Uint8Array {
  const out = photo.slice();
  for (let y = 0; y < height; y++)
    for (let x = 0; x < width; x++) {
      const t = Math.min(1, Math.max(0, (x - 90 + y * 0.3) / 6));
      const light = 0.55 + 0.45 * t;
      for (let c = 0; c < 3; c++) out[(y * width + x) * 3 + c] = Math.round(out[(y * width + x) * 3 + c]! * light);
    }
  return out;
}
