import { encode } from 'fast-png';

/** A small seeded generator (mulberry32) so every run draws the same pictures. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface PictureOptions {
  /** Upscaling factor of the 28x28 digit (8-10 makes a 160-200 px digit). */
  scale: number;
  /** Light ink on a dark ground instead of dark ink on paper. */
  lightOnDark: boolean;
  random: () => number;
  /** Side of the square picture, or width and height. */
  size?: number | { width: number; height: number };
}

/**
 * Re-draws an MNIST digit as a photo-like picture: its ink cropped, upscaled smoothly (bilinear),
 * placed off-centre on a (default 280x280) ground with a little noise, then encoded as a grayscale PNG.
 */
export function digitPicture(pixels: Uint8Array, options: PictureOptions): Uint8Array {
  const { scale, lightOnDark, random, size = 280 } = options;
  const width = typeof size === 'number' ? size : size.width;
  const height = typeof size === 'number' ? size : size.height;
  let x0 = 28, y0 = 28, x1 = -1, y1 = -1;
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    if (pixels[y * 28 + x]! > 0) {
      x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    }
  }
  // One pixel of margin so the bilinear edges fade out instead of being cut.
  x0 = Math.max(0, x0 - 1); y0 = Math.max(0, y0 - 1); x1 = Math.min(27, x1 + 1); y1 = Math.min(27, y1 + 1);
  const w = Math.round((x1 - x0 + 1) * scale);
  const h = Math.round((y1 - y0 + 1) * scale);
  if (w > width || h > height) throw new Error(`a ${w}x${h} digit does not fit on ${width}x${height}`);
  // Off-centre: anywhere it fits, biased away from the middle.
  const edge = (room: number) => Math.round(random() < 0.5 ? random() * room * 0.3 : room - random() * room * 0.3);
  const left = edge(width - w);
  const top = edge(height - h);
  const ground = lightOnDark ? 28 : 246;
  const ink = lightOnDark ? 236 : 22;
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      let a = 0;
      const u = x - left;
      const v = y - top;
      if (u >= 0 && v >= 0 && u < w && v < h) a = bilinear(pixels, x0 + (u + 0.5) / scale - 0.5, y0 + (v + 0.5) / scale - 0.5) / 255;
      const noise = (random() - 0.5) * 8;
      out[y * width + x] = Math.max(0, Math.min(255, Math.round(ground + (ink - ground) * a + noise)));
    }
  }
  return encode({ width, height, data: out, channels: 1, depth: 8 });
}

function bilinear(pixels: Uint8Array, x: number, y: number): number {
  const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx > 27 || yy > 27 ? 0 : pixels[yy * 28 + xx]!);
  const xf = Math.floor(x), yf = Math.floor(y);
  const dx = x - xf, dy = y - yf;
  return (
    at(xf, yf) * (1 - dx) * (1 - dy) + at(xf + 1, yf) * dx * (1 - dy) + at(xf, yf + 1) * (1 - dx) * dy + at(xf + 1, yf + 1) * dx * dy
  );
}
