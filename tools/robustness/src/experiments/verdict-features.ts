// Which evidence tells one digit from what is no digit: per tuning-half picture of the verdict sets, the shipped CNN's
// and MLP's answers on the same 28x28 image, and the ink's aspect; then how simple rules split the sets.
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { toMnistFormat } from '@digitkit/preprocess';
import { createRecognizer } from '@digitkit/recognizer';
import { VERDICT_SETS } from '../negatives/sets.js';

const count = Number(process.argv[2] ?? 60);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const cnn = await createRecognizer({ model: 'cnn', log: null });
const mlp = await createRecognizer({ model: 'mlp', log: null });
interface Row { set: string; c: number; cp: number; m: number; mp: number; mOfC: number; aspect: number; fill: number }
const rows: Row[] = [];
for (const set of VERDICT_SETS) {
  if (set.kind === 'number') continue;
  for (const sample of set.draw(test, 'tune', count)) {
    const f = toMnistFormat(sample.image);
    if (f.empty) continue;
    const a = cnn.recognizeMnist(f.pixels);
    const b = mlp.recognizeMnist(f.pixels);
    if (a.verdict !== 'digit' || b.verdict !== 'digit') continue;
    if (set.kind === 'digit' && a.label !== sample.digits![0]) continue;
    const fill = f.pixels.reduce((s, v) => s + v, 0) / 255 / 400;
    rows.push({ set: set.name, c: a.label, cp: a.confidence, m: b.label, mp: b.confidence, mOfC: b.probabilities[a.label]!, aspect: f.box.width / f.box.height, fill });
  }
}
const sets = [...new Set(rows.map((r) => r.set))];
const rules: Record<string, (r: Row) => boolean> = {};
for (const t of [0.5, 0.8, 0.9, 0.95, 0.99]) rules[`cnn>=${t}`] = (r) => r.cp >= t;
for (const t of [0, 0.5, 0.7, 0.8, 0.9]) rules[`agree&min>=${t}`] = (r) => r.c === r.m && Math.min(r.cp, r.mp) >= t;
for (const t of [0.3, 0.5, 0.7, 0.8, 0.9]) rules[`cnn>=.8&mlpOfC>=${t}`] = (r) => r.cp >= 0.8 && r.mOfC >= t;
for (const t of [0.3, 0.5, 0.7]) rules[`geo(cnn,mlpOfC)>=${t}`] = (r) => Math.sqrt(r.cp * r.mOfC) >= t;
for (const t of [0.3, 0.5, 0.7]) rules[`prod(cnn,mlpOfC)>=${t}`] = (r) => r.cp * r.mOfC >= t;
console.log(`${'rule (called digit when)'.padEnd(26)} ${sets.map((s) => s.padStart(14)).join('')}   (% called one digit)`);
for (const [name, rule] of Object.entries(rules)) {
  console.log(`${name.padEnd(26)} ${sets.map((s) => { const r = rows.filter((x) => x.set === s); return `${((100 * r.filter(rule).length) / r.length).toFixed(1)}% of ${r.length}`.padStart(14); }).join('')}`);
}
