// Prints inference, kernel and training-speed figures for @digitkit/model. Run: pnpm --filter @digitkit/model bench
// DIGITKIT_BENCH_BATCHES (default 40) sets how many training batches are timed per case; epochs are extrapolated.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type DigitModel } from '@digitkit/core';
import { cnn, mlp, predict, registerWasmTrainingKernels } from '../src/index.js';
import { loadDigits, type Digits } from './mnist.js';
// Internal alternatives and the previous kernels, kept to compare against (not part of the public API).
import { conv2DIm2col, IM2COL_MAX_CHANNELS } from '../src/kernels/Conv2D.js';
import { conv2DBackpropFilter, conv2DBackpropFilterPrevious, conv2DBackpropFilterRows } from '../src/kernels/Conv2DBackpropFilter.js';
import { conv2DBackpropInputByConvFirst, conv2DBackpropInputCol2im } from '../src/kernels/Conv2DBackpropInput.js';
import { maxPoolGrad, maxPoolGradLoops } from '../src/kernels/MaxPoolGrad.js';
import { untransposedBatchMatMul } from '../src/kernels/BatchMatMul.js';
import { type KernelArgs, runShipped } from '../src/kernels/wasm.js';
import { ADAM_UPDATE } from '../src/index.js';
import os from 'node:os';

const BATCH = 128;
const BATCHES_PER_EPOCH = Math.ceil(60_000 / BATCH);
const timedBatches = Number(process.env.DIGITKIT_BENCH_BATCHES ?? 40);

const KERNEL_RUNS = 9;
const STEP_RUNS = Number(process.env.DIGITKIT_BENCH_STEPS ?? 9);
type Shape4 = [number, number, number, number];
type KernelFn = (args: KernelArgs) => tf.TensorInfo;

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const ms = (v: number) => `${v.toFixed(2)} ms`;

/** Median time of `f` (which returns a tensor; read and freed each time). */
function timeKernel(f: () => tf.TensorInfo | tf.Tensor, runs = 7): number {
  const one = () => {
    const t0 = performance.now();
    const out = f();
    const t = out instanceof tf.Tensor ? out : tf.engine().makeTensorFromTensorInfo(out);
    t.dataSync();
    const dt = performance.now() - t0;
    t.dispose();
    return dt;
  };
  one();
  return median(Array.from({ length: runs }, one));
}

function random(shape: number[]): tf.Tensor {
  return tf.randomUniform(shape, -1, 1, 'float32', 1);
}

