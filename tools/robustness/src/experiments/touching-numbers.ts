// Numbers whose digits touch, made another way than the verdict bench's touching sets (which re-draw MNIST skeletons
// with one pen): MNIST's own test bitmaps (the held-out half, 5,000 on), enlarged 6x, cropped to their ink and laid
// side by side overlapping by 0-15% of the height, on white, black-on-white. Never tuned on. Prints how often each
// shipped model reads the number exactly, and how many are one piece of ink.
// `node --import tsx src/experiments/touching-numbers.ts [count=300]`; for the recognizer before a change, point
// TSX_TSCONFIG_PATH at a tsconfig mapping @digitkit/recognizer to a copy of its src.
import { createRng, useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { toMnistFormat } from '@digitkit/preprocess';
import { createRecognizer } from '@digitkit/recognizer';
import { asBlackOnWhite, cropToInk, inksInARow, upscaleBilinear } from '@digitkit/testkit';

const count = Number(process.argv[2] ?? 300);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const rng = createRng(20261205);
const [W, H] = [480, 280];

/** `length` held-out test digits, each enlarged 6x, overlapping their neighbour by 0-15% of the height. */
function number(length: number): { picture: { data: Uint8Array; width: number; height: number }; digits: number[] } {
  const sources = Array.from({ length }, () => 5000 + rng.int(5000));
  const inks = sources.map((s) => cropToInk(upscaleBilinear(test.images.subarray(s * 784, (s + 1) * 784), 28, 28, 6), 168, 168));
  const overlaps = inks.slice(1).map((ink) => Math.round(rng.next() * 0.15 * ink.height));
  const total = inks.reduce((w, ink) => w + ink.width, 0) - overlaps.reduce((a, b) => a + b, 0);
  let left = Math.max(0, Math.floor((W - total) / 2));
  const at = inks.map((ink, k) => {
    const place = [left, Math.floor((H - ink.height) / 2) + Math.round((rng.next() - 0.5) * 16)] as const;
    left += ink.width - (overlaps[k] ?? 0);
    return place;
  });
  return { picture: { data: asBlackOnWhite(inksInARow(inks, W, H, at)), width: W, height: H }, digits: sources.map((s) => test.labels[s]!) };
}

const sets = [2, 3].map((length) => ({ length, numbers: Array.from({ length: count }, () => number(length)) }));
for (const model of ['cnn', 'mlp'] as const) {
  const recognizer = await createRecognizer({ model, log: null });
  for (const { length, numbers } of sets) {
    let right = 0;
    let onePiece = 0;
    let digit = 0;
    for (const { picture, digits } of numbers) {
      const result = recognizer.recognize(picture);
      if (result.verdict === 'digits' && result.digits.join('') === digits.join('')) right++;
      if (result.verdict === 'digit') digit++;
      const fit = toMnistFormat(picture);
      // One piece: every column of the ink's box holds ink (no gap between digits).
      if (!fit.empty && columnsAllInked(fit.ink)) onePiece++;
    }
    console.log(`${model} ${length} digits: read exactly ${((100 * right) / count).toFixed(1)}%, 'digit' ${digit}, no gap between digits ${onePiece} of ${count}`);
  }
  recognizer.dispose();
}

function columnsAllInked({ data, width, height }: { data: Uint8Array; width: number; height: number }): boolean {
  for (let x = 0; x < width; x++) {
    let inked = false;
    for (let y = 0; y < height && !inked; y++) inked = data[y * width + x]! > 64;
    if (!inked) return false;
  }
  return true;
}
