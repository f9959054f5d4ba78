// Real MNIST for tests and benchmarks, through @digitkit/data's loadMnist: read once per process, sliced on demand.
import { DigitkitError, type DatasetSplit, type ImageSet } from '@digitkit/core';
import { loadMnist, subset } from '@digitkit/data';

let embedded: Promise<DatasetSplit> | undefined;

/** The embedded MNIST (60,000 training and 10,000 test images), loaded on first use and shared by every caller. */
export function mnist(): Promise<DatasetSplit> {
  embedded ??= loadMnist();
  return embedded;
}

/** Which images {@link mnistSlice} takes. */
export interface SliceOptions {
  split: 'train' | 'test';
  /** Index of the first image (default 0). */
  start?: number;
  /** How many images (default: the rest of the split). */
  count?: number;
}

/**
 * `count` consecutive images of one MNIST split from `start`, as an ImageSet of its own (a copy: a test may write into
 * it). The whole split, when asked for, is the shared loaded set itself: read it, never write into it.
 */
export async function mnistSlice({ split, start = 0, count }: SliceOptions): Promise<ImageSet> {
  const set = (await mnist())[split];
  const size = count ?? set.count - start;
  if (!Number.isInteger(start) || !Number.isInteger(size) || start < 0 || size < 0 || start + size > set.count) {
    throw new DigitkitError(
      'INVALID_ARGUMENT',
      `mnistSlice: the ${split} split has ${set.count} images (0 .. ${set.count - 1}); start ${start} and count ${count} ` +
        'do not fit. Pass whole numbers with start + count <= the split size.',
    );
  }
  if (start === 0 && size === set.count) return set;
  return subset(
    set,
    Array.from({ length: size }, (_, i) => start + i),
  );
}

/** Each image of `set` as its own view (no copy) of `height * width` bytes, in order. */
export function digitImages(set: ImageSet): Uint8Array[] {
  const pixels = set.height * set.width;
  return Array.from({ length: set.count }, (_, i) => set.images.subarray(i * pixels, (i + 1) * pixels));
}
