import { DigitkitError, type ImageSet } from '@digitkit/core';

/** byte -> float in [0, 1], precomputed once: a table lookup beats a division in the hot loops. */
export const BYTE_TO_UNIT: Float32Array = (() => {
  const table = new Float32Array(256);
  for (let i = 0; i < 256; i++) table[i] = i / 255;
  return table;
})();

/** Pixel bytes (0..255) to floats in [0, 1], as the original Keras project does (`x / 255`). */
export function normalize(pixels: Uint8Array, out?: Float32Array): Float32Array {
  const target = out ?? new Float32Array(pixels.length);
  if (target.length < pixels.length) {
    throw new DigitkitError(
      'BAD_OUTPUT',
      `normalize: the output array holds ${target.length} floats but the input has ${pixels.length} pixels; pass an output at least as long as the input`,
    );
  }
  for (let i = 0; i < pixels.length; i++) target[i] = BYTE_TO_UNIT[pixels[i]!]!;
  return target;
}

/** Mean and standard deviation of all pixels of a set, in the [0, 1] units `normalize` gives. */
export function meanStd(set: ImageSet): { mean: number; std: number } {
  const { images } = set;
  if (images.length === 0) {
    throw new DigitkitError('EMPTY_SET', 'meanStd: the image set has no pixels; pass a set with at least one image');
  }
  // A 256-bin histogram makes the sums exact integers, whatever the set size.
  const histogram = new Float64Array(256);
  for (let i = 0; i < images.length; i++) histogram[images[i]!]!++;
  let sum = 0;
  for (let v = 0; v < 256; v++) sum += histogram[v]! * v;
  const mean = sum / images.length;
  let squares = 0;
  for (let v = 0; v < 256; v++) squares += histogram[v]! * (v - mean) * (v - mean);
  return { mean: mean / 255, std: Math.sqrt(squares / images.length) / 255 };
}

/** `(x - mean) / std`, element by element. */
export function standardize(x: Float32Array, stats: { mean: number; std: number }, out?: Float32Array): Float32Array {
  const { mean, std } = stats;
  if (!Number.isFinite(mean) || !Number.isFinite(std) || std <= 0) {
    throw new DigitkitError(
      'BAD_STATS',
      `standardize: needs a finite mean and a positive std, got mean=${mean}, std=${std}; compute them with meanStd(trainSet)`,
    );
  }
  const target = out ?? new Float32Array(x.length);
  if (target.length < x.length) {
    throw new DigitkitError(
      'BAD_OUTPUT',
      `standardize: the output array holds ${target.length} floats but the input has ${x.length}; pass an output at least as long as the input`,
    );
  }
  const inverse = 1 / std;
  for (let i = 0; i < x.length; i++) target[i] = (x[i]! - mean) * inverse;
  return target;
}

/** Class indices to one-hot rows: `labels.length * numClasses` floats. */
export function oneHot(labels: ArrayLike<number>, numClasses = 10): Float32Array {
  if (!Number.isInteger(numClasses) || numClasses < 1) {
    throw new DigitkitError('BAD_OPTION', `oneHot: numClasses must be a positive integer, got ${numClasses}`);
  }
  const out = new Float32Array(labels.length * numClasses);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= numClasses) {
      throw new DigitkitError(
        'BAD_LABEL',
        `oneHot: label ${label} at position ${i} is not an integer in 0..${numClasses - 1}; check the labels or pass the right numClasses`,
      );
    }
    out[i * numClasses + label] = 1;
  }
  return out;
}

/** The per-example input shape of a model: `[784]` for a flat (dense) input, `[28, 28, 1]` for an image (conv) input. */
export function inputShapeFor(layout: 'flat' | 'image', height = 28, width = 28): number[] {
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new DigitkitError('BAD_OPTION', `inputShapeFor: height and width must be positive integers, got ${height}x${width}`);
  }
  // Pixel data is row-major either way, so switching layouts is only a change of shape, never of data.
  if (layout === 'flat') return [height * width];
  if (layout === 'image') return [height, width, 1];
  throw new DigitkitError('BAD_OPTION', `inputShapeFor: layout must be 'flat' or 'image', got ${JSON.stringify(layout)}`);
}
