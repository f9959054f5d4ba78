// How much of a family's loss is the pipeline's: the shipped models on the corrupted 28x28 images as they are (as
// MNIST-C scores a model) beside the same pictures through `recognize` (crop to all the ink, fit, centre).
// Run: TSX_TSCONFIG_PATH=tsconfig.bench.json node --import tsx src/experiments/raw-vs-pipeline.ts [count] [family ...]
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { rightFraction } from '../corruptions/bench.js';
import { corruptFamily, FAMILIES } from '../corruptions/families.js';
import { WHOLE_INK_AS_DIGIT } from '../models.js';

await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const count = Number(process.argv[2] ?? 300);
const names = process.argv.slice(3);
const families = names.length > 0 ? FAMILIES.filter((f) => names.includes(f.name)) : FAMILIES;

console.log(`${count} pictures per family (seed 1); raw = the 28x28 picture straight into the model`);
console.log(`${'family'.padEnd(16)}${['cnn raw', 'cnn', 'mlp raw', 'mlp'].map((c) => c.padStart(10)).join('')}`);
const models = ['cnn', 'mlp'] as const;
const recognizers = await Promise.all(models.map((model) => createRecognizer({ model, log: null, verdicts: WHOLE_INK_AS_DIGIT })));
for (const family of families) {
  const set = corruptFamily(family, test, count, 1);
  // Only the families that stay a one-channel 28x28 picture can go straight into the model.
  if (set.pictures.some((p) => p.width !== 28 || p.height !== 28 || p.channels !== 1)) continue;
  const raw = new Uint8Array(count * 784);
  set.pictures.forEach((p, i) => raw.set(p.data, i * 784));
  const cells = recognizers.flatMap((r) => [rightFraction(r.recognizeMnistBatch(raw), set.labels), rightFraction(set.pictures.map((p) => r.recognize(p)), set.labels)]);
  console.log(`${family.name.padEnd(16)}${cells.map((a) => `${(a * 100).toFixed(1)}%`.padStart(10)).join('')}`);
}
