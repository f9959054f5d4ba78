// Trains cnn() on the full MNIST training set on WASM and prints test accuracy after every epoch.
// Run: pnpm --filter @digitkit/model bench:accuracy [epochs=12] [maxShiftPixels=2]
// Recipe: Adam, batch 128, learning rate 1e-3 with cosine decay to 3e-5, every training image shifted
// by a random -2..2 pixels in x and y each epoch. About 3 minutes per epoch on a busy 2-core machine.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend } from '@digitkit/core';
import { cnn, predict, registerWasmTrainingKernels } from '../src/index.js';
import { loadDigits, shifted } from './mnist.js';

const epochs = Number(process.argv[2] ?? 12);
const maxShift = Number(process.argv[3] ?? 2);
const BATCH = 128;

await useBackend('wasm');
registerWasmTrainingKernels();
const train = await loadDigits('train');
const test = await loadDigits('test');
const model = cnn({ seed: 1 });
const optimizer = tf.train.adam(1e-3);
model.net.compile({ optimizer, loss: 'categoricalCrossentropy' });

let state = 12_345;
const random = () => (state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0) / 2 ** 32;

for (let epoch = 1; epoch <= epochs; epoch++) {
  const learningRate = 1e-3 * Math.max(0.03, 0.5 * (1 + Math.cos((Math.PI * (epoch - 1)) / epochs)));
  // tfjs-layers has no schedules; Adam reads this field on every step.
  (optimizer as unknown as { learningRate: number }).learningRate = learningRate;
  const images = maxShift > 0 ? shifted(train, maxShift, random) : train.x;
  const order = Array.from({ length: train.count }, (_, i) => i);
  for (let i = order.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [order[i], order[j]] = [order[j]!, order[i]!];
  }
  const started = performance.now();
  let lossSum = 0;
  let batches = 0;
  for (let start = 0; start < train.count; start += BATCH) {
    const n = Math.min(BATCH, train.count - start);
    const bx = new Float32Array(n * 784);
    const by = new Float32Array(n * 10);
    for (let i = 0; i < n; i++) {
      const k = order[start + i]!;
      bx.set(images.subarray(k * 784, (k + 1) * 784), i * 784);
      by[i * 10 + train.y[k]!] = 1;
    }
    const x = tf.tensor4d(bx, [n, 28, 28, 1]);
    const y = tf.tensor2d(by, [n, 10]);
    lossSum += (await model.net.trainOnBatch(x, y)) as number;
    batches++;
    tf.dispose([x, y]);
  }
  const seconds = (performance.now() - started) / 1000;
  const correct = predict(model, test.x, test.count).filter((p, i) => p.label === test.y[i]).length;
  console.log(
    `epoch ${epoch}: learning rate ${learningRate.toExponential(2)}, loss ${(lossSum / batches).toFixed(4)}, ${seconds.toFixed(1)} s, test accuracy ${((100 * correct) / test.count).toFixed(2)}%`,
  );
}
