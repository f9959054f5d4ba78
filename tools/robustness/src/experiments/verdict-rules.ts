// Which rule over the two shipped models' probabilities best separates non-digits from single digits, on the tuning
// halves only: CNN confidence with the MLP's second opinion (the shipped rule), or their averaged probabilities.
// Run after changing the shipped models: TSX_TSCONFIG_PATH=tsconfig.bench.json node --import tsx src/experiments/verdict-rules.ts
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { WHOLE_INK_AS_DIGIT } from '../models.js';
import { VERDICT_SETS } from '../negatives/sets.js';

await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const half = (process.argv[2] ?? 'tune') as 'tune' | 'held-out';
const cnn = await createRecognizer({ model: 'cnn', log: null, verdicts: WHOLE_INK_AS_DIGIT });
const mlp = await createRecognizer({ model: 'mlp', log: null, verdicts: WHOLE_INK_AS_DIGIT });

interface Row { set: string; what: string; negative: boolean; label: number | null; cnn: number[]; mlp: number[] }
const rows: Row[] = [];
for (const set of VERDICT_SETS.filter((s) => s.kind !== 'number')) {
  for (const sample of set.draw(test, half, set.kind === 'digit' ? 105 : 100)) {
    const r = cnn.recognize(sample.image);
    const second = r.verdict === 'digit' ? mlp.recognizeMnist(r.pixels) : null;
    // Empty or split into pieces: the whole-picture rule does not decide these.
    if (r.verdict !== 'digit' || second?.verdict !== 'digit') continue;
    rows.push({ set: set.name, what: sample.what, negative: sample.digits === null, label: sample.digits?.[0] ?? null, cnn: [...r.probabilities], mlp: [...second.probabilities] });
  }
}
const argmax = (p: number[]) => p.indexOf(Math.max(...p));
type Rule = (r: Row) => boolean; // true: called one digit
const rules: [string, Rule][] = [];
for (const c of [0.5, 0.6, 0.7, 0.8, 0.9]) for (const s of [0, 0.3, 0.5, 0.7]) rules.push([`cnn>=${c} mlp>=${s}`, (r) => Math.max(...r.cnn) >= c && r.mlp[argmax(r.cnn)]! >= s]);
for (const t of [0.5, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.9]) rules.push([`mean>=${t}`, (r) => { const m = r.cnn.map((v, i) => (v + r.mlp[i]!) / 2); return Math.max(...m) >= t; }]);
const sets = [...new Set(rows.map((r) => r.set))];
console.log(`${half} half: ${rows.length} pictures read as one piece`);
console.log(`${'rule'.padEnd(22)}${sets.map((s) => s.padStart(15)).join('')}`);
for (const [name, called] of rules) {
  const cells = sets.map((set) => {
    const of = rows.filter((r) => r.set === set);
    if (of[0]!.negative) return of.filter((r) => !called(r)).length / of.length;
    const right = of.filter((r) => argmax(r.cnn) === r.label);
    return right.filter(called).length / right.length;
  });
  console.log(`${name.padEnd(22)}${cells.map((v) => `${(v * 100).toFixed(1)}%`.padStart(15)).join('')}`);
}
if (process.env.DIGITKIT_VERDICT_MISSES) {
  for (const r of rows.filter((r) => !r.negative && argmax(r.cnn) === r.label && Math.max(...r.cnn) < 0.8)) {
    console.log(`${r.what}: ${r.label} cnn ${Math.max(...r.cnn).toFixed(2)} mlp ${r.mlp[r.label!]!.toFixed(2)}`);
  }
}
