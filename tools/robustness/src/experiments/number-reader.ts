// How well does the number reader (the model that reads two touching digits whole, recognition without segmentation)
// read the verdict bench's pictures on its own, at each threshold on its pair's probability? The reader alone, not the
// recognizer's rule (that is bench/verdicts.ts). Its sets and fits: @digitkit/preprocess's createNumberSet and wideFit;
// the shipped one is trained by `digitkit train --model numbers` (RESULTS.md, "A number reader" and "The number reader
// shipped").
// Usage: number-reader.ts [<saved reader: a digitkit train --out dir, or its model dir>] [count a half=300]
//        (without a directory: the reader shipped in @digitkit/recognizer)
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { NUMBER_FIT, readNumberClass, toMnistFormat, wideFit } from '@digitkit/preprocess';
import { createRecognizer } from '@digitkit/recognizer';
import { loadModel, predict } from '@digitkit/model';
import { drawBothHalves } from '../negatives/sets.js';

const args = process.argv.slice(2);
const dir = args.find((a) => !/^\d+$/.test(a));
const count = Number(args.find((a) => /^\d+$/.test(a)) ?? 300);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const model = dir ? await loadModel(dir.endsWith('model') ? dir : `${dir}/model`) : (await createRecognizer({ log: null })).numberReader!;

function readWide(fits: readonly Uint8Array[]): { label: number; p: number }[] {
  const size = NUMBER_FIT.width * NUMBER_FIT.height;
  const x = new Float32Array(fits.length * size);
  fits.forEach((f, i) => { for (let j = 0; j < size; j++) x[i * size + j] = f[j]! / 255; });
  return predict(model, x, fits.length).map((p) => ({ label: p.label, p: p.probabilities[p.label]! }));
}

const GATES = [0.5, 0.7, 0.8, 0.9];
console.log(`set (half): right = read as its digits; then, per threshold on the pair's probability, pictures called a pair that sure / of them right`);
for (const name of ['touching pairs', 'single digits', 'letters', 'scribbles', 'symbols', 'soft digits', 'touching triples', 'pairs']) {
  const samples = drawBothHalves(name, test, count);
  const formats = samples.map((s) => toMnistFormat(s.image));
  const fits = formats.map((m) => (m.empty ? null : wideFit(m.ink)));
  const read = readWide(fits.map((f) => f ?? new Uint8Array(NUMBER_FIT.width * NUMBER_FIT.height)));
  for (const [h, half] of ['tuning', 'held-out'].entries()) {
    let right = 0;
    const called = GATES.map(() => 0);
    const calledRight = GATES.map(() => 0);
    for (let i = h * count; i < (h + 1) * count; i++) {
      const d = samples[i]!.digits ?? [];
      const r = read[i]!;
      const reading = readNumberClass(r.label);
      const said = reading.kind === 'digits' ? reading.digits : [];
      right += +(said.join() === d.join());
      GATES.forEach((g, k) => {
        if (said.length === 2 && r.p >= g) {
          called[k]!++;
          calledRight[k]! += +(said.join() === d.join());
        }
      });
    }
    const pc = (x: number) => `${((100 * x) / count).toFixed(1)}%`;
    console.log(`${name.padEnd(16)} ${half.padEnd(9)} right ${pc(right).padStart(6)} | ${GATES.map((g, k) => `>=${g}: ${pc(called[k]!)} / ${pc(calledRight[k]!)}`).join('  ')}`);
  }
}
