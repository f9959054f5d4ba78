// Scores models side by side on drawn and photographed conditions with more (and other) digits than the bench's 300,
// to tell a real change from a few hard digits. Usage:
//   conditions-compare.ts <count> <seed> <condition,condition,...> <model|modelDir> [<model|modelDir> ...]
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { CONDITIONS } from '../conditions.js';
import { accuracyOn, prepareCondition } from '../harness.js';
import { WHOLE_INK_AS_DIGIT } from '../models.js';

const [count = '1000', seed = '7', names = 'pad-medium,photo,tilted', ...models] = process.argv.slice(2);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
// Read as the bench reads them: the whole ink as one digit, its top class.
const recognizers = await Promise.all(models.map((model) => createRecognizer({ model, log: null, verdicts: WHOLE_INK_AS_DIGIT })));
for (const name of names.split(',')) {
  const condition = CONDITIONS.find((c) => c.name === name);
  if (!condition) throw new Error(`no condition "${name}"; there are ${CONDITIONS.map((c) => c.name).join(', ')}`);
  const prepared = prepareCondition(condition, test, { count: Number(count), seed: Number(seed) });
  const scores = recognizers.map((recognizer, i) => `${models[i]}: ${(100 * accuracyOn(recognizer, prepared)).toFixed(1)}%`);
  console.log(`${name.padEnd(14)} n=${prepared.count}  ${scores.join('  ')}`);
}