async function main(): Promise<void> {
  console.log(`@digitkit/model bench — Node ${process.version}, ${(await import('node:os')).cpus().length} cores, load average ${(await import('node:os')).loadavg()[0]!.toFixed(1)}`);
  await useBackend('cpu', { log: null });
  await useBackend('wasm', { log: console.log });
  const test = await loadDigits('test');
  const train = await loadDigits('train');

  // Capture the shipped kernels before we replace some of them, to compare against.
  const shipped = new Map(['Conv2D', 'FusedConv2D', 'Sum', 'Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul', '_FusedMatMul'].map((n) => [n, tf.getKernel(n, 'wasm')!]));
  const names = registerWasmTrainingKernels();
  const ours = new Map(names.map((n) => [n, tf.getKernel(n, 'wasm')!]));

  console.log('\n== Inference on WASM (predict(), batches of up to 1024) ==');
  for (const model of [mlp({ seed: 1 }), cnn({ seed: 1 })]) {
    const one = test.x.subarray(0, 784);
    predict(model, one, 1);
    const singles = Array.from({ length: 50 }, () => {
      const t0 = performance.now();
      predict(model, one, 1);
      return performance.now() - t0;
    });
    predict(model, test.x.subarray(0, 784 * 1024), 1024);
    const t0 = performance.now();
    predict(model, test.x, test.count);
    const all = (performance.now() - t0) / 1000;
    console.log(`${model.kind}: one image ${ms(median(singles))} (median of 50); 10,000 images ${all.toFixed(2)} s`);
    model.net.dispose();
  }

  console.log(`\n== Kernels on WASM, batch ${BATCH}, cnn() shapes: previous vs now, side by side (median of ${KERNEL_RUNS}, fresh inputs each call, turns interleaved; ms) ==`);
  const convs = [
    { label: 'conv_1 5x5 1->24, 28x28 valid', x: [BATCH, 28, 28, 1], f: [5, 5, 1, 24] as Shape4 },
    { label: 'conv_2 5x5 24->48, 12x12 valid', x: [BATCH, 12, 12, 24], f: [5, 5, 24, 48] as Shape4 },
  ];
  const shippedKernel = (name: string): KernelFn => (args) => runShipped(name, args.inputs, args.attrs ?? {}, args.backend);
  for (const c of convs) {
    const dyShape = tf.backend_util.computeConv2DInfo(c.x as Shape4, c.f, 1, 1, 'valid').outShape;
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', dilations: 1 };
    const few = c.f[2] <= IM2COL_MAX_CHANNELS;
    sideBySide(`Conv2D ${c.label}`, { x: c.x, filter: c.f }, attrs, [
      [few ? 'shipped (previous)' : 'shipped (previous and now)', shippedKernel('Conv2D')],
      [few ? 'SIMD im2col + matMul (now)' : 'SIMD im2col + matMul (not used)', conv2DIm2col(Number.POSITIVE_INFINITY)],
    ]);
    sideBySide(`Conv2DBackpropFilter ${c.label}`, { x: c.x, dy: dyShape }, { ...attrs, filterShape: c.f }, [
      [few ? 'JS im2col (previous)' : 'transposed conv (previous and now)', conv2DBackpropFilterPrevious],
      ...(few ? [['transposed conv', conv2DBackpropFilter] as [string, KernelFn]] : []),
      [few ? 'SIMD patch matrix . dy (now)' : 'SIMD patch matrix . dy (not used)', (args) => conv2DBackpropFilterRows(args)!],
    ]);
    if (c.f[2] > 1) {
      sideBySide(`Conv2DBackpropInput ${c.label}`, { dy: dyShape, filter: c.f }, { ...attrs, inputShape: c.x }, [
        ['rotated conv (previous)', conv2DBackpropInputByConvFirst],
        ['matMul + SIMD col2im (now)', conv2DBackpropInputCol2im(noFallback)],
        ['shipped', shippedKernel('Conv2DBackpropInput')],
      ]);
    }
  }
  for (const shape of [
    [BATCH, 24, 24, 24],
    [BATCH, 8, 8, 48],
  ]) {
    const outShape = [shape[0]!, shape[1]! / 2, shape[2]! / 2, shape[3]!];
    sideBySide(`MaxPoolGrad 2x2 [${shape.join(', ')}]`, { dy: outShape, input: shape, output: outShape }, { filterSize: 2, strides: 2, pad: 'valid' }, [
      ['JS loop (previous)', maxPoolGradLoops],
      ['SIMD (now)', maxPoolGrad],
      ['shipped', shippedKernel('MaxPoolGrad')],
    ]);
    sideBySide(`Sum over all but the last axis (bias gradient) [${shape.join(', ')}]`, { x: shape }, { axis: [0, 1, 2], keepDims: false }, [
      ['shipped (previous)', shippedKernel('Sum')],
      ['SIMD column sums (now)', (args) => callRegistered('Sum', args)],
    ]);
  }
  for (const [label, aShape, bShape, transposeA, transposeB] of [
    ['mlp dense_1 weight grad x^T.dy', [BATCH, 784], [BATCH, 128], true, false],
    ['cnn dense_1 weight grad x^T.dy', [BATCH, 512], [BATCH, 128], true, false],
    ['mlp dense_1 input grad dy.W^T', [BATCH, 128], [784, 128], false, true],
    ['untransposed x.W (reference)', [BATCH, 784], [784, 128], false, false],
  ] as const) {
    sideBySide(`BatchMatMul ${label}`, { a: [...aShape], b: [...bShape] }, { transposeA, transposeB }, [
      ['shipped', shippedKernel('BatchMatMul')],
      ['explicit transpose (now)', (args) => callRegistered('BatchMatMul', args)],
    ]);
  }
  {
    const small = 16;
    const x = random([small, 12, 12, 24]);
    const dy = random([small, 8, 8, 48]);
    await tf.setBackend('cpu');
    const cpuMs = timeKernel(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [5, 5, 24, 48] }) as tf.Tensor, 1);
    console.log(`CPU backend Conv2DBackpropFilter conv_2 at batch ${small}: ${ms(cpuMs)} (~${ms((cpuMs * BATCH) / small)} at batch ${BATCH}, scaled)`);
    await tf.setBackend('wasm');
    tf.dispose([x, dy]);
  }

  console.log(`\n== One training step on WASM (tf.variableGrads + the fused Adam kernel, as @digitkit/train steps): previous kernels vs now, turns interleaved, median of ${STEP_RUNS} (ms) ==`);
  const previous: tf.KernelConfig[] = [
    shipped.get('Conv2D')!,
    shipped.get('FusedConv2D')!,
    shipped.get('Sum')!,
    { kernelName: 'Conv2DBackpropFilter', backendName: 'wasm', kernelFunc: conv2DBackpropFilterPrevious as unknown as tf.KernelFunc },
    { kernelName: 'Conv2DBackpropInput', backendName: 'wasm', kernelFunc: conv2DBackpropInputByConvFirst as unknown as tf.KernelFunc },
    { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc: maxPoolGradLoops as unknown as tf.KernelFunc },
    // Products that did not skip the zeros of their left operand (pixels, ReLU outputs).
    { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: untransposedBatchMatMul(false) as unknown as tf.KernelFunc },
    shipped.get('_FusedMatMul')!,
  ];
  const use = (which: 'previous' | 'now') => {
    for (const config of previous) {
      tf.unregisterKernel(config.kernelName, 'wasm');
      tf.registerKernel(which === 'previous' ? config : ours.get(config.kernelName)!);
    }
  };
  for (const [kind, batch] of [['cnn', 128], ['cnn', 64], ['mlp', 128], ['mlp', 64]] as const) {
    const stepper = adamStepper(kind === 'cnn' ? cnn({ seed: 1 }) : mlp({ seed: 1 }), train, batch);
    const times: Record<'previous' | 'now', number[]> = { previous: [], now: [] };
    for (let round = 0; round < STEP_RUNS + 2; round++) {
      for (const which of ['previous', 'now'] as const) {
        use(which);
        const t = stepper(round);
        if (round >= 2) times[which].push(t);
      }
    }
    use('now');
    const [before, after] = [median(times.previous), median(times.now)];
    console.log(`${kind} batch ${batch}: previous ${ms(before)} | now ${ms(after)} (${(before / after).toFixed(2)}x; ${((after * Math.ceil(60_000 / batch)) / 1000).toFixed(1)} s per 60,000 images) — load ${os.loadavg()[0]!.toFixed(1)}`);
  }
  if (!process.env.DIGITKIT_BENCH_EPOCHS) {
    console.log('\n(Set DIGITKIT_BENCH_EPOCHS=1 for the epoch estimates through model.trainOnBatch, with the shipped kernels and on the CPU backend: minutes.)');
    return;
  }

  console.log(`\n== Training speed (Adam, batch ${BATCH}) — ESTIMATES: ${timedBatches} batches timed after 3 warm-up batches, extrapolated to ${BATCHES_PER_EPOCH} batches = one 60,000-image epoch ==`);
  const swapIn = (which: 'ours' | 'shipped') => {
    for (const [name, config] of shipped) {
      tf.unregisterKernel(name, 'wasm');
      tf.registerKernel(which === 'ours' ? ours.get(name)! : config);
    }
  };
  swapIn('ours');
  console.log(`cnn on WASM, all digitkit kernels: ${(await secondsPerEpoch('wasm', cnn({ seed: 1 }), train, timedBatches)).toFixed(1)} s/epoch`);
  swapIn('shipped');
  console.log(`cnn on WASM, only the missing Conv2DBackpropFilter added (shipped Conv2DBackpropInput, MaxPoolGrad, BatchMatMul): ${(await secondsPerEpoch('wasm', cnn({ seed: 1 }), train, Math.max(5, Math.round(timedBatches / 4)))).toFixed(1)} s/epoch`);
  console.log(`mlp on WASM, shipped BatchMatMul: ${(await secondsPerEpoch('wasm', mlp({ seed: 1 }), train, timedBatches * 2)).toFixed(1)} s/epoch`);
  swapIn('ours');
  console.log(`mlp on WASM, digitkit BatchMatMul and _FusedMatMul (explicit transpose, zeros skipped): ${(await secondsPerEpoch('wasm', mlp({ seed: 1 }), train, timedBatches * 2)).toFixed(1)} s/epoch`);
  // The CPU backend's Conv2DBackpropFilter is a plain JS loop over TensorBuffer.get(): one batch of 128
  // takes minutes, so time one batch of 16 and scale.
  const cpuPerBatch16 = (await secondsPerEpoch('cpu', cnn({ seed: 1 }), train, 1, 16, 1)) / BATCHES_PER_EPOCH;
  console.log(`cnn on CPU (pure JS): ~${((cpuPerBatch16 * 8 * BATCHES_PER_EPOCH) / 3600).toFixed(1)} h/epoch (ESTIMATE: one batch of 16 timed, ${cpuPerBatch16.toFixed(1)} s, scaled x8 to batch ${BATCH} and to ${BATCHES_PER_EPOCH} batches)`);
}

