// Writes a contact sheet (PNG) of the corruption families: per family, pictures and beside each what toMnistFormat
// and the plain preprocessing made of it. Usage: family-sheet.ts [out.png] [perFamily]
import { writeFile } from 'node:fs/promises';
import { loadMnist } from '@digitkit/data';
import { toGrayscale, toMnistFormat } from '@digitkit/preprocess';
import { encode } from 'fast-png';
import { corruptFamily, FAMILIES } from '../corruptions/families.js';
import { plainMnist } from '../corruptions/plain.js';

const out = process.argv[2] ?? 'families.png';
const per = Number(process.argv[3] ?? 6);
const CELL = 56;
const { test } = await loadMnist();
const cols = per * 3;
const width = cols * CELL;
const height = FAMILIES.length * CELL;
const sheet = new Uint8Array(width * height).fill(128);

/** Draws a gray image into a cell, scaled to fit (nearest pixel). */
function put(data: Uint8Array, w: number, h: number, col: number, row: number): void {
  const s = (CELL - 2) / Math.max(w, h);
  for (let y = 0; y < CELL - 2; y++) {
    for (let x = 0; x < CELL - 2; x++) {
      const [sx, sy] = [Math.floor(x / s), Math.floor(y / s)];
      if (sx < w && sy < h) sheet[(row * CELL + y + 1) * width + col * CELL + x + 1] = data[sy * w + sx]!;
    }
  }
}

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
await writeFile(out, encode({ width, height, data: sheet, channels: 1 }));
console.log(`${out}: ${FAMILIES.map((f) => f.name).join(', ')} (rows); picture, toMnistFormat, plain (columns)`);
