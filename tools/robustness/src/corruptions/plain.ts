// The plain MNIST preprocessing (LeCun et al.), the reference toMnistFormat must never lose to: crop to the ink,
// area-resize into 20x20 keeping the aspect ratio, centre of mass at (14, 14) in 28x28. No background model beyond the
// border's level, no piece selection, no stroke-width changes.
import { boundingBox, centerOfMass, resizeArea, toGrayscale } from '@digitkit/preprocess';
import type { Raster } from '@digitkit/testkit';

/** Pixels fainter than this fraction of the brightest ink are not part of the crop. */
const CROP_LEVEL = 0.1;

/** A picture as MNIST would have prepared it: 784 bytes, light ink on black; null when it holds no ink at all. */
export function plainMnist(picture: Raster): Uint8Array | null {
  const gray = toGrayscale(picture);
  const { data, width, height } = gray;
  // Ink is whatever differs most from the border's level: darker (pen on paper) or lighter (MNIST's light on black).
  const border = borderMedian(data, width, height);
  const [low, high] = data.reduce(([lo, hi], v) => [Math.min(lo, v), Math.max(hi, v)], [255, 0]);
  const dark = border - low > high - border;
  const ink = Float32Array.from(data, (v) => Math.max(0, dark ? border - v : v - border));
  const peak = ink.reduce((a, b) => Math.max(a, b), 0);
  if (peak === 0) return null;
  const levels = { data: ink, width, height };
  const box = boundingBox(levels, CROP_LEVEL * peak)!;
  const cropped = new Float32Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) cropped.set(ink.subarray((box.y + y) * width + box.x, (box.y + y) * width + box.x + box.width), y * box.width);
  const fit = 20 / Math.max(box.width, box.height);
  const small = resizeArea(
    { data: cropped, width: box.width, height: box.height },
    Math.max(1, Math.round(box.width * fit)),
    Math.max(1, Math.round(box.height * fit)),
  );
  const com = centerOfMass(small)!;
  const [dx, dy] = [Math.round(14 - com.x), Math.round(14 - com.y)];
  const top = small.data.reduce((a, b) => Math.max(a, b), 0);
  const out = new Uint8Array(28 * 28);
  for (let y = 0; y < small.height; y++) {
    for (let x = 0; x < small.width; x++) {
      const [tx, ty] = [x + dx, y + dy];
      if (tx >= 0 && ty >= 0 && tx < 28 && ty < 28) out[ty * 28 + tx] = Math.round((small.data[y * small.width + x]! / top) * 255);
    }
  }
  return out;
}

/** Median of the image's outermost rows and columns. */
function borderMedian(data: Uint8Array, width: number, height: number): number {
  const values: number[] = [];
  for (let x = 0; x < width; x++) values.push(data[x]!, data[(height - 1) * width + x]!);
  for (let y = 1; y < height - 1; y++) values.push(data[y * width]!, data[y * width + width - 1]!);
  values.sort((a, b) => a - b);
  return values[values.length >> 1]!;
}
