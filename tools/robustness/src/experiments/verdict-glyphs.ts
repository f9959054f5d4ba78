// Which glyphs of the non-digit sets (letters, symbols) the recognizer calls a single digit, and as what: per glyph,
// over both halves. Usage: verdict-glyphs.ts [count per half, default 400] [model, default cnn]
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { drawBothHalves } from '../negatives/sets.js';

const [count = '400', model = 'cnn'] = process.argv.slice(2);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const recognizer = await createRecognizer({ model, log: null });
for (const name of ['symbols', 'letters']) {
  // Per glyph: pictures drawn, and the labels of those called one digit.
  const glyphs = new Map<string, { drawn: number; digits: number[] }>();
  for (const sample of drawBothHalves(name, test, Number(count))) {
    // A glyph sample's `what` is "<character> (<font>)".
    const glyph = sample.what.split(' ')[0]!;
    const entry = glyphs.get(glyph) ?? { drawn: 0, digits: [] };
    const result = recognizer.recognize(sample.image);
    entry.drawn++;
    if (result.verdict === 'digit') entry.digits.push(result.label);
    glyphs.set(glyph, entry);
  }
  const rows = [...glyphs].sort(([, a], [, b]) => b.digits.length / b.drawn - a.digits.length / a.drawn);
  console.log(`${name} (${model}), called one digit / drawn (as which digits):`);
  console.log(rows.map(([glyph, { drawn, digits }]) => `${glyph} ${digits.length}/${drawn}${digits.length ? ` (${[...new Set(digits)].sort().join('')})` : ''}`).join('  '));
}
