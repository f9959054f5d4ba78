import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError, useBackend } from '@digitkit/core';
import { mnistSlice } from '@digitkit/testkit';
import { ADAM_UPDATE, type AdamUpdateAttrs, cnn, MOMENTUM_UPDATE, type MomentumUpdateAttrs, mlp, registerWasmTrainingKernels, WASM_TRAINING_KERNELS } from '../index.js';
import { adamUpdateByKernels } from './AdamUpdate.js';
import { conv2DBackpropFilter, conv2DBackpropFilterIm2col } from './Conv2DBackpropFilter.js';
import { conv2DBackpropInputByConvFirst, conv2DBackpropInputCol2im } from './Conv2DBackpropInput.js';
import { convGeometry } from './geometry.js';
import { col2im, im2col, im2colTransposed, im2colTransposedFits } from './im2col.js';
import { maxPoolGrad2x2For } from './max-pool-grad-simd.js';
import { patchRunsFor } from './patch-runs.js';
import { heapOf } from './wasm.js';

// Every registered WASM kernel is checked against the CPU backend's on random inputs: directly
// (kernel by kernel) and through tf.grads / a real cnn() training gradient.

let seed = 7;
function random(n: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    out[i] = seed / 2 ** 31 - 1;
  }
  return out;
}
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

async function on<T>(backend: 'cpu' | 'wasm', f: () => T): Promise<T> {
  await tf.setBackend(backend);
  return f();
}

/** Runs a kernel on both backends (same inputs) and returns both results as arrays. */
async function bothBackends(name: string, inputs: Record<string, [Float32Array, number[]]>, attrs: object) {
  const results: Float32Array[] = [];
  let shape: number[] = [];
  for (const backend of ['cpu', 'wasm'] as const) {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    const tensors = Object.fromEntries(Object.entries(inputs).map(([k, [v, s]]) => [k, tf.tensor(v, s)]));
    const out = tf.engine().runKernel(name, tensors, attrs as tf.NamedAttrMap) as tf.Tensor;
    shape = out.shape;
    results.push(out.dataSync() as Float32Array);
    tf.dispose([out, ...Object.values(tensors)]);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
  }
  return { cpu: results[0]!, wasm: results[1]!, shape };
}

function expectClose(actual: Float32Array, expected: Float32Array, tolerance = 1e-4): void {
  expect(actual.length).toBe(expected.length);
  let scale = 1;
  for (const v of expected) scale = Math.max(scale, Math.abs(v));
  let worst = 0;
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i]! - expected[i]!));
  expect(worst / scale).toBeLessThan(tolerance);
}

// [input shape, filter shape, strides, padding]: cnn()'s two convolutions first, those of its former [16, 32] shape
// next, then others.
const convCases: [number[], [number, number, number, number], number | [number, number], 'same' | 'valid'][] = [
  [[4, 28, 28, 1], [5, 5, 1, 24], 1, 'valid'],
  [[4, 12, 12, 24], [5, 5, 24, 48], 1, 'valid'],
  [[4, 28, 28, 1], [5, 5, 1, 16], 1, 'valid'],
  [[4, 12, 12, 16], [5, 5, 16, 32], 1, 'valid'],
  [[3, 14, 14, 4], [3, 3, 4, 8], 1, 'same'],
  [[3, 11, 11, 3], [3, 3, 3, 5], 2, 'valid'],
  [[3, 10, 10, 3], [3, 3, 3, 5], 2, 'same'],
  [[2, 9, 7, 2], [4, 2, 2, 3], [2, 1], 'same'],
  [[2, 8, 8, 2], [2, 2, 2, 3], 3, 'valid'],
  [[2, 9, 8, 1], [3, 2, 1, 4], [1, 2], 'valid'],
  [[2, 11, 9, 1], [3, 3, 1, 4], [2, 1], 'valid'],
  // 28,800 patch values per image: the input gradient runs in chunks of 4 images, then 3.
  [[7, 16, 16, 8], [5, 5, 8, 4], 1, 'valid'],
  // 56,448 per image: the few-channel filter gradient runs in chunks of 2, 2, then 1 image.
  [[5, 30, 30, 2], [7, 7, 2, 3], 1, 'valid'],
  [[2, 7, 9, 1], [2, 4, 1, 3], 1, 'same'],
];

