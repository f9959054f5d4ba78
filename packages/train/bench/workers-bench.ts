// 1 worker vs 2 side by side: `DIGITKIT_BENCH_WORKERS=1 pnpm --filter @digitkit/train bench`.
// Each figure comes from a fresh process (so peak RSS is that configuration's own). A row runs its two sides in turns,
// ROUNDS times, and shows each side's median and the range of the per-round speed-ups: on these shared 2-core VMs one
// thread's speed moves by 25% or more from run to run, so one pair of runs can say 1.2x or 2x for the same code.
//   DIGITKIT_BENCH_QUICK=1  the CNN's epoch timed on the second of two epochs of 6,000 (scaled to 60,000), and no
//                           full-recipe accuracy runs
//   DIGITKIT_BENCH_CNN=1    also the CNN recipe with 2 workers, to its test accuracy (minutes)
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import { useBackend, type ImageSet } from '@digitkit/core';
import { loadMnist, subset } from '@digitkit/data';
import { WASM_TRAINING_KERNELS, cnn, mlp } from '@digitkit/model';
import type { TrainOptions } from '../src/index.js';
import { arithmetic } from './arithmetic.mjs';

// The built package (its own name resolves to dist/): workers start from dist/worker.js, as users' do.
// Imported through a variable so typechecking needs no build of this package.
const builtPackage = '@digitkit/train';
const { defaultRecipe, evaluate, startWorkers, train } = (await import(builtPackage)) as typeof import('../src/index.js');

type Case = 'cnn-epoch' | 'cnn-epoch-kept' | 'mlp-epoch' | 'mlp-epoch-recipe' | 'evaluate' | 'evaluate-cnn' | 'mlp-recipe' | 'cnn-recipe' | ArithmeticKind;
/** Work with no training loop around it: what 2 threads of bare arithmetic give on this machine (bench/arithmetic.mjs). */
type ArithmeticKind = 'float-loop' | 'wasm-matmul' | 'cnn-gradients';
interface Figures {
  /** Seconds per epoch of 60,000 (training cases) or per evaluation of 10,000. */
  seconds: number;
  /** Seconds to start the workers (0 in process). */
  startup: number;
  maxRssMb: number;
  accuracy?: number;
  /** With workers: each worker's seconds per epoch computing gradients, waiting at the barrier, summing and updating. */
  time?: { gradients: number; wait: number; update: number }[];
}

const quick = process.env.DIGITKIT_BENCH_QUICK === '1';
const ROUNDS = Number(process.env.DIGITKIT_BENCH_ROUNDS ?? 3);
const self = fileURLToPath(import.meta.url);

/** 128 images per worker: the batch grows with the workers and Adam's rate by its square root. */
function kept(kind: 'mlp' | 'cnn', workers: number): Pick<TrainOptions, 'batchSize' | 'learningRate'> {
  const recipe = defaultRecipe(kind);
  return { batchSize: (recipe.batchSize ?? 128) * workers, learningRate: (recipe.learningRate ?? 1e-3) * Math.sqrt(workers) };
}

/** Runs `workers` shares of arithmetic at once (in process for 1, else one worker thread each, started together): the slowest share's seconds. */
async function arithmeticShares(kind: ArithmeticKind, workers: number): Promise<number> {
  if (workers === 1) return arithmetic(kind);
  const threads = Array.from({ length: workers }, () => new Worker(new URL('./arithmetic.mjs', import.meta.url), { workerData: { arithmetic: kind } }));
  const next = (thread: Worker) => new Promise<unknown>((resolve, reject) => thread.once('message', resolve).once('error', reject));
  await Promise.all(threads.map(next));
  const done = threads.map(next);
  for (const thread of threads) thread.postMessage('go');
  const seconds = (await Promise.all(done)) as number[];
  await Promise.all(threads.map((thread) => thread.terminate()));
  return Math.max(...seconds);
}

