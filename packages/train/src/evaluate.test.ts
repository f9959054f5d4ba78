import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { beforeAll, describe, expect, it } from 'vitest';
import type { DigitModel, ImageSet } from '@digitkit/core';
import { evaluate } from './evaluate.js';
import { setup, tensorCount } from './test-support.js';

beforeAll(setup);

/**
 * A 2x2-pixel, 3-class model whose answer is known: pixel p (p < 3) votes for class p with weight 10,
 * pixel 3 votes for nothing. An image lit at one pixel is classified as that pixel's class.
 */
function pixelVoter(): DigitModel {
  const net = tfl.sequential({
    layers: [tfl.layers.dense({ units: 3, inputShape: [4], activation: 'softmax', useBias: false })],
  });
  const kernel = tf.tensor2d([10, 0, 0, 0, 10, 0, 0, 0, 10, 0, 0, 0], [4, 3]);
  net.setWeights([kernel]);
  kernel.dispose();
  return { kind: 'mlp', inputShape: [4], numClasses: 3, net };
}

function litImages(pixels: number[], labels: number[]): ImageSet {
  const images = new Uint8Array(pixels.length * 4);
  pixels.forEach((p, i) => (images[i * 4 + p] = 255));
  return { images, labels: Uint8Array.from(labels), count: labels.length, height: 2, width: 2, numClasses: 3 };
}

describe('evaluate', () => {
  it('gives the confusion matrix, precision, recall and misclassified images of a hand-checked case', () => {
    const model = pixelVoter();
    // predicted: 0 0 1 1 2 2 1 ; truth: 0 1 1 1 2 0 2
    const set = litImages([0, 0, 1, 1, 2, 2, 1], [0, 1, 1, 1, 2, 0, 2]);
    const before = tensorCount();
    const result = evaluate(model, set, { batchSize: 3 });
    expect(tensorCount()).toBe(before);
    expect(Array.from(result.predicted)).toEqual([0, 0, 1, 1, 2, 2, 1]);
    expect(result.confusion).toEqual([
      [1, 0, 1],
      [1, 2, 0],
      [0, 1, 1],
    ]);
    expect(result.accuracy).toBeCloseTo(4 / 7, 12);
    expect(result.misclassified).toEqual([1, 5, 6]);
    // precision = diagonal / column sum; recall = diagonal / row sum
    expect(result.precision[0]).toBeCloseTo(1 / 2, 12);
    expect(result.precision[1]).toBeCloseTo(2 / 3, 12);
    expect(result.precision[2]).toBeCloseTo(1 / 2, 12);
    expect(result.recall[0]).toBeCloseTo(1 / 2, 12);
    expect(result.recall[1]).toBeCloseTo(2 / 3, 12);
    expect(result.recall[2]).toBeCloseTo(1 / 2, 12);
    // Cross-entropy by hand: logits 10 on the lit pixel's class; p(right) = e^10/(e^10+2), p(wrong) = 1/(e^10+2).
    const right = -Math.log(Math.exp(10) / (Math.exp(10) + 2));
    const wrong = -Math.log(1 / (Math.exp(10) + 2));
    expect(result.loss).toBeCloseTo((4 * right + 3 * wrong) / 7, 4);
    expect(result.count).toBe(7);
    model.net.dispose();
  });

  it('reports 0 (not NaN) precision for a class never predicted', () => {
    const model = pixelVoter();
    const result = evaluate(model, litImages([0, 1, 3], [0, 1, 2]));
    // Pixel 3 gives equal logits: argMax picks class 0.
    expect(result.precision[2]).toBe(0);
    expect(result.recall[2]).toBe(0);
    expect(result.confusion[2]).toEqual([1, 0, 0]);
    model.net.dispose();
  });

  it('rejects a set whose images do not fit the model, and a bad batch size', () => {
    const model = pixelVoter();
    const wrongSize: ImageSet = { images: new Uint8Array(9), labels: new Uint8Array(1), count: 1, height: 3, width: 3, numClasses: 3 };
    expect(() => evaluate(model, wrongSize)).toThrowError(/3x3 images but this mlp takes 2x2 images \(4 pixels/);
    // The same pixel count in another shape: a 1x4 row is not a 2x2 image.
    const sameCount: ImageSet = { ...litImages([0], [0]), height: 1, width: 4 };
    expect(() => evaluate(model, sameCount)).toThrowError(/1x4 images but this mlp takes 2x2 images/);
    expect(() => evaluate(model, { ...litImages([], []), images: new Uint8Array(0) })).toThrowError(/evaluation set is empty/);
    const badLabel = litImages([0], [7]);
    expect(() => evaluate(model, badLabel)).toThrowError(/label at index 0 is 7/);
    expect(() => evaluate(model, litImages([0], [0]), { batchSize: 0 })).toThrowError(/batchSize must be an integer >= 1/);
    model.net.dispose();
  });
});