beforeAll(async () => {
  await useBackend('cpu', { log: null });
  await useBackend('wasm', { log: null });
  registerWasmTrainingKernels();
});

describe('registerWasmTrainingKernels', () => {
  it('fills the kernels WASM lacks for training, and is idempotent', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeDefined();
    const kernel = tf.getKernel('BatchMatMul', 'wasm');
    const names = registerWasmTrainingKernels();
    expect(names).toEqual(['Conv2D', 'FusedConv2D', 'Conv2DBackpropFilter', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Sum', 'BatchMatMul', '_FusedMatMul', 'Identity', 'Cast', ADAM_UPDATE, MOMENTUM_UPDATE]);
    expect(WASM_TRAINING_KERNELS.map((k) => [k.kernelName, k.backendName])).toEqual(names.map((n) => [n, 'wasm']));
    expect(tf.getKernel('BatchMatMul', 'wasm')).toBe(kernel);
  });
});

describe('Identity', () => {
  it('shares the data of its input, and the copy outlives the original', async () => {
    await tf.setBackend('wasm');
    const dataIds = tf.engine().backend.numDataIds();
    const x = tf.tensor([1.5, -2, 3], [3]);
    const copy = tf.clone(x);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds + 1);
    x.dispose();
    expect(Array.from(copy.dataSync())).toEqual([1.5, -2, 3]);
    copy.dispose();
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
  });

  it('Cast to the same dtype shares the data too; real casts still convert', async () => {
    await tf.setBackend('wasm');
    const dataIds = tf.engine().backend.numDataIds();
    const x = tf.tensor([1.5, -2, 0], [3]);
    const same = tf.cast(x, 'float32');
    expect(tf.engine().backend.numDataIds()).toBe(dataIds + 1);
    const ints = tf.cast(x, 'int32');
    x.dispose();
    expect(Array.from(same.dataSync())).toEqual([1.5, -2, 0]);
    expect([ints.dtype, Array.from(ints.dataSync())]).toEqual(['int32', [1, -2, 0]]);
    tf.dispose([same, ints]);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
  });

  it('leaves strings to the shipped kernel', async () => {
    await tf.setBackend('wasm');
    const words = tf.tensor(['a', 'bc']);
    const copy = tf.clone(words);
    expect(copy.arraySync()).toEqual(['a', 'bc']);
    tf.dispose([words, copy]);
  });
});

