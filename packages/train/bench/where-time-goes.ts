// Where the WASM training time goes: the same batches through several ways of training the MLP,
// taken in turns (this machine is shared, so each figure is the best of several rounds), plus a
// per-kernel profile of train()'s stepper. The removed hand-written Dense path (bench/dense-baseline.ts)
// is timed beside it as the "before". Run: pnpm --filter @digitkit/train exec node --import tsx bench/where-time-goes.ts
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type DigitModel, type ImageSet } from '@digitkit/core';
import { batches, loadMnist, subset } from '@digitkit/data';
import { createAugmenter } from '@digitkit/preprocess';
import { mlp, registerWasmTrainingKernels } from '@digitkit/model';
import { createStepper, type Stepper } from '../src/steppers.js';
import { createDenseStepper } from './dense-baseline.js';
import { Optimizer } from '../src/optimizer.js';

const backendName = (process.env.DIGITKIT_BACKEND ?? 'wasm') as 'wasm' | 'cpu';
await useBackend(backendName, { log: null });
const BATCHES = Number(process.env.DIGITKIT_BENCH_BATCHES ?? 120);
const ROUNDS = Number(process.env.DIGITKIT_BENCH_ROUNDS ?? 3);
const TOP = Number(process.env.DIGITKIT_BENCH_TOP ?? 12); // kernels listed in the profile
const B = 128;
const { train } = await loadMnist();
const set: ImageSet = subset(train, Array.from({ length: BATCHES * B }, (_, i) => i));

interface Timing { wall: number; cpu: number }
function measure(run: () => void | Promise<void>): Promise<Timing> | Timing {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const done = () => {
    const c = process.cpuUsage(c0);
    return { wall: (performance.now() - t0) / BATCHES, cpu: (c.user + c.system) / 1000 / BATCHES };
  };
  const r = run();
  return r instanceof Promise ? r.then(done) : done();
}

function viaStepper(make: (m: DigitModel) => Pick<Stepper, 'step' | 'dispose'>): () => void {
  const model = mlp({ seed: 1 });
  const stepper = make(model);
  return () => {
    for (const batch of batches(set, { batchSize: B, shuffle: false })) {
      const [loss, correct] = stepper.step(batch.x, batch.y, batch.size, 1e-3, 0);
      tf.dispose([loss, correct]);
    }
  };
}

function viaFit(): () => Promise<void> {
  const model = mlp({ seed: 1 });
  model.net.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  const x = tf.tensor2d(Float32Array.from(set.images, (v) => v / 255), [set.count, 784]);
  const y = tf.oneHot(tf.tensor1d(set.labels, 'int32'), 10);
  return async () => {
    await model.net.fit(x, y, { batchSize: B, epochs: 1, shuffle: true, verbose: 0 });
  };
}

const variants: [string, () => void | Promise<void>][] = [
  ['tfjs-layers model.fit (Adam)', viaFit()],
  ['train() stepper, shipped WASM kernels', viaStepper((m) => createStepper(m, 'adam', 0))],
  ['before: hand-written Dense backward (removed)', viaStepper((m) => createDenseStepper(m, 'adam', 0))],
];
const best = new Map<string, Timing>();
async function rounds(list: [string, () => void | Promise<void>][]): Promise<void> {
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, run] of list) {
      await run(); // warm-up, and keeps the rounds comparable
      const t = await measure(run);
      const prev = best.get(name);
      best.set(name, { wall: Math.min(prev?.wall ?? Infinity, t.wall), cpu: Math.min(prev?.cpu ?? Infinity, t.cpu) });
    }
  }
}
await rounds(variants);
// Input pipeline alone: assembling batches in JS (with and without ±2 px shifts).
const plain = measure(() => { for (const _ of batches(set, { batchSize: B, seed: 1 })) void _; }) as Timing;
let aug = createAugmenter({ seed: 1, maxShift: 2 });
const shifted = measure(() => {
  for (const _ of batches(set, { batchSize: B, seed: 1, encode: (s, o) => aug(s, o) })) aug = createAugmenter({ seed: 2, maxShift: 2 });
}) as Timing;
console.log(`batch assembly in JS: ${plain.cpu.toFixed(3)} ms/batch plain, ${shifted.cpu.toFixed(3)} ms/batch with ±2 px shifts`);

