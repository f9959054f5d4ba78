import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError, type DigitModel, type Evaluation, type ImageSet } from '@digitkit/core';
import { SMALLEST_PROBABILITY, crossEntropySum } from './loss.js';
import { outputsProbabilities } from '@digitkit/model';

/** byte -> [0, 1], the scale every digitkit model is trained in (pixel / 255). */
const UNIT = Float32Array.from({ length: 256 }, (_, v) => v / 255);

export interface EvaluateOptions {
  /** Images per forward pass. Default 1000. */
  batchSize?: number;
}

/** Throws a DigitkitError when `set` does not fit `model` (image size, labels, empty set). */
export function checkSetFitsModel(model: DigitModel, set: ImageSet, what: string): void {
  if (!set || !(set.images instanceof Uint8Array) || !(set.labels instanceof Uint8Array)) {
    throw new DigitkitError('BAD_DATA', `The ${what} set is not an ImageSet (images and labels as Uint8Array).`);
  }
  if (!Number.isInteger(set.count) || set.count < 1) {
    throw new DigitkitError('BAD_DATA', `The ${what} set is empty (count ${String(set.count)}): give it at least one image.`);
  }
  const features = model.inputShape.reduce((a, b) => a * b, 1);
  const [height, width] = imageSize(model.inputShape) ?? [set.height, set.width];
  if (set.height !== height || set.width !== width || height * width !== features) {
    throw new DigitkitError(
      'BAD_DATA',
      `The ${what} set has ${set.height}x${set.width} images but this ${model.kind} takes ${height}x${width} images (${features} pixels, input shape [${model.inputShape.join(', ')}]). Give it ${height}x${width} images.`,
    );
  }
  if (set.images.length < set.count * features || set.labels.length < set.count) {
    throw new DigitkitError(
      'BAD_DATA',
      `The ${what} set says it has ${set.count} images but holds ${set.images.length} pixel bytes and ${set.labels.length} labels.`,
    );
  }
  for (let i = 0; i < set.count; i++) {
    if (set.labels[i]! >= model.numClasses) {
      throw new DigitkitError(
        'BAD_DATA',
        `The ${what} set's label at index ${i} is ${set.labels[i]}, but the model has ${model.numClasses} classes (0..${model.numClasses - 1}).`,
      );
    }
  }
}

/** The image height and width a model takes: its first two non-unit input axes, or a square for a flat input (784: 28x28); undefined when unknown. */
// Checking the pixel count alone let 14x56 images through to a 28x28 model, read as 28x28 and scored as digits.
function imageSize(inputShape: readonly number[]): [number, number] | undefined {
  const axes = inputShape.filter((d) => d !== 1);
  if (axes.length >= 2) return [axes[0]!, axes[1]!];
  const side = Math.sqrt(axes[0] ?? 1);
  return Number.isInteger(side) ? [side, side] : undefined;
}

/**
 * Evaluates a model on a labelled set: mean cross-entropy loss, accuracy, confusion matrix,
 * per-class precision and recall, and which images it got wrong. Runs in batches, reads each
 * batch's predictions once, and frees every tensor it makes.
 */
export function evaluate(model: DigitModel, set: ImageSet, options: EvaluateOptions = {}): Evaluation {
  const batchSize = evaluateBatchSize(options);
  checkSetFitsModel(model, set, 'evaluation');
  const { predicted, lossSum, outputSum } = evaluateRange(model, set, 0, set.count, batchSize);
  return finishEvaluation(model, set, predicted, lossSum, outputSum);
}

export function evaluateBatchSize(options: EvaluateOptions): number {
  const batchSize = options.batchSize ?? 1000;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new DigitkitError('BAD_OPTION', `evaluate: batchSize must be an integer >= 1, got ${String(batchSize)}.`);
  }
  return batchSize;
}

/** The loss, finiteness check and counts of a set whose images were predicted (in one piece or in ranges). */
export function finishEvaluation(model: DigitModel, set: ImageSet, predicted: Uint8Array, lossSum: number, outputSum: number): Evaluation {
  const loss = lossSum / set.count;
  checkFinite(model, loss, outputSum);
  return summarize(set.labels.subarray(0, set.count), predicted, model.numClasses, loss);
}

