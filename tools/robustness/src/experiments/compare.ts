// Benchmarks several saved models (and optionally other copies of the preprocess sources) side by side.
// Usage: compare.ts <count> name=modelDir|cnn|mlp... [--preprocess name=path/to/index.ts ...]
// With --preprocess, every model runs with every preprocessing copy (columns "model/preprocess"); "current" is the
// recognizer's own preprocessing (recognize), a copy's results go to recognizeMnistBatch.
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer, type Recognizer } from '@digitkit/recognizer';
import { CONDITIONS } from '../conditions.js';
import { WHOLE_INK_AS_DIGIT } from '../models.js';
import { type BenchmarkRow, type Preprocessor, formatTable, runBenchmark } from '../harness.js';
import { preprocessCopies } from './copies.js';

const args = process.argv.slice(2);
const count = Number(args.shift());
const split = args.indexOf('--preprocess');
const modelArgs = split < 0 ? args : args.slice(0, split);
const preArgs = split < 0 ? [] : args.slice(split + 1);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const models: Record<string, Recognizer> = {};
for (const arg of modelArgs) {
  // A shipped model's name (cnn, mlp) or a saved model's directory.
  const [name, model] = arg.split('=') as [string, string];
  // Every piece of ink read as one digit, as in the accuracy bench (bench:verdicts measures the verdicts).
  models[name] = await createRecognizer({ model, log: null, verdicts: WHOLE_INK_AS_DIGIT });
}
// SKIP_CURRENT=1 leaves out the current sources (only the copies given run).
const preprocessors: Record<string, Preprocessor | undefined> = {
  ...(process.env.SKIP_CURRENT ? {} : { current: undefined }),
  ...(await preprocessCopies(preArgs)),
};
const only = process.env.CONDITIONS?.split(',');
const conditions = CONDITIONS.filter((c) => !only || only.includes(c.name));
const merged: BenchmarkRow[] = [];
const started = performance.now();
for (const [pname, preprocess] of Object.entries(preprocessors)) {
  const rows = runBenchmark(models, test, { count, seed: 1, conditions, ...(preprocess && { preprocess }) });
  rows.forEach((row, i) => {
    const target = merged[i] ?? (merged[i] = { ...row, accuracy: {} });
    for (const [m, a] of Object.entries(row.accuracy)) {
      (target.accuracy as Record<string, number>)[preArgs.length ? `${m}/${pname}` : m] = a;
    }
  });
}
console.log(formatTable(merged));
// Paired comparisons over the drawn conditions: mean accuracy difference per model pair with a 95% interval from the
// per-condition differences (conditions are paired: the same pictures for every column).
const columns = Object.keys(merged[0]!.accuracy);
const drawn = merged.filter((r) => r.condition !== 'mnist-raw' && r.condition !== 'mnist-pipeline');
for (let a = 1; a < columns.length; a++) {
  const diffs = drawn.map((r) => r.accuracy[columns[a]!]! - r.accuracy[columns[0]!]!);
  const mean = diffs.reduce((x, y) => x + y, 0) / diffs.length;
  const sd = Math.sqrt(diffs.reduce((x, y) => x + (y - mean) ** 2, 0) / (diffs.length - 1));
  const half = (2.16 * sd) / Math.sqrt(diffs.length);
  console.log(`${columns[a]} - ${columns[0]}: ${(mean * 100).toFixed(2)} points (95% CI ${((mean - half) * 100).toFixed(2)} .. ${((mean + half) * 100).toFixed(2)})`);
}
console.log(`${count} per condition, ${((performance.now() - started) / 1000).toFixed(0)} s`);
