// The shipped models on digits in handwriting fonts (src/corruptions/font-digits.ts: other people's hands, crisp on a
// canvas or photographed; never tuned on): read right through the pipeline with no verdict, through the plain MNIST
// preprocessing, and 'digit' and right with the shipped verdicts; per font for the CNN. Usage:
//   DIGITKIT_FONT_DIR=<dir> TSX_TSCONFIG_PATH=tsconfig.bench.json node --import tsx src/experiments/font-digits.ts [pictures per digit and font, default 4] [sheet.png]
import { writeFileSync } from 'node:fs';
import { useBackend } from '@digitkit/core';
import { toGrayscale } from '@digitkit/preprocess';
import { createRecognizer } from '@digitkit/recognizer';
import { FONT_DIGITS_HOWTO, drawFontDigits, findHandwritingFonts } from '../corruptions/font-digits.js';
import { plainMnist } from '../corruptions/plain.js';
import { WHOLE_INK_AS_DIGIT } from '../models.js';
import { contactSheet } from './contact-sheet.js';

const [perDigit = '4', sheetPath] = process.argv.slice(2);
const fonts = findHandwritingFonts();
if (fonts.length === 0) {
  console.log(`No handwriting fonts found. ${FONT_DIGITS_HOWTO}`);
  process.exit(1);
}
await useBackend('wasm', { log: null });
const digits = drawFontDigits(fonts, Number(perDigit));
console.log(`${digits.length} pictures: ${fonts.length} fonts x 10 digits x ${perDigit} (half photographed)`);
const pct = (n: number, d: number) => `${((100 * n) / Math.max(1, d)).toFixed(1)}%`;

for (const kind of ['cnn', 'mlp'] as const) {
  const shipped = await createRecognizer({ model: kind, log: null });
  const open = await createRecognizer({ model: kind, log: null, verdicts: WHOLE_INK_AS_DIGIT });
  let [right, plain, kept, keptOfRight] = [0, 0, 0, 0];
  const perFont = new Map<string, [number, number, number]>();
  const misses: string[] = [];
  for (const d of digits) {
    const a = open.recognize(d.image);
    const isRight = a.verdict === 'digit' && a.label === d.label;
    const p = plainMnist(d.image);
    const plainRead = p === null ? null : open.recognizeMnist(p);
    const plainRight = plainRead?.verdict === 'digit' && plainRead.label === d.label;
    const s = shipped.recognize(d.image);
    const isKept = s.verdict === 'digit' && s.label === d.label;
    right += isRight ? 1 : 0;
    plain += plainRight ? 1 : 0;
    kept += isKept ? 1 : 0;
    keptOfRight += isRight && isKept ? 1 : 0;
    const font = d.what.split(' ')[0]!;
    const tally = perFont.get(font) ?? [0, 0, 0];
    perFont.set(font, [tally[0] + (isRight ? 1 : 0), tally[1] + (isKept ? 1 : 0), tally[2] + 1]);
    if (!isKept && misses.length < 40) misses.push(`${d.what} -> ${s.verdict === 'digit' ? s.label : s.verdict === 'unsure' ? s.reason.slice(0, 70) : s.verdict}`);
  }
  console.log(`\n## ${kind}: right through the pipeline (no verdict) ${pct(right, digits.length)}, plain preprocessing ${pct(plain, digits.length)}; ` +
    `'digit' and right with the verdicts ${pct(kept, digits.length)} (kept ${pct(keptOfRight, right)} of the right ones)`);
  if (kind === 'cnn') {
    for (const [font, [r, k, n]] of perFont) console.log(`  ${font.padEnd(34)} right ${pct(r, n).padStart(6)}  'digit' and right ${pct(k, n).padStart(6)}`);
    if (process.env.DIGITKIT_FONT_MISSES) console.log(`  misses:\n    ${misses.join('\n    ')}`);
  }
  shipped.dispose();
  open.dispose();
}

if (sheetPath) {
  // Every picture beside the 28x28 the CNN's recognizer made of it, four a row.
  const recognizer = await createRecognizer({ model: 'cnn', log: null });
  const sheet = contactSheet(8, Math.ceil(digits.length / 4), 96);
  digits.forEach((d, i) => {
    const gray = toGrayscale(d.image);
    sheet.put(Uint8Array.from(gray.data), gray.width, gray.height, (i % 4) * 2, Math.floor(i / 4));
    const r = recognizer.recognize(d.image);
    if ('pixels' in r && r.pixels) sheet.put(r.pixels, 28, 28, (i % 4) * 2 + 1, Math.floor(i / 4));
  });
  writeFileSync(sheetPath, sheet.png());
  console.log(`contact sheet: ${sheetPath}`);
}