describe.each(convCases)('convolution x=%j filter=%j strides=%j %s', (xShape, filterShape, strides, pad) => {
  const x = random(size(xShape));
  const filter = random(size(filterShape));
  const outShape = tf.backend_util.computeConv2DInfo(xShape as [number, number, number, number], filterShape, strides, 1, pad).outShape;
  const dy = random(size(outShape));

  it('Conv2D and FusedConv2D (bias, relu) match CPU', async () => {
    const attrs = { strides, pad, dataFormat: 'NHWC', dilations: 1 };
    const { cpu, wasm, shape } = await bothBackends('Conv2D', { x: [x, xShape], filter: [filter, filterShape] }, attrs);
    expect(shape).toEqual(outShape);
    expectClose(wasm, cpu);
    const bias: [Float32Array, number[]] = [random(filterShape[3]), [filterShape[3]]];
    const fused = await bothBackends('FusedConv2D', { x: [x, xShape], filter: [filter, filterShape], bias }, { ...attrs, activation: 'relu' });
    expect(fused.shape).toEqual(outShape);
    expectClose(fused.wasm, fused.cpu);
  });

  it('Conv2DBackpropFilter matches CPU', async () => {
    const { cpu, wasm, shape } = await bothBackends('Conv2DBackpropFilter', { x: [x, xShape], dy: [dy, outShape] }, { strides, pad, dataFormat: 'NHWC', filterShape });
    expect(shape).toEqual(filterShape);
    expectClose(wasm, cpu);
  });

  it('Conv2DBackpropInput matches CPU', async () => {
    const { cpu, wasm, shape } = await bothBackends('Conv2DBackpropInput', { dy: [dy, outShape], filter: [filter, filterShape] }, { strides, pad, dataFormat: 'NHWC', inputShape: xShape });
    expect(shape).toEqual(xShape);
    expectClose(wasm, cpu);
  });

  it('the fallback and previous paths (beyond the memory bound, without SIMD; benchmarked) match CPU too', async () => {
    const { cpu: filterCpu } = await bothBackends('Conv2DBackpropFilter', { x: [x, xShape], dy: [dy, outShape] }, { strides, pad, dataFormat: 'NHWC', filterShape });
    const inAttrs = { strides, pad, dataFormat: 'NHWC', inputShape: xShape };
    const { cpu: inputCpu } = await bothBackends('Conv2DBackpropInput', { dy: [dy, outShape], filter: [filter, filterShape] }, inAttrs);
    await tf.setBackend('wasm');
    const read = (info: tf.TensorInfo) => {
      const t = tf.engine().makeTensorFromTensorInfo(info);
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return v;
    };
    const tx = tf.tensor(x, xShape);
    const tdy = tf.tensor(dy, outShape);
    const tw = tf.tensor(filter, filterShape);
    const noFallback = () => {
      throw new Error('unexpected fallback');
    };
    const filterArgs = { inputs: { x: tx, dy: tdy }, backend: tf.backend(), attrs: { strides, pad, dataFormat: 'NHWC', filterShape } };
    expectClose(read(conv2DBackpropFilterIm2col(filterArgs)), filterCpu);
    expectClose(read(conv2DBackpropFilter(filterArgs)), filterCpu);
    const inputArgs = { inputs: { dy: tdy, filter: tw }, backend: tf.backend(), attrs: inAttrs };
    expectClose(read(conv2DBackpropInputCol2im(noFallback)(inputArgs)), inputCpu);
    expectClose(read(conv2DBackpropInputByConvFirst(inputArgs)), inputCpu);
    tf.dispose([tx, tdy, tw]);
  });

  it('tf.grads of conv2d -> relu -> maxPool matches CPU', async () => {
    const grads = async (backend: 'cpu' | 'wasm') =>
      on(backend, () => {
        const f = (a: tf.Tensor, w: tf.Tensor) => tf.sum(tf.maxPool(tf.relu(tf.conv2d(a as tf.Tensor4D, w as tf.Tensor4D, strides, pad)), 2, 2, 'valid'));
        const inputs = [tf.tensor(x, xShape), tf.tensor(filter, filterShape)];
        const [gx, gw] = tf.grads(f)(inputs);
        const out = [gx!.dataSync() as Float32Array, gw!.dataSync() as Float32Array];
        tf.dispose([gx!, gw!, ...inputs]);
        return out;
      });
    const [cpuX, cpuW] = await grads('cpu');
    const before = tf.memory().numTensors;
    const [wasmX, wasmW] = await grads('wasm');
    expect(tf.memory().numTensors).toBe(before);
    expectClose(wasmX!, cpuX!);
    expectClose(wasmW!, cpuW!);
  });
});

