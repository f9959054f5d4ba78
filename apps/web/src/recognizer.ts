import type { DigitModel, Prediction } from '@digitkit/core';
import { predict } from '@digitkit/model';
import { normalize, toMnistFormat } from '@digitkit/preprocess';

/** What recognizing one picture gives: nothing to recognize, or a digit with what the model saw. */
export type Recognition =
  | { readonly empty: true; readonly reason: string }
  | {
      readonly empty: false;
      readonly prediction: Prediction;
      /** The 28x28 image the model saw (0 = background, 255 = ink). */
      readonly pixels: Uint8Array;
      /** True when the picture was light ink on a dark ground (a dark-on-light one was inverted to MNIST's way). */
      readonly lightOnDark: boolean;
    };

const SIZE = 28 * 28;

/** Canvas (or decoded image) pixels -> MNIST format (crop, scale, centre) -> model -> prediction. */
export function recognizeImage(model: DigitModel, image: ImageData, timing?: StageTiming): Recognition {
  const t0 = performance.now();
  const mnist = toMnistFormat({ data: image.data, width: image.width, height: image.height, channels: 4 });
  const t1 = performance.now();
  if (timing) timing.preprocess = t1 - t0;
  if (mnist.empty) return { empty: true, reason: mnist.reason };
  const prediction = classify(model, mnist.pixels);
  if (timing) timing.model = performance.now() - t1;
  return { empty: false, prediction, pixels: mnist.pixels, lightOnDark: !mnist.inverted };
}

/** Where the time of one recognition goes, in milliseconds (filled in by the stages). */
export interface StageTiming {
  read?: number;
  preprocess?: number;
  model?: number;
}

/** An image already in MNIST format (e.g. from the MNIST test set) -> prediction. */
export function recognizeMnist(model: DigitModel, pixels: Uint8Array): Recognition {
  return { empty: false, prediction: classify(model, pixels), pixels, lightOnDark: false };
}

/** Classifies many MNIST-format images in one forward pass. */
export function classifyMany(model: DigitModel, images: Uint8Array, count: number): Prediction[] {
  return predict(model, normalize(images.subarray(0, count * SIZE)), count);
}

function classify(model: DigitModel, pixels: Uint8Array): Prediction {
  const [prediction] = predict(model, normalize(pixels), 1);
  if (!prediction) throw new Error('The model gave no prediction.');
  return prediction;
}
