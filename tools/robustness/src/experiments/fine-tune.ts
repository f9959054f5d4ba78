// Fine-tunes a saved model with its kind's default augmentation (the MODELS recipe) at a low learning rate: the
// cheap way to give an already trained model the recipe's robustness when a full run does not fit the machine (or to
// try an augmentation mix in minutes). It trains on as many cores as pay off (`workers: 'auto'`).
// Usage: node --import tsx src/experiments/fine-tune.ts <kind> <fromModelDir> <outDir> <epochs> <learningRate> [augment JSON]
// (the augment JSON, AugmentOptions, replaces the recipe's augmentation).
// Splits off the same 5,000 validation images (seed 42) as `digitkit train`, and writes <outDir>/model and
// <outDir>/metrics.json (test accuracy, history, the options used).
import { loadModel, type ModelKind } from '@digitkit/model';
import { defaultRecipe, evaluate } from '@digitkit/train';
import { mnistAsTheTrainerSplitsIt, trainAndSave } from './training-run.js';

const [kind, from, out, epochs, learningRate, augment] = process.argv.slice(2) as [ModelKind, string, string, string, string, string?];
const data = await mnistAsTheTrainerSplitsIt();
const model = await loadModel(from);
const recipe = defaultRecipe(kind);
const options = {
  ...recipe,
  epochs: Number(epochs),
  learningRate: Number(learningRate),
  schedule: 'cosine' as const,
  workers: 'auto' as const,
  augment: augment ? (JSON.parse(augment) as typeof recipe.augment) : recipe.augment,
};
const before = evaluate(model, data.test).accuracy;
console.log(`${kind} from ${from}: test accuracy before ${(before * 100).toFixed(2)}%; fine-tuning with ${JSON.stringify(options)}`);
const { testAccuracy: after, seconds } = await trainAndSave(model, data, options, out, { model: kind, from, testAccuracyBefore: before });
console.log(`${kind}: test accuracy ${(before * 100).toFixed(2)}% -> ${(after * 100).toFixed(2)}% in ${seconds.toFixed(0)} s -> ${out}`);
