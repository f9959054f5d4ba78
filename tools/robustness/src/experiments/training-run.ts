// What fine-tune.ts and train-shape.ts share: MNIST split as `digitkit train` splits it, a logged training run, and
// the model saved beside a metrics.json with its test accuracy.
import { mkdir } from 'node:fs/promises';
import type { DigitModel } from '@digitkit/core';
import { useBackend } from '@digitkit/core';
import { loadMnist, trainValidationSplit, writeFileAtomic } from '@digitkit/data';
import { registerWasmTrainingKernels, saveModel } from '@digitkit/model';
import { evaluate, train, type TrainOptions } from '@digitkit/train';

/** WASM with the training kernels, MNIST's test set and the same 5,000 validation images (seed 42) as `digitkit train`. */
export async function mnistAsTheTrainerSplitsIt() {
  await useBackend('wasm', { log: null });
  registerWasmTrainingKernels();
  const { train: pool, test } = await loadMnist();
  return { ...trainValidationSplit(pool, { validationCount: 5000, seed: 42 }), test };
}

/** Trains with one log line an epoch, then writes <outDir>/model and <outDir>/metrics.json (`metrics` plus the run's). */
export async function trainAndSave(model: DigitModel, data: Awaited<ReturnType<typeof mnistAsTheTrainerSplitsIt>>, options: TrainOptions, outDir: string, metrics: object) {
  const started = performance.now();
  const result = await train(model, { train: data.train, validation: data.validation }, {
    ...options,
    callbacks: {
      onEpochEnd: (m) =>
        console.log(`epoch ${m.epoch}: loss ${m.loss.toFixed(4)} acc ${(m.accuracy * 100).toFixed(2)}% val acc ${((m.valAccuracy ?? 0) * 100).toFixed(2)}% ${m.seconds.toFixed(1)} s`),
    },
  });
  const seconds = (performance.now() - started) / 1000;
  const testAccuracy = evaluate(model, data.test).accuracy;
  await mkdir(outDir, { recursive: true });
  await saveModel(model, `${outDir}/model`);
  await writeFileAtomic(`${outDir}/metrics.json`, `${JSON.stringify({ ...metrics, testAccuracy, seconds, options, history: result.history }, null, 2)}\n`);
  return { testAccuracy, seconds };
}
