import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { correctCount, crossEntropySum } from './loss.js';
import { setup } from './test-support.js';

beforeAll(setup);

const logits = [
  [2, -1, 0.5],
  [0.1, 0.2, 3],
  [-4, 8, 1],
  [30, -30, 0],
];
const labels = [0, 1, 1, 2];

/** The textbook loss, summed: -sum(onehot * log softmax(z)), and its plain autodiff gradient. */
function textbook(z: tf.Tensor2D, target: tf.Tensor2D) {
  return tf.valueAndGrad((zz: tf.Tensor) => tf.neg(tf.sum(tf.mul(tf.logSoftmax(zz), target))) as tf.Scalar)(z);
}

describe('crossEntropySum', () => {
  it('from logits: the value and gradient of the textbook loss, the gradient scaled', () => {
    tf.tidy(() => {
      const z = tf.tensor2d(logits);
      const target = tf.oneHot(labels, 3) as tf.Tensor2D;
      const expected = textbook(z, target);
      const { value, grad } = tf.valueAndGrad((zz: tf.Tensor) => crossEntropySum(zz as tf.Tensor2D, target, false, { gradientScale: 0.25 }))(z);
      expect(value.dataSync()[0]).toBeCloseTo(expected.value.dataSync()[0]!, 4);
      const want = expected.grad.dataSync();
      grad.dataSync().forEach((g, i) => expect(g).toBeCloseTo(want[i]! * 0.25, 5));
    });
  });

  it('from softmax probabilities: the value capped per image, the gradient through the softmax exactly the one from logits', () => {
    tf.tidy(() => {
      const z = tf.tensor2d(logits);
      const target = tf.oneHot(labels, 3) as tf.Tensor2D;
      const expected = textbook(z, target);
      const softmaxLoss = (zz: tf.Tensor) => crossEntropySum(tf.softmax(zz) as tf.Tensor2D, target, true, { smallestProbability: 1e-7 });
      const { value, grad } = tf.valueAndGrad(softmaxLoss)(z);
      // Row 4 is confidently wrong (p = e^-30 < 1e-7): its loss is capped at -log(1e-7), as evaluate reports it.
      const capped = expected.value.dataSync()[0]! - 30 - Math.log1p(Math.exp(-30) + Math.exp(-60)) + -Math.log(1e-7);
      expect(value.dataSync()[0]).toBeCloseTo(capped, 3);
      // The gradient is the uncapped loss's: row 4 pulls towards its label as hard as from logits.
      const want = expected.grad.dataSync();
      grad.dataSync().forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 5));
    });
  });

  it('from probabilities as training uses it: finite when the label has p = 0, NaN when the output is', () => {
    tf.tidy(() => {
      const p = tf.tensor2d([
        [0, 1, 0],
        [0.5, 0.5, 0],
      ]);
      expect(crossEntropySum(p, tf.oneHot([1, 0], 3) as tf.Tensor2D, true).dataSync()[0]).toBeCloseTo(Math.log(2), 6);
      expect(crossEntropySum(p, tf.oneHot([0, 0], 3) as tf.Tensor2D, true).dataSync()[0]).toBeCloseTo(-Math.log(1.1754944e-38) + Math.log(2), 3);
      const broken = tf.tensor2d([[Number.NaN, 0.5, 0.5]]);
      expect(crossEntropySum(broken, tf.oneHot([1], 3) as tf.Tensor2D, true).dataSync()[0]).toBeNaN();
    });
  });
});

describe('crossEntropySum with non-digits (rows of equal probabilities)', () => {
  // Row 1 is a non-digit: its target is 1/3 for each class.
  const soft = [
    [1 / 3, 1 / 3, 1 / 3],
    [0, 1, 0],
  ];
  const z = [
    [2, -1, 0.5],
    [0.1, 0.2, 3],
  ];
  const entropy = Math.log(3);
  it('from logits and from probabilities: the KL divergence as value (0 when the output is the target), the cross-entropy gradient', () => {
    tf.tidy(() => {
      const target = tf.tensor2d(soft);
      const expected = textbook(tf.tensor2d(z), target);
      for (const probabilities of [false, true]) {
        const loss = (zz: tf.Tensor) =>
          crossEntropySum((probabilities ? tf.softmax(zz) : zz) as tf.Tensor2D, target, probabilities, { targetEntropy: entropy });
        const { value, grad } = tf.valueAndGrad(loss)(tf.tensor2d(z));
        expect(value.dataSync()[0]).toBeCloseTo(expected.value.dataSync()[0]! - entropy, 4);
        const want = expected.grad.dataSync();
        grad.dataSync().forEach((g, i) => expect(g).toBeCloseTo(want[i]!, 5));
        // A non-digit answered with equal probabilities costs nothing.
        const perfect = crossEntropySum(tf.tensor2d([[1 / 3, 1 / 3, 1 / 3]]), tf.tensor2d([soft[0]!]), true, { targetEntropy: entropy });
        expect(perfect.dataSync()[0]).toBeCloseTo(0, 5);
      }
    });
  });
});

describe('correctCount', () => {
  it('counts the rows whose largest value is at the label', () => {
    tf.tidy(() => {
      // Rows 1 and 3 are right; row 2 says 2 for a 1, row 4 says 0 for a 2.
      expect(correctCount(tf.tensor2d(logits), tf.tensor1d(labels, 'int32')).dataSync()[0]).toBe(2);
    });
  });
  it('with non-digits (label -1): right when no class gets half the probability', () => {
    tf.tidy(() => {
      const p = tf.tensor2d([
        [0.4, 0.3, 0.3], // a non-digit, unsure: right
        [0.1, 0.8, 0.1], // a non-digit called 1: wrong
        [0.1, 0.8, 0.1], // a 1: right
      ]);
      expect(correctCount(p, tf.tensor1d([-1, -1, 1], 'int32'), { probabilities: true }).dataSync()[0]).toBe(2);
      expect(correctCount(p, tf.tensor1d([-1, -1, 1], 'int32')).dataSync()[0]).toBe(1);
    });
  });
});
