// The realistic-drawing benchmark: accuracy per condition for the MLP and the CNN through @digitkit/recognizer, as
// apps use it (pictures through recognize, the raw MNIST reference through recognizeMnistBatch).
// Models: by default the ones shipped inside @digitkit/recognizer (what the web app and `digitkit predict` run);
// DIGITKIT_MODELS_DIR=<dir> loads <dir>/mlp/model and <dir>/cnn/model instead (as `digitkit train --out <dir>/mlp`
// writes), and a kind missing there is trained here on the fly with a short recipe, and the table says so.
// DIGITKIT_BENCH_COUNT sets pictures per condition and per corruption family (default 500: about 2 minutes on 2 free
// cores); DIGITKIT_BENCH_PART=conditions or =families runs only that part; DIGITKIT_VERDICTS a JSON of thresholds over
// WHOLE_INK_AS_DIGIT for the shipped models (e.g. both number thresholds at 1: without the number reader).
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { registerWasmTrainingKernels } from '@digitkit/model';
import { createRecognizer, type Recognizer, SHIPPED_MODELS, type ShippedModelName } from '@digitkit/recognizer';
import { formatTable, runBenchmark } from '../src/harness.js';
import { loadSavedRecognizer, trainModel, WHOLE_INK_AS_DIGIT } from '../src/models.js';
import { benchFamilies } from './families.js';

const count = Number(process.env.DIGITKIT_BENCH_COUNT ?? 500);
const dir = process.env.DIGITKIT_MODELS_DIR;
// Thresholds over WHOLE_INK_AS_DIGIT for the shipped models, e.g. '{"numberAgreement":1,"numberAlone":1}' (no number reader).
const verdicts = { ...WHOLE_INK_AS_DIGIT, ...(process.env.DIGITKIT_VERDICTS ? JSON.parse(process.env.DIGITKIT_VERDICTS) : {}) };
const started = performance.now();
const backend = await useBackend('wasm', { log: null });
// trainModel's train() needs @digitkit/model's gradient kernels on WASM.
registerWasmTrainingKernels();
const { train, test } = await loadMnist();

/** Short on-the-fly recipes: a few minutes at most on 2 cores, far below the saved models' accuracy. */
const QUICK: Record<ShippedModelName, { epochs: number }> = { mlp: { epochs: 4 }, cnn: { epochs: 1 } };

const recognizers: Record<string, Recognizer> = {};
for (const { name } of Object.values(SHIPPED_MODELS)) {
  if (!dir) {
    recognizers[name] = await createRecognizer({ model: name, log: null, verdicts });
    console.log(`${name}: shipped in @digitkit/recognizer (uint8 weights, ${(SHIPPED_MODELS[name].testAccuracy * 100).toFixed(2)}% on MNIST test)`);
    continue;
  }
  const saved = await loadSavedRecognizer(dir, name).catch(() => null);
  if (saved) {
    recognizers[name] = saved;
    console.log(`${name}: loaded from ${dir}/${name}`);
    continue;
  }
  const t0 = performance.now();
  try {
    const model = await trainModel(name, train, QUICK[name]);
    recognizers[`${name}*`] = await createRecognizer({ model, log: null, verdicts: WHOLE_INK_AS_DIGIT });
    console.log(`${name}*: trained here (default recipe, ${QUICK[name].epochs} epoch(s)) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } catch (error) {
    console.log(`${name}: skipped, could not train it here (${(error as Error).message.split('\n')[0]})`);
  }
}

const part = process.env.DIGITKIT_BENCH_PART;
if (part !== 'families') {
  console.log(`\n${count} pictures per condition, backend ${backend.name}; through @digitkit/recognizer (recognize; mnist-raw: recognizeMnistBatch)`);
  // Each drawn and photographed condition should reach 98%: the table marks those under it, and which are beyond chance.
  console.log(formatTable(runBenchmark(recognizers, test, { count, seed: 1 }), 0.98));
}
if (part !== 'conditions') await benchFamilies(recognizers, test, count);
const origin = dir ? `models from ${dir}; * = trained on the fly because none was there` : 'models shipped in @digitkit/recognizer';
console.log(`\n(${origin}) Total ${((performance.now() - started) / 1000).toFixed(0)} s`);
