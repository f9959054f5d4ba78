// The realistic-drawing benchmark: accuracy per condition for the MLP and the CNN through the web app's pipeline.
// Models: DIGITKIT_MODELS_DIR=<dir> loads <dir>/mlp/model and <dir>/cnn/model (as `digitkit train --out <dir>/mlp` writes);
// by default, the models the web app ships (apps/web/public/models/{mlp,cnn});
// a kind missing there (or no directory) is trained here on the fly with a short recipe, and the table says so.
// DIGITKIT_BENCH_COUNT sets pictures per condition (default 500: about 2 minutes on 2 free cores).
import type { DigitModel, ModelKind } from '@digitkit/core';
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { registerWasmTrainingKernels } from '@digitkit/model';
import { formatTable, runBenchmark } from '../src/harness.js';
import { loadSavedModel, trainModel } from '../src/models.js';

const count = Number(process.env.DIGITKIT_BENCH_COUNT ?? 500);
const dir = process.env.DIGITKIT_MODELS_DIR ?? new URL('../../../apps/web/public/models/', import.meta.url).pathname;
const started = performance.now();
const backend = await useBackend('wasm', { log: null });
// trainModel's train() needs @digitkit/model's gradient kernels on WASM.
registerWasmTrainingKernels();
const { train, test } = await loadMnist();

/** Short on-the-fly recipes: a few minutes at most on 2 cores, far below the saved models' accuracy. */
const QUICK: Record<ModelKind, { epochs: number }> = { mlp: { epochs: 4 }, cnn: { epochs: 1 } };

const models: Record<string, DigitModel> = {};
for (const kind of ['mlp', 'cnn'] as ModelKind[]) {
  const saved = dir ? await loadSavedModel(dir, kind).catch(() => null) : null;
  if (saved) {
    models[kind] = saved;
    console.log(`${kind}: loaded from ${dir}/${kind}/model`);
    continue;
  }
  const t0 = performance.now();
  try {
    models[`${kind}*`] = await trainModel(kind, train, QUICK[kind]);
    console.log(`${kind}*: trained here (default recipe, ${QUICK[kind].epochs} epoch(s)) in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  } catch (error) {
    console.log(`${kind}: skipped, could not train it here (${(error as Error).message.split('\n')[0]})`);
  }
}

console.log(`\n${count} pictures per condition, backend ${backend.name}; pipeline toMnistFormat -> normalize -> predict`);
const rows = runBenchmark(models, test, { count, seed: 1 });
console.log(formatTable(rows));
console.log(`\n(models from ${dir}; * = trained on the fly because none was there) Total ${((performance.now() - started) / 1000).toFixed(0)} s`);
