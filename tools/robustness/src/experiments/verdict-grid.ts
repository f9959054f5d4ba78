// How minSureness (with the shipped weights, or thresholds given as a JSON list) trades negatives off against single
// digits, through recognize itself: the tuning halves of the negative sets and single digits, plus MNIST test digits
// enlarged onto a 280x280 pad (what the unit and web tests use).
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer, type VerdictThresholds } from '@digitkit/recognizer';
import { asBlackOnWhite, redrawOnCanvas } from '@digitkit/testkit';
import { VERDICT_SETS } from '../negatives/sets.js';
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const neg = VERDICT_SETS.filter((s) => s.kind === 'not-a-digit').flatMap((s) => s.draw(test, 'tune', 50));
const singles = VERDICT_SETS.find((s) => s.kind === 'digit')!.draw(test, 'tune', 105);
const up = Array.from({ length: 100 }, (_, k) => { const i = 2000 + 3 * k; return { image: { data: asBlackOnWhite(redrawOnCanvas(test.images.subarray(i * 784, (i + 1) * 784), 8 + (i % 3), 280, 280, i)), width: 280, height: 280 }, digits: [test.labels[i]!] }; });
const tried = process.argv[3] ? (JSON.parse(process.argv[3]) as Partial<VerdictThresholds>[]) : [0.5, 0.55, 0.6, 0.62, 0.65, 0.7].map((minSureness) => ({ minSureness }));
for (const verdicts of tried) {
  const r = await createRecognizer({ model: (process.argv[2] ?? 'cnn') as 'cnn', log: null, verdicts });
  const negOut = neg.filter((x) => r.recognize(x.image).verdict !== 'digit').length / neg.length;
  const ok = (xs: { image: Parameters<typeof r.recognize>[0]; digits: readonly number[] | null }[]) => xs.filter((x) => { const y = r.recognize(x.image); return y.verdict === 'digit' && y.label === x.digits![0]; }).length / xs.length;
  console.log(`${JSON.stringify(verdicts)}: negatives not digit ${(negOut * 100).toFixed(1)}%  singles ok ${(ok(singles) * 100).toFixed(1)}%  upscaled MNIST ok ${(ok(up) * 100).toFixed(1)}%`);
  r.dispose();
}
