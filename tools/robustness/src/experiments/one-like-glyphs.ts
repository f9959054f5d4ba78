// How often the recognizer's "not a 1" shape checks (packages/recognizer/src/shapes.ts: a bar and a dot, a bracket)
// fire: per glyph of the symbol and letter sets, and on real digits that must never meet them: the bench's single
// digits (drawn and photographed), MNIST's 10,000 test digits as 28x28 pictures, and UCI's 1,797 (other writers) when
// they are found (DIGITKIT_UCI_DIGITS). Usage: one-like-glyphs.ts [count per half, default 400]
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer, type RecognizeInput } from '@digitkit/recognizer';
import { findUciDigits, loadUciDigits } from '../corruptions/uci-digits.js';
import { drawBothHalves } from '../negatives/sets.js';

const count = Number(process.argv[2] ?? 400);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const recognizer = await createRecognizer({ model: 'cnn', log: null });
const notAOne = (image: RecognizeInput) => {
  const result = recognizer.recognize(image);
  return result.verdict === 'unsure' ? (/^the ink is (.+), not a 1;/.exec(result.reason)?.[1] ?? null) : null;
};

for (const name of ['symbols', 'letters', 'single digits']) {
  const samples = drawBothHalves(name, test, count);
  const fired = new Map<string, number>();
  for (const sample of samples) {
    const shape = notAOne(sample.image);
    // Glyph samples are named "<character> (<font>)"; digits by their condition and label.
    const what = sample.digits ? `${sample.what.split(' ')[0]} ${sample.digits[0]}` : sample.what.split(' ')[0]!;
    if (shape) fired.set(`${what}: ${shape}`, (fired.get(`${what}: ${shape}`) ?? 0) + 1);
  }
  console.log(`${name}: ${[...fired.values()].reduce((a, b) => a + b, 0)} of ${samples.length} pictures called "not a 1"`);
  for (const [what, n] of [...fired].sort((a, b) => b[1] - a[1])) console.log(`  ${n}  ${what}`);
}
let mnist = 0;
for (let i = 0; i < test.labels.length; i++) {
  const shape = notAOne({ data: test.images.subarray(i * 784, (i + 1) * 784), width: 28, height: 28 });
  if (!shape) continue;
  console.log(`  MNIST test #${i} (a ${test.labels[i]}): ${shape}`);
  mnist++;
}
console.log(`MNIST test digits: ${mnist} of ${test.labels.length} called "not a 1"`);
const uciPath = findUciDigits();
if (uciPath) {
  const uci = await loadUciDigits(uciPath);
  let fired = 0;
  uci.pictures.forEach((picture, i) => {
    const shape = notAOne(picture);
    if (!shape) return;
    console.log(`  UCI #${i} (a ${uci.labels[i]}): ${shape}`);
    fired++;
  });
  console.log(`UCI digits: ${fired} of ${uci.pictures.length} called "not a 1"`);
}
