import { DigitkitError, type ImageSet } from '@digitkit/core';
import type { IdxArray } from './idx.js';

/** MNIST-format data sets have ten classes (digits 0-9, or the ten Fashion-MNIST / KMNIST classes). */
export const NUM_CLASSES = 10;

/**
 * Pairs an images IDX array (uint8, shape [count, height, width]) with a labels IDX array (uint8, shape [count],
 * values 0-9) into an ImageSet without copying. `names` (file names or URLs) appear in error messages.
 */
export function imageSetFromIdx(
  images: IdxArray,
  labels: IdxArray,
  names: { images: string; labels: string } = { images: 'images', labels: 'labels' },
): ImageSet {
  if (images.dtype !== 'uint8' || images.shape.length !== 3 || !(images.data instanceof Uint8Array)) {
    throw new DigitkitError(
      'DATA_BAD_IMAGES',
      `${names.images} should hold uint8 images of shape [count, height, width], but holds ${images.dtype} ` +
        `of shape [${images.shape.join(', ')}]. Is it a labels file (idx1) given as images (idx3)?`,
    );
  }
  if (labels.dtype !== 'uint8' || labels.shape.length !== 1 || !(labels.data instanceof Uint8Array)) {
    throw new DigitkitError(
      'DATA_BAD_LABELS',
      `${names.labels} should hold uint8 labels of shape [count], but holds ${labels.dtype} ` +
        `of shape [${labels.shape.join(', ')}]. Is it an images file (idx3) given as labels (idx1)?`,
    );
  }
  const [count, height, width] = images.shape as [number, number, number];
  const labelCount = labels.shape[0]!;
  if (count !== labelCount) {
    throw new DigitkitError(
      'DATA_COUNT_MISMATCH',
      `${names.images} holds ${count} images but ${names.labels} holds ${labelCount} labels; ` +
        'they must come in pairs (train-images with train-labels, t10k-images with t10k-labels).',
    );
  }
  const labelData = labels.data;
  for (let i = 0; i < labelData.length; i++) {
    if (labelData[i]! >= NUM_CLASSES) {
      throw new DigitkitError(
        'DATA_BAD_LABEL',
        `${names.labels} has label ${labelData[i]} at position ${i}; labels must be 0-${NUM_CLASSES - 1}.`,
      );
    }
  }
  return { images: images.data, labels: labelData, count, height, width, numClasses: NUM_CLASSES };
}
