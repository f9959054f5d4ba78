// Input checks shared by the pictures: each throws a DigitkitError that says what was wrong and what to pass.
import { DigitkitError, type ImageSet, type Prediction } from '@digitkit/core';

function isPositiveInteger(n: unknown): n is number {
  return typeof n === 'number' && Number.isInteger(n) && n > 0;
}

/** Checks that an ImageSet's sizes agree with its buffers. */
export function checkImageSet(set: ImageSet, caller: string): void {
  if (set === null || typeof set !== 'object') {
    throw new DigitkitError('BAD_IMAGE', `${caller} needs an ImageSet ({ images, labels, count, height, width, numClasses }), got ${String(set)}.`);
  }
  const { images, labels, count, height, width, numClasses } = set;
  if (!isPositiveInteger(width) || !isPositiveInteger(height)) {
    throw new DigitkitError('BAD_IMAGE', `${caller}: the ImageSet's width and height must be positive integers, got ${width}x${height}.`);
  }
  if (!Number.isInteger(count) || count < 0) {
    throw new DigitkitError('BAD_IMAGE', `${caller}: the ImageSet's count must be a non-negative integer, got ${count}.`);
  }
  if (!(images instanceof Uint8Array) || images.length !== count * width * height) {
    const got = images instanceof Uint8Array ? `${images.length} bytes` : typeof images;
    throw new DigitkitError(
      'BAD_IMAGE',
      `${caller}: the ImageSet says ${count} images of ${width}x${height} (= ${count * width * height} bytes) but its images buffer holds ${got}. ` +
        'Check width, height and count against the data.',
    );
  }
  if (!(labels instanceof Uint8Array) || labels.length !== count) {
    const got = labels instanceof Uint8Array ? `${labels.length}` : typeof labels;
    throw new DigitkitError('BAD_IMAGE', `${caller}: the ImageSet has ${count} images but ${got} labels; they must match.`);
  }
  if (!isPositiveInteger(numClasses)) {
    throw new DigitkitError('BAD_IMAGE', `${caller}: the ImageSet's numClasses must be a positive integer, got ${numClasses}.`);
  }
}

/** Checks that `index` names an image of a set with `count` images. */
export function checkIndex(index: number, count: number, caller: string, what = 'index'): void {
  if (!Number.isInteger(index) || index < 0 || index >= count) {
    throw new DigitkitError('INVALID_ARGUMENT', `${caller}: ${what} ${index} is not an image of this set (valid: 0 to ${count - 1}).`);
  }
}

/** Checks a grayscale image buffer against the size it is said to have. */
export function checkGrayImage(image: Uint8Array, width: number, height: number, caller: string): void {
  if (!isPositiveInteger(width) || !isPositiveInteger(height)) {
    throw new DigitkitError('INVALID_ARGUMENT', `${caller}: image width and height must be positive integers, got ${width}x${height}.`);
  }
  if (!(image instanceof Uint8Array)) {
    throw new DigitkitError('BAD_IMAGE', `${caller} needs the image as a Uint8Array of ${width * height} grayscale bytes, got ${typeof image}.`);
  }
  if (image.length !== width * height) {
    throw new DigitkitError(
      'BAD_IMAGE',
      `${caller} needs a ${width}x${height} image (${width * height} bytes), got ${image.length} bytes. ` +
        'Pass one image, not a batch, or set the width and height options.',
    );
  }
}

/** Checks a model's answer: a label and that many-plus probabilities that are numbers in [0, 1]. */
export function checkPrediction(prediction: Prediction, caller: string): void {
  const probabilities = prediction?.probabilities;
  if (!probabilities || typeof probabilities.length !== 'number' || probabilities.length < 1) {
    throw new DigitkitError('INVALID_ARGUMENT', `${caller} needs a Prediction with a probabilities array (one per class).`);
  }
  for (let i = 0; i < probabilities.length; i++) {
    const p = probabilities[i];
    if (typeof p !== 'number' || !Number.isFinite(p) || p < 0 || p > 1 + 1e-6) {
      throw new DigitkitError('INVALID_ARGUMENT', `${caller}: probabilities[${i}] must be a number in [0, 1], got ${String(p)}.`);
    }
  }
  const { label } = prediction;
  if (!Number.isInteger(label) || label < 0 || label >= probabilities.length) {
    throw new DigitkitError('INVALID_ARGUMENT', `${caller}: the predicted label must be an integer in 0..${probabilities.length - 1}, got ${String(label)}.`);
  }
}
