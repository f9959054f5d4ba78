// The corruption families through other copies of the preprocess sources (e.g. before a change), beside the current
// pipeline and the plain preprocessing. Usage: families-compare.ts <count> [name=path/to/index.ts ...]
// A copy's results go to recognizeMnistBatch (the same model call recognize makes after toMnistFormat).
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer, type Recognizer } from '@digitkit/recognizer';
import { type FamilyRow, formatFamilyTable, runFamilyBench } from '../corruptions/bench.js';
import { corruptFamily, FAMILIES } from '../corruptions/families.js';
import { findUciDigits, loadUciDigits } from '../corruptions/uci-digits.js';
import { WHOLE_INK_AS_DIGIT } from '../models.js';
import type { Raster } from '@digitkit/testkit';
import { preprocessCopies } from './copies.js';

const [countArg, ...copies] = process.argv.slice(2);
const count = Number(countArg);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const recognizers: Record<string, Recognizer> = {
  cnn: await createRecognizer({ model: 'cnn', log: null, verdicts: WHOLE_INK_AS_DIGIT }),
  mlp: await createRecognizer({ model: 'mlp', log: null, verdicts: WHOLE_INK_AS_DIGIT }),
};
const variants: Record<string, (p: Raster) => Uint8Array | null> = await preprocessCopies(copies);

/** Accuracy of each recognizer on pictures preprocessed by `preprocess`. */
function through(preprocess: (p: Raster) => Uint8Array | null, pictures: readonly Raster[], labels: Uint8Array, tag: string) {
  const batch = new Uint8Array(pictures.length * 784);
  pictures.forEach((p, i) => {
    const image = preprocess(p);
    if (image) batch.set(image, i * 784);
  });
  const accuracy: Record<string, number> = {};
  for (const [name, recognizer] of Object.entries(recognizers)) {
    const results = recognizer.recognizeMnistBatch(batch);
    accuracy[`${name}-${tag}`] = results.filter((r, i) => r.verdict === 'digit' && r.label === labels[i]).length / labels.length;
  }
  return accuracy;
}

const rows = runFamilyBench(recognizers, test, { count }).map((row, f) => {
  const set = corruptFamily(FAMILIES[f]!, test, count, 1);
  const extra = Object.entries(variants).map(([tag, pre]) => through(pre, set.pictures, set.labels, tag));
  return { ...row, accuracy: Object.assign({}, row.accuracy, ...extra) } as FamilyRow;
});
const path = findUciDigits();
const uciRows: FamilyRow[] = [];
if (path) {
  const uci = await loadUciDigits(path);
  const { scorePictures } = await import('../corruptions/bench.js');
  const base = scorePictures(recognizers, uci.pictures, uci.labels).accuracy;
  const extra = Object.entries(variants).map(([tag, pre]) => through(pre, uci.pictures, uci.labels, tag));
  uciRows.push({ name: 'uci-digits-8x8', split: 'other-writers', count: uci.labels.length, accuracy: Object.assign({}, base, ...extra) });
}
console.log(formatFamilyTable(rows, uciRows));
