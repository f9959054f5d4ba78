import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { corruptFamily, FAMILIES } from './src/corruptions/families.js';
import { loadSavedRecognizer, WHOLE_INK_AS_DIGIT } from './src/models.js';
import { plainMnist } from './src/corruptions/plain.js';
const { test } = await loadMnist();
const recs = {
  shipped: await createRecognizer({ log: null, verdicts: WHOLE_INK_AS_DIGIT }),
  saw: (await loadSavedRecognizer('/work/runs/saw', 'cnn'))!,
};
for (const name of ['zigzag', 'canny-edges', 'dotted-line']) {
  const set = corruptFamily(FAMILIES.find((f) => f.name === name)!, test, 300, 1);
  const raw = new Uint8Array(300 * 784);
  set.pictures.forEach((p, i) => raw.set(p.data as Uint8Array, i * 784));
  for (const [k, r] of Object.entries(recs)) {
    const rawAcc = r.recognizeMnistBatch(raw).filter((x: any, i: number) => x.verdict === "digit" && x.label === set.labels[i]).length / 300;
    const pipe = set.pictures.map((p) => r.recognize(p)).filter((x: any, i: number) => x.verdict === "digit" && x.label === set.labels[i]).length / 300;
    console.log(name, k, 'raw28', rawAcc.toFixed(3), 'pipeline', pipe.toFixed(3));
  }
}
