// The @digitkit/train benchmark: `pnpm --filter @digitkit/train bench` (or `pnpm bench` at the root).
// Prints the performance targets with their measured figures. Wall-clock seconds are what a user waits;
// CPU seconds (this process) are shown too because the machines are shared and wall time varies with load:
// on an idle machine the two agree (one thread does all the work).
//   DIGITKIT_BENCH_CNN=1        also train the CNN with its default recipe (slow: see the README)
//   DIGITKIT_BENCH_CNN_EPOCHS=n  train the CNN for n epochs instead (a quick check of that section)
//   DIGITKIT_BENCH_QUICK=1      MLP recipe only (skips the baselines and the CPU backend)
//   DIGITKIT_BENCH_WORKERS=1    only 1 worker vs 2 side by side (bench/workers-bench.ts; QUICK shortens it too)
//   DIGITKIT_BENCH_AUGMENT_ONLY=1  only augmentation vs the training step (ms per batch, side by side)
//   DIGITKIT_BENCH_ASSEMBLY_ONLY=1 only training-batch assembly, previous code vs now (bench/batch-assembly.ts)
import { cpus, loadavg } from 'node:os';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type BackendName, type DigitModel, type ImageSet } from '@digitkit/core';
import { batches, loadMnist, subset } from '@digitkit/data';
import { cnn, mlp, registerWasmTrainingKernels } from '@digitkit/model';
import { defaultRecipe, evaluate, train } from '../src/index.js';
import { createStepper } from '../src/steppers.js';
import { augmentVsStep } from './augment-vs-step.js';
import { batchAssembly } from './batch-assembly.js';
import { createDenseStepper } from './dense-baseline.js';

if (process.env.DIGITKIT_BENCH_WORKERS === '1') {
  const { workersBench } = await import('./workers-bench.js');
  await workersBench();
  process.exit(0);
}
const quick = process.env.DIGITKIT_BENCH_QUICK === '1';
const withCnn = process.env.DIGITKIT_BENCH_CNN === '1';
const { train: trainSet, test } = await loadMnist();
if (process.env.DIGITKIT_BENCH_ASSEMBLY_ONLY === '1') {
  batchAssembly(trainSet, quick);
  process.exit(0);
}
const rows: [string, string, string][] = [];
const row = (what: string, figure: string, target = '') => {
  rows.push([what, figure, target]);
  console.log(`  ${what}: ${figure}${target ? `   [${target}]` : ''}`);
};
const cpuSeconds = (start: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / 1e6;
};
const mark = (ok: boolean) => (ok ? 'met' : 'NOT met');
const slice = (set: ImageSet, n: number) => subset(set, Array.from({ length: n }, (_, i) => i));

async function backend(name: BackendName): Promise<boolean> {
  try {
    await useBackend(name, { log: null });
    // train() needs @digitkit/model's gradient kernels on WASM (it says so when they are missing).
    if (name === 'wasm') registerWasmTrainingKernels();
    return true;
  } catch (error) {
    console.log(`  ${name}: not available (${(error as Error).message.split('\n')[0]})`);
    return false;
  }
}

/** One epoch of the original settings (Adam 1e-3, constant rate, batch 128, no augmentation). */
async function originalEpoch(model: DigitModel, set: ImageSet): Promise<{ wall: number; cpu: number }> {
  const c0 = process.cpuUsage();
  const result = await train(model, { train: set }, { epochs: 1, batchSize: 128, learningRate: 1e-3 });
  return { wall: result.history[0]!.seconds, cpu: cpuSeconds(c0) };
}

console.log(`@digitkit/train bench: MNIST ${trainSet.count} training / ${test.count} test images, Node ${process.versions.node}`);

