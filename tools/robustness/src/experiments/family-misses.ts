// Writes a sheet of one family's pictures that the pipeline misses and the plain way reads right: picture, then
// toMnistFormat's 28x28, then the plain way's, and prints true -> pipeline / plain for each.
// Usage: family-misses.ts <family> [count] [cnn|mlp|modelDir] [out.png] [path/to/a/copy/of/preprocess/index.ts]
import { writeFile } from 'node:fs/promises';
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { toGrayscale, toMnistFormat } from '@digitkit/preprocess';
import { createRecognizer } from '@digitkit/recognizer';
import { encode } from 'fast-png';
import { corruptFamily, FAMILIES } from '../corruptions/families.js';
import { plainMnist } from '../corruptions/plain.js';

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
const CELL = 58;
const per = 6;
const width = per * 3 * CELL;
const rows = Math.max(1, Math.ceil(misses.length / per));
const sheet = new Uint8Array(width * rows * CELL).fill(128);
const put = (data: Uint8Array, w: number, h: number, cell: number) => {
  const [row, col] = [Math.floor(cell / (per * 3)), cell % (per * 3)];
  const s = (CELL - 2) / Math.max(w, h);
  for (let y = 0; y < CELL - 2; y++) {
    for (let x = 0; x < CELL - 2; x++) {
      const [sx, sy] = [Math.floor(x / s), Math.floor(y / s)];
      if (sx < w && sy < h) sheet[(row * CELL + y + 1) * width + col * CELL + x + 1] = data[sy * w + sx]!;
    }
  }
};
misses.forEach((i, k) => {
  const gray = toGrayscale(set.pictures[i]!);
  put(gray.data, gray.width, gray.height, 3 * k);
  put(piped[i]!, 28, 28, 3 * k + 1);
  put(plain[i]!, 28, 28, 3 * k + 2);
});
await writeFile(out, encode({ width, height: rows * CELL, data: sheet, channels: 1 }));
console.log(`${out}: picture, toMnistFormat, plain`);
