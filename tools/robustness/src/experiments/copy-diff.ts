// One family through two copies of the preprocess sources: which pictures' 28x28 differ, and of those the ones whose
// CNN or MLP read flips (label, A -> B reads, plain's CNN read), drawn as picture, A, B, plain (at most maxShow).
// Usage: copy-diff.ts <family|uci> <count> <a/index.ts> <b/index.ts> [out.png] [maxShow]
import { writeFile } from 'node:fs/promises';
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { toGrayscale } from '@digitkit/preprocess';
import { createRecognizer, type Recognizer } from '@digitkit/recognizer';
import { corruptFamily, FAMILIES } from '../corruptions/families.js';
import { plainMnist } from '../corruptions/plain.js';
import { findUciDigits, loadUciDigits } from '../corruptions/uci-digits.js';
import type { Preprocessor } from '../harness.js';
import { contactSheet } from './contact-sheet.js';
import { preprocessCopies } from './copies.js';

const [name, n, a, b, out = '/tmp/diff.png', maxShow = '24'] = process.argv.slice(2) as string[];
const { a: A, b: B } = await preprocessCopies([`a=${a}`, `b=${b}`]);
await useBackend('wasm', { log: null });
const cnn = await createRecognizer({ model: 'cnn', log: null });
const mlp = await createRecognizer({ model: 'mlp', log: null });
const { test } = await loadMnist();
// `uci`: the UCI digits by other writers (DIGITKIT_UCI_DIGITS), the first n of them.
const set =
  name === 'uci'
    ? await loadUciDigits(findUciDigits()!).then((u) => ({ pictures: u.pictures.slice(0, Number(n)), labels: u.labels.slice(0, Number(n)) }))
    : corruptFamily(FAMILIES.find((f) => f.name === name)!, test, Number(n), 1);
const { labels } = set;

// Zeros where a copy found no digit (as the benches score it).
const blank = new Uint8Array(784);
const run = (preprocess: Preprocessor) => set.pictures.map((p) => preprocess(p) ?? blank);
const [pa, pb, pl] = [run(A!), run(B!), run(plainMnist)];
/** Each image's label as the recognizer reads it, -1 where it reads no digit. */
function read(recognizer: Recognizer, images: Uint8Array[]): number[] {
  const batch = new Uint8Array(images.length * 784);
  images.forEach((image, i) => batch.set(image, i * 784));
  return recognizer.recognizeMnistBatch(batch).map((r) => (r.verdict === 'digit' ? r.label : -1));
}
const [ca, cb, cp, ma, mb] = [read(cnn, pa), read(cnn, pb), read(cnn, pl), read(mlp, pa), read(mlp, pb)];

const differ = [...labels.keys()].filter((i) => pa[i]!.some((v, k) => v !== pb[i]![k]));
const flips = differ.filter((i) => (ca[i] === labels[i]) !== (cb[i] === labels[i]) || (ma[i] === labels[i]) !== (mb[i] === labels[i]));
console.log(`${differ.length} differ; ${flips.length} flip: ${flips.map((i) => `#${i} ${labels[i]} cnn ${ca[i]}->${cb[i]} mlp ${ma[i]}->${mb[i]} (plain ${cp[i]})`).join('; ')}`);

// Each flip as four cells in a row of `perRow` flips: the picture, A's, B's and plain's 28x28.
const show = flips.slice(0, Number(maxShow));
const perRow = 3;
const sheet = contactSheet(perRow * 4, Math.max(1, Math.ceil(show.length / perRow)), 112);
show.forEach((i, k) => {
  const [col, row] = [(k % perRow) * 4, Math.floor(k / perRow)];
  const picture = toGrayscale(set.pictures[i]!);
  sheet.put(Uint8Array.from(picture.data), picture.width, picture.height, col, row);
  [pa, pb, pl].forEach((images, j) => sheet.put(images[i]!, 28, 28, col + 1 + j, row));
});
await writeFile(out, sheet.png());
