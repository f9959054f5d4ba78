// The verdicts on digits no generator of ours made: UCI's 1,797 digits by other writers (when found, see
// DIGITKIT_UCI_DIGITS) and MNIST test digits as they are (28x28, light on black), through `recognize` with the shipped
// thresholds and with earlier rules beside them: of the digits each rule's model reads right, the share kept 'digit'.
// Usage: verdict-real-digits.ts [MNIST test digits, default 2000]
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer, type RecognizeInput, type VerdictThresholds } from '@digitkit/recognizer';
import { findUciDigits, loadUciDigits } from '../corruptions/uci-digits.js';
import { WHOLE_INK_AS_DIGIT } from '../models.js';

const count = Number(process.argv[2] ?? 2000);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const sets: { name: string; pictures: RecognizeInput[]; labels: ArrayLike<number> }[] = [
  {
    name: `MNIST test (first ${count})`,
    pictures: Array.from({ length: count }, (_, i) => ({ data: test.images.subarray(i * 784, (i + 1) * 784), width: 28, height: 28 })),
    labels: test.labels,
  },
];
const uciPath = findUciDigits();
if (uciPath) {
  const uci = await loadUciDigits(uciPath);
  sets.push({ name: 'UCI, other writers', pictures: [...uci.pictures], labels: uci.labels });
}
const RULES: Record<string, Partial<VerdictThresholds>> = {
  'shipped (stroke views)': {},
  'the CNN alone (its probability >= 0.7)': { minSureness: 0.7, viewWeight: 0, secondOpinionWeight: 0 },
  'no verdict (any ink a digit)': WHOLE_INK_AS_DIGIT,
};
for (const [rule, verdicts] of Object.entries(RULES)) {
  const recognizer = await createRecognizer({ model: 'cnn', log: null, verdicts });
  const cells = sets.map(({ name, pictures, labels }) => {
    const right = pictures.filter((p, i) => {
      const r = recognizer.recognize(p);
      return r.verdict === 'digit' && r.label === labels[i];
    }).length;
    return `${name}: ${right} of ${pictures.length} 'digit' and right (${((100 * right) / pictures.length).toFixed(1)}%)`;
  });
  console.log(`${rule.padEnd(44)} ${cells.join('   ')}`);
  recognizer.dispose();
}
