// Trains a model of another shape or recipe from scratch the way `digitkit train --model <kind>` does (5,000 validation
// images split off with seed 42, seed 42, the recipe's schedule, workers auto), and saves it where the benches load it.
// Usage: node --import tsx src/experiments/train-shape.ts <kind> <outDir> '<model options JSON>' '[recipe overrides JSON]'
// (augment overrides merge into the recipe's). Writes <outDir>/<kind>/model and <outDir>/<kind>/metrics.json.
import { mkdir, writeFile } from 'node:fs/promises';
import { useBackend } from '@digitkit/core';
import { loadMnist, trainValidationSplit } from '@digitkit/data';
import { createModel, type ModelKind, registerWasmTrainingKernels, saveModel } from '@digitkit/model';
import { defaultRecipe, evaluate, train } from '@digitkit/train';

const [kind, out, modelJson, overridesJson] = process.argv.slice(2) as [ModelKind, string, string, string?];
await useBackend('wasm', { log: null });
registerWasmTrainingKernels();
const { train: pool, test } = await loadMnist();
const { train: trainSet, validation } = trainValidationSplit(pool, { validationCount: 5000, seed: 42 });
const modelOptions = JSON.parse(modelJson);
const model = createModel(kind, { seed: 42, ...modelOptions });
const recipe = defaultRecipe(kind);
const overrides = overridesJson ? JSON.parse(overridesJson) : {};
const options = { ...recipe, ...overrides, augment: { ...recipe.augment, ...(overrides.augment ?? {}) }, workers: 'auto' as const };
console.log(`${kind} ${JSON.stringify(modelOptions)} ${JSON.stringify(options)}`);
const started = performance.now();
const result = await train(model, { train: trainSet, validation }, {
  ...options,
  callbacks: {
    onEpochEnd: (m) =>
      console.log(`epoch ${m.epoch}: loss ${m.loss.toFixed(4)} acc ${(m.accuracy * 100).toFixed(2)}% val acc ${((m.valAccuracy ?? 0) * 100).toFixed(2)}% ${m.seconds.toFixed(1)} s`),
  },
});
const seconds = (performance.now() - started) / 1000;
const accuracy = evaluate(model, test).accuracy;
await mkdir(`${out}/${kind}`, { recursive: true });
await saveModel(model, `${out}/${kind}/model`);
await writeFile(`${out}/${kind}/metrics.json`, `${JSON.stringify({ modelOptions, testAccuracy: accuracy, seconds, options, history: result.history }, null, 2)}\n`);
console.log(`${kind} ${JSON.stringify(modelOptions)}: test accuracy ${(accuracy * 100).toFixed(2)}% in ${seconds.toFixed(0)} s -> ${out}/${kind}/model`);
