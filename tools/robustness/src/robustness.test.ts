// The pipeline must stay robust to how people really draw: a quickly trained MLP, 40 fresh pictures per condition
// through toMnistFormat -> normalize -> predict, each condition above a floor measured on this setup minus a margin.
// Disabling centre-of-mass centring or polarity detection in @digitkit/preprocess makes this fail (checked by hand).
import { type DigitModel, type ImageSet, useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { mlp } from '@digitkit/model';
import { train } from '@digitkit/train';
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { CONDITIONS } from './conditions.js';
import { type BenchmarkRow, runBenchmark } from './harness.js';

const PER_CONDITION = 40;

/**
 * Floors per condition for the quick MLP below (accuracy on 40 pictures). Measured: see the README's table of the
 * quick model; each floor is the measured value minus about 10 points (4 pictures), so honest changes to preprocessing
 * pass and a broken stage (no centring, wrong polarity, no thickening, lost ink) fails.
 */
const FLOORS: Record<string, number> = {
  'mnist-pipeline': 0.85,
  'pad-medium': 0.8,
  'pad-thin': 0.775,
  'pad-thick': 0.8,
  'pad-small': 0.775,
  'pad-large': 0.775,
  'pad-corner': 0.775,
  'pad-400x300': 0.8,
  transparent: 0.775,
  inverted: 0.8,
  'web-pad': 0.8,
  tilted: 0.825,
  photo: 0.775,
  'photo-hard': 0.725,
  mixed: 0.7,
};

let rows: BenchmarkRow[];
let test: ImageSet;
let model: DigitModel;

beforeAll(async () => {
  await useBackend('wasm', { log: null });
  const data = await loadMnist();
  test = data.test;
  // A quickly trained MLP (about 15 s on WASM): the full training set, 2 epochs, shifts.
  model = mlp({ seed: 42 });
  await train(model, { train: data.train }, {
    epochs: 2,
    learningRate: 2e-3,
    schedule: 'cosine',
    seed: 42,
    augment: { maxShift: 2 },
  });
  const before = tf.memory().numTensors;
  rows = runBenchmark({ mlp: model }, test, {
    count: PER_CONDITION,
    seed: 7,
    conditions: CONDITIONS.filter((c) => c.name in FLOORS),
  });
  // Scoring frees every tensor it makes.
  expect(tf.memory().numTensors).toBe(before);
  console.info(rows.map((r) => `${r.condition} ${(r.accuracy.mlp! * 100).toFixed(1)}%`).join(', '));
});

describe('accuracy per condition through the browser pipeline', () => {
  for (const [name, floor] of Object.entries(FLOORS)) {
    it(`${name} stays at or above ${(floor * 100).toFixed(0)}%`, () => {
      const row = rows.find((r) => r.condition === name);
      expect(row, `condition ${name} was not run`).toBeDefined();
      expect(row!.accuracy.mlp).toBeGreaterThanOrEqual(floor);
    });
  }

  it('finds a digit in every pad drawing (no "empty" answers outside hard photos)', () => {
    for (const row of rows.filter((r) => !r.condition.startsWith('photo') && r.condition !== 'mixed')) {
      expect(row.empty, row.condition).toBe(0);
    }
  });
});