/**
 * Predicts images [start, end) of a checked set in batches: their predicted labels, loss sum and the
 * sum of the model's outputs (non-finite when any output is). A worker runs it on its part of a set.
 */
export function evaluateRange(
  model: DigitModel,
  set: ImageSet,
  start: number,
  end: number,
  batchSize: number,
): { predicted: Uint8Array; lossSum: number; outputSum: number } {
  const classes = model.numClasses;
  const features = model.inputShape.reduce((a, b) => a * b, 1);
  const probabilities = outputsProbabilities(model);
  const count = end - start;
  const predicted = new Uint8Array(count);
  const buffer = new Float32Array(Math.max(1, Math.min(batchSize, count)) * features);
  const onehot = new Float32Array(Math.max(1, Math.min(batchSize, count)) * classes);
  let lossTotal = tf.scalar(0);
  let outputTotal = tf.scalar(0);
  for (let first = start; first < end; first += batchSize) {
    const n = Math.min(batchSize, end - first);
    const x = buffer.subarray(0, n * features);
    const pixels = set.images.subarray(first * features, (first + n) * features);
    for (let i = 0; i < x.length; i++) x[i] = UNIT[pixels[i]!]!;
    const y = onehot.subarray(0, n * classes);
    y.fill(0);
    for (let r = 0; r < n; r++) y[r * classes + set.labels[first + r]!] = 1;
    const [labels, total, outputs] = tf.tidy(() => {
      const out = model.net.apply(tf.tensor(x, [n, ...model.inputShape]), { training: false }) as tf.Tensor2D;
      const loss = crossEntropySum(out, tf.tensor2d(y, [n, classes]), probabilities, { smallestProbability: SMALLEST_PROBABILITY });
      return [tf.argMax(out, 1), tf.add(lossTotal, loss), tf.add(outputTotal, tf.sum(out))];
    });
    lossTotal.dispose();
    lossTotal = total as tf.Scalar;
    outputTotal.dispose();
    outputTotal = outputs as tf.Scalar;
    // Read outside tidy: reading inside it is slow on WASM.
    predicted.set(labels.dataSync(), first - start);
    labels.dispose();
  }
  const lossSum = lossTotal.dataSync()[0] ?? Number.NaN;
  lossTotal.dispose();
  const outputSum = outputTotal.dataSync()[0] ?? Number.NaN;
  outputTotal.dispose();
  return { predicted, lossSum, outputSum };
}

/**
 * Throws when the model's outputs were NaN or infinite anywhere (their sum is then non-finite). The loss alone
 * does not tell: clipping before the log turns NaN probabilities into a finite loss on some backends (WASM).
 */
export function checkFinite(model: DigitModel, loss: number, outputSum: number): void {
  if (Number.isFinite(loss) && Number.isFinite(outputSum)) return;
  throw new DigitkitError(
    'NON_FINITE_OUTPUT',
    `The ${model.kind} model gives non-finite outputs (loss ${loss}, sum of outputs ${outputSum}): its weights hold NaN or ` +
      'Infinity, e.g. from a diverged training run. Train it again (a lower learning rate) or load another model.',
  );
}

/** The counts and ratios of an Evaluation from true and predicted labels (pure JS, exported for tests). */
export function summarize(truth: Uint8Array, predicted: Uint8Array, classes: number, loss: number): Evaluation {
  const confusion = Array.from({ length: classes }, () => new Array<number>(classes).fill(0));
  const misclassified: number[] = [];
  let correct = 0;
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = predicted[i]!;
    confusion[t]![p]!++;
    if (t === p) correct++;
    else misclassified.push(i);
  }
  // A class never predicted has no precision to speak of; 0 (not NaN) keeps the JSON valid.
  const precision = confusion.map((_, c) => {
    let column = 0;
    for (let t = 0; t < classes; t++) column += confusion[t]![c]!;
    return column === 0 ? 0 : confusion[c]![c]! / column;
  });
  const recall = confusion.map((row, c) => {
    const total = row.reduce((a, b) => a + b, 0);
    return total === 0 ? 0 : row[c]! / total;
  });
  return {
    count: truth.length,
    loss,
    accuracy: truth.length === 0 ? 0 : correct / truth.length,
    confusion,
    precision,
    recall,
    misclassified,
    predicted,
  };
}
