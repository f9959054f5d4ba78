// Seeded shuffling, subsets, splits and mini-batches over an ImageSet: index arrays move, pixels stay put.
import { createRng, DigitkitError, shuffleInPlace, type Batch, type ImageSet } from '@digitkit/core';

function requireInteger(value: unknown, what: string, min: number, max = Number.MAX_SAFE_INTEGER): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw new DigitkitError(
      'INVALID_ARGUMENT',
      `${what} must be an integer in ${min} .. ${max}, got ${typeof value === 'number' ? value : JSON.stringify(value)}.`,
    );
  }
  return value;
}

/** The numbers 0 .. count-1 in a random order fixed by `seed` (the same on every machine). */
export function shuffledIndices(count: number, seed: number): Uint32Array {
  requireInteger(count, 'shuffledIndices: count', 0, 0xffffffff);
  if (typeof seed !== 'number' || !Number.isFinite(seed)) {
    throw new DigitkitError('INVALID_ARGUMENT', `shuffledIndices: seed must be a finite number, got ${String(seed)}.`);
  }
  const indices = new Uint32Array(count);
  for (let i = 0; i < count; i++) indices[i] = i;
  return shuffleInPlace(indices, createRng(seed));
}

/** A new ImageSet holding the given examples of `set`, in that order (one copy of their pixels and labels). */
export function subset(set: ImageSet, indices: ArrayLike<number>): ImageSet {
  const pixels = set.height * set.width;
  const images = new Uint8Array(indices.length * pixels);
  const labels = new Uint8Array(indices.length);
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    if (!Number.isInteger(index) || index < 0 || index >= set.count) {
      throw new DigitkitError(
        'INVALID_ARGUMENT',
        `subset: index ${index} at position ${i} is outside the set (0 .. ${set.count - 1}).`,
      );
    }
    images.set(set.images.subarray(index * pixels, (index + 1) * pixels), i * pixels);
    labels[i] = set.labels[index]!;
  }
  return { images, labels, count: indices.length, height: set.height, width: set.width, numClasses: set.numClasses };
}

/**
 * Splits `set` at random (fixed by `seed`) into a training part and a validation part of `validationCount`
 * examples (or `validationFraction` of the set, rounded). Each part is one copy; together they hold every example once.
 */
export function trainValidationSplit(
  set: ImageSet,
  options: { validationCount?: number; validationFraction?: number; seed: number },
): { train: ImageSet; validation: ImageSet } {
  const { validationCount, validationFraction, seed } = options ?? ({} as typeof options);
  if (validationCount !== undefined && validationFraction !== undefined) {
    throw new DigitkitError(
      'INVALID_ARGUMENT',
      'trainValidationSplit: give validationCount or validationFraction, not both.',
    );
  }
  let count: number;
  if (validationCount !== undefined) {
    count = requireInteger(validationCount, 'trainValidationSplit: validationCount', 0, set.count);
  } else if (validationFraction !== undefined) {
    if (typeof validationFraction !== 'number' || !(validationFraction >= 0 && validationFraction <= 1)) {
      throw new DigitkitError(
        'INVALID_ARGUMENT',
        `trainValidationSplit: validationFraction must be a number in 0 .. 1, got ${String(validationFraction)}.`,
      );
    }
    count = Math.round(set.count * validationFraction);
  } else {
    throw new DigitkitError(
      'INVALID_ARGUMENT',
      'trainValidationSplit: give validationCount (e.g. 5000) or validationFraction (e.g. 0.1).',
    );
  }
  const order = shuffledIndices(set.count, seed);
  // Sorting each part keeps the original order inside it, so memory access stays sequential.
  const validation = order.slice(0, count).sort();
  const train = order.slice(count).sort();
  return { train: subset(set, train), validation: subset(set, validation) };
}

