// Benchmarks several saved models (and optionally other copies of the preprocess sources) side by side.
// Usage: compare.ts <count> name=modelDir... [--preprocess name=path/to/index.ts ...]
// With --preprocess, every model runs with every preprocessing copy (columns "model/preprocess").
import type { DigitModel } from '@digitkit/core';
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { loadModel } from '@digitkit/model';
import { CONDITIONS } from '../conditions.js';
import { type BenchmarkRow, type Preprocessor, browserPreprocess, formatTable, runBenchmark } from '../harness.js';

const args = process.argv.slice(2);
const count = Number(args.shift());
const split = args.indexOf('--preprocess');
const modelArgs = split < 0 ? args : args.slice(0, split);
const preArgs = split < 0 ? [] : args.slice(split + 1);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const models: Record<string, DigitModel> = {};
for (const arg of modelArgs) {
  const [name, dir] = arg.split('=') as [string, string];
  models[name] = await loadModel(dir);
}
const preprocessors: Record<string, Preprocessor> = { current: browserPreprocess };
for (const arg of preArgs) {
  const [name, path] = arg.split('=') as [string, string];
  const module = await import(path);
  preprocessors[name] = (image) => {
    const r = module.toMnistFormat(image);
    return r.empty ? null : r.pixels;
  };
}
const only = process.env.CONDITIONS?.split(',');
const conditions = CONDITIONS.filter((c) => !only || only.includes(c.name));
const merged: BenchmarkRow[] = [];
const started = performance.now();
for (const [pname, preprocess] of Object.entries(preprocessors)) {
  const rows = runBenchmark(models, test, { count, seed: 1, preprocess, conditions });
  rows.forEach((row, i) => {
    const target = merged[i] ?? (merged[i] = { ...row, accuracy: {} });
    for (const [m, a] of Object.entries(row.accuracy)) {
      (target.accuracy as Record<string, number>)[preArgs.length ? `${m}/${pname}` : m] = a;
    }
  });
}
console.log(formatTable(merged));
console.log(`${count} per condition, ${((performance.now() - started) / 1000).toFixed(0)} s`);