const noFallback: KernelFn = () => {
  throw new Error('unexpected fallback');
};

function callRegistered(name: string, args: KernelArgs): tf.TensorInfo {
  return tf.getKernel(name, 'wasm')!.kernelFunc({ inputs: args.inputs, backend: args.backend, attrs: (args.attrs ?? {}) as tf.NamedAttrMap }) as tf.TensorInfo;
}

/**
 * Times each way of computing one kernel call, in turns (one call of each per round), on fresh copies of
 * the same random inputs every call (the WASM matrix product caches its packed operand by tensor, so
 * reusing inputs would flatter it), and prints the medians on one line.
 */
function sideBySide(label: string, shapes: Record<string, number[]>, attrs: object, ways: [string, KernelFn][]): void {
  const base = Object.entries(shapes).map(([name, shape], i) => [name, tf.randomUniform(shape, -1, 1, 'float32', i + 1)] as const);
  const times = ways.map(() => [] as number[]);
  for (let round = 0; round <= KERNEL_RUNS; round++) {
    ways.forEach(([, kernel], i) => {
      const inputs = Object.fromEntries(base.map(([name, t]) => [name, tf.mul(t, 1)]));
      const t0 = performance.now();
      const out = tf.engine().makeTensorFromTensorInfo(kernel({ inputs, backend: tf.backend(), attrs: attrs as tf.NamedAttrMap }));
      out.dataSync();
      if (round > 0) times[i]!.push(performance.now() - t0);
      out.dispose();
      tf.dispose(Object.values(inputs));
    });
  }
  tf.dispose(base.map(([, t]) => t));
  console.log(`${label}: ${ways.map(([name], i) => `${name} ${median(times[i]!).toFixed(2)}`).join(' | ')} — load ${os.loadavg()[0]!.toFixed(1)}`);
}

