// Writes a sheet of the pictures a model gets wrong in one condition (picture, then the 28x28 it saw), and prints
// true -> predicted for each, to see what goes wrong. Usage: failures.ts <modelDir|cnn|mlp> <condition> [count] [out.png]
import { writeFile } from 'node:fs/promises';
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { encode } from 'fast-png';
import { CONDITIONS, drawCondition } from '../conditions.js';
import type { Raster } from '@digitkit/testkit';

const [model, name, n = '300', out = '/tmp/failures.png'] = process.argv.slice(2) as [string, string, string?, string?];
await useBackend('wasm', { log: null });
const recognizer = await createRecognizer({ model, log: null });
const { test } = await loadMnist();
const condition = CONDITIONS.find((c) => c.name === name)!;
const digits = drawCondition(condition, test, Number(n), 1);
const wrong: { image: Raster; pixels: Uint8Array | null; label: number; predicted: number; pen: number }[] = [];
for (const d of digits) {
  const r = condition.raw ? recognizer.recognizeMnist(d.image.data) : recognizer.recognize(d.image);
  const pixels = r.verdict === 'digit' ? r.pixels : null;
  const predicted = r.verdict === 'digit' ? r.label : -1;
  if (predicted !== d.label) wrong.push({ image: d.image, pixels, label: d.label, predicted, pen: d.pen });
}
console.log(`${wrong.length}/${digits.length} wrong: ${wrong.map((w) => `${w.label}->${w.predicted}(pen ${w.pen.toFixed(0)})`).join(' ')}`);
const CELL = 96;
const per = 8;
const rows = Math.ceil(wrong.length / per);
const width = per * 2 * CELL;
const sheet = new Uint8Array(width * rows * CELL).fill(128);
const luma = (im: Raster, x: number, y: number) => {
  const i = (y * im.width + x) * im.channels;
  const d = im.data;
  if (im.channels === 1) return d[i]!;
  const l = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
  return im.channels === 3 ? l : l * (d[i + 3]! / 255) + 128 * (1 - d[i + 3]! / 255);
};
const blit = (cell: number, w: number, h: number, at: (x: number, y: number) => number) => {
  const row = Math.floor(cell / (per * 2));
  const col = cell % (per * 2);
  const s = Math.min((CELL - 4) / w, (CELL - 4) / h);
  for (let y = 0; y < CELL - 4; y++)
    for (let x = 0; x < CELL - 4; x++) {
      const sx = Math.floor(x / s);
      const sy = Math.floor(y / s);
      if (sx < w && sy < h) sheet[(row * CELL + 2 + y) * width + col * CELL + 2 + x] = at(sx, sy);
    }
};
wrong.forEach((w, k) => {
  blit(2 * k, w.image.width, w.image.height, (x, y) => luma(w.image, x, y));
  if (w.pixels) blit(2 * k + 1, 28, 28, (x, y) => w.pixels![y * 28 + x]!);
});
await writeFile(out, encode({ width, height: rows * CELL, data: sheet, channels: 1, depth: 8 }));
