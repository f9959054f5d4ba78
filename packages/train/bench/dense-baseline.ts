// The hand-written Dense forward/backward that train() used for MLPs until the one-stepper change:
// removed from src (a second model definition), kept here only as the "before" that the bench times
// beside train()'s one stepper in the same run. Not exported, not tested, not to be used.
import * as tf from '@tensorflow/tfjs-core';
import type { DigitModel } from '@digitkit/core';
import { Optimizer } from '../src/optimizer.js';
import type { OptimizerName } from '../src/options.js';
import { encodeLabels, type Stepper, type WeightHandle, writeUpdate } from '../src/steppers.js';

/** Activation names as tfjs-layers serializes them. */
type Activation = 'relu' | 'linear' | 'softmax';

interface DenseSpec {
  kernel: WeightHandle;
  bias: WeightHandle | null;
  activation: Activation;
}

/**
 * The layers of a plain stack of trainable Dense layers (ReLU or linear hidden, softmax or linear
 * output), or null when the model is anything else (dropout, convolutions, frozen layers...).
 */
function denseStack(model: DigitModel): DenseSpec[] | null {
  if (model.inputShape.length !== 1) return null;
  const specs: DenseSpec[] = [];
  for (const layer of model.net.layers) {
    const kind = layer.getClassName();
    if (kind === 'InputLayer') continue;
    if (kind !== 'Dense' || !layer.trainable) return null;
    const config = layer.getConfig() as { activation?: string; useBias?: boolean };
    const activation = config.activation ?? 'linear';
    if (activation !== 'relu' && activation !== 'linear' && activation !== 'softmax') return null;
    const weights = layer.trainableWeights as unknown as WeightHandle[];
    const kernel = weights.find((w) => w.shape.length === 2);
    const bias = weights.find((w) => w.shape.length === 1) ?? null;
    if (!kernel || weights.length !== (bias ? 2 : 1)) return null;
    specs.push({ kernel, bias, activation: activation as Activation });
  }
  if (specs.length === 0) return null;
  // Softmax only makes sense on the output; elsewhere fall back to autodiff.
  if (specs.slice(0, -1).some((s) => s.activation === 'softmax')) return null;
  return specs;
}

/**
 * The fast path for Dense stacks. Gradients are written out by hand so that no matMul needs a
 * transposed operand (WASM's transposed matMul is ~12x slower): the batch is also uploaded
 * transposed for the first layer's weight gradient, and the smaller operands are transposed
 * explicitly. Softmax and cross-entropy are fused into `softmax(logits) - onehot`.
 */
export function createDenseStepper(model: DigitModel, optimizer: OptimizerName, weightDecay: number): Pick<Stepper, 'optimizer' | 'step' | 'dispose'> {
  const specs = denseStack(model);
  if (!specs) throw new Error('The Dense baseline runs plain Dense stacks only (mlp() without dropout).');
  const params = specs.flatMap((s) => (s.bias ? [s.kernel, s.bias] : [s.kernel]));
  // The composed optimizer ops, as this path ran them (the fused update kernels came after it).
  const opt = new Optimizer(optimizer, params.map((p) => p.shape), weightDecay, false);
  const features = model.inputShape[0]!;
  const classes = model.numClasses;
  let transposed = new Float32Array(0);
  let onehot = new Float32Array(0);
  let labelsInt = new Int32Array(0);

  return {
    optimizer: opt,
    step(x, labels, n, learningRate) {
      if (transposed.length < n * features) {
        transposed = new Float32Array(n * features);
        onehot = new Float32Array(n * classes);
        labelsInt = new Int32Array(n);
      }
      const xT = transposed.subarray(0, n * features);
      // Row-major [n, features] -> [features, n], reading rows sequentially.
      for (let r = 0; r < n; r++) {
        const row = r * features;
        for (let k = 0; k < features; k++) xT[k * n + r] = x[row + k]!;
      }
      const { y, labelView } = encodeLabels(labels, n, classes, onehot, labelsInt);
      const values = params.map((p) => p.read());
      const result = tf.tidy(() => {
        const input = tf.tensor2d(x.subarray(0, n * features), [n, features]);
        const inputT = tf.tensor2d(xT, [features, n]);
        const target = tf.tensor2d(y, [n, classes]);
        const labelTensor = tf.tensor1d(labelView, 'int32');
        // Forward, keeping each layer's output for the backward pass.
        const outputs: tf.Tensor2D[] = [input];
        let h = input;
        specs.forEach((s, i) => {
          const z = tf.matMul(h, s.kernel.read() as tf.Tensor2D);
          const zb = (s.bias ? tf.add(z, s.bias.read()) : z) as tf.Tensor2D;
          h = i < specs.length - 1 && s.activation === 'relu' ? tf.relu(zb) : zb;
          outputs.push(h);
        });
        const logits = h;
        const logProbs = tf.logSoftmax(logits);
        const lossSum = tf.neg(tf.sum(tf.mul(logProbs, target))) as tf.Scalar;
        const correct = tf.sum(tf.cast(tf.equal(tf.argMax(logits, 1), labelTensor), 'float32')) as tf.Scalar;
        // d(mean loss)/d(logits) for softmax + cross-entropy.
        let dz = tf.mul<tf.Tensor2D>(tf.sub(tf.exp(logProbs), target), tf.scalar(1 / n));
        const grads: tf.Tensor[] = [];
        for (let i = specs.length - 1; i >= 0; i--) {
          const s = specs[i]!;
          const below = outputs[i]!;
          const dKernel = i === 0 ? tf.matMul(inputT, dz) : tf.matMul(tf.transpose(below), dz);
          if (s.bias) grads.unshift(dKernel, tf.sum(dz, 0));
          else grads.unshift(dKernel);
          if (i > 0) {
            const dBelow = tf.matMul(dz, tf.transpose(s.kernel.read() as tf.Tensor2D));
            dz = (specs[i - 1]!.activation === 'relu' ? tf.mul(dBelow, tf.step(below)) : dBelow) as tf.Tensor2D;
          }
        }
        const next = opt.apply(values, grads, learningRate);
        return { next, lossSum, correct };
      });
      return writeUpdate(params, result);
    },
    dispose() {
      opt.dispose();
    },
  };
}
