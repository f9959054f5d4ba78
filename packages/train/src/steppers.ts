import * as tf from '@tensorflow/tfjs-core';
import type { DigitModel } from '@digitkit/core';
import { Optimizer } from './optimizer.js';
import type { OptimizerName } from './options.js';
import { correctCount, crossEntropySum } from './loss.js';
import { outputsProbabilities } from '@digitkit/model';
import { NOT_A_DIGIT } from './batch.js';

/** What tfjs-layers keeps a weight in (its LayerVariable), reduced to what the loop uses. */
export interface WeightHandle {
  readonly name: string;
  readonly shape: number[];
  read(): tf.Variable;
  write(value: tf.Tensor): unknown;
}

/** The gradients of one batch (or one worker's shard of it), with its loss sum and correct count; the caller owns them. */
export interface Gradients {
  grads: tf.Tensor[];
  lossSum: tf.Scalar;
  correct: tf.Scalar;
}

/**
 * One training step on one batch; the loss and correct count stay on the device. The in-process loop
 * calls `step`; a worker calls `gradients` on its shard, sums every worker's gradients, then `apply`:
 * the same code either way.
 */
export interface Stepper {
  readonly optimizer: Optimizer;
  /**
   * Trains on `n` images (`x`: n * features floats) and returns [loss summed over the batch, correct count].
   * `seed` draws the step's dropout masks (the loop's `dropoutSeed`): the same seed, the same masks.
   */
  step(x: Float32Array, labels: Uint8Array, n: number, learningRate: number, seed: number): [tf.Scalar, tf.Scalar];
  /** The gradients of the loss summed over `n` images, times `scale` (1 / the whole batch's size: the gradient of its mean). */
  gradients(x: Float32Array, labels: Uint8Array, n: number, scale: number, seed: number): Gradients;
  /** Updates the weights with `grads` (one per trainable weight, in order) at `learningRate`. */
  apply(grads: readonly tf.Tensor[], learningRate: number): void;
  dispose(): void;
}

/** What tfjs-layers' Dropout reads its mask's seed from on each call. */
interface DropoutSeed {
  seed: number | undefined;
}

export function trainableHandles(model: DigitModel): WeightHandle[] {
  return model.net.trainableWeights as unknown as WeightHandle[];
}

/**
 * The training step of every model: `tf.variableGrads` through the layers model (dropout active),
 * the loss from ./loss.ts, then the optimizer. Its speed on WASM comes from the backend's kernels
 * (@digitkit/model's `WASM_TRAINING_KERNELS`, registered when the backend starts), not from a second model definition.
 */
export function createStepper(
  model: DigitModel,
  optimizer: OptimizerName,
  weightDecay: number,
): Stepper {
  const params = trainableHandles(model);
  const opt = new Optimizer(optimizer, params.map((p) => p.shape), weightDecay);
  const probabilities = outputsProbabilities(model);
  const classes = model.numClasses;
  const inputShape = [...model.inputShape];
  const features = inputShape.reduce((a, b) => a * b, 1);
  let onehot = new Float32Array(0);
  let labelsInt = new Int32Array(0);

  const dropouts = model.net.layers.filter((layer) => layer.getClassName() === 'Dropout') as unknown as DropoutSeed[];

  const gradients = (x: Float32Array, labels: Uint8Array, n: number, scale: number, seed: number): Gradients => {
    if (labelsInt.length < n) {
      onehot = new Float32Array(n * classes);
      labelsInt = new Int32Array(n);
    }
    const { y, labelView, negatives } = encodeLabels(labels, n, classes, onehot, labelsInt);
    const variables = params.map((p) => p.read());
    // A seed per step (and layer): TF.js draws an unseeded mask from Math.random, and a layer's fixed seed the same mask every step.
    dropouts.forEach((layer, k) => (layer.seed = seed + k));
    try {
      return tf.tidy(() => {
        const input = tf.tensor(x.subarray(0, n * features), [n, ...inputShape]);
        const target = tf.tensor2d(y, [n, classes]);
        const labelTensor = tf.tensor1d(labelView, 'int32');
        let out: tf.Tensor2D | undefined;
        // The loss is summed (what the loop reports); its gradient is scaled to that of the mean.
        const { value: lossSum, grads } = tf.variableGrads(() => {
          // call, not apply: the model is built, and apply's symbolic checks cost more than a small kernel.
          const result = model.net.call(input, { training: true });
          out = tf.keep((Array.isArray(result) ? result[0] : result) as tf.Tensor2D);
          return crossEntropySum(out, target, probabilities, { gradientScale: scale, targetEntropy: negatives * Math.log(classes) });
        }, variables);
        // Counted off the tape: nothing differentiates the argmax.
        const correct = correctCount(out!, labelTensor, negatives > 0 ? { probabilities } : undefined);
        out!.dispose();
        return { grads: variables.map((v) => grads[v.name]!), lossSum, correct };
      });
    } finally {
      // As built: the seed is not part of the model a checkpoint or a save writes.
      for (const layer of dropouts) layer.seed = undefined;
    }
  };

  const apply = (grads: readonly tf.Tensor[], learningRate: number) => {
    const variables = params.map((p) => p.read());
    const next = tf.tidy(() => opt.apply(variables, grads, learningRate));
    params.forEach((p, i) => p.write(next[i]!));
    tf.dispose(next);
  };

  return {
    optimizer: opt,
    gradients,
    apply,
    step(x, labels, n, learningRate, seed) {
      const { grads, lossSum, correct } = gradients(x, labels, n, 1 / n, seed);
      apply(grads, learningRate);
      tf.dispose(grads);
      return [lossSum, correct];
    },
    dispose() {
      opt.dispose();
    },
  };
}

/** Puts a step's updated values into the weights and frees them; gives back the step's [loss sum, correct count]. */
export function writeUpdate(
  params: readonly WeightHandle[],
  result: { next: tf.Tensor[]; lossSum: tf.Scalar; correct: tf.Scalar },
): [tf.Scalar, tf.Scalar] {
  params.forEach((p, i) => p.write(result.next[i]!));
  tf.dispose(result.next);
  return [result.lossSum, result.correct];
}

/**
 * One-hot targets and int32 labels of the first `n` labels, written into the reusable buffers. A non-digit
 * (NOT_A_DIGIT) gets every class equally as its target and the label -1; `negatives` counts them.
 */
export function encodeLabels(labels: Uint8Array, n: number, classes: number, onehot: Float32Array, labelsInt: Int32Array) {
  const y = onehot.subarray(0, n * classes);
  y.fill(0);
  const labelView = labelsInt.subarray(0, n);
  let negatives = 0;
  for (let r = 0; r < n; r++) {
    if (labels[r] === NOT_A_DIGIT) {
      y.fill(1 / classes, r * classes, (r + 1) * classes);
      labelView[r] = -1;
      negatives++;
    } else {
      y[r * classes + labels[r]!] = 1;
      labelView[r] = labels[r]!;
    }
  }
  return { y, labelView, negatives };
}
