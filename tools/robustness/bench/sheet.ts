// Writes a contact sheet (PNG) of benchmark pictures and what toMnistFormat made of them, to look at by eye.
// Usage: node --import tsx bench/sheet.ts [out.png] [perCondition]
import { writeFile } from 'node:fs/promises';
import { loadMnist } from '@digitkit/data';
import { toMnistFormat } from '@digitkit/preprocess';
import { encode } from 'fast-png';
import { CONDITIONS, drawCondition } from '../src/conditions.js';
import type { Raster } from '@digitkit/testkit';

const out = process.argv[2] ?? 'sheet.png';
const per = Number(process.argv[3] ?? 8);
const CELL = 96;
const { test } = await loadMnist();
const cols = per * 2;
const width = cols * CELL;
const height = CONDITIONS.length * CELL;
const sheet = new Uint8Array(width * height).fill(128);

/** Luma of a raster pixel, transparent areas shown as a checkerboard. */
function luma(image: Raster, x: number, y: number): number {
  const i = (y * image.width + x) * image.channels;
  const d = image.data;
  if (image.channels === 1) return d[i]!;
  const l = 0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
  if (image.channels === 3) return l;
  const a = d[i + 3]! / 255;
  const checker = ((x >> 3) + (y >> 3)) % 2 ? 160 : 96;
  return l * a + checker * (1 - a);
}

function blit(row: number, col: number, w: number, h: number, at: (x: number, y: number) => number) {
  const s = Math.min((CELL - 4) / w, (CELL - 4) / h);
  for (let y = 0; y < CELL - 4; y++) {
    for (let x = 0; x < CELL - 4; x++) {
      const sx = Math.floor(x / s);
      const sy = Math.floor(y / s);
      if (sx >= w || sy >= h) continue;
      sheet[(row * CELL + 2 + y) * width + col * CELL + 2 + x] = at(sx, sy);
    }
  }
}

CONDITIONS.forEach((condition, row) => {
  const digits = drawCondition(condition, test, per, 1);
  digits.forEach((digit, k) => {
    blit(row, 2 * k, digit.image.width, digit.image.height, (x, y) => luma(digit.image, x, y));
    const mnist = toMnistFormat(digit.image);
    if (!mnist.empty) blit(row, 2 * k + 1, 28, 28, (x, y) => mnist.pixels[y * 28 + x]!);
  });
});
await writeFile(out, encode({ width, height, data: sheet, channels: 1, depth: 8 }));
console.log(`wrote ${out}: ${CONDITIONS.map((c) => c.name).join(', ')} (rows), ${per} pictures each with their 28x28 result`);