/** pixel / 255 for every byte value, looked up rather than divided per pixel. */
const UNIT_SCALE = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Options of {@link batches}. */
export interface BatchOptions {
  /** Examples per batch (an integer >= 1). */
  batchSize: number;
  /** Seed of the shuffle (default 0). Use a different seed per epoch, e.g. `seed: baseSeed + epoch`. */
  seed?: number;
  /** Shuffle the examples (default true). Ignored when `order` is given. */
  shuffle?: boolean;
  /** Visit exactly these examples in this order (indices into the set) instead of shuffling. */
  order?: Uint32Array;
  /** Leave out a last batch smaller than batchSize (default false). */
  dropLast?: boolean;
  /**
   * Turns one image's pixel bytes into `height*width` floats written to `out` (default: pixel / 255).
   * Plug augmentation in here. `out` is a view into the batch's x; write every element.
   */
  encode?: (pixels: Uint8Array, out: Float32Array) => void;
}

/**
 * Iterates over `set` in mini-batches: x holds `size * height * width` floats (pixel / 255 unless `encode` says
 * otherwise), y the labels, indices where each example came from. One epoch visits every example exactly once
 * (the last batch may be smaller unless `dropLast`).
 *
 * The batches reuse buffers: a Batch's x, y and indices are overwritten when the next batch is produced, so
 * copy what you keep (e.g. into a tensor) before asking for the next one. Call `batches` again for each epoch.
 */
export function batches(set: ImageSet, options: BatchOptions): IterableIterator<Batch> {
  if (!options || typeof options !== 'object') {
    throw new DigitkitError('INVALID_ARGUMENT', 'batches: options with a batchSize are required, e.g. { batchSize: 128 }.');
  }
  const batchSize = requireInteger(options.batchSize, 'batches: batchSize', 1, 0xffffffff);
  const { order, dropLast = false, encode } = options;
  let visit: Uint32Array;
  if (order !== undefined) {
    if (!(order instanceof Uint32Array)) {
      throw new DigitkitError('INVALID_ARGUMENT', 'batches: order must be a Uint32Array of indices into the set.');
    }
    for (let i = 0; i < order.length; i++) {
      if (order[i]! >= set.count) {
        throw new DigitkitError(
          'INVALID_ARGUMENT',
          `batches: order[${i}] = ${order[i]} is outside the set (0 .. ${set.count - 1}).`,
        );
      }
    }
    visit = order;
  } else if (options.shuffle === false) {
    visit = new Uint32Array(set.count);
    for (let i = 0; i < set.count; i++) visit[i] = i;
  } else {
    visit = shuffledIndices(set.count, options.seed ?? 0);
  }
  if (encode !== undefined && typeof encode !== 'function') {
    throw new DigitkitError('INVALID_ARGUMENT', 'batches: encode must be a function (pixels, out) => void.');
  }
  const pixels = set.height * set.width;
  const total = visit.length;
  const batchCount = dropLast ? Math.floor(total / batchSize) : Math.ceil(total / batchSize);
  const fullSize = Math.min(batchSize, total);
  const x = new Float32Array(fullSize * pixels);
  const y = new Uint8Array(fullSize);
  const indices = new Uint32Array(fullSize);

  function* generate(): Generator<Batch, undefined, undefined> {
    for (let b = 0; b < batchCount; b++) {
      const start = b * batchSize;
      const size = Math.min(batchSize, total - start);
      fillBatch(set, visit, start, size, pixels, x, y, indices, encode);
      yield size === fullSize
        ? { x, y, indices, size }
        : { x: x.subarray(0, size * pixels), y: y.subarray(0, size), indices: indices.subarray(0, size), size };
    }
    return undefined;
  }
  return generate();
}

/** Writes examples visit[start .. start+size) into the batch buffers (a plain function: V8 optimizes it better than generator code). */
function fillBatch(
  set: ImageSet,
  visit: Uint32Array,
  start: number,
  size: number,
  pixels: number,
  x: Float32Array,
  y: Uint8Array,
  indices: Uint32Array,
  encode: BatchOptions['encode'],
): void {
  const { images, labels } = set;
  for (let i = 0; i < size; i++) {
    const index = visit[start + i]!;
    indices[i] = index;
    y[i] = labels[index]!;
    const from = index * pixels;
    const to = i * pixels;
    if (encode) {
      encode(images.subarray(from, from + pixels), x.subarray(to, to + pixels));
    } else {
      for (let p = 0; p < pixels; p++) x[to + p] = UNIT_SCALE[images[from + p]!]!;
    }
  }
}
