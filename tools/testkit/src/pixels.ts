// Pixel-level pieces the drawers share: bilinear resampling, round-pen coverage, normal noise.
import type { Rng } from '@digitkit/core';

/** How pixels outside an image read when resampling: the nearest edge pixel, or background (0). */
export type Edge = 'clamp' | 'zero';

/**
 * Bilinear enlargement of a gray image by `factor` (pixel centres aligned), unrounded. `width` x `height` becomes
 * round(width * factor) x round(height * factor).
 */
export function resizeBilinear(
  src: ArrayLike<number>,
  width: number,
  height: number,
  factor: number,
  edge: Edge = 'clamp',
): { data: Float64Array; width: number; height: number } {
  const outWidth = Math.round(width * factor);
  const outHeight = Math.round(height * factor);
  const out = new Float64Array(outWidth * outHeight);
  const read: Record<Edge, (x: number, y: number) => number> = {
    clamp: (x, y) => src[Math.min(height - 1, Math.max(0, y)) * width + Math.min(width - 1, Math.max(0, x))]!,
    zero: (x, y) => (x < 0 || y < 0 || x >= width || y >= height ? 0 : src[y * width + x]!),
  };
  const at = read[edge];
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
      out[j * outWidth + i] = top * (1 - fy) + bottom * fy;
    }
  }
  return { data: out, width: outWidth, height: outHeight };
}

/**
 * Ink coverage (0..1 per pixel) of line segments (`[x0, y0, x1, y1, ...]` in canvas pixels) drawn with a round pen
 * `penWidth` pixels wide: each segment is a capsule, edges anti-aliased over one pixel, overlaps take the maximum (ink
 * does not get darker where strokes cross). A segment whose ends coincide is a dot.
 */
export function penCoverage(segments: ArrayLike<number>, width: number, height: number, penWidth: number): Float64Array {
  const cover = new Float64Array(width * height);
  const r = penWidth / 2;
  for (let s = 0; s + 3 < segments.length; s += 4) {
    const x0 = segments[s]!;
    const y0 = segments[s + 1]!;
    const x1 = segments[s + 2]!;
    const y1 = segments[s + 3]!;
    const minX = Math.max(0, Math.floor(Math.min(x0, x1) - r - 1));
    const maxX = Math.min(width - 1, Math.ceil(Math.max(x0, x1) + r + 1));
    const minY = Math.max(0, Math.floor(Math.min(y0, y1) - r - 1));
    const maxY = Math.min(height - 1, Math.ceil(Math.max(y0, y1) + r + 1));
    const dx = x1 - x0;
    const dy = y1 - y0;
    const len2 = dx * dx + dy * dy;
    for (let y = minY; y <= maxY; y++) {
      const cy = y + 0.5;
      for (let x = minX; x <= maxX; x++) {
        const cx = x + 0.5;
        const t = len2 > 0 ? Math.max(0, Math.min(1, ((cx - x0) * dx + (cy - y0) * dy) / len2)) : 0;
        const ex = cx - (x0 + t * dx);
        const ey = cy - (y0 + t * dy);
        // Coverage of a pixel by an edge at this distance: a one-pixel ramp centred on the edge.
        const v = Math.min(1, Math.max(0, r - Math.sqrt(ex * ex + ey * ey) + 0.5));
        const i = y * width + x;
        if (v > cover[i]!) cover[i] = v;
      }
    }
  }
  return cover;
}

/** A standard normal deviate (Box-Muller) from two uniform draws of `rng`. */
export function gaussian(rng: Pick<Rng, 'next'>): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}
