// Fashion-MNIST's clothes, shoes and bags through `recognize`, per class: the verdicts the shipped models give
// pictures that hold no digit, and the digits they are taken for (the verdict bench prints only the total).
// Usage: TSX_TSCONFIG_PATH=tsconfig.bench.json node --import tsx src/experiments/fashion-verdicts.ts [count, default 1000]
import { useBackend } from '@digitkit/core';
import { createRecognizer } from '@digitkit/recognizer';
import { FASHION_CLASSES, FASHION_MNIST_HOWTO, fashionPictures, findFashionMnist } from '../negatives/fashion.js';

const dir = findFashionMnist();
if (!dir) {
  console.error(`Fashion-MNIST not found: ${FASHION_MNIST_HOWTO}`);
  process.exit(1);
}
const samples = await fashionPictures(dir, Number(process.argv[2] ?? 1000));
await useBackend('wasm', { log: null });
for (const model of ['cnn', 'mlp']) {
  const recognizer = await createRecognizer({ model, log: null });
  const verdicts = samples.map((s) => recognizer.recognize(s.image));
  console.log(`## ${model}: ${verdicts.filter((v) => v.verdict !== 'digit').length} of ${samples.length} not called one digit`);
  for (const name of FASHION_CLASSES) {
    const these = verdicts.filter((_, i) => samples[i]!.what.startsWith(`${name} #`));
    const tally = (key: (v: (typeof these)[number]) => string | null) =>
      Object.entries(these.reduce<Record<string, number>>((t, v) => {
        const k = key(v);
        if (k !== null) t[k] = (t[k] ?? 0) + 1;
        return t;
      }, {}))
        .map(([k, n]) => `${k} ${n}`)
        .join(', ');
    console.log(`${name.padEnd(11)} ${String(these.length).padStart(4)}  ${tally((v) => v.verdict)}  |  as: ${tally((v) => (v.verdict === 'digit' ? String(v.label) : null)) || '-'}`);
  }
  recognizer.dispose();
}
