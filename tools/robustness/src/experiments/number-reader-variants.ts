// The recognizer with the number-reader prototype (`git apply tools/robustness/src/experiments/number-reader.diff`, a
// reader trained by number-reader.ts in DIGITKIT_NUMBER_MODEL) under several settings of its environment switches, on
// the same verdict-bench pictures: per set and half, the target measure (%) and the digit / digits / unsure counts.
// Usage: number-reader-variants.ts <count a half> '<JSON array of env objects>' [sets, comma-separated] [cnn|mlp]
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { HALVES } from '../negatives/scene.js';
import { scoreVerdicts } from '../negatives/score.js';
import { VERDICT_SETS } from '../negatives/sets.js';

const count = Number(process.argv[2] ?? 300);
const variants = JSON.parse(process.argv[3]!) as Record<string, string>[];
const names = (process.argv[4] ?? 'touching pairs,touching triples,scribbles,letters,symbols,soft non-digits,soft digits,single digits').split(',');
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const recognizer = await createRecognizer({ model: (process.argv[5] ?? 'cnn') as 'cnn', log: null });
const sets = VERDICT_SETS.filter((s) => names.includes(s.name));
const samples = new Map(sets.flatMap((set) => HALVES.map((half) => [`${set.name}/${half}`, set.draw(test, half, count)] as const)));
for (const variant of variants) {
  Object.assign(process.env, variant);
  const cells = sets.flatMap((set) => HALVES.map((half) => {
    const s = scoreVerdicts(recognizer, set, samples.get(`${set.name}/${half}`)!);
    return `${set.name}/${half}: ${(100 * s.pass).toFixed(1)} (${s.verdicts.digit}/${s.verdicts.digits}/${s.verdicts.unsure})`;
  }));
  console.log(`${JSON.stringify(variant)}\n  ${cells.join('\n  ')}`);
}
