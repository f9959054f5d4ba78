// Trains a model of another shape or recipe from scratch the way `digitkit train --model <kind>` does (5,000 validation
// images split off with seed 42, seed 42, the recipe's schedule, workers auto), and saves it where the benches load it.
// Usage: node --import tsx src/experiments/train-shape.ts <kind> <outDir> '<model options JSON>' '[recipe overrides JSON]'
// (augment overrides merge into the recipe's). Writes <outDir>/<kind>/model and <outDir>/<kind>/metrics.json.
import { createModel, type ModelKind } from '@digitkit/model';
import { defaultRecipe } from '@digitkit/train';
import { mnistAsTheTrainerSplitsIt, trainAndSave } from './training-run.js';

const [kind, out, modelJson, overridesJson] = process.argv.slice(2) as [ModelKind, string, string, string?];
const data = await mnistAsTheTrainerSplitsIt();
const modelOptions = JSON.parse(modelJson);
const model = createModel(kind, { seed: 42, ...modelOptions });
const recipe = defaultRecipe(kind);
const overrides = overridesJson ? JSON.parse(overridesJson) : {};
const options = { ...recipe, ...overrides, augment: { ...recipe.augment, ...(overrides.augment ?? {}) }, workers: 'auto' as const };
console.log(`${kind} ${JSON.stringify(modelOptions)} ${JSON.stringify(options)}`);
const { testAccuracy, seconds } = await trainAndSave(model, data, options, `${out}/${kind}`, { modelOptions });
console.log(`${kind} ${JSON.stringify(modelOptions)}: test accuracy ${(testAccuracy * 100).toFixed(2)}% in ${seconds.toFixed(0)} s -> ${out}/${kind}/model`);
