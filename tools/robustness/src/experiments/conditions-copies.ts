// The drawn and photographed conditions through two copies of the preprocess sources, paired picture by picture: each
// shipped model's accuracy through each copy, and how many pictures only one of the two reads right (the change's
// real size, where the accuracies alone move by a picture or two). Both go to recognizeMnistBatch.
// Usage: conditions-copies.ts <count> <seed> <condition,...|all> a=path/to/index.ts b=path/to/index.ts
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer, type Recognizer } from '@digitkit/recognizer';
import { CONDITIONS, drawCondition } from '../conditions.js';
import { preprocessCopies } from './copies.js';

const [count = '1000', seed = '7', names = 'all', ...copyArgs] = process.argv.slice(2);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const models: Record<string, Recognizer> = {
  cnn: await createRecognizer({ model: 'cnn', log: null }),
  mlp: await createRecognizer({ model: 'mlp', log: null }),
};
const copies = Object.entries(await preprocessCopies(copyArgs));
if (copies.length !== 2) throw new Error('give two copies: a=path/to/index.ts b=path/to/index.ts');
const [[a], [b]] = copies as [[string, unknown], [string, unknown]];
const conditions = names === 'all' ? CONDITIONS.filter((c) => !c.raw) : names.split(',').map((n) => CONDITIONS.find((c) => c.name === n)!);
const onlyTotals = Object.fromEntries(Object.keys(models).map((m) => [m, [0, 0]])) as Record<string, [number, number]>;
const pct = (right: boolean[]) => `${((100 * right.filter(Boolean).length) / right.length).toFixed(1)}%`;

for (const condition of conditions) {
  const drawn = drawCondition(condition, test, Number(count), Number(seed));
  const cells: string[] = [];
  for (const [model, recognizer] of Object.entries(models)) {
    const [rightA, rightB] = copies.map(([, pre]) => {
      const batch = new Uint8Array(drawn.length * 784);
      drawn.forEach((d, i) => {
        const image = pre(d.image);
        if (image) batch.set(image, i * 784);
      });
      return recognizer.recognizeMnistBatch(batch).map((r, i) => r.verdict === 'digit' && r.label === drawn[i]!.label);
    }) as [boolean[], boolean[]];
    const onlyA = rightA.filter((right, i) => right && !rightB[i]).length;
    const onlyB = rightB.filter((right, i) => right && !rightA[i]).length;
    onlyTotals[model]![0] += onlyA;
    onlyTotals[model]![1] += onlyB;
    cells.push(`${model} ${a} ${pct(rightA)} ${b} ${pct(rightB)} (only ${a} ${onlyA}, only ${b} ${onlyB})`);
  }
  console.log(`${condition.name.padEnd(14)} ${cells.join('   ')}`);
}
for (const [model, [onlyA, onlyB]] of Object.entries(onlyTotals)) {
  console.log(`${model}: read right only through ${a}: ${onlyA}, only through ${b}: ${onlyB} (${count} a condition, seed ${seed})`);
}
