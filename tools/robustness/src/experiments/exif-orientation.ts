// What a phone photo's EXIF orientation is worth: drawn and photographed digits of two conditions, stored as a camera
// stores them for orientations 3, 6 and 8 (turned the other way, the viewer to turn them back), through the shipped
// CNN's `recognize` as stored (what a Node decoder such as jpeg-js hands over) and turned upright by
// applyExifOrientation (what `digitkit predict` and the browsers do): the share 'digit' and right.
// Usage: TSX_TSCONFIG_PATH=tsconfig.bench.json node --import tsx src/experiments/exif-orientation.ts [count, default 200]
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { applyExifOrientation } from '@digitkit/preprocess';
import { createRecognizer } from '@digitkit/recognizer';
import { CONDITIONS, drawCondition } from '../conditions.js';

const count = Number(process.argv[2] ?? 200);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const recognizer = await createRecognizer({ model: 'cnn', log: null });
// The turn a camera stores for each orientation is the inverse of the viewer's: 6 and 8 swap, 3 undoes itself.
const STORED_AS: Record<number, number> = { 3: 3, 6: 8, 8: 6 };
const pct = (right: number) => `${((100 * right) / count).toFixed(1)}%`;
for (const name of ['photo', 'pad-medium']) {
  const drawn = drawCondition(CONDITIONS.find((c) => c.name === name)!, test, count, 9);
  const right = (pictures: Parameters<typeof recognizer.recognize>[0][]) =>
    pictures.filter((p, i) => {
      const r = recognizer.recognize(p);
      return r.verdict === 'digit' && r.label === drawn[i]!.label;
    }).length;
  const cells = [`upright ${pct(right(drawn.map((d) => d.image)))}`];
  for (const [orientation, storedAs] of Object.entries(STORED_AS)) {
    const stored = drawn.map((d) => applyExifOrientation(d.image, storedAs));
    cells.push(`orientation ${orientation}: as stored ${pct(right(stored))}, turned ${pct(right(stored.map((s) => applyExifOrientation(s, Number(orientation)))))}`);
  }
  console.log(`${name} (${count} digits, seed 9): ${cells.join(' | ')}`);
}
