// Chosen families (and `uci`) through copies of the preprocess sources, beside the plain preprocessing: a quick
// before/after on a few families. Usage: families-subset.ts <count> <family,...|all|uci> [name=path/to/index.ts ...]
// Every column goes through recognizeMnistBatch (the CNN / the MLP, or DIGITKIT_MODELS), so it is toMnistFormat alone
// that differs between columns.
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer, type Recognizer } from '@digitkit/recognizer';
import { corruptFamily, FAMILIES } from '../corruptions/families.js';
import { plainMnist } from '../corruptions/plain.js';
import { findUciDigits, loadUciDigits } from '../corruptions/uci-digits.js';
import type { Raster } from '@digitkit/testkit';
import { preprocessCopies } from './copies.js';

const [countArg, which, ...copies] = process.argv.slice(2);
const count = Number(countArg);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
// DIGITKIT_MODELS=name=modelDir|cnn|mlp,... puts other models in the columns (e.g. a fine-tuned copy beside `cnn`).
const modelArgs = (process.env.DIGITKIT_MODELS ?? 'cnn,mlp').split(',');
const recognizers: Record<string, Recognizer> = {};
for (const arg of modelArgs) {
  const [name, model = name] = arg.split('=') as [string, string?];
  recognizers[name] = await createRecognizer({ model, log: null });
}
const variants: Record<string, (p: Raster) => Uint8Array | null> = { plain: plainMnist, ...(await preprocessCopies(copies)) };
function through(pre: (p: Raster) => Uint8Array | null, pictures: readonly Raster[], labels: Uint8Array) {
  const batch = new Uint8Array(pictures.length * 784);
  pictures.forEach((p, i) => {
    const image = pre(p);
    if (image) batch.set(image, i * 784);
  });
  return Object.values(recognizers).map((r) => {
    const res = r.recognizeMnistBatch(batch);
    return ((100 * res.filter((x, i) => x.verdict === 'digit' && x.label === labels[i]).length) / labels.length).toFixed(1);
  });
}
const names = which!.split(',').flatMap((n) => (n === 'all' ? FAMILIES.map((f) => f.name) : [n]));
console.log(['family'.padEnd(14), ...Object.keys(variants).map((v) => `${v}(${Object.keys(recognizers).join('/')})`.padStart(14))].join(' '));
for (const name of names) {
  let pictures: readonly Raster[];
  let labels: Uint8Array;
  if (name === 'uci') {
    const uci = await loadUciDigits(findUciDigits()!);
    [pictures, labels] = [uci.pictures, uci.labels];
  } else {
    const set = corruptFamily(FAMILIES.find((f) => f.name === name)!, test, count, 1);
    [pictures, labels] = [set.pictures, set.labels];
  }
  const cells = Object.values(variants).map((pre) => through(pre, pictures, labels).join('/').padStart(14));
  console.log([name.padEnd(14), ...cells].join(' '));
}
