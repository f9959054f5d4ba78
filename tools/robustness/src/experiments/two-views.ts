// Would reading both the pipeline's 28x28 and the plain preprocessing's, and keeping the surer answer, beat each alone?
// Per corruption family, UCI's digits and the drawn/photographed conditions: shipped CNN and MLP accuracy through
// toMnistFormat, through plainMnist, through the more confident of the two, and the same only where the two 28x28s
// look alike (pixel correlation >= each GATES value: plain's crop also holds stripes or shading where they differ).
// Usage: two-views.ts [count, default 300]
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { toMnistFormat } from '@digitkit/preprocess';
import { createRecognizer, type Recognizer } from '@digitkit/recognizer';
import { pearson, type Raster } from '@digitkit/testkit';
import { CONDITIONS, drawCondition } from '../conditions.js';
import { corruptFamily, FAMILIES } from '../corruptions/families.js';
import { plainMnist } from '../corruptions/plain.js';
import { findUciDigits, loadUciDigits } from '../corruptions/uci-digits.js';
import { WHOLE_INK_AS_DIGIT } from '../models.js';

const count = Number(process.argv[2] ?? 300);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const models: Record<string, Recognizer> = {
  cnn: await createRecognizer({ model: 'cnn', log: null, verdicts: WHOLE_INK_AS_DIGIT }),
  mlp: await createRecognizer({ model: 'mlp', log: null, verdicts: WHOLE_INK_AS_DIGIT }),
};
const pct = (x: number) => `${(100 * x).toFixed(1)}`.padStart(6);
const GATES = [0.5, 0.7, 0.8, 0.9];


function row(name: string, pictures: readonly Raster[], labels: ArrayLike<number>): void {
  const n = pictures.length;
  const [pipe, plain] = [new Uint8Array(n * 784), new Uint8Array(n * 784)];
  pictures.forEach((p, i) => {
    const m = toMnistFormat(p);
    if (!m.empty) pipe.set(m.pixels, i * 784);
    const q = plainMnist(p);
    if (q) plain.set(q, i * 784);
  });
  const cells: string[] = [];
  for (const recognizer of Object.values(models)) {
    const [a, b] = [recognizer.recognizeMnistBatch(pipe), recognizer.recognizeMnistBatch(plain)];
    let [right, rightPlain, rightSurer] = [0, 0, 0];
    const gated = GATES.map(() => 0);
    for (let i = 0; i < n; i++) {
      const [ra, rb] = [a[i]!, b[i]!];
      const la = ra.verdict === 'digit' ? ra.label : -1;
      const lb = rb.verdict === 'digit' ? rb.label : -1;
      const ca = ra.verdict === 'digit' ? ra.confidence : 0;
      const cb = rb.verdict === 'digit' ? rb.confidence : 0;
      right += +(la === labels[i]);
      rightPlain += +(lb === labels[i]);
      rightSurer += +((ca >= cb ? la : lb) === labels[i]);
      // A blank 28x28 (nothing found) correlates with nothing: NaN, counted as unlike.
      const alike = pearson(pipe.subarray(i * 784, (i + 1) * 784), plain.subarray(i * 784, (i + 1) * 784)) || 0;
      GATES.forEach((gate, g) => {
        gated[g]! += +((ca >= cb || alike < gate ? la : lb) === labels[i]);
      });
    }
    cells.push(`${pct(right / n)} ${pct(rightPlain / n)} ${pct(rightSurer / n)} |${gated.map((g) => pct(g / n)).join('')}`);
  }
  console.log(`${name.padEnd(16)} ${String(n).padStart(5)}  ${cells.join('   ')}`);
}

console.log(`${'set'.padEnd(16)} ${'n'.padStart(5)}  cnn: pipe  plain  surer | gated ${GATES.join(' ')}     mlp: (the same)`);
for (const family of FAMILIES) {
  const set = corruptFamily(family, test, count, 1);
  row(`${family.name} (${family.split === 'tune' ? 't' : 'h'})`, set.pictures, set.labels);
}
const uciPath = findUciDigits();
if (uciPath) {
  const uci = await loadUciDigits(uciPath);
  row('uci-digits-8x8', uci.pictures, uci.labels);
}
for (const condition of CONDITIONS.filter((c) => !c.raw)) {
  const drawn = drawCondition(condition, test, count, 1);
  row(condition.name, drawn.map((d) => d.image), drawn.map((d) => d.label));
}
