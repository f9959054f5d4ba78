// Prints inference, kernel and training-speed figures for @digitkit/model. Run: pnpm --filter @digitkit/model bench
// DIGITKIT_BENCH_BATCHES (default 40) sets how many training batches are timed per case; epochs are extrapolated.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type DigitModel } from '@digitkit/core';
import { cnn, mlp, predict, registerWasmTrainingKernels } from '../src/index.js';
import { loadDigits, type Digits } from './mnist.js';
// Internal alternatives, kept to compare against (not part of the public API).
import { conv2DBackpropFilter, conv2DBackpropFilterIm2col } from '../src/kernels/Conv2DBackpropFilter.js';
import { conv2DBackpropInputCol2im } from '../src/kernels/Conv2DBackpropInput.js';

const BATCH = 128;
const BATCHES_PER_EPOCH = Math.ceil(60_000 / BATCH);
const timedBatches = Number(process.env.DIGITKIT_BENCH_BATCHES ?? 40);

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
  const shipped = new Map(['Conv2DBackpropInput', 'MaxPoolGrad', 'BatchMatMul'].map((n) => [n, tf.getKernel(n, 'wasm')!]));
  const names = registerWasmTrainingKernels();
  const ours = new Map(names.map((n) => [n, tf.getKernel(n, 'wasm')!]));
  const backend = () => tf.backend();
  const callShipped = (name: string, inputs: Record<string, tf.Tensor>, attrs: object) =>
    shipped.get(name)!.kernelFunc({ inputs, backend: backend(), attrs: attrs as tf.NamedAttrMap }) as tf.TensorInfo;
  const callOurs = (name: string, inputs: Record<string, tf.Tensor>, attrs: object) =>
    tf.engine().runKernel(name, inputs, attrs as tf.NamedAttrMap) as tf.Tensor;

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

  console.log(`\n== Gradient kernels on WASM, batch ${BATCH}, cnn() shapes (median of 7) ==`);
  const convs = [
    { label: 'conv_1 5x5 1->16, 28x28 valid', x: [BATCH, 28, 28, 1], f: [5, 5, 1, 16] as [number, number, number, number] },
    { label: 'conv_2 5x5 16->32, 12x12 valid', x: [BATCH, 12, 12, 16], f: [5, 5, 16, 32] as [number, number, number, number] },
  ];
  for (const c of convs) {
    const info = tf.backend_util.computeConv2DInfo(c.x as [number, number, number, number], c.f, 1, 1, 'valid');
    const x = random(c.x);
    const dy = random(info.outShape);
    const w = random(c.f);
    const attrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: c.f };
    const filterConv = timeKernel(() => conv2DBackpropFilter({ inputs: { x, dy }, backend: backend(), attrs }));
    const filterIm2col = timeKernel(() => conv2DBackpropFilterIm2col({ inputs: { x, dy }, backend: backend(), attrs }));
    const filterOps = timeKernel(() => im2colFilterGrad(x, dy, c.f));
    const used = c.f[2] <= 4 ? 'im2col' : 'conv';
    console.log(
      `Conv2DBackpropFilter ${c.label}: one transposed WASM conv${used === 'conv' ? ' (ours)' : ''} ${ms(filterConv)} | JS im2col + WASM matMul${used === 'im2col' ? ' (ours)' : ''} ${ms(filterIm2col)} | im2col from tf.slice/stack + matMul ${ms(filterOps)} | shipped WASM: missing`,
    );
    if (c.f[2] > 1) {
      const inAttrs = { strides: 1, pad: 'valid', dataFormat: 'NHWC', inputShape: c.x };
      const inputOurs = timeKernel(() => callOurs('Conv2DBackpropInput', { dy, filter: w }, inAttrs));
      const inputShipped = timeKernel(() => callShipped('Conv2DBackpropInput', { dy, filter: w }, inAttrs));
      const shippedInput = shipped.get('Conv2DBackpropInput')!.kernelFunc as never;
      const inputCol2im = timeKernel(() => conv2DBackpropInputCol2im(shippedInput)({ inputs: { dy, filter: w }, backend: backend(), attrs: inAttrs }));
      console.log(`Conv2DBackpropInput  ${c.label}: ours (rotated-filter WASM conv) ${ms(inputOurs)} | WASM matMul + JS col2im ${ms(inputCol2im)} | shipped WASM ${ms(inputShipped)}`);
    }
    tf.dispose([x, dy, w]);
  }
  for (const shape of [
    [BATCH, 24, 24, 16],
    [BATCH, 8, 8, 32],
  ]) {
    const x = random(shape);
    const y = tf.maxPool(x as tf.Tensor4D, 2, 2, 'valid');
    const dy = random(y.shape);
    const attrs = { filterSize: 2, strides: 2, pad: 'valid' };
    const inputs = { dy, input: x, output: y };
    console.log(`MaxPoolGrad 2x2 on [${shape.join(', ')}]: ours ${ms(timeKernel(() => callOurs('MaxPoolGrad', inputs, attrs)))} | shipped WASM ${ms(timeKernel(() => callShipped('MaxPoolGrad', inputs, attrs)))}`);
    tf.dispose([x, y, dy]);
  }
  for (const [label, aShape, bShape, transposeA, transposeB] of [
    ['mlp dense_1 weight grad x^T.dy', [BATCH, 784], [BATCH, 128], true, false],
    ['cnn dense_1 weight grad x^T.dy', [BATCH, 512], [BATCH, 128], true, false],
    ['mlp dense_1 input grad dy.W^T', [BATCH, 128], [784, 128], false, true],
    ['untransposed x.W (reference)', [BATCH, 784], [784, 128], false, false],
  ] as const) {
    const a = random([...aShape]);
    const b = random([...bShape]);
    const attrs = { transposeA, transposeB };
    console.log(`BatchMatMul ${label}: ours ${ms(timeKernel(() => callOurs('BatchMatMul', { a, b }, attrs), 15))} | shipped WASM ${ms(timeKernel(() => callShipped('BatchMatMul', { a, b }, attrs), 15))}`);
    tf.dispose([a, b]);
  }
  {
    const small = 16;
    const x = random([small, 12, 12, 16]);
    const dy = random([small, 8, 8, 32]);
    await tf.setBackend('cpu');
    const cpuMs = timeKernel(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NHWC', filterShape: [5, 5, 16, 32] }) as tf.Tensor, 1);
    console.log(`CPU backend Conv2DBackpropFilter conv_2 at batch ${small}: ${ms(cpuMs)} (~${ms((cpuMs * BATCH) / small)} at batch ${BATCH}, scaled)`);
    await tf.setBackend('wasm');
    tf.dispose([x, dy]);
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
  console.log(`mlp on WASM, digitkit BatchMatMul (explicit transpose): ${(await secondsPerEpoch('wasm', mlp({ seed: 1 }), train, timedBatches * 2)).toFixed(1)} s/epoch`);
  // The CPU backend's Conv2DBackpropFilter is a plain JS loop over TensorBuffer.get(): one batch of 128
  // takes minutes, so time one batch of 16 and scale.
  const cpuPerBatch16 = (await secondsPerEpoch('cpu', cnn({ seed: 1 }), train, 1, 16, 1)) / BATCHES_PER_EPOCH;
  console.log(`cnn on CPU (pure JS): ~${((cpuPerBatch16 * 8 * BATCHES_PER_EPOCH) / 3600).toFixed(1)} h/epoch (ESTIMATE: one batch of 16 timed, ${cpuPerBatch16.toFixed(1)} s, scaled x8 to batch ${BATCH} and to ${BATCHES_PER_EPOCH} batches)`);
}

/** Filter gradient the textbook way: gather the input patches (im2col), then one matrix product. */
function im2colFilterGrad(x: tf.Tensor, dy: tf.Tensor, f: [number, number, number, number]): tf.Tensor {
  return tf.tidy(() => {
    const [b, , , ci] = x.shape as number[];
    const [, oh, ow, co] = dy.shape as number[];
    const patches: tf.Tensor[] = [];
    for (let i = 0; i < f[0]; i++) for (let j = 0; j < f[1]; j++) patches.push(tf.slice(x, [0, i, j, 0], [b!, oh!, ow!, ci!]));
    const cols = tf.reshape(tf.stack(patches, 3), [b! * oh! * ow!, f[0] * f[1] * ci!]);
    return tf.reshape(tf.matMul(cols, tf.reshape(dy, [b! * oh! * ow!, co!]), true, false), f);
  });
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
