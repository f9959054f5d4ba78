import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError, type DigitModel, type Prediction } from '@digitkit/core';

/** Images per forward pass: large enough to amortize per-call overhead, small enough to bound memory. */
const PREDICT_BATCH = 1024;

/**
 * Classifies `count` images given as floats (`count * 784`, in the model's input scale, row-major).
 * Runs in batches and frees every tensor it makes.
 */
export function predict(model: DigitModel, x: Float32Array, count: number): Prediction[] {
  const perExample = model.inputShape.reduce((a, b) => a * b, 1);
  if (!Number.isInteger(count) || count < 0) {
    throw new DigitkitError('BAD_INPUT', `predict needs a non-negative integer count, got ${count}.`);
  }
  if (x.length !== count * perExample) {
    throw new DigitkitError(
      'BAD_INPUT',
      `predict got ${x.length} floats for ${count} images, but this ${model.kind} needs ${perExample} per image (${count * perExample} in all).`,
    );
  }
  const out: Prediction[] = [];
  for (let start = 0; start < count; start += PREDICT_BATCH) {
    const n = Math.min(PREDICT_BATCH, count - start);
    const probs = tf.tidy(() => {
      const input = tf.tensor(x.subarray(start * perExample, (start + n) * perExample), [n, ...model.inputShape]);
      return model.net.predict(input) as tf.Tensor;
    });
    // Read outside tidy: reading inside it is slow on WASM.
    const values = probs.dataSync() as Float32Array;
    probs.dispose();
    const k = model.numClasses;
    for (let i = 0; i < n; i++) {
      const row = Array.from(values.subarray(i * k, (i + 1) * k));
      let label = 0;
      for (let c = 1; c < k; c++) if (row[c]! > row[label]!) label = c;
      out.push({ label, probabilities: row });
    }
  }
  return out;
}