async function child(which: Case, workers: number): Promise<Figures> {
  if (which === 'float-loop' || which === 'wasm-matmul' || which === 'cnn-gradients') {
    return { seconds: await arithmeticShares(which, workers), startup: 0, maxRssMb: process.resourceUsage().maxRSS / 1024 };
  }
  await useBackend('wasm', { kernels: WASM_TRAINING_KERNELS, log: null });
  const { train: all, test } = await loadMnist();
  const first = (set: ImageSet, n: number) => subset(set, Array.from({ length: n }, (_, i) => i));
  const rss = () => process.resourceUsage().maxRSS / 1024;
  if (which === 'cnn-epoch' || which === 'cnn-epoch-kept' || which === 'mlp-epoch' || which === 'mlp-epoch-recipe') {
    const isCnn = which.startsWith('cnn');
    // Quick: two epochs of a tenth of the CNN's images, timed on the second. A fresh worker's first steps (its WASM
    // backend's and V8's warm-up) would otherwise count five to ten times over when scaled to 60,000 (about 2 s/epoch).
    const count = isCnn && quick ? 6_000 : all.count;
    // The MLP's epoch is seconds long, so a fresh worker's warm-up would weigh in it: timed on the second of two, as a recipe's 20 epochs see it.
    const epochs = count < all.count || !isCnn ? 2 : 1;
    const recipe = defaultRecipe(isCnn ? 'cnn' : 'mlp');
    const result = await train(isCnn ? cnn({ seed: 1 }) : mlp({ seed: 1 }), { train: first(all, count) }, {
      ...recipe,
      ...(which === 'cnn-epoch' || which === 'mlp-epoch-recipe' ? {} : kept(isCnn ? 'cnn' : 'mlp', workers)),
      epochs,
      schedule: 'constant',
      // The recipe as `digitkit train` runs it: 'auto' keeps the MLP in process and makes its batches on the second core.
      workers: which === 'mlp-epoch-recipe' && workers > 1 ? 'auto' : workers,
    });
    const epoch = result.history.at(-1)!.seconds;
    const scale = all.count / count;
    // The workers' split covers the whole run (in quick mode both epochs, the first one's warm-up included).
    const time = result.workerTime?.map((t) => ({ gradients: (t.gradients * scale) / epochs, wait: (t.wait * scale) / epochs, update: (t.update * scale) / epochs }));
    return { seconds: epoch * scale, startup: result.seconds - result.history.reduce((sum, h) => sum + h.seconds, 0), maxRssMb: rss(), ...(time ? { time } : {}) };
  }
  if (which === 'evaluate' || which === 'evaluate-cnn') {
    const model = which === 'evaluate' ? mlp({ seed: 1 }) : cnn({ seed: 1 });
    const t0 = performance.now();
    const pool = workers > 1 ? await startWorkers(model, { workers }) : null;
    const startup = (performance.now() - t0) / 1000;
    let best = Infinity;
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      if (pool) await pool.evaluate(test);
      else evaluate(model, test);
      best = Math.min(best, (performance.now() - t) / 1000);
    }
    await pool?.close();
    return { seconds: best, startup, maxRssMb: rss() };
  }
  const isCnn = which === 'cnn-recipe';
  const model = isCnn ? cnn({ seed: 1 }) : mlp({ seed: 1 });
  // The MLP's 2 workers keep 128 images each; its 1 is the recipe as `digitkit train` runs it ('auto').
  const shape = isCnn ? { workers } : workers > 1 ? { ...kept('mlp', workers), workers } : { workers: 'auto' as const };
  const result = await train(model, { train: all }, { ...defaultRecipe(isCnn ? 'cnn' : 'mlp'), ...shape });
  return { seconds: result.seconds, startup: 0, maxRssMb: rss(), accuracy: evaluate(model, test, { batchSize: 500 }).accuracy };
}

function measure(which: Case, workers: number): Figures {
  const run = spawnSync(process.execPath, [...process.execArgv, self, '--child', which, String(workers)], { encoding: 'utf8', env: process.env, maxBuffer: 1 << 24 });
  const line = run.stdout.trim().split('\n').at(-1) ?? '';
  if (run.status !== 0 || !line.startsWith('{')) throw new Error(`the ${which} run with ${workers} workers failed:\n${run.stderr}`);
  return JSON.parse(line) as Figures;
}

