import * as tf from '@tensorflow/tfjs-core';
import type { DigitModel } from '@digitkit/core';
import { Optimizer } from './optimizer.js';
import type { OptimizerName } from './options.js';
import { correctCount, crossEntropySum } from './loss.js';
import { outputsProbabilities } from '@digitkit/model';

/** What tfjs-layers keeps a weight in (its LayerVariable), reduced to what the loop uses. */
export interface WeightHandle {
  readonly name: string;
  readonly shape: number[];
  read(): tf.Variable;
  write(value: tf.Tensor): unknown;
}

/** One training step on one batch; the loss and correct count stay on the device. */
export interface Stepper {
  readonly optimizer: Optimizer;
  /** Trains on `n` images (`x`: n * features floats) and returns [loss summed over the batch, correct count]. */
  step(x: Float32Array, labels: Uint8Array, n: number, learningRate: number): [tf.Scalar, tf.Scalar];
  dispose(): void;
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

  return {
    optimizer: opt,
    step(x, labels, n, learningRate) {
      if (labelsInt.length < n) {
        onehot = new Float32Array(n * classes);
        labelsInt = new Int32Array(n);
      }
      const { y, labelView } = encodeLabels(labels, n, classes, onehot, labelsInt);
      const variables = params.map((p) => p.read());
      const result = tf.tidy(() => {
        const input = tf.tensor(x.subarray(0, n * features), [n, ...inputShape]);
        const target = tf.tensor2d(y, [n, classes]);
        const labelTensor = tf.tensor1d(labelView, 'int32');
        let out: tf.Tensor2D | undefined;
        // The loss is summed (what the loop reports); its gradient is scaled to that of the mean.
        const { value: lossSum, grads } = tf.variableGrads(() => {
          // call, not apply: the model is built, and apply's symbolic checks cost more than a small kernel.
          const result = model.net.call(input, { training: true });
          out = tf.keep((Array.isArray(result) ? result[0] : result) as tf.Tensor2D);
          return crossEntropySum(out, target, probabilities, { gradientScale: 1 / n });
        }, variables);
        // Counted off the tape: nothing differentiates the argmax.
        const correct = correctCount(out!, labelTensor);
        out!.dispose();
        const next = opt.apply(
          variables,
          variables.map((v) => grads[v.name]!),
          learningRate,
        );
        return { next, lossSum, correct };
      });
      return writeUpdate(params, result);
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

/** One-hot targets and int32 labels of the first `n` labels, written into the reusable buffers. */
export function encodeLabels(labels: Uint8Array, n: number, classes: number, onehot: Float32Array, labelsInt: Int32Array) {
  const y = onehot.subarray(0, n * classes);
  y.fill(0);
  const labelView = labelsInt.subarray(0, n);
  for (let r = 0; r < n; r++) {
    y[r * classes + labels[r]!] = 1;
    labelView[r] = labels[r]!;
  }
  return { y, labelView };
}
