import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@digitkit/core';
import { mnistSlice } from '@digitkit/testkit';
import { cnn, mlp, registerWasmTrainingKernels } from '../index.js';
import { untransposedBatchMatMul } from './BatchMatMul.js';
import { conv2DBackpropFilter, conv2DBackpropFilterFastest, conv2DBackpropFilterSparse } from './Conv2DBackpropFilter.js';
import { SPARSE_MIN_INNER, SPARSE_MIN_ZEROS, sparseRowsProduct } from './sparse-rows.js';
import { type Info, type KernelArgs, heapOf, runShipped } from './wasm.js';

// The sparse product must give the shipped WASM products' bits exactly (the same terms, the same order and
// rounding, the zeros skipped), so that training with it keeps every weight's bits.

let seed = 3;
/** Uniform in (-1, 1), `zeros` of them 0. */
function random(n: number, zeros: number): Float32Array {
  const out = new Float32Array(n);
  for (let i = 0; i < n; i++) {
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    const u = seed / 2 ** 32;
    seed = (Math.imul(seed, 1_103_515_245) + 12_345) >>> 0;
    out[i] = u < zeros ? 0 : seed / 2 ** 31 - 1;
  }
  return out;
}

function onHeap(values: Float32Array, shape: number[]): Info {
  const heap = heapOf(tf.backend());
  const t = heap.makeOutput(shape, 'float32');
  (heap.typedArrayFromHeap(t) as Float32Array).set(values);
  return t;
}

const bits = (t: Info) => new Uint32Array((heapOf(tf.backend()).typedArrayFromHeap(t) as Float32Array).slice().buffer);

/** Counted, not diffed: vitest's diff of 100,000 numbers takes minutes. */
function expectSameBits(actual: Uint32Array, expected: Uint32Array, what = 'floats with other bits'): void {
  expect(actual.length).toBe(expected.length);
  expect(actual.filter((value, i) => value !== expected[i]).length, what).toBe(0);
}

beforeAll(async () => {
  await useBackend('wasm', { log: null });
  registerWasmTrainingKernels();
});

