// UCI's format made from MNIST digits, from its published description only (Alpaydin & Kaynak 1998: 32x32 normalized
// bitmaps, non-overlapping 4x4 blocks, on-pixels counted per block -> 8x8 of 0..16), so that preprocessing can be tuned
// and tested on UCI's shape (a soft 8x8 digit filling its box) without looking at UCI's held-out digits.
import { resizeBilinear } from './pixels.js';
import type { Raster } from './render.js';

/** The normalized bitmap's side, and the block that is counted. */
const BITMAP = 32;
const BLOCK = 4;
const GRID = BITMAP / BLOCK;
/** MNIST's levels at or above half are ink: the bitmap is binary, as a scanned form's is. */
const INK_LEVEL = 0.5;

/**
 * An MNIST digit (28x28 bytes, light on dark) as a UCI digit: binarized at half, its ink box scaled (aspect kept, the
 * longer side filling 32, centred) into a 32x32 bitmap, 4x4 blocks counted, and shown as the bench shows UCI's digits.
 */
export function uciFormat(digit: Uint8Array): Raster {
  return uciPicture(blockCounts(normalizedBitmap(digit)));
}

/**
 * The digit binarized at INK_LEVEL, its ink box scaled (nearest pixel) with its aspect kept so its longer side fills
 * BITMAP, the other centred: the description says "normalized", not stretched, and a stretched '1' would be a slab.
 */
export function normalizedBitmap(digit: Uint8Array, side = 28): Uint8Array {
  const on = (x: number, y: number) => digit[y * side + x]! >= INK_LEVEL * 255;
  let [left, top, right, bottom] = [side, side, -1, -1];
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      if (on(x, y)) [left, top, right, bottom] = [Math.min(left, x), Math.min(top, y), Math.max(right, x), Math.max(bottom, y)];
    }
  }
  const bitmap = new Uint8Array(BITMAP * BITMAP);
  if (right < 0) return bitmap;
  const [width, height] = [right - left + 1, bottom - top + 1];
  // The box's first and last pixels land on the bitmap's first and last along the longer side, so the ink reaches both.
  const longer = Math.max(width, height);
  const scale = longer > 1 ? (BITMAP - 1) / (longer - 1) : BITMAP;
  const [offsetX, offsetY] = [(BITMAP - 1 - (width - 1) * scale) / 2, (BITMAP - 1 - (height - 1) * scale) / 2];
  for (let j = 0; j < BITMAP; j++) {
    const y = Math.round((j - offsetY) / scale);
    if (y < 0 || y >= height) continue;
    for (let i = 0; i < BITMAP; i++) {
      const x = Math.round((i - offsetX) / scale);
      if (x >= 0 && x < width && on(left + x, top + y)) bitmap[j * BITMAP + i] = 1;
    }
  }
  return bitmap;
}

/** How the robustness bench shows an 8x8 grid of counts (0..16, row-major) to a recognizer: enlarged 4x bilinearly. */
export function uciPicture(counts: ArrayLike<number>): Raster {
  const up = resizeBilinear(Array.from(counts, (v) => (v / 16) * 255), GRID, GRID, BLOCK);
  return { data: Uint8Array.from(up.data, Math.round), width: up.width, height: up.height, channels: 1 };
}

/** On-pixels per non-overlapping BLOCK x BLOCK block: GRID x GRID counts of 0..16. */
export function blockCounts(bitmap: Uint8Array): Uint8Array {
  const counts = new Uint8Array(GRID * GRID);
  for (let y = 0; y < BITMAP; y++) {
    for (let x = 0; x < BITMAP; x++) counts[Math.floor(y / BLOCK) * GRID + Math.floor(x / BLOCK)]! += bitmap[y * BITMAP + x]!;
  }
  return counts;
}
