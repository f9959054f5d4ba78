// Would averaging the model's answers over several 28x28s of one picture beat the pipeline's one 28x28? Per corruption
// family, UCI's digits and the drawn/photographed conditions, shipped CNN (and MLP) accuracy on: the pipeline's 28x28,
// the plain preprocessing's, the mean of the two, the pipeline with its STROKE_VIEWS (already computed by recognize()
// for the verdicts), and all of them together (mean of probabilities).
// Usage: TSX_TSCONFIG_PATH=tsconfig.bench.json node --import tsx src/experiments/tta.ts [count=300] [condCount=200] [models=cnn]
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { predict } from '@digitkit/model';
import { createAugmenter, normalize, toMnistFormat } from '@digitkit/preprocess';
import { createRecognizer, STROKE_VIEWS } from '@digitkit/recognizer';
import type { Raster } from '@digitkit/testkit';
import { CONDITIONS, drawCondition } from '../conditions.js';
import { corruptFamily, FAMILIES } from '../corruptions/families.js';
import { plainMnist } from '../corruptions/plain.js';
import { findUciDigits, loadUciDigits } from '../corruptions/uci-digits.js';
import { WHOLE_INK_AS_DIGIT } from '../models.js';

const count = Number(process.argv[2] ?? 300);
const condCount = Number(process.argv[3] ?? 200);
const kinds = (process.argv[4] ?? 'cnn').split(',') as ('cnn' | 'mlp')[];
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const SIZE = 784;
const V = STROKE_VIEWS.count;
const pct = (x: number) => `${(100 * x).toFixed(1)}`.padStart(6);
const COLUMNS = ['pipe', 'plain', 'p+pl', 'p+views', 'all', 'p+pl(w)'];
const totals: Record<string, number[]> = {};
// Loaded once: every set goes through the same models.
const models = await Promise.all(kinds.map(async (kind) => [kind, await createRecognizer({ model: kind, log: null, verdicts: WHOLE_INK_AS_DIGIT })] as const));

function row(name: string, pictures: readonly Raster[], labels: ArrayLike<number>): void {
  const n = pictures.length;
  const per = 2 + V;
  const x = new Float32Array(n * per * SIZE);
  pictures.forEach((p, i) => {
    const m = toMnistFormat(p);
    const pipe = m.empty ? new Uint8Array(SIZE) : m.pixels;
    const plain = plainMnist(p) ?? new Uint8Array(SIZE);
    const base = i * per * SIZE;
    normalize(pipe, x.subarray(base, base + SIZE));
    normalize(plain, x.subarray(base + SIZE, base + 2 * SIZE));
    // The recognizer's stroke views (verdicts.ts): one seeded augmenter per picture, so every picture gets the same changes.
    const augment = createAugmenter({ seed: STROKE_VIEWS.seed, maxShift: 0, strokeWidth: 1 });
    for (let v = 0; v < V; v++) augment(pipe, x.subarray(base + (2 + v) * SIZE, base + (3 + v) * SIZE));
  });
  const cells: string[] = [];
  for (const [kind, recognizer] of models) {
    const out = predict(recognizer.model, x, n * per).map((p) => p.probabilities);
    const right = COLUMNS.map(() => 0);
    const argmax = (ps: readonly number[]) => ps.indexOf(Math.max(...ps));
    const mean = (rows: (readonly number[])[], weights?: number[]) =>
      Array.from({ length: 10 }, (_, k) => rows.reduce((s, r, j) => s + (weights?.[j] ?? 1) * r[k]!, 0));
    for (let i = 0; i < n; i++) {
      const [pipe, plain, ...views] = out.slice(i * per, (i + 1) * per);
      const answers = [
        argmax(pipe!),
        argmax(plain!),
        argmax(mean([pipe!, plain!])),
        argmax(mean([pipe!, ...views])),
        argmax(mean([pipe!, plain!, ...views])),
        argmax(mean([pipe!, plain!], [2, 1])),
      ];
      answers.forEach((a, c) => (right[c]! += +(a === labels[i])));
    }
    totals[kind] ??= COLUMNS.map(() => 0);
    right.forEach((r, c) => (totals[kind]![c]! += r / n));
    cells.push(right.map((r) => pct(r / n)).join(''));
  }
  console.log(`${name.padEnd(18)} ${String(n).padStart(5)} ${cells.join('   |')}`);
}

console.log(`${'set'.padEnd(18)} ${'n'.padStart(5)} ${kinds.map(() => COLUMNS.map((c) => c.padStart(6)).join('')).join('   |')}`);
let sets = 0;
for (const family of FAMILIES) {
  const set = corruptFamily(family, test, count, 1);
  row(`${family.name} (${family.split === 'tune' ? 't' : 'h'})`, set.pictures, set.labels);
  sets++;
}
const uciPath = findUciDigits();
if (uciPath) {
  const uci = await loadUciDigits(uciPath);
  row('uci-digits-8x8', uci.pictures, uci.labels);
  sets++;
}
for (const condition of CONDITIONS.filter((c) => !c.raw)) {
  const drawn = drawCondition(condition, test, condCount, 1);
  row(condition.name, drawn.map((d) => d.image), drawn.map((d) => d.label));
  sets++;
}
for (const [k, t] of Object.entries(totals)) console.log(`mean over ${sets} sets (${k}): ${t.map((v) => pct(v / sets)).join('')}`);
