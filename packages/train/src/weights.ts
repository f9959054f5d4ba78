import * as tf from '@tensorflow/tfjs-core';
import type { DigitModel } from '@digitkit/core';

/** Copies of every weight of the model (trainable and not), in `net.weights` order. */
export function readWeights(model: DigitModel): Float32Array[] {
  return model.net.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
}

/** Puts weights that `readWeights` gave back into the model. */
export function writeWeights(model: DigitModel, values: readonly Float32Array[]): void {
  model.net.weights.forEach((w, i) => {
    const t = tf.tensor(values[i]!, w.shape as number[]);
    w.write(t);
    t.dispose();
  });
}