describe('sparseRowsProduct', () => {
  // [rows, inner, cols]: the MLP's first layer forward and its weight gradient (784 x batch . batch x 128), small and odd sizes.
  // Columns in blocks of 8, 4, 2 and 1 vectors: 128, 64, cnn()'s 24 (4 + 2), 60 (8 + 4 + 2 + 1), 4, 8.
  const shapes = [[128, 784, 128], [784, 96, 128], [128, 128, 64], [1, 784, 128], [300, 48, 24], [9, 40, 60], [7, 33, 4], [3, 35, 8]] as const;

  it.each(shapes)('gives the shipped BatchMatMul bits for %i x %i . x %i', (rows, inner, cols) => {
    const backend = tf.backend();
    const a = onHeap(random(rows * inner, 0.8), [1, rows, inner]);
    const b = onHeap(random(inner * cols, 0), [1, inner, cols]);
    const sparse = sparseRowsProduct({ a, b }, backend);
    const shipped = runShipped(tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false }, backend);
    expect(sparse).not.toBeNull();
    expect(sparse!.shape).toEqual([1, rows, cols]);
    expectSameBits(bits(sparse!), bits(shipped));
    for (const t of [a, b, sparse!, shipped]) backend.disposeData(t.dataId);
  });

  it.each([
    ['relu', true, [128, 784, 128]],
    ['linear', false, [128, 784, 128]],
    ['relu', true, [1, 784, 128]],
    ['relu', true, [128, 128, 64]],
    ['relu', true, [50, 33, 12]],
  ] as const)('gives the shipped _FusedMatMul bits with a bias and %s, %j', (activation, relu, [rows, inner, cols]) => {
    const backend = tf.backend();
    const a = onHeap(random(rows * inner, 0.8), [1, rows, inner]);
    const b = onHeap(random(inner * cols, 0), [1, inner, cols]);
    const bias = onHeap(random(cols, 0), [cols]);
    const sparse = sparseRowsProduct({ a, b, bias, relu }, backend);
    const shipped = runShipped(tf._FusedMatMul, { a, b, bias }, { transposeA: false, transposeB: false, activation, leakyreluAlpha: 0 }, backend);
    const values = heapOf(backend).typedArrayFromHeap(sparse!);
    // Some outputs clamped, some not: the test sees both sides of the ReLU.
    if (relu && rows > 1) expect(values.some((v) => v === 0) && values.some((v) => v > 0)).toBe(true);
    expectSameBits(bits(sparse!), bits(shipped));
    for (const t of [a, b, bias, sparse!, shipped]) backend.disposeData(t.dataId);
  });

  it('clamps a NaN to 0 under ReLU as the shipped fused product does', () => {
    const backend = tf.backend();
    const [rows, inner, cols] = [16, 64, 32];
    const values = random(rows * inner, 0.8);
    values[3 * inner + 7] = Number.NaN;
    const a = onHeap(values, [1, rows, inner]);
    const b = onHeap(random(inner * cols, 0), [1, inner, cols]);
    const bias = onHeap(random(cols, 0), [cols]);
    const sparse = sparseRowsProduct({ a, b, bias, relu: true }, backend);
    const shipped = runShipped(tf._FusedMatMul, { a, b, bias }, { transposeA: false, transposeB: false, activation: 'relu', leakyreluAlpha: 0 }, backend);
    expect(Array.from(heapOf(backend).typedArrayFromHeap(shipped).subarray(3 * cols, 4 * cols))).toEqual(new Array(cols).fill(0));
    expectSameBits(bits(sparse!), bits(shipped));
    for (const t of [a, b, bias, sparse!, shipped]) backend.disposeData(t.dataId);
  });

  it('leaves to the shipped kernel a dense left operand, columns not in fours and short inner products', () => {
    const backend = tf.backend();
    const inner = SPARSE_MIN_INNER;
    const dense = onHeap(random(64 * inner, SPARSE_MIN_ZEROS - 0.2), [1, 64, inner]);
    const sparseA = onHeap(random(64 * inner, 0.9), [1, 64, inner]);
    const short = onHeap(random(64 * (inner - 1), 0.9), [1, 64, inner - 1]);
    const b = onHeap(random(inner * 8, 0), [1, inner, 8]);
    const b10 = onHeap(random(inner * 10, 0), [1, inner, 10]);
    const bShort = onHeap(random((inner - 1) * 8, 0), [1, inner - 1, 8]);
    expect(sparseRowsProduct({ a: dense, b }, backend)).toBeNull();
    expect(sparseRowsProduct({ a: sparseA, b: b10 }, backend)).toBeNull();
    expect(sparseRowsProduct({ a: short, b: bShort }, backend)).toBeNull();
    const taken = sparseRowsProduct({ a: sparseA, b }, backend);
    expect(taken).not.toBeNull();
    for (const t of [dense, sparseA, short, b, b10, bShort, taken!]) backend.disposeData(t.dataId);
  });

  it.each(shapes)('reads A transposed in place with the bits of a transpose then the shipped product, %i x %i . x %i', (rows, inner, cols) => {
    const backend = tf.backend();
    const aT = onHeap(random(rows * inner, 0.8), [1, inner, rows]);
    const b = onHeap(random(inner * cols, 0), [1, inner, cols]);
    const sparse = sparseRowsProduct({ a: aT, b, transposeA: true }, backend);
    const a = runShipped(tf.Transpose, { x: aT }, { perm: [0, 2, 1] }, backend);
    const shipped = runShipped(tf.BatchMatMul, { a, b }, { transposeA: false, transposeB: false }, backend);
    expect(sparse!.shape).toEqual([1, rows, cols]);
    expectSameBits(bits(sparse!), bits(shipped));
    for (const t of [aT, a, b, sparse!, shipped]) backend.disposeData(t.dataId);
  });

  it('is what tf.matMul, its transposed forms and a dense layer run on WASM, with the shipped kernels\' bits', () => {
    // Column 5 of x is 0 in every row (for the probe below).
    const x = tf.tensor2d(random(32 * 784, 0.8).map((v, i) => (i % 784 === 5 ? 0 : v)), [32, 784]);
    const w = tf.tensor2d(random(784 * 128, 0), [784, 128]);
    const dz = tf.tensor2d(random(32 * 128, 0), [32, 128]);
    const bias = tf.tensor1d(random(128, 0));
    const info = (t: tf.Tensor) => ({ dataId: t.dataId, shape: [1, ...t.shape], dtype: t.dtype }) as Info;
    const backend = tf.backend();
    const xT = tf.transpose(x);
    const shipped = [
      runShipped(tf.BatchMatMul, { a: info(x), b: info(w) }, { transposeA: false, transposeB: false }, backend),
      runShipped(tf._FusedMatMul, { a: info(x), b: info(w), bias: { dataId: bias.dataId, shape: bias.shape, dtype: 'float32' } as Info }, { transposeA: false, transposeB: false, activation: 'relu', leakyreluAlpha: 0 }, backend),
      runShipped(tf.BatchMatMul, { a: info(xT), b: info(dz) }, { transposeA: false, transposeB: false }, backend),
    ];
    const ours = [tf.matMul(x, w), tf.fused.matMul({ a: x, b: w, bias, activation: 'relu' }), tf.matMul(x, dz, true, false), tf.matMul(x, tf.transpose(w), false, true)];
    const tensorBits = (t: tf.Tensor) => new Uint32Array((t.dataSync() as Float32Array).slice().buffer);
    expectSameBits(tensorBits(ours[0]!), bits(shipped[0]!));
    expectSameBits(tensorBits(ours[1]!), bits(shipped[1]!));
    expectSameBits(tensorBits(ours[2]!), bits(shipped[2]!));
    expectSameBits(tensorBits(ours[3]!), bits(shipped[0]!));
    // The path taken: an infinite weight in row 5, where every row of x has a 0, adds no NaN here (the shipped kernel's 0 * Inf would).
    const wInf = w.dataSync().slice();
    wInf[5 * 128] = Number.POSITIVE_INFINITY;
    const infinite = tf.tensor2d(wInf, [784, 128]);
    const probe = tf.matMul(x, infinite);
    expect(probe.dataSync().every(Number.isFinite)).toBe(true);
    for (const t of shipped) backend.disposeData(t.dataId);
    tf.dispose([x, w, dz, bias, xT, infinite, probe, ...ours]);
  });
});