export async function workersBench(): Promise<void> {
  const cores = availableParallelism();
  console.log(`@digitkit/train workers bench: 1 worker (in process) vs 2, ${ROUNDS} rounds in turns, ${cores} cores, Node ${process.versions.node}${quick ? ', quick' : ''}`);
  console.log(`load average before: ${loadavg().map((l) => l.toFixed(2)).join(' ')} (shared machines: figures vary with it)\n`);
  const rows: string[][] = [['', '1 worker (median)', '2 workers (median)', 'speed-up (rounds: range)', 'target']];
  // perShare: each thread does the share one thread does alone, so the speed-up is twice the work in `two` seconds.
  const side = (what: string, which: Case, target: number | null, unit = 's/epoch', perShare = false) => {
    const rounds = Array.from({ length: ROUNDS }, () => [measure(which, 1), measure(which, 2)] as const);
    const middle = (side: 0 | 1) => [...rounds].sort((a, b) => a[side].seconds - b[side].seconds)[Math.floor(ROUNDS / 2)]![side];
    const [one, two] = [middle(0), middle(1)];
    const ratio = (a: Figures, b: Figures) => ((perShare ? 2 : 1) * a.seconds) / b.seconds;
    const speedup = ratio(one, two);
    const each = rounds.map(([a, b]) => ratio(a, b));
    rows.push([
      what,
      `${one.seconds.toFixed(2)} ${unit}`,
      `${two.seconds.toFixed(2)} ${unit} (+${two.startup.toFixed(1)} s start)`,
      `${speedup.toFixed(2)}x (${Math.min(...each).toFixed(2)}-${Math.max(...each).toFixed(2)})`,
      target === null ? '' : `>= ${target}x: ${speedup >= target ? 'met' : 'NOT met'}`,
    ]);
    return { one, two };
  };
  // The ceiling: two threads each doing the share one thread does alone (no target; 2x on two free physical cores).
  side('bare float loop, 1 share per thread', 'float-loop', null, 's', true);
  side('bare WASM matMul 128x784x128, 1 share per thread', 'wasm-matmul', null, 's', true);
  // The CNN's gradients on a worker's shard with nothing around them: the pool's gradients can go no faster than this.
  side('bare CNN gradients, 64 images, 1 share per thread', 'cnn-gradients', null, 's', true);
  const cnnEpoch = side('CNN epoch, batch 128 (64 per worker)', 'cnn-epoch', 1.7);
  side('CNN epoch, 128 per worker, lr x sqrt(workers)', 'cnn-epoch-kept', 1.7);
  const mlpEpoch = side('MLP epoch, 128 per worker, lr x sqrt(workers)', 'mlp-epoch', 1.4);
  // Not two workers: batch 128 in process either way, its batches made between steps (left) or on the second core.
  side('MLP epoch, the recipe (auto: in process, batches on a 2nd thread)', 'mlp-epoch-recipe', null);
  const notes: string[] = [];
  const split = (what: string, figures: Figures) =>
    (figures.time ?? []).forEach((t, k) =>
      notes.push(
        `${what}, worker ${k + 1} of 2, s/epoch: gradients ${t.gradients.toFixed(2)}, waiting at the barrier ${t.wait.toFixed(2)}, summing + update ${t.update.toFixed(2)}`,
      ),
    );
  split('CNN', cnnEpoch.two);
  split('MLP', mlpEpoch.two);
  side('evaluate 10,000 (MLP), workers started', 'evaluate', 1.5, 's');
  // The CNN's evaluation is 10-20 times the MLP's work: the message round trip weighs less in it.
  side('evaluate 10,000 (CNN), workers started', 'evaluate-cnn', 1.5, 's');
  const rss = cnnEpoch.two.maxRssMb / cnnEpoch.one.maxRssMb;
  rows.push([
    'peak RSS, CNN epoch',
    `${cnnEpoch.one.maxRssMb.toFixed(0)} MB`,
    `${cnnEpoch.two.maxRssMb.toFixed(0)} MB`,
    `${rss.toFixed(2)}x`,
    `<= 1.6x: ${rss <= 1.6 ? 'met' : 'NOT met'}`,
  ]);
  if (!quick) {
    for (const [which, target, label] of [
      ['mlp-recipe', 0.984, 'MLP recipe (1: auto, in process)'],
      ...(process.env.DIGITKIT_BENCH_CNN === '1' ? [['cnn-recipe', 0.994, 'CNN recipe']] : []),
    ] as [Case, number, string][]) {
      const one = which === 'mlp-recipe' ? measure(which, 1) : null;
      const two = measure(which, 2);
      rows.push([
        `${label}: test accuracy, wall`,
        one ? `${(100 * one.accuracy!).toFixed(2)}%, ${one.seconds.toFixed(0)} s` : '(not run)',
        `${(100 * two.accuracy!).toFixed(2)}%, ${two.seconds.toFixed(0)} s`,
        '',
        `>= ${(100 * target).toFixed(1)}%: ${two.accuracy! >= target ? 'met' : 'NOT met'}`,
      ]);
    }
  }
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((r) => r[c]!.length)));
  for (const r of rows) console.log(`  ${r.map((cell, c) => cell.padEnd(widths[c]!)).join('  ')}`);
  console.log(`\nWhere the time goes with 2 workers${quick ? ' (mean of both epochs, warm-up included)' : ''}:`);
  for (const line of notes) console.log(`  ${line}`);
  console.log(`\nload average after: ${loadavg().map((l) => l.toFixed(2)).join(' ')}`);
}

const at = process.argv.indexOf('--child');
if (at >= 0) {
  const figures = await child(process.argv[at + 1] as Case, Number(process.argv[at + 2]));
  console.log(JSON.stringify(figures));
}