describe('the SIMD loops of im2col and col2im', () => {
  it('are available under Node, so the tests above ran them', async () => {
    await tf.setBackend('wasm');
    expect(patchRunsFor(tf.backend())).not.toBeNull();
    expect(maxPoolGrad2x2For(tf.backend())).not.toBeNull();
  });

  it.each(convCases)('give the bits of the JS loops for x=%j filter=%j strides=%j %s', async (xShape, filterShape, strides, pad) => {
    await tf.setBackend('wasm');
    const backend = tf.backend();
    const heap = heapOf(backend);
    const g = convGeometry(xShape, filterShape, { strides, pad });
    // Everything allocated before any view is taken: allocating can grow (and detach) the heap.
    const infos = [xShape, [g.positions, g.patch], [g.positions, g.patch], [g.patch, g.positions], xShape].map((shape) => heap.makeOutput(shape, 'float32'));
    const [x, simdCols, jsCols, transposed, simdDx] = infos.map((t) => heap.typedArrayFromHeap(t) as Float32Array) as Float32Array[] as [Float32Array, Float32Array, Float32Array, Float32Array, Float32Array];
    x.set(random(x.length));
    simdCols.fill(Number.NaN); // every element must be written, zeros included
    im2col(x, simdCols, g, patchRunsFor(backend));
    im2col(x, jsCols, g, null);
    expectSameBits([simdCols], [jsCols]);
    if (im2colTransposedFits(g)) {
      im2colTransposed(x, transposed, g, patchRunsFor(backend)!);
      const expected = new Float32Array(transposed.length);
      for (let p = 0; p < g.positions; p++) for (let k = 0; k < g.patch; k++) expected[k * g.positions + p] = jsCols[p * g.patch + k]!;
      expectSameBits([transposed], [expected]);
    }
    const jsDx = new Float32Array(x.length);
    col2im(simdCols, simdDx, g, patchRunsFor(backend));
    col2im(jsCols, jsDx, g, null);
    expectSameBits([simdDx], [jsDx]);
    for (const t of infos) backend.disposeData(t.dataId);
  });
});

describe('Sum', () => {
  it.each([
    [[4, 24, 24, 16], [0, 1, 2], false],
    [[3, 5, 7, 6], [0, 1, 2], true],
    [[128, 10], [0], false],
    [[5, 3], 0, true],
    [[3, 5, 7], [2], false],
    [[3, 5, 7], [0, 2], false],
    [[3, 5, 7], [1, 0], false],
  ] as const)('matches CPU for x=%j axis %j keepDims %s', async (shape, axis, keepDims) => {
    const x = random(size([...shape]));
    const { cpu, wasm, shape: outShape } = await bothBackends('Sum', { x: [x, [...shape]] }, { axis, keepDims });
    const expected = await on('cpu', () => tf.sum(tf.zeros([...shape]), axis as number | number[], keepDims).shape);
    expect(outShape).toEqual(expected);
    expectClose(wasm, cpu, 1e-5);
  });
});

describe('MaxPoolGrad', () => {
  it.each([
    [[3, 24, 24, 16], 2, 2, 'valid'],
    [[3, 8, 8, 32], 2, 2, 'valid'],
    [[2, 7, 5, 3], 2, 2, 'valid'],
    [[2, 7, 5, 3], 2, 2, 'same'],
    [[2, 7, 7, 3], 3, 2, 'same'],
    [[2, 9, 6, 2], 3, 1, 'valid'],
  ] as const)('matches CPU for x=%j pool %i stride %i %s', async (shape, filterSize, strides, pad) => {
    const x = random(size([...shape]));
    // Repeated values: the gradient must go to the first maximum only, as on CPU.
    for (let i = 0; i < x.length; i += 5) x[i] = 0.5;
    const info = tf.backend_util.computePool2DInfo([...shape] as [number, number, number, number], filterSize, strides, 1, pad);
    const dy = random(size(info.outShape));
    const pooled = await on('cpu', () => {
      const t = tf.maxPool(tf.tensor(x, [...shape]) as tf.Tensor4D, filterSize, strides, pad);
      const v = t.dataSync() as Float32Array;
      t.dispose();
      return v;
    });
    const { cpu, wasm } = await bothBackends(
      'MaxPoolGrad',
      { dy: [dy, info.outShape], input: [x, [...shape]], output: [pooled, info.outShape] },
      { filterSize, strides, pad },
    );
    expectClose(wasm, cpu, 1e-6);
  });
});

describe('BatchMatMul with transposed operands', () => {
  it.each([
    [[64, 30], [64, 20], true, false],
    [[30, 64], [20, 64], false, true],
    [[64, 30], [20, 64], true, true],
    [[2, 5, 7], [2, 5, 3], true, false],
    [[12, 9], [9, 4], false, false],
  ] as const)('a=%j b=%j transposeA=%s transposeB=%s matches CPU', async (aShape, bShape, transposeA, transposeB) => {
    const { cpu, wasm } = await bothBackends(
      'BatchMatMul',
      { a: [random(size([...aShape])), [...aShape]], b: [random(size([...bShape])), [...bShape]] },
      { transposeA, transposeB },
    );
    expectClose(wasm, cpu);
  });
});