describe('conv2DBackpropFilterSparse', () => {
  /** Conv2DBackpropFilter's call on x [b, h, w, ci] and a dy three quarters zeros (a max-pool's gradient is). */
  function call([b, h, w, ci]: readonly [number, number, number, number], [kh, kw, co]: readonly [number, number, number], strides: number, pad: 'valid' | 'same', zeros = 0.75) {
    const oh = pad === 'same' ? Math.ceil(h / strides) : Math.floor((h - kh) / strides) + 1;
    const ow = pad === 'same' ? Math.ceil(w / strides) : Math.floor((w - kw) / strides) + 1;
    const x = onHeap(random(b * h * w * ci, 0), [b, h, w, ci]);
    const dy = onHeap(random(b * oh * ow * co, zeros), [b, oh, ow, co]);
    return { inputs: { x, dy }, backend: tf.backend(), attrs: { strides, pad, dataFormat: 'NHWC', dilations: 1, filterShape: [kh, kw, ci, co] } } as KernelArgs;
  }
  const free = (args: KernelArgs, ...more: Info[]) => {
    for (const t of [...Object.values(args.inputs), ...more]) args.backend.disposeData(t.dataId);
  };

  // cnn()'s conv_2 at 64 images (several chunks of output positions), stride 2, one chunk, 8 columns.
  it.each([
    [[64, 12, 12, 24], [5, 5, 48], 1],
    [[8, 13, 11, 8], [3, 3, 16], 2],
    [[4, 9, 9, 4], [3, 2, 8], 1],
  ] as const)('gives the transposed convolution\'s bits for x=%j filter=%j stride %i', (xShape, filter, strides) => {
    const args = call(xShape, filter, strides, 'valid');
    const sparse = conv2DBackpropFilterSparse(args);
    const reference = conv2DBackpropFilter(args);
    expect(sparse).not.toBeNull();
    expect(sparse!.shape).toEqual(reference.shape);
    expectSameBits(bits(sparse!), bits(reference));
    free(args, sparse!, reference);
  });

  it('leaves windows over the padding and a dy mostly nonzero to the transposed convolution', () => {
    const padded = call([4, 9, 9, 4], [3, 3, 8], 1, 'same');
    const dense = call([4, 9, 9, 4], [3, 3, 8], 1, 'valid', SPARSE_MIN_ZEROS - 0.2);
    expect(conv2DBackpropFilterSparse(padded)).toBeNull();
    expect(conv2DBackpropFilterSparse(dense)).toBeNull();
    free(padded);
    free(dense);
  });
});

