// How close two pictures are, and the statistics the tests and benchmarks report.
import { redrawOnCanvas } from './canvas.js';

/** Pearson correlation of two equally long arrays (1 = same picture up to brightness and contrast). */
export function pearson(a: ArrayLike<number>, b: ArrayLike<number>): number {
  const n = a.length;
  const ma = sumOf(a) / n;
  const mb = sumOf(b) / n;
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

/** Mean absolute difference of two byte images, as a fraction of 255. */
export function meanAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += Math.abs(a[i]! - b[i]!);
  return sum / a.length / 255;
}

export function sumOf(values: ArrayLike<number>): number {
  let sum = 0;
  for (let i = 0; i < values.length; i++) sum += values[i]!;
  return sum;
}

export function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

/** The value at fraction `q` of the sorted values (nearest rank below). */
export function quantile(values: number[], q: number): number {
  const sorted = [...values].sort((x, y) => x - y);
  return sorted[Math.min(sorted.length - 1, Math.floor(q * (sorted.length - 1)))]!;
}

/** Per digit: Pearson r, the best r within a 1-pixel shift, and mean |difference| / 255 against the original. */
export interface Closeness {
  correlation: number[];
  shifted: number[];
  difference: number[];
}

/**
 * How close `recover` brings 28x28 digits back after each was re-drawn `factor` times larger, off-centre on a
 * `width` x `height` white-on-black canvas ({@link redrawOnCanvas}, placed by the digit's index).
 */
export function redrawCloseness(
  digits: readonly Uint8Array[],
  canvas: { factor: number; width: number; height: number },
  recover: (canvas: Uint8Array, index: number) => Uint8Array,
): Closeness {
  const c: Closeness = { correlation: [], shifted: [], difference: [] };
  digits.forEach((digit, i) => {
    const pixels = recover(redrawOnCanvas(digit, canvas.factor, canvas.width, canvas.height, i), i);
    c.correlation.push(pearson(pixels, digit));
    c.shifted.push(pearsonWithinOnePixel(pixels, digit));
    c.difference.push(meanAbsDiff(pixels, digit));
  });
  return c;
}
