// Writes a sheet of one family's pictures that the pipeline misses and the plain way reads right: picture, then
// toMnistFormat's 28x28, then the plain way's, and prints true -> pipeline / plain for each.
// Usage: family-misses.ts <family> [count] [cnn|mlp|modelDir] [out.png] [path/to/a/copy/of/preprocess/index.ts]
import { writeFile } from 'node:fs/promises';
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { toGrayscale, toMnistFormat } from '@digitkit/preprocess';
import { createRecognizer } from '@digitkit/recognizer';
import { corruptFamily, FAMILIES } from '../corruptions/families.js';
import { plainMnist } from '../corruptions/plain.js';
import { contactSheet } from './contact-sheet.js';

const [name, n = '300', model = 'cnn', out = '/tmp/family-misses.png', copy] = process.argv.slice(2) as [string, string?, string?, string?, string?];
const toMnist: typeof toMnistFormat = copy ? (await import(copy)).toMnistFormat : toMnistFormat;
await useBackend('wasm', { log: null });
const recognizer = await createRecognizer({ model, log: null });
const { test } = await loadMnist();
const set = corruptFamily(FAMILIES.find((f) => f.name === name)!, test, Number(n), 1);
const blank = new Uint8Array(784);
const piped = set.pictures.map((p) => {
  const r = toMnist(p);
  return r.empty ? blank : r.pixels;
});
const plain = set.pictures.map((p) => plainMnist(p) ?? blank);
const read = (images: Uint8Array[]) => {
  const batch = new Uint8Array(images.length * 784);
  images.forEach((im, i) => batch.set(im, i * 784));
  return recognizer.recognizeMnistBatch(batch).map((r) => (r.verdict === 'digit' ? r.label : -1));
};
const [byPipe, byPlain] = [read(piped), read(plain)];
const misses = [...set.labels.keys()].filter((i) => byPipe[i] !== set.labels[i] && byPlain[i] === set.labels[i]);
const both = [...set.labels.keys()].filter((i) => byPipe[i] !== set.labels[i] && byPlain[i] !== set.labels[i]).length;
console.log(`${misses.length} missed by the pipeline only (${both} by both): ${misses.map((i) => `#${i} ${set.labels[i]}->${byPipe[i]}`).join(' ')}`);
const per = 6;
const { put: putAt, png } = contactSheet(per * 3, Math.max(1, Math.ceil(misses.length / per)), 58);
const put = (data: Uint8Array, w: number, h: number, cell: number) => putAt(data, w, h, cell % (per * 3), Math.floor(cell / (per * 3)));
misses.forEach((i, k) => {
  const gray = toGrayscale(set.pictures[i]!);
  put(gray.data, gray.width, gray.height, 3 * k);
  put(piped[i]!, 28, 28, 3 * k + 1);
  put(plain[i]!, 28, 28, 3 * k + 2);
});
await writeFile(out, png());
console.log(`${out}: picture, toMnistFormat, plain`);
