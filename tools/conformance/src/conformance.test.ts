// One suite for every backend present: build every model in the table (the MLP, the CNN, the number reader), train a
// few steps on what it reads, made from real MNIST (the loss falls),
// evaluate, predict, save and load (same predictions), and leave no tensor behind. A backend that cannot start here is
// skipped with its reason in the suite's name; what a running backend cannot do is listed in backends.ts.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DigitModel, Evaluation, ImageSet } from '@digitkit/core';
import { createModel, loadModel, MODEL_KINDS, predict, saveModel } from '@digitkit/model';
import { mnistSlice } from '@digitkit/testkit';
import { evaluate, setForModel, testSetForModel, train } from '@digitkit/train';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, unavailableReason } from './backends.js';

const scaled = (set: ImageSet, count: number) => Float32Array.from(set.images.subarray(0, count * set.width * set.height), (v) => v / 255);

for (const backend of BACKENDS) {
  const reason = await unavailableReason(backend);
  if (reason) console.info(`conformance: ${backend.name} skipped: ${reason}`);
  describe.skipIf(reason !== undefined)(reason ? `${backend.name} (skipped: ${reason})` : backend.name, () => {
    beforeAll(() => backend.start());

    describe.each(MODEL_KINDS)('%s', (kind) => {
      const budget = backend.budget[kind];
      let trainSet: ImageSet;
      let heldOut: ImageSet;
      let model: DigitModel;
      let tensorsAtStart: number;
      let untrained: Evaluation;
      let evaluation: Evaluation;
      const dir = mkdtemp(join(tmpdir(), `digitkit-conformance-${backend.name}-${kind}-`));
      afterAll(async () => rm(await dir, { recursive: true, force: true }));

      beforeAll(async () => {
        trainSet = setForModel(kind, await mnistSlice({ split: 'train', count: budget.images }), 1);
        heldOut = testSetForModel(kind, await mnistSlice({ split: 'test', count: budget.heldOut }));
        tensorsAtStart = tf.memory().numTensors;
        model = createModel(kind, { seed: 7 });
        untrained = evaluate(model, trainSet);
      });

      it(`trains ${budget.epochs} epoch(s) on what ${budget.images} MNIST digits make (the reader: numbers), in batches of ${budget.batchSize}: the loss falls`, async () => {
        const result = await train(model, { train: trainSet }, { epochs: budget.epochs, batchSize: budget.batchSize, learningRate: 3e-3, seed: 1 });
        expect(result.history).toHaveLength(budget.epochs);
        expect(result.history.every((epoch) => Number.isFinite(epoch.loss))).toBe(true);
        const trained = evaluate(model, trainSet);
        expect(trained.loss).toBeLessThan(untrained.loss * budget.lossRatio);
      });

      it(`evaluates what ${budget.heldOut} held-out digits make: consistent counts, accuracy > ${budget.minAccuracy}`, () => {
        evaluation = evaluate(model, heldOut);
        expect(evaluation.count).toBe(heldOut.count);
        expect(evaluation.confusion.flat().reduce((a, b) => a + b, 0)).toBe(heldOut.count);
        const right = evaluation.confusion.reduce((sum, row, c) => sum + row[c]!, 0);
        expect(evaluation.accuracy).toBeCloseTo(right / heldOut.count, 10);
        expect(evaluation.accuracy).toBeGreaterThan(budget.minAccuracy);
      });

      it('predicts what evaluate() counted, with probabilities that sum to 1', () => {
        const predictions = predict(model, scaled(heldOut, 50), 50);
        predictions.forEach((p, i) => {
          expect(p.probabilities).toHaveLength(model.numClasses);
          expect(p.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
          expect(p.label).toBe(p.probabilities.indexOf(Math.max(...p.probabilities)));
          expect(p.label).toBe(evaluation.predicted![i]);
        });
      });

      it('saves and loads a model that predicts the same', async () => {
        const target = join(await dir, 'model');
        await saveModel(model, target);
        const loaded = await loadModel(target);
        try {
          expect(loaded.kind).toBe(kind);
          const x = scaled(heldOut, 50);
          expect(predict(loaded, x, 50)).toEqual(predict(model, x, 50));
        } finally {
          loaded.net.dispose();
        }
      });

      it('leaves no tensor behind once the model is disposed', () => {
        model.net.dispose();
        expect(tf.memory().numTensors).toBe(tensorsAtStart);
      });
    });
  });
}
