// A contact sheet of chosen glyphs of the letter and symbol sets (both halves): each picture beside the 28x28 the
// recognizer made of it, and each verdict printed. Usage: glyph-sheet.ts <glyphs, e.g. '[]$'> <out.png> [count per half]
import { writeFileSync } from 'node:fs';
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { toGrayscale } from '@digitkit/preprocess';
import { createRecognizer } from '@digitkit/recognizer';
import { drawBothHalves } from '../negatives/sets.js';
import { contactSheet } from './contact-sheet.js';

const [glyphs = '!', out = '/tmp/glyphs.png', count = '400'] = process.argv.slice(2);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const recognizer = await createRecognizer({ model: 'cnn', log: null });
// A glyph sample's `what` is "<character> (<font>)".
const picked = ['symbols', 'letters'].flatMap((name) => drawBothHalves(name, test, Number(count)).filter((s) => glyphs.includes(s.what.split(' ')[0]!)));
// Four pictures a row, each with its 28x28 beside it.
const sheet = contactSheet(8, Math.max(1, Math.ceil(picked.length / 4)), 112);
picked.forEach((sample, i) => {
  const [col, row] = [(i % 4) * 2, Math.floor(i / 4)];
  const gray = toGrayscale(sample.image);
  sheet.put(Uint8Array.from(gray.data), gray.width, gray.height, col, row);
  const result = recognizer.recognize(sample.image);
  if ('pixels' in result) sheet.put(result.pixels, 28, 28, col + 1, row);
  const answer = result.verdict === 'digit' ? `${result.label} (${result.confidence.toFixed(2)})` : result.verdict === 'unsure' ? result.reason : '';
  console.log(i, sample.what, result.verdict, answer);
});
writeFileSync(out, sheet.png());
console.log(`${picked.length} pictures: ${out}`);
