// The shipped weights: stock TF.js reads them, and quantizing cost at most 0.1 point of test accuracy (the number
// reader's: on numbers made from the test digits).
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type DigitModel, type ImageSet, useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { loadModel, modelFromArtifacts, predict } from '@digitkit/model';
import { normalize } from '@digitkit/preprocess';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import { toArtifacts } from './artifacts.js';
import { SHIPPED_MODELS, SHIPPED_NUMBER_READER } from './index.js';
import { testSetForModel } from '@digitkit/train';
import { quantizeUint8 } from './quantize.js';
import cnn from './shipped/cnn.js';
import mlp from './shipped/mlp.js';
import numbers from './shipped/numbers.js';

const EMBEDDED = { cnn, mlp, numbers };
const FIGURES = { ...SHIPPED_MODELS, numbers: SHIPPED_NUMBER_READER };
/** The least test accuracy each must keep (the number reader's over its 112 classes). */
const FLOOR = { cnn: 0.99, mlp: 0.98, numbers: 0.9 };
let testDigits: ImageSet;

beforeAll(async () => {
  await useBackend('wasm', { log: null });
  ({ test: testDigits } = await loadMnist());
});

function accuracy(model: DigitModel): number {
  const test = testSetForModel(model.kind, testDigits);
  const predictions = predict(model, normalize(test.images), test.count);
  return predictions.filter((p, i) => p.label === test.labels[i]).length / test.count;
}

describe.each(['cnn', 'mlp', 'numbers'] as const)('the shipped %s', (name) => {
  it('is uint8-quantized in TF.js format, one byte per weight, and stock tf.loadLayersModel reads it', async () => {
    const embedded = EMBEDDED[name];
    for (const spec of embedded.weightSpecs) {
      expect(spec.quantization).toMatchObject({ dtype: 'uint8', original_dtype: 'float32' });
      expect(spec.quantization!.scale).toBeGreaterThan(0);
    }
    const artifacts = toArtifacts(embedded);
    expect((artifacts.weightData as ArrayBuffer).byteLength).toBe(FIGURES[name].parameters);
    const net = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
    expect(net.countParams()).toBe(FIGURES[name].parameters);
    net.dispose();
  });

  it('loses at most 0.1 point of accuracy on the 10,000 MNIST test images, as its figures say', async () => {
    const float32 = await loadModel(fileURLToPath(new URL(`../models/${name}`, import.meta.url)));
    const quantized = await modelFromArtifacts(toArtifacts(EMBEDDED[name]));
    const before = accuracy(float32);
    const after = accuracy(quantized);
    float32.net.dispose();
    quantized.net.dispose();
    expect(FIGURES[name].testImages).toBe(10_000);
    expect(before - after).toBeLessThanOrEqual(0.001);
    expect(after).toBe(FIGURES[name].testAccuracy);
    expect(before).toBe(FIGURES[name].float32TestAccuracy);
    expect(after).toBeGreaterThan(FLOOR[name]);
  });
});

describe('quantizeUint8', () => {
  it('reads back within half a step of every value, with zero exact, as TF.js decodes it', () => {
    const values = Float32Array.from([-0.8, -0.1, 0, 0.05, 0.3, 1.2]);
    const { specs, bytes } = quantizeUint8([{ name: 'w', shape: [6], dtype: 'float32' }], values.buffer);
    const { scale, min } = specs[0]!.quantization as { scale: number; min: number };
    const decoded = tf.io.decodeWeights(bytes.buffer as ArrayBuffer, specs as tf.io.WeightsManifestEntry[]);
    const back = decoded['w']!.dataSync();
    values.forEach((v, i) => expect(Math.abs(back[i]! - v)).toBeLessThanOrEqual(scale / 2 + 1e-7));
    expect(back[2]).toBe(0);
    expect(min).toBeLessThanOrEqual(-0.8 + scale / 2);
    tf.dispose(Object.values(decoded));
  });

  it('refuses weights that do not match their manifest', () => {
    expect(() => quantizeUint8([{ name: 'w', shape: [3], dtype: 'float32' }], new ArrayBuffer(8))).toThrow(/3 float32 values/);
  });
});
