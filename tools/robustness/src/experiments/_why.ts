import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { asBlackOnWhite, redrawOnCanvas } from '@digitkit/testkit';
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const r = await createRecognizer({ model: 'cnn', log: null });
const counts: Record<string, number> = {};
for (let i = 2000; i < 2300; i++) {
  const pic = { data: asBlackOnWhite(redrawOnCanvas(test.images.subarray(i * 784, (i + 1) * 784), 8 + (i % 3), 280, 280, i)), width: 280, height: 280 };
  const x = r.recognize(pic);
  if (x.verdict === 'digit' && x.label === test.labels[i]) continue;
  const why = x.verdict === 'unsure' ? x.reason.replace(/\d+/g, '#').slice(0, 60) : x.verdict === 'digits' ? `digits ${x.digits.join('')} vs ${test.labels[i]}` : `${x.verdict} ${x.verdict === 'digit' ? x.label : ''}`;
  counts[why] = (counts[why] ?? 0) + 1;
  console.log(i, test.labels[i], x.verdict === 'unsure' ? x.reason.slice(0, 120) : why);
}
console.log(counts);
