// Is a worker's step slow because two threads share the machine? Times one MLP epoch (the recipe, 1 thread, in
// process) alone, then two at once in two worker threads of one process, then two at once in two processes, 3 rounds:
//   node bench/concurrent-epochs.mjs   (after building the packages)
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { WASM_TRAINING_KERNELS, mlp } from '@digitkit/model';
import { defaultRecipe, train } from '@digitkit/train';

/** One epoch of the MLP recipe on one thread, in process: its seconds. */
async function once() {
  await useBackend('wasm', { kernels: WASM_TRAINING_KERNELS, log: null });
  const { train: all } = await loadMnist();
  const r = await train(mlp({ seed: 1 }), { train: all }, { ...defaultRecipe('mlp'), epochs: 1, schedule: 'constant', workers: 1 });
  return r.history[0].seconds;
}

const mode = process.argv[2];
if (!isMainThread) parentPort.postMessage(await once());
else if (mode === 'solo') console.log(JSON.stringify(await once()));
else {
  const self = fileURLToPath(import.meta.url);
  /** One epoch in a worker thread of this process: its seconds. */
  const inThread = () =>
    new Promise((resolve, reject) => {
      const thread = new Worker(new URL(import.meta.url));
      thread.once('message', (seconds) => void thread.terminate().then(() => resolve(seconds)));
      thread.once('error', reject);
    });
  /** One epoch in a process of its own: its seconds. */
  const inProcess = () =>
    new Promise((resolve) => {
      let out = '';
      const child = spawn(process.execPath, [self, 'solo']);
      child.stdout.on('data', (chunk) => {
        out += chunk;
      });
      child.on('close', () => resolve(Number(out.trim().split('\n').at(-1))));
    });
  const both = (run) => Promise.all([run(), run()]);
  const seconds = (list) => list.map((s) => s.toFixed(2)).join(' / ');
  for (let round = 0; round < 3; round++) {
    const alone = await inProcess();
    const threads = await both(inThread);
    const processes = await both(inProcess);
    console.log(`MLP epoch each: alone ${alone.toFixed(2)} s | 2 worker threads of one process ${seconds(threads)} s | 2 processes ${seconds(processes)} s`);
  }
}