// The optimizer updates the way @digitkit/train composes them from tfjs-core ops (its fallback on
// backends without the fused kernels), here on the CPU backend: the fused WASM kernels must give the same bits.
function composedAdam(x: tf.Tensor, g: tf.Tensor, m: tf.Tensor, v: tf.Tensor, a: AdamUpdateAttrs): tf.Tensor[] {
  const m1 = tf.add(tf.mul(m, tf.scalar(a.beta1)), tf.mul(g, tf.scalar(1 - a.beta1)));
  const v1 = tf.add(tf.mul(v, tf.scalar(a.beta2)), tf.mul(tf.square(g), tf.scalar(1 - a.beta2)));
  const base = a.decay === 1 ? x : tf.mul(x, tf.scalar(a.decay));
  return [tf.sub(base, tf.mul(tf.div(m1, tf.add(tf.sqrt(v1), tf.scalar(a.epsilon))), tf.scalar(a.rate))), m1, v1];
}

function composedMomentum(x: tf.Tensor, g: tf.Tensor, u: tf.Tensor, a: MomentumUpdateAttrs): tf.Tensor[] {
  const u1 = tf.add(tf.mul(u, tf.scalar(a.momentum)), g);
  const base = a.decay === 1 ? x : tf.mul(x, tf.scalar(a.decay));
  return [tf.sub(base, tf.mul(u1, tf.scalar(a.rate))), u1];
}

/** The fused kernel on WASM and the composed ops on CPU, on the same inputs: every output, as arrays. */
async function fusedAndComposed(
  kernel: string,
  inputs: Record<string, Float32Array>,
  shape: number[],
  attrs: object,
  composed: (t: tf.Tensor[]) => tf.Tensor[],
) {
  const results: Float32Array[][] = [];
  for (const backend of ['wasm', 'cpu'] as const) {
    await tf.setBackend(backend);
    const before = tf.memory().numTensors;
    const dataIds = tf.engine().backend.numDataIds();
    const tensors = Object.fromEntries(Object.entries(inputs).map(([k, v]) => [k, tf.tensor(v, shape)]));
    const outs = backend === 'wasm'
      ? (tf.engine().runKernel(kernel, tensors, attrs as tf.NamedAttrMap) as tf.Tensor[])
      : tf.tidy(() => composed(Object.values(tensors)));
    results.push(outs.map((t) => t.dataSync() as Float32Array));
    tf.dispose([...outs, ...Object.values(tensors)]);
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().backend.numDataIds()).toBe(dataIds);
  }
  return { wasm: results[0]!, cpu: results[1]! };
}

function expectSameBits(actual: Float32Array[], expected: Float32Array[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, k) => {
    const differing = a.filter((x, i) => !Object.is(x, expected[k]![i])).length;
    expect(differing, `output ${k}`).toBe(0);
  });
}

// The MLP's first weight matrix, a size that leaves a remainder after the SIMD lanes, one below a lane.
const updateShapes: number[][][] = [[[784, 128]], [[7, 5]], [[3]]];

// The Adam kernel's path without WebAssembly SIMD, registered under a name of its own to be run.
const ADAM_BY_KERNELS = 'DigitkitTestAdamUpdateByKernels';
tf.registerKernel({ kernelName: ADAM_BY_KERNELS, backendName: 'wasm', kernelFunc: adamUpdateByKernels as unknown as tf.KernelFunc });

