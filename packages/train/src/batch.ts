import { type AugmentOptions, createRng, type ImageSet } from '@digitkit/core';
import { createAugmenter, createNegativeMaker, createPairMaker } from '@digitkit/preprocess';

/** The label of a synthetic non-digit in a batch (augment.negatives): its target is every class equally. */
export const NOT_A_DIGIT = 255;

/** byte -> [0, 1], the scale every digitkit model is trained in (pixel / 255). */
const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

/** Every augment family off (no shift either): the base benches and tests turn single families on from. */
export const AUGMENT_OFF: Readonly<Required<AugmentOptions>> = Object.freeze({
  maxShift: 0,
  maxRotation: 0,
  scale: 0,
  shear: 0,
  elastic: 0,
  strokeWidth: 0,
  outline: 0,
  blur: 0,
  lowResolution: 0,
  noise: 0,
  clutter: 0,
  stains: 0,
  contrast: 0,
  negatives: 0,
  pairs: 0,
});

/** Reusable buffers one batch (or one worker's shard of it) is written into. */
export interface BatchBuffers {
  x: Float32Array;
  labels: Uint8Array;
}

export function batchBuffers(size: number, features: number): BatchBuffers {
  return { x: new Float32Array(size * features), labels: new Uint8Array(size) };
}

/**
 * Writes the images `indices` of `images` into `out` (pixels scaled to [0, 1], augmented when
 * `augment` is set) and their labels. A pure function of its arguments: augmentation draws from a
 * generator seeded by (seed, epoch, batch), so the in-process loop, each worker's shard and a run
 * resumed mid-epoch all draw the same. Returns how many images it wrote.
 */
export function assembleBatch(
  images: ImageSet,
  indices: Uint32Array,
  seed: number,
  epoch: number,
  batch: number,
  augment: false | Required<AugmentOptions>,
  out: BatchBuffers,
): number {
  const pixels = images.height * images.width;
  const augmenter = augment
    ? createAugmenter({
        ...augment,
        seed: mixSeed(seed, epoch, batch),
        scale: [1 - augment.scale, 1 + augment.scale],
        height: images.height,
        width: images.width,
      })
    : null;
  const negatives = augment && augment.negatives > 0
    ? syntheticSource(mixSeed(seed ^ NEGATIVE_SALT, epoch, batch), augment.negatives, pixels, (s) => createNegativeMaker({ seed: s, width: images.width, height: images.height }))
    : null;
  // Touching pairs of the set's own digits (a place a non-digit took draws none).
  const pairs = augment && augment.pairs > 0 ? syntheticSource(mixSeed(seed ^ PAIR_SALT, epoch, batch), augment.pairs, pixels, (s) => createPairMaker({ seed: s, digits: images })) : null;
  const { x, labels } = out;
  for (let i = 0; i < indices.length; i++) {
    const index = indices[i]!;
    labels[i] = images.labels[index]!;
    const from = index * pixels;
    const to = i * pixels;
    const negative = negatives?.draw() ?? pairs?.draw();
    if (negative) {
      // A non-digit takes this place, and gets the digits' augmentation too: only its shape tells it apart.
      labels[i] = NOT_A_DIGIT;
      augmenter!(negative, x.subarray(to, to + pixels));
    } else if (augmenter) augmenter(images.images.subarray(from, from + pixels), x.subarray(to, to + pixels));
    else for (let p = 0; p < pixels; p++) x[to + p] = UNIT[images.images[from + p]!]!;
  }
  return indices.length;
}

const NEGATIVE_SALT = 0x6e6567;
const PAIR_SALT = 0x70616972;

/**
 * Pictures of one synthetic kind for one batch from their own seeded stream: `draw()` gives one for a share `rate` of
 * the places, else null. `maker` builds the kind's seeded maker.
 */
function syntheticSource(seed: number, rate: number, pixels: number, maker: (seed: number) => (out: Uint8Array) => unknown) {
  const rng = createRng(seed);
  const make = maker(rng.int(0x7fffffff));
  const picture = new Uint8Array(pixels);
  return {
    draw(): Uint8Array | null {
      if (rng.next() >= rate) return null;
      make(picture);
      return picture;
    },
  };
}

/**
 * The seed a worker's shard draws its augmentation from: shard 0 (and the in-process loop) keeps the
 * run's seed, so one worker draws exactly what the in-process loop draws; other shards get their own stream.
 */
export function shardSeed(seed: number, shard: number): number {
  return shard === 0 ? seed : mixSeed(seed, 0x5a4d, shard);
}

const DROPOUT_SALT = 0x64726f70;

/** The seed of the dropout masks of batch `batch` (of a shard seeded `seed`): a stream of its own, as the non-digits'. */
export function dropoutSeed(seed: number, epoch: number, batch: number): number {
  return mixSeed(seed ^ DROPOUT_SALT, epoch, batch);
}

/** The images of batch `b` of an epoch visiting `order`: `batchSize` of them, fewer in a last short batch. */
export function batchIndices(order: Uint32Array, b: number, batchSize: number): Uint32Array {
  return order.subarray(b * batchSize, Math.min((b + 1) * batchSize, order.length));
}

/** The [start, end) of shard `k` of `n` of a batch of `size` images: sizes differ by at most one. */
export function shardRange(size: number, n: number, k: number): [number, number] {
  const base = Math.floor(size / n);
  const extra = size % n;
  const start = k * base + Math.min(k, extra);
  return [start, start + base + (k < extra ? 1 : 0)];
}

/** A 32-bit seed for (seed, epoch, batch): nearby inputs give unrelated streams. */
export function mixSeed(seed: number, epoch: number, batch: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  for (const v of [epoch, batch]) {
    h = Math.imul(h ^ (v + 0x7f4a7c15), 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}
