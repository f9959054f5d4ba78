// Photos of digits in coloured ink: the drawn and photographed conditions `photo` and `photo-hard` (same digits, pens,
// paper, light, blur, noise and JPEG), rendered again with the ink in each colour, through the shipped CNN's
// `recognize`: the share 'digit' and right. `as drawn` is the condition's own ink (near black, some blue).
// Usage: TSX_TSCONFIG_PATH=tsconfig.bench.json node --import tsx src/experiments/coloured-ink.ts [count, 200] [condition ...]
import { createRng, useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { toPhoto } from '@digitkit/testkit';
import { CONDITIONS, drawWithCovers } from '../conditions.js';

const count = Number(process.argv[2] ?? 200);
const conditions = process.argv.slice(3).length > 0 ? process.argv.slice(3) : ['photo', 'photo-hard'];
const INKS: Record<string, readonly [number, number, number] | null> = {
  'as drawn': null,
  blue: [30, 60, 200],
  red: [220, 30, 30],
  green: [60, 190, 60],
  orange: [255, 140, 0],
  pink: [255, 80, 170],
  'light blue': [90, 180, 255],
  yellow: [255, 215, 0],
  highlighter: [240, 250, 60],
};
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const recognizer = await createRecognizer({ model: 'cnn', log: null });
console.log(`${count} digits a condition (seed 4), shipped CNN, 'digit' and right:`);
console.log(`${'condition'.padEnd(12)}${Object.keys(INKS).map((k) => k.padStart(12)).join('')}`);
for (const name of conditions) {
  const drawn = [...drawWithCovers(CONDITIONS.find((c) => c.name === name)!, test, count, 4)];
  const cells = Object.values(INKS).map((ink) => {
    const right = drawn.filter(({ digit, cover, look }, i) => {
      const image = ink === null ? digit.image : toPhoto(cover!, digit.image.width, digit.image.height, { ...look!, ink: [...ink] }, createRng(1000 + i));
      const r = recognizer.recognize(image);
      return r.verdict === 'digit' && r.label === digit.label;
    }).length;
    return `${((100 * right) / count).toFixed(1)}%`;
  });
  console.log(`${name.padEnd(12)}${cells.map((c) => c.padStart(12)).join('')}`);
}
