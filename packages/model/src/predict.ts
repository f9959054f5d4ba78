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
      `predict got ${x.length} floats for ${count} images, but the ${model.kind} model takes ${perExample} per image (${count * perExample} in all).`,
    );
  }
  // A model ending in logits (no softmax) still gives probabilities that sum to 1.
  const logits = !outputsProbabilities(model);
  const out: Prediction[] = [];
  for (let start = 0; start < count; start += PREDICT_BATCH) {
    const n = Math.min(PREDICT_BATCH, count - start);
    const probs = tf.tidy(() => {
      const input = tf.tensor(x.subarray(start * perExample, (start + n) * perExample), [n, ...model.inputShape]);
      const output = model.net.predict(input) as tf.Tensor;
      return logits ? tf.softmax(output) : output;
    });
    // Read outside tidy: reading inside it is slow on WASM.
    const values = probs.dataSync() as Float32Array;
    probs.dispose();
    const bad = values.findIndex((v) => !Number.isFinite(v));
    if (bad >= 0) {
      throw new DigitkitError(
        'NON_FINITE_OUTPUT',
        `The ${model.kind} model gave a non-finite output (${values[bad]}) for image ${start + Math.floor(bad / model.numClasses)}: ` +
          'its weights are broken (NaN or Infinity, e.g. from a diverged training run). Train it again or load another model.',
      );
    }
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

/** True when the model's last layer is a softmax, i.e. it outputs probabilities rather than logits. */
export function outputsProbabilities(model: DigitModel): boolean {
  const last = model.net.layers[model.net.layers.length - 1];
  return (last?.getConfig() as { activation?: string } | undefined)?.activation === 'softmax';
}
