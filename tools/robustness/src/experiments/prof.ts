// Drawing and preprocessing time per picture for one condition. Usage: prof.ts <condition>
import { loadMnist } from '@digitkit/data';
import { toMnistFormat } from '@digitkit/preprocess';
import { CONDITIONS, drawCondition } from '../conditions.js';
const { test } = await loadMnist();
const cond = CONDITIONS.find((c) => c.name === process.argv[2])!;
let t = performance.now();
const d = drawCondition(cond, test, 60, 1);
console.log('draw ms', (performance.now() - t) / 60);
t = performance.now();
for (const x of d) toMnistFormat(x.image);
console.log('prep ms', (performance.now() - t) / 60);
