// Bare arithmetic with no training loop around it, for the workers bench's ceiling rows: what 2 threads give on this
// machine. Plain JavaScript so that a worker thread can run this file without the bench's TypeScript loader.
import { isMainThread, parentPort, workerData } from 'node:worker_threads';
import { useBackend } from '@digitkit/core';
import { WASM_TRAINING_KERNELS, cnn } from '@digitkit/model';
import * as tf from '@tensorflow/tfjs-core';

/**
 * Seconds for one thread's fixed share: a float loop of 12 independent multiply chains (enough to keep a core's two
 * multiply ports busy), the WASM backend's matMul at the MLP's first layer (128x784 by 784x128), or the CNN's gradients
 * on 64 images (a worker's shard of a batch of 128) with no pool, barrier or update around them.
 * Two physical cores run two shares in the time of one; two hyperthreads of one core share its ports.
 * @param {'float-loop' | 'wasm-matmul' | 'cnn-gradients'} kind
 * @param {() => Promise<void>} ready called once warmed up; the timed loop starts when it resolves
 */
export async function arithmetic(kind, ready = async () => {}) {
  if (kind === 'float-loop') {
    await ready();
    const started = performance.now();
    let [a, b, c, d, e, f] = [1, 1.01, 1.02, 1.03, 1.04, 1.05];
    let [g, h, i, j, k, l] = [1.06, 1.07, 1.08, 1.09, 1.1, 1.11];
    const m = 0.9999999;
    for (let n = 0; n < 3e8; n++) {
      a *= m; b *= m; c *= m; d *= m; e *= m; f *= m; g *= m; h *= m; i *= m; j *= m; k *= m; l *= m;
    }
    if (a + b + c + d + e + f + g + h + i + j + k + l === 0) console.log('unreachable: keeps the loop from being dropped');
    return (performance.now() - started) / 1000;
  }
  if (kind === 'cnn-gradients') return cnnGradients(ready);
  await useBackend('wasm', { log: null });
  const x = tf.randomUniform([128, 784], 0, 1, 'float32', 1);
  const w = tf.randomUniform([784, 128], -0.1, 0.1, 'float32', 2);
  // Read and freed by hand: a typed array returned from tidy is walked element by element (slow).
  const product = () => {
    const y = tf.matMul(x, w);
    y.dataSync();
    y.dispose();
  };
  for (let i = 0; i < 20; i++) product();
  await ready();
  const started = performance.now();
  for (let i = 0; i < 1500; i++) product();
  return (performance.now() - started) / 1000;
}

/** @param {() => Promise<void>} ready */
async function cnnGradients(ready) {
  await useBackend('wasm', { log: null, kernels: WASM_TRAINING_KERNELS });
  const model = cnn({ seed: 1 });
  const x = tf.randomUniform([64, 28, 28, 1], 0, 1, 'float32', 1);
  const y = tf.cast(tf.oneHot(tf.randomUniform([64], 0, 10, 'int32', 2), 10), 'float32');
  const variables = model.net.trainableWeights.map((w) => w.read());
  const gradients = () => {
    const { value, grads } = tf.variableGrads(() => {
      const p = /** @type {tf.Tensor} */ (model.net.apply(x, { training: true }));
      return tf.neg(tf.sum(tf.mul(y, tf.log(tf.add(p, 1e-7)))));
    }, variables);
    for (const g of Object.values(grads)) g.dataSync();
    value.dataSync();
    tf.dispose([value, ...Object.values(grads)]);
  };
  for (let i = 0; i < 5; i++) gradients();
  await ready();
  const started = performance.now();
  for (let i = 0; i < 150; i++) gradients();
  return (performance.now() - started) / 1000;
}

// In a worker: say when warmed up, start on 'go' (so the threads' timed loops overlap), report the loop's seconds.
if (!isMainThread && workerData?.arithmetic) {
  const go = new Promise((resolve) => parentPort.once('message', resolve));
  const seconds = await arithmetic(workerData.arithmetic, async () => {
    parentPort.postMessage('ready');
    await go;
  });
  parentPort.postMessage(seconds);
}
