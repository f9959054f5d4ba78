import * as tf from '@tensorflow/tfjs-core';

/** evaluate caps the loss of one image at -log(this), as Keras reports it (a confident miss gives p = 0). */
export const SMALLEST_PROBABILITY = 1e-7;
/** The smallest normal float32: dividing by it stays finite, so the gradient below is exact for any p above it. */
export const FLOAT32_TINY = 1.1754944e-38;

/**
 * Softmax cross-entropy of a batch, summed over it: `output` is the model's output (probabilities
 * when `probabilities`, else logits), `target` the one-hot labels; `scale` multiplies the gradient
 * (1/n gives the gradient of the mean loss). The gradient is written out (one division for
 * probabilities, softmax minus target for logits), so autodiff records a few kernels instead of the
 * clip/log/sum chain's twenty, and it is the uncapped loss's: through a softmax layer it comes to
 * exactly p - target, so a confidently wrong image still pulls, however small its p.
 */
export function crossEntropySum(output: tf.Tensor2D, target: tf.Tensor2D, probabilities: boolean, options: CrossEntropyOptions = {}): tf.Scalar {
  const scale = options.gradientScale ?? 1;
  const entropy = options.targetEntropy ?? 0;
  const loss = probabilities
    ? fromProbabilities(target, scale, options.smallestProbability ?? FLOAT32_TINY, entropy)
    : fromLogits(target, scale, entropy);
  return loss(output);
}

export interface CrossEntropyOptions {
  /** Multiplies the gradient (1/n: the gradient of the mean). Default 1. */
  gradientScale?: number;
  /**
   * From probabilities: the label's probability counts as at least this in the value (not the
   * gradient). Default the smallest float32: a label whose p underflowed to 0 (a logit gap of some
   * 90 against it, common at too high a rate) costs 87.3, finite as from logits; a model whose
   * weights overflow still shows as NaN.
   */
  smallestProbability?: number;
  /**
   * The summed entropy of the target rows (0 for one-hot rows; ln C for a row of C equal probabilities, a synthetic
   * non-digit's). When above 0 the rows are read as distributions and the value is their KL divergence from the
   * output (cross-entropy minus this), which is 0 for a perfect answer as with one-hot targets; the gradient is the
   * cross-entropy's either way.
   */
  targetEntropy?: number;
}

/**
 * How many rows of `output` have their largest value at the row's label (`labels`: int32). With `negatives`, rows
 * labelled -1 (synthetic non-digits) count as right when no class gets half the probability: the model is unsure.
 */
export function correctCount(output: tf.Tensor2D, labels: tf.Tensor1D, negatives?: { probabilities: boolean }): tf.Scalar {
  return tf.tidy((): tf.Scalar => {
    const named = tf.sum(tf.cast(tf.equal(tf.argMax(output, 1), labels), 'float32')) as tf.Scalar;
    if (!negatives) return named;
    const p = negatives.probabilities ? output : tf.softmax(output);
    const unsure = tf.logicalAnd(tf.less(labels, 0), tf.less(tf.max(p, 1), 0.5));
    return tf.add(named, tf.sum(tf.cast(unsure, 'float32')));
  });
}

type Loss = (output: tf.Tensor) => tf.Scalar;

function fromProbabilities(target: tf.Tensor2D, scale: number, smallest: number, entropy: number): Loss {
  return tf.customGrad(((p: tf.Tensor, save: tf.GradSaveFunc) => {
    save([p]);
    // One-hot rows: the label's probability alone, so other classes at p = 0 (common) cannot make 0 * log 0 = NaN.
    // Distributions: every class's log, each floored the same way.
    const value =
      entropy > 0
        ? tf.sub(tf.neg(tf.sum(tf.mul(target, tf.log(tf.maximum(p, smallest))))), entropy)
        : tf.neg(tf.sum(tf.log(tf.maximum(tf.sum(tf.mul(p, target), 1), smallest))));
    return {
      value: value as tf.Scalar,
      // d/dp of -sum(target * log p) is -target / p; softmax's own gradient then gives p - target.
      gradFunc: (dy: tf.Scalar, [kept]: tf.Tensor[]) => tf.mul(tf.div(target, tf.maximum(kept!, FLOAT32_TINY)), tf.mul(dy, -scale)),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Loss;
}

function fromLogits(target: tf.Tensor2D, scale: number, entropy: number): Loss {
  return tf.customGrad(((z: tf.Tensor, save: tf.GradSaveFunc) => {
    const logProbs = tf.logSoftmax(z);
    save([logProbs]);
    const crossEntropy = tf.neg(tf.sum(tf.mul(logProbs, target)));
    return {
      value: (entropy > 0 ? tf.sub(crossEntropy, entropy) : crossEntropy) as tf.Scalar,
      gradFunc: (dy: tf.Scalar, [kept]: tf.Tensor[]) => tf.mul(tf.sub(tf.exp(kept!), target), tf.mul(dy, scale)),
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]) as unknown as Loss;
}