/**
 * One training step the way @digitkit/train takes it: tf.variableGrads through the layers model (dropout
 * on), softmax cross-entropy, then the fused Adam kernel per weight. Returns a function that trains on
 * batch `i` of `train` and gives the step's milliseconds (the loss read back, so the work is done).
 */
function adamStepper(model: DigitModel, train: Digits, batch: number): (i: number) => number {
  const vars = model.net.trainableWeights.map((w) => w.read() as tf.Variable);
  const slots = vars.map((v) => [tf.zerosLike(v), tf.zerosLike(v)] as [tf.Tensor, tf.Tensor]);
  const perExample = 784;
  return (i) => {
    const start = (i * batch) % (train.count - batch);
    const x = tf.tensor(train.x.subarray(start * perExample, (start + batch) * perExample), [batch, ...model.inputShape]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(train.y.subarray(start, start + batch)), 'int32'), 10));
    const t0 = performance.now();
    const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.net.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, vars);
    vars.forEach((v, k) => {
      const [m, s] = slots[k]!;
      const [next, m1, s1] = tf.engine().runKernel(ADAM_UPDATE, { value: v, grad: grads[v.name]!, m, v: s }, { rate: 1e-3, decay: 1, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 }) as tf.Tensor[];
      v.assign(next!);
      tf.dispose([next!, m, s]);
      slots[k] = [m1!, s1!];
    });
    value.dataSync();
    const dt = performance.now() - t0;
    tf.dispose([x, y, value, ...Object.values(grads)]);
    return dt;
  };
}

async function secondsPerEpoch(backendName: 'wasm' | 'cpu', model: DigitModel, train: Digits, batches: number, batch = BATCH, warmUp = 3): Promise<number> {
  await tf.setBackend(backendName);
  model.net.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy' });
  const perExample = 784;
  const step = async (i: number) => {
    const start = (i * batch) % (train.count - batch);
    const x = tf.tensor(train.x.slice(start * perExample, (start + batch) * perExample), [batch, ...model.inputShape]);
    const y = tf.tidy(() => tf.oneHot(tf.tensor1d(Array.from(train.y.subarray(start, start + batch)), 'int32'), 10));
    await model.net.trainOnBatch(x, y);
    tf.dispose([x, y]);
  };
  for (let i = 0; i < warmUp; i++) await step(i);
  const t0 = performance.now();
  for (let i = 0; i < batches; i++) await step(i + warmUp);
  const perBatch = (performance.now() - t0) / 1000 / batches;
  model.net.dispose();
  await tf.setBackend('wasm');
  return perBatch * BATCHES_PER_EPOCH;
}

await main();