// 0. The baseline, first, with the shipped WASM kernels (@digitkit/model's speed model.fit up too).
await useBackend('wasm', { log: null });
// The CNN's step needs @digitkit/model's gradient kernels on WASM.
registerWasmTrainingKernels();
console.log(`(load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`);
await augmentVsStep(trainSet);
batchAssembly(trainSet, quick);
if (process.env.DIGITKIT_BENCH_AUGMENT_ONLY === '1') process.exit(0);
if (!quick) {
  console.log('\nBaseline: stock tfjs-layers model.fit, original MLP settings, one epoch of 60,000:');
  const model = mlp({ seed: 1 });
  model.net.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.tensor2d(Float32Array.from(trainSet.images, (v) => v / 255), [trainSet.count, 784]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(trainSet.labels, 'int32'), 10));
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  await model.net.fit(x, y, { batchSize: 128, epochs: 1, shuffle: true, verbose: 0 });
  row('stock tfjs-layers model.fit, wasm', `${((performance.now() - t0) / 1000).toFixed(2)} s/epoch wall, ${cpuSeconds(c0).toFixed(2)} s CPU`);
  tf.dispose([x, y]);
  model.net.dispose();
}

await backend('wasm');
// Before / after of the one-stepper change: one epoch of 60,000 (original settings), the two steps
// taking turns batch by batch so that both see the same load; CPU milliseconds per batch.
{
  console.log('\nMLP training step, original settings (Adam 1e-3, batch 128), on wasm: the removed hand-written path and train()\'s step in turns, batch by batch, one epoch each:');
  const models = [mlp({ seed: 1 }), mlp({ seed: 1 })] as const;
  const sides = [
    { name: 'before: hand-written Dense path (removed)', stepper: createDenseStepper(models[0], 'adam', 0), ms: [] as number[] },
    { name: "now: train()'s one step (autodiff)", stepper: createStepper(models[1], 'adam', 0), ms: [] as number[] },
  ];
  let i = 0;
  for (const batch of batches(trainSet, { batchSize: 128, seed: 1 })) {
    for (const side of i % 2 ? sides : [...sides].reverse()) {
      const c0 = process.cpuUsage();
      tf.dispose(side.stepper.step(batch.x, batch.y, batch.size, 1e-3, 0));
      const c = process.cpuUsage(c0);
      if (i >= 20) side.ms.push((c.user + c.system) / 1000);
    }
    i++;
  }
  const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))]!;
  const [before, now] = sides.map((side) => ({ p25: quantile(side.ms, 0.25), median: quantile(side.ms, 0.5) }));
  sides.forEach((side, k) => {
    const f = [before, now][k]!;
    row(side.name, `${f.median.toFixed(2)} ms/batch median, ${f.p25.toFixed(2)} lower quartile CPU; ${((f.median * 469) / 1000).toFixed(2)} s/epoch`);
    side.stepper.dispose();
  });
  for (const m of models) m.net.dispose();
  row('now vs before (median per batch)', `${(((now!.median / before!.median) - 1) * 100).toFixed(1)}%`, `not slower: ${mark(now!.median <= before!.median)}`);
}

// 1. The MLP's default recipe on WASM: the headline figure.
{
  const recipe = defaultRecipe('mlp');
  console.log(`\nMLP default recipe on ${tf.getBackend()}: ${JSON.stringify(recipe)}`);
  const model = mlp({ seed: 1 });
  const c0 = process.cpuUsage();
  const result = await train(model, { train: trainSet }, {
    ...recipe,
    callbacks: {
      onEpochEnd: (m) =>
        console.log(`    epoch ${String(m.epoch).padStart(2)}: loss ${m.loss.toFixed(4)}, accuracy ${(100 * m.accuracy).toFixed(2)}%, ${m.seconds.toFixed(2)} s`),
    },
  });
  const cpu = cpuSeconds(c0);
  const trainSeconds = result.history.reduce((s, m) => s + m.seconds, 0);
  const e0 = process.cpuUsage();
  const t0 = performance.now();
  const accuracy = evaluate(model, test).accuracy;
  row('evaluate(mlp, 10,000 test images)', `${((performance.now() - t0) / 1000).toFixed(2)} s wall, ${cpuSeconds(e0).toFixed(2)} s CPU`);
  const perEpoch = trainSeconds / result.history.length;
  row('MLP recipe: test accuracy', `${(100 * accuracy).toFixed(2)}%`, `>= 98.0%: ${mark(accuracy >= 0.98)}`);
  row(
    'MLP recipe: training time',
    `${trainSeconds.toFixed(1)} s wall, ${cpu.toFixed(1)} s CPU, ${result.history.length} epochs`,
    `<= 60 s: wall ${mark(trainSeconds <= 60)}, CPU ${mark(cpu <= 60)}`,
  );
  row('MLP recipe: seconds per epoch', `${perEpoch.toFixed(2)} s wall, ${(cpu / result.history.length).toFixed(2)} s CPU`);
  model.net.dispose();
}