describe.each(updateShapes)('fused optimizer updates, shape %j', (shape) => {
  const n = size(shape);
  it.each([
    [ADAM_UPDATE, 1],
    [ADAM_UPDATE, 0.9995],
    [ADAM_BY_KERNELS, 1],
    [ADAM_BY_KERNELS, 0.9995],
  ])('Adam as %s (decay %s) gives the bits of the composed ops on CPU', async (kernel, decay) => {
    const v = random(n).map((x) => x * x);
    const attrs: AdamUpdateAttrs = { rate: 0.0031622776601683794, decay, beta1: 0.9, beta2: 0.999, epsilon: 1e-7 };
    const { wasm, cpu } = await fusedAndComposed(kernel, { value: random(n), grad: random(n), m: random(n), v }, shape, attrs, ([x, g, m, v2]) =>
      composedAdam(x!, g!, m!, v2!, attrs),
    );
    expectSameBits(wasm, cpu);
  });

  it.each([1, 0.9995])('SGD with momentum (decay %s) gives the bits of the composed ops on CPU', async (decay) => {
    const attrs: MomentumUpdateAttrs = { rate: 0.05, decay, momentum: 0.9 };
    const { wasm, cpu } = await fusedAndComposed(MOMENTUM_UPDATE, { value: random(n), grad: random(n), velocity: random(n) }, shape, attrs, ([x, g, u]) =>
      composedMomentum(x!, g!, u!, attrs),
    );
    expectSameBits(wasm, cpu);
  });
});

describe('training on WASM', () => {
  it.each([
    ['mlp() (transposed products, shared clones)', () => mlp({ seed: 5 }), [16, 784], 6],
    ['cnn() (every convolution and pooling kernel)', () => cnn({ seed: 5, dropout: 0 }), [4, 28, 28, 1], 8],
  ] as const)('gives the same weight gradients as CPU for every layer of %s', async (_, makeModel, inputShape, weights) => {
    const count = inputShape[0];
    const xs = random(size([...inputShape])).map((v) => Math.abs(v));
    const labels = Array.from({ length: count }, (_, i) => (3 * i + 1) % 10);
    const gradients = async (backend: 'cpu' | 'wasm') =>
      on(backend, () => {
        const model = makeModel();
        const vars = model.net.trainableWeights.map((w) => w.read() as tf.Variable);
        const x = tf.tensor(xs, [...inputShape]);
        const y = tf.oneHot(labels, 10);
        const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(y, model.net.apply(x) as tf.Tensor) as tf.Scalar, vars);
        const out = vars.map((v) => grads[v.name]!.dataSync() as Float32Array);
        tf.dispose([x, y, value, ...Object.values(grads)]);
        model.net.dispose();
        return out;
      });
    const cpu = await gradients('cpu');
    const wasm = await gradients('wasm');
    expect(wasm).toHaveLength(weights);
    wasm.forEach((g, i) => expectClose(g, cpu[i]!, 1e-3));
  });

  it('learns real MNIST digits with model.fit on WASM', async () => {
    await tf.setBackend('wasm');
    const count = 1024;
    const { images, labels } = await mnistSlice({ split: 'train', count });
    const model = cnn({ seed: 2 });
    model.net.compile({ optimizer: tf.train.adam(2e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
    const x = tf.tensor4d(Float32Array.from(images, (v) => v / 255), [count, 28, 28, 1]);
    const y = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), 10);
    const first = await model.net.fit(x, y, { batchSize: 128, epochs: 2, shuffle: false, verbose: 0 });
    // The optimizer's state exists now; more training must not add tensors.
    const before = tf.memory().numTensors;
    const second = await model.net.fit(x, y, { batchSize: 128, epochs: 2, shuffle: false, verbose: 0 });
    expect(tf.memory().numTensors).toBe(before);
    const loss = [...(first.history.loss as number[]), ...(second.history.loss as number[])];
    const accuracy = second.history.acc as number[];
    expect(loss[3]!).toBeLessThan(loss[0]! * 0.5);
    // Dropout is unseeded, so the figure varies run to run (0.85-0.92 seen); chance is 0.1.
    expect(accuracy[1]!).toBeGreaterThan(0.75);
    tf.dispose([x, y]);
    model.net.dispose();
  });

  it('rejects a data format it does not support, saying which', async () => {
    await tf.setBackend('wasm');
    const x = tf.zeros([1, 1, 6, 6]);
    const dy = tf.zeros([1, 1, 4, 4]);
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 1, 1] })).toThrow(
      DigitkitError,
    );
    expect(() => tf.engine().runKernel('Conv2DBackpropFilter', { x, dy }, { strides: 1, pad: 'valid', dataFormat: 'NCHW', filterShape: [3, 3, 1, 1] })).toThrow(/NHWC/);
    tf.dispose([x, dy]);
  });
});