// Single ops at the fast path's shapes (ms per call, CPU time, best of 3 x 200 calls).
function op(name: string, make: () => tf.Tensor | tf.Tensor[] | void): void {
  let bestCpu = Infinity;
  for (let r = 0; r < 3; r++) {
    const c0 = process.cpuUsage();
    for (let i = 0; i < 200; i++) {
      const out = make();
      if (out) tf.dispose(out);
    }
    const c = process.cpuUsage(c0);
    bestCpu = Math.min(bestCpu, (c.user + c.system) / 1000 / 200);
  }
  console.log(`  ${name.padEnd(58)} ${bestCpu.toFixed(3).padStart(7)} ms`);
}
{
  const x = tf.randomNormal([B, 784]);
  const xT = tf.randomNormal([784, B]);
  const w = tf.randomNormal([784, 128]);
  const dz = tf.randomNormal([B, 128]);
  const small = tf.randomNormal([B, 128]);
  const batchFloats = new Float32Array(B * 784);
  console.log('single ops:');
  op('matMul x[128,784] . W[784,128] (forward)', () => tf.matMul(x, w));
  op('matMul x^T . dz as transposeA=true (weight gradient)', () => tf.matMul(x, dz, true, false));
  op('matMul dz . W^T as transposeB=true (input gradient)', () => tf.matMul(dz, w, false, true));
  op('tf.transpose(x) then matMul', () => tf.tidy(() => tf.matMul(tf.transpose(x), dz)));
  op('matMul xT[784,128] . dz (x uploaded transposed)', () => tf.matMul(xT, dz));
  op('tf.tensor2d from a 128x784 Float32Array (upload)', () => tf.tensor2d(batchFloats, [B, 784]));
  op('tf.add of two [128,128] (per-kernel overhead)', () => tf.add(small, small));
  op('tf.scalar (per-kernel overhead floor)', () => tf.scalar(1));
  const full = tf.randomNormal([2000, 784]);
  op('tf.slice of 128 rows out of a [2000,784] tensor', () => tf.slice(full, [640, 0], [B, 784]));
  const shapes = [[784, 128], [128], [128, 64], [64], [64, 10], [10]];
  const opt = new Optimizer('adam', shapes, 0);
  let values = shapes.map((sh) => tf.randomNormal(sh));
  const grads = shapes.map((sh) => tf.randomNormal(sh));
  op('Adam update of all 6 MLP parameters (72 kernels)', () => {
    const next = opt.apply(values, grads, 1e-3);
    tf.dispose(values);
    values = next;
  });
  tf.dispose([x, xT, w, dz, small, full, ...values, ...grads]);
  opt.dispose();
}

if (tf.getBackend() === 'wasm') {
  // What @digitkit/model's kernels (BatchMatMul that transposes explicitly, Identity that shares) do.
  registerWasmTrainingKernels();
  await rounds([
    ['model.fit + @digitkit/model WASM kernels', viaFit()],
    ['before: hand-written Dense + @digitkit/model kernels', viaStepper((m) => createDenseStepper(m, 'adam', 0))],
    ['train() stepper + @digitkit/model kernels (now)', viaStepper((m) => createStepper(m, 'adam', 0))],
  ]);
}

// Kernel profile of train()'s stepper.
const fast = viaStepper((m) => createStepper(m, 'adam', 0));
const profile = await tf.profile(() => fast());
const byKernel = new Map<string, { ms: number; calls: number }>();
for (const k of profile.kernels) {
  const key = `${k.name} ${k.inputShapes.map((s) => `[${s}]`).join('')}`;
  const e = byKernel.get(key) ?? { ms: 0, calls: 0 };
  e.ms += k.kernelTimeMs as number;
  e.calls++;
  byKernel.set(key, e);
}
console.log(`train() stepper: ${profile.kernels.length / BATCHES} kernels per batch; tf.profile's kernel times (inflated: the profiler reads every output) per batch, top ${TOP}:`);
for (const [key, e] of [...byKernel].sort((a, b) => b[1].ms - a[1].ms).slice(0, TOP)) {
  console.log(`  ${key.padEnd(50)} ${(e.ms / BATCHES).toFixed(3).padStart(7)} ms x${e.calls / BATCHES}`);
}

console.log(`backend ${tf.getBackend()}, ${BATCHES} batches of ${B}, best of ${ROUNDS} rounds (ms per batch; an epoch of 60,000 is 469 batches)`);
console.log(`${'variant'.padEnd(52)} ${'wall'.padStart(8)} ${'cpu'.padStart(8)} ${'s/epoch(cpu)'.padStart(13)}`);
for (const [name, t] of best) {
  console.log(`${name.padEnd(52)} ${t.wall.toFixed(2).padStart(8)} ${t.cpu.toFixed(2).padStart(8)} ${((t.cpu * 469) / 1000).toFixed(2).padStart(13)}`);
}

