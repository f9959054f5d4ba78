// Trains a model with the default recipe plus overrides and saves it where the bench can load it.
// Usage: node --import tsx src/experiments/train-variant.ts <kind> <outDir> '<TrainOptions overrides as JSON>'
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { type ModelKind, registerWasmTrainingKernels, saveModel } from '@digitkit/model';
import { trainModel } from '../models.js';

const [kind, out, json] = process.argv.slice(2) as [ModelKind, string, string | undefined];
await useBackend('wasm', { log: null });
// train() needs @digitkit/model's gradient kernels on WASM.
registerWasmTrainingKernels();
const { train } = await loadMnist();
const overrides = json ? JSON.parse(json) : {};
const started = performance.now();
const model = await trainModel(kind, train, overrides);
await saveModel(model, `${out}/${kind}/model`);
console.log(`${kind} ${JSON.stringify(overrides)} trained in ${((performance.now() - started) / 1000).toFixed(0)} s -> ${out}/${kind}/model`);
