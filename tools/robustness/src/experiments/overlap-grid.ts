// Pairs of MNIST test digits overlapping, drawn as @digitkit/recognizer's tests draw numbers (each enlarged 6x, side by
// side `gap` px apart, negative: overlapping): how many each shipped model reads exactly, and with a copy of the
// recognizer's sources given, the same beside it, the pairs both models gain and those either loses.
// Usage: overlap-grid.ts <firsts a-b> <seconds a-b> <gap> [path/to/a/copy/of/recognizer/src/index.ts]
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer, type Recognizer } from '@digitkit/recognizer';
import { digitsInARow } from '@digitkit/testkit';

const [firsts = '60-71', seconds = '0-59', gapArg = '-24', copy] = process.argv.slice(2);
const range = (r: string) => {
  const [a, b] = r.split('-').map(Number) as [number, number];
  return Array.from({ length: b - a + 1 }, (_, k) => a + k);
};
const gap = Number(gapArg);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const digitAt = (i: number) => test.images.subarray(i * 784, (i + 1) * 784);

const number = (indices: readonly number[]) => digitsInARow(indices.map(digitAt), gap);

const MODELS = ['cnn', 'mlp'] as const;
const create = (make: typeof createRecognizer) => Promise.all(MODELS.map((model) => make({ model, log: null })));
const now = await create(createRecognizer);
const before = copy ? await create((await import(copy)).createRecognizer) : null;
const read = (r: Recognizer, picture: ReturnType<typeof number>) => {
  const result = r.recognize(picture);
  return result.verdict === 'digits' ? result.digits.join('') : result.verdict;
};
const right = { now: [0, 0], before: [0, 0] };
const gained: string[] = [];
const lost: string[] = [];
let count = 0;
for (const a of range(firsts)) {
  for (const b of range(seconds)) {
    if (a === b) continue;
    count++;
    const expected = `${test.labels[a]}${test.labels[b]}`;
    const picture = number([a, b]);
    const nowRight = now.map((r) => read(r, picture) === expected);
    const beforeRight = before?.map((r) => read(r, picture) === expected) ?? nowRight;
    nowRight.forEach((ok, m) => (right.now[m]! += ok ? 1 : 0));
    beforeRight.forEach((ok, m) => (right.before[m]! += ok ? 1 : 0));
    if (nowRight.every((ok, m) => ok && !beforeRight[m])) gained.push(`[${a}, ${b}]`);
    if (beforeRight.some((ok, m) => ok && !nowRight[m])) lost.push(`[${a}, ${b}] ${expected} -> ${now.map((r) => read(r, picture)).join(' / ')}`);
  }
}
const counts = (m: number) => (before ? `${right.before[m]} -> ${right.now[m]}` : `${right.now[m]}`);
console.log(`${count} pairs, gap ${gap}: right ${MODELS.map((model, m) => `${model} ${counts(m)}`).join(', ')}`);
if (before) console.log(`read right by both models now and by neither before: ${gained.join(' ') || 'none'}\nread right before, not now: ${lost.join('; ') || 'none'}`);
