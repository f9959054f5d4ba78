// Trains with worker threads from the built package (dist), in a process of its own: the tests check it
// trains, that Ctrl-C stops it, and that the process then exits by itself (no thread left running).
// argv: esm|cjs, then finish|interrupt, then 2|auto (auto keeps this MLP in process, its batches made on a second
// thread). Prints one JSON line per event.
import { createRequire } from 'node:module';

const [format = 'esm', mode = 'finish', workers = '2'] = process.argv.slice(2);
const require = createRequire(import.meta.url);
const load = (name) => (format === 'cjs' ? require(name) : import(name));
const { useBackend } = await load('@digitkit/core');
const { loadMnist, subset } = await load('@digitkit/data');
const { mlp, WASM_TRAINING_KERNELS } = await load('@digitkit/model');
const { train } = await load(format === 'cjs' ? '../dist/index.cjs' : '../dist/index.js');

await useBackend('wasm', { kernels: WASM_TRAINING_KERNELS, log: null });
const { train: all } = await loadMnist();
const set = subset(all, Array.from({ length: 2048 }, (_, i) => i));
const controller = new AbortController();
process.once('SIGINT', () => controller.abort());
const say = (event) => console.log(JSON.stringify(event));
try {
  const result = await train(mlp({ seed: 1 }), { train: set }, {
    epochs: mode === 'interrupt' ? 50 : 1,
    batchSize: 64,
    workers: workers === 'auto' ? 'auto' : Number(workers),
    reportEvery: 4,
    signal: controller.signal,
    callbacks: { onBatchEnd: (info) => say({ event: 'batch', batch: info.batch, loss: info.loss }) },
  });
  say({ event: 'done', workers: result.workers, interrupted: result.interrupted, epochs: result.history.length, notes: result.notes });
} catch (error) {
  say({ event: 'error', code: error.code, message: error.message });
  process.exitCode = 1;
}