describe('training with the zeros skipped', () => {
  /** The previous product kernels (every product through the shipped ones, conv_2's filter gradient a transposed convolution) while `body` runs. */
  function withPreviousProducts<T>(body: () => T): T {
    const ours = [tf.getKernel(tf.BatchMatMul, 'wasm')!, tf.getKernel(tf._FusedMatMul, 'wasm')!, tf.getKernel(tf.Conv2DBackpropFilter, 'wasm')!];
    const previous: tf.KernelConfig[] = [
      { kernelName: tf.Conv2DBackpropFilter, backendName: 'wasm', kernelFunc: conv2DBackpropFilterFastest(false) as unknown as tf.KernelFunc },
      { kernelName: tf.BatchMatMul, backendName: 'wasm', kernelFunc: untransposedBatchMatMul(false) as unknown as tf.KernelFunc },
      { kernelName: tf._FusedMatMul, backendName: 'wasm', kernelFunc: ((args: KernelArgs) => runShipped(tf._FusedMatMul, args.inputs, args.attrs ?? {}, args.backend)) as unknown as tf.KernelFunc },
    ];
    const swap = (configs: tf.KernelConfig[]) => {
      for (const config of configs) {
        tf.unregisterKernel(config.kernelName, 'wasm');
        tf.registerKernel(config);
      }
    };
    swap(previous);
    try {
      return body();
    } finally {
      swap(ours);
    }
  }

  it.each(['mlp', 'cnn'] as const)('gives %s the same weight gradients on MNIST, bit for bit, as the shipped products', async (kind) => {
    const count = 64;
    const { images, labels } = await mnistSlice({ split: 'train', count });
    const model = kind === 'mlp' ? mlp({ seed: 3 }) : cnn({ seed: 3 });
    const x = tf.tensor(Float32Array.from(images, (v) => v / 255), [count, ...model.inputShape]);
    const y = tf.oneHot(tf.tensor1d(Array.from(labels), 'int32'), 10);
    const variables = model.net.trainableWeights.map((w) => (w as unknown as { read(): tf.Variable }).read());
    const gradients = (): Uint32Array[] => {
      const grads = tf.tidy(() => {
        const { grads } = tf.variableGrads(() => {
          const out = model.net.call(x, { training: false });
          return tf.losses.softmaxCrossEntropy(y, (Array.isArray(out) ? out[0] : out) as tf.Tensor) as tf.Scalar;
        }, variables);
        return variables.map((v) => grads[v.name]!);
      });
      const read = grads.map((g) => new Uint32Array((g.dataSync() as Float32Array).slice().buffer));
      tf.dispose(grads);
      return read;
    };
    const now = gradients();
    const before = withPreviousProducts(gradients);
    expect(now.length).toBe(variables.length);
    now.forEach((g, i) => expectSameBits(g, before[i]!, variables[i]!.name));
    tf.dispose([x, y]);
    model.net.dispose();
  });
});
