// Why toMnistFormat finds "no digit" in a condition's pictures. Usage: empties.ts <condition> [count]
import { loadMnist } from '@digitkit/data';
import { toMnistFormat } from '@digitkit/preprocess';
import { CONDITIONS, drawCondition } from '../conditions.js';

const [name, n = '300'] = process.argv.slice(2) as [string, string?];
const { test } = await loadMnist();
const condition = CONDITIONS.find((c) => c.name === name)!;
for (const [i, d] of drawCondition(condition, test, Number(n), 1).entries()) {
  const r = toMnistFormat(d.image);
  if (r.empty) console.log(`#${i} label ${d.label} pen ${d.pen.toFixed(1)} ${d.image.width}x${d.image.height}: ${r.reason}`);
}