if (!quick) {
  // 2. The original settings, one epoch of 60,000, on every backend there is.
  console.log('\nOriginal MLP settings (784-128-64-10, Adam 1e-3, batch 128), one epoch of 60,000:');
  for (const name of ['wasm', 'cpu', 'tensorflow'] as const) {
    if (!(await backend(name))) continue;
    const model = mlp({ seed: 1 });
    const { wall, cpu } = await originalEpoch(model, trainSet);
    row(
      `digitkit train, ${name}`,
      `${wall.toFixed(2)} s/epoch wall, ${cpu.toFixed(2)} s CPU`,
      name === 'wasm' ? `<= 3 s: wall ${mark(wall <= 3)}, CPU ${mark(cpu <= 3)}` : '',
    );
    model.net.dispose();
  }
}

if (withCnn) {
  // 3. The CNN's default recipe on WASM (with @digitkit/model's kernels: WASM lacks Conv2DBackpropFilter).
  await backend('wasm');
  // DIGITKIT_BENCH_CNN_EPOCHS shortens the run (a smoke test of this section), at the cost of accuracy.
  const recipe = { ...defaultRecipe('cnn'), ...(process.env.DIGITKIT_BENCH_CNN_EPOCHS ? { epochs: Number(process.env.DIGITKIT_BENCH_CNN_EPOCHS) } : {}) };
  console.log(`\nCNN default recipe on ${tf.getBackend()}: ${JSON.stringify(recipe)}`);
  const model = cnn({ seed: 1 });
  const c0 = process.cpuUsage();
  const result = await train(model, { train: trainSet }, {
    ...recipe,
    reportEvery: 100,
    callbacks: {
      onBatchEnd: (b) => console.log(`    epoch ${b.epoch} batch ${b.batch}/${b.batches}: loss ${b.loss.toFixed(4)}, ${b.samplesPerSecond.toFixed(0)} images/s`),
      onEpochEnd: (m) =>
        console.log(`    epoch ${m.epoch}: loss ${m.loss.toFixed(4)}, accuracy ${(100 * m.accuracy).toFixed(2)}%, ${m.seconds.toFixed(1)} s`),
    },
  });
  const cpu = cpuSeconds(c0);
  const trainSeconds = result.history.reduce((s, m) => s + m.seconds, 0);
  const accuracy = evaluate(model, test, { batchSize: 500 }).accuracy;
  row('CNN recipe: test accuracy', `${(100 * accuracy).toFixed(2)}%`, `>= 99.3%: ${mark(accuracy >= 0.993)}`);
  const epochs = result.history.length;
  row(
    'CNN recipe on wasm',
    `${trainSeconds.toFixed(0)} s wall, ${cpu.toFixed(0)} s CPU; per epoch ${(trainSeconds / epochs).toFixed(1)} s wall, ${(cpu / epochs).toFixed(1)} s CPU`,
  );
  model.net.dispose();
  // The pure-JS backend is far slower (its convolutions are plain JS loops): time 2 batches and scale to an epoch.
  if (await backend('cpu')) {
    const small = slice(trainSet, 128 * 2);
    const m = cnn({ seed: 1 });
    const c1 = process.cpuUsage();
    const r = await train(m, { train: small }, { ...recipe, epochs: 1, augment: false });
    const perBatch = r.history[0]!.seconds / 2;
    row('CNN on cpu (2 batches, scaled to 469)', `${((perBatch * 469) / 60).toFixed(0)} min/epoch wall, ${((cpuSeconds(c1) / 2) * 469 / 60).toFixed(0)} min CPU (${perBatch.toFixed(1)} s per batch)`);
    m.net.dispose();
  }
} else {
  console.log('\nCNN: skipped (set DIGITKIT_BENCH_CNN=1: about 6 minutes of CPU on WASM for its 10 epochs, plus 2 slow batches on the pure-JS backend).');
}

console.log('\nSummary');
for (const [what, figure, target] of rows) console.log(`  ${what.padEnd(42)} ${figure}${target ? `  [${target}]` : ''}`);
