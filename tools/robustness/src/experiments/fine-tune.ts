// Fine-tunes a saved model with its kind's default augmentation (the MODELS recipe) at a low learning rate: the
// cheap way to give an already trained model the recipe's robustness when a full run does not fit the machine.
// Usage: node --import tsx src/experiments/fine-tune.ts <kind> <fromModelDir> <outDir> <epochs> <learningRate> [augment JSON]
// (the augment JSON, AugmentOptions, replaces the recipe's augmentation).
// Splits off the same 5,000 validation images (seed 42) as `digitkit train`, and writes <outDir>/model and
// <outDir>/metrics.json (test accuracy, history, the options used).
import { mkdir, writeFile } from 'node:fs/promises';
import { useBackend } from '@digitkit/core';
import { loadMnist, trainValidationSplit } from '@digitkit/data';
import { loadModel, type ModelKind, registerWasmTrainingKernels, saveModel } from '@digitkit/model';
import { defaultRecipe, evaluate, train } from '@digitkit/train';

const [kind, from, out, epochs, learningRate, augment] = process.argv.slice(2) as [ModelKind, string, string, string, string, string?];
await useBackend('wasm', { log: null });
registerWasmTrainingKernels();
const { train: pool, test } = await loadMnist();
const { train: trainSet, validation } = trainValidationSplit(pool, { validationCount: 5000, seed: 42 });
const model = await loadModel(from);
const recipe = defaultRecipe(kind);
const options = {
  ...recipe,
  epochs: Number(epochs),
  learningRate: Number(learningRate),
  schedule: 'cosine' as const,
  augment: augment ? (JSON.parse(augment) as typeof recipe.augment) : recipe.augment,
};
const before = evaluate(model, test).accuracy;
console.log(`${kind} from ${from}: test accuracy before ${(before * 100).toFixed(2)}%; fine-tuning with ${JSON.stringify(options)}`);
const started = performance.now();
const result = await train(model, { train: trainSet, validation }, {
  ...options,
  callbacks: {
    onEpochEnd: (m) =>
      console.log(`epoch ${m.epoch}: loss ${m.loss.toFixed(4)} acc ${(m.accuracy * 100).toFixed(2)}% val acc ${((m.valAccuracy ?? 0) * 100).toFixed(2)}% ${m.seconds.toFixed(0)} s`),
  },
});
const seconds = (performance.now() - started) / 1000;
const after = evaluate(model, test).accuracy;
await mkdir(out, { recursive: true });
await saveModel(model, `${out}/model`);
await writeFile(`${out}/metrics.json`, `${JSON.stringify({ model: kind, from, testAccuracyBefore: before, testAccuracy: after, seconds, options, history: result.history }, null, 2)}\n`);
console.log(`${kind}: test accuracy ${(before * 100).toFixed(2)}% -> ${(after * 100).toFixed(2)}% in ${seconds.toFixed(0)} s -> ${out}`);
