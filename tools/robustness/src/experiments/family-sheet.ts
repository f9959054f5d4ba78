// Writes a contact sheet (PNG) of the corruption families: per family, pictures and beside each what toMnistFormat
// and the plain preprocessing made of it. Usage: family-sheet.ts [out.png] [perFamily]
import { writeFile } from 'node:fs/promises';
import { loadMnist } from '@digitkit/data';
import { toGrayscale, toMnistFormat } from '@digitkit/preprocess';
import { corruptFamily, FAMILIES } from '../corruptions/families.js';
import { plainMnist } from '../corruptions/plain.js';
import { contactSheet } from './contact-sheet.js';

const out = process.argv[2] ?? 'families.png';
const per = Number(process.argv[3] ?? 6);
const CELL = 56;
const { test } = await loadMnist();
const { put, png } = contactSheet(per * 3, FAMILIES.length, CELL);

FAMILIES.forEach((family, row) => {
  const set = corruptFamily(family, test, per, 1);
  set.pictures.forEach((picture, i) => {
    const gray = toGrayscale(picture);
    put(gray.data, gray.width, gray.height, i * 3, row);
    const mnist = toMnistFormat(picture);
    put(mnist.empty ? new Uint8Array(784) : mnist.pixels, 28, 28, i * 3 + 1, row);
    put(plainMnist(picture) ?? new Uint8Array(784), 28, 28, i * 3 + 2, row);
  });
});
await writeFile(out, png());
console.log(`${out}: ${FAMILIES.map((f) => f.name).join(', ')} (rows); picture, toMnistFormat, plain (columns)`);
