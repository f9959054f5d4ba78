// Would a model that reads two touching digits whole (recognition, not segmentation) read the touching numbers the
// seams cannot? A CNN over a 28x56 "wide fit" of the ink, 112 classes: the 100 pairs 00-99, the 10 single digits,
// three or more digits, and no digit.
// Trained on pairs of MNIST *training* digits written touching (MNIST's bitmaps, the CNN recipe's augmentation),
// measured on the verdict bench's touching pairs (MNIST *test* skeletons drawn with pens, photographed) and singles.
// The sets and fits: @digitkit/preprocess's createNumberSet (whose default mix, 0.4,0.35,0.1, made reader D) and wideFit.
// The recognizer with it: number-reader.diff (a prototype patch of @digitkit/recognizer) and number-reader-variants.ts.
// Usage: number-reader.ts train <dir> [epochs=12] [count=60000] [pairs,singles,triples shares=0.6,0.15,0.1] |
//        measure <dir> [count a half=300]
import { mkdir, readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { type DigitModel, useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { registerWasmTrainingKernels, saveModel } from '@digitkit/model';
import { createNumberSet, NUMBER_CLASSES, NUMBER_FIT, type NumberMix, readNumberClass, toMnistFormat, wideFit } from '@digitkit/preprocess';
import { defaultRecipe, train } from '@digitkit/train';
import { drawBothHalves } from '../negatives/sets.js';

/** Shares of touching pairs, single digits and touching triples in this experiment's sets (the rest non-digits). */
const MIX: NumberMix = { pairs: 0.6, singles: 0.15, triples: 0.1 };

function pairCnn(seed: number): DigitModel {
  let s = seed;
  const net = tfl.sequential({ name: 'digitkit_pairs' });
  const conv = (filters: number, extra: object = {}) =>
    tfl.layers.conv2d({ filters, kernelSize: 5, padding: 'valid', activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: s++ }), ...extra });
  net.add(conv(16, { inputShape: [NUMBER_FIT.height, NUMBER_FIT.width, 1] }));
  net.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  net.add(conv(32));
  net.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  net.add(tfl.layers.flatten());
  net.add(tfl.layers.dense({ units: 192, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: s++ }) }));
  net.add(tfl.layers.dropout({ rate: 0.3 }));
  net.add(tfl.layers.dense({ units: NUMBER_CLASSES, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: s++ }) }));
  return { kind: 'custom', inputShape: [NUMBER_FIT.height, NUMBER_FIT.width, 1], numClasses: NUMBER_CLASSES, net };
}

function readWide(model: DigitModel, fits: readonly Uint8Array[]): { label: number; p: number }[] {
  const size = NUMBER_FIT.width * NUMBER_FIT.height;
  const x = new Float32Array(fits.length * size);
  fits.forEach((f, i) => { for (let j = 0; j < size; j++) x[i * size + j] = f[j]! / 255; });
  const probs = tf.tidy(() => model.net.predict(tf.tensor4d(x, [fits.length, NUMBER_FIT.height, NUMBER_FIT.width, 1])) as tf.Tensor).dataSync();
  return fits.map((_, i) => {
    let best = 0;
    for (let c = 1; c < NUMBER_CLASSES; c++) if (probs[i * NUMBER_CLASSES + c]! > probs[i * NUMBER_CLASSES + best]!) best = c;
    return { label: best, p: probs[i * NUMBER_CLASSES + best]! };
  });
}

const [command, dir, a1, a2, a3] = process.argv.slice(2) as [string, string, string?, string?, string?];
await useBackend('wasm', { log: null });
registerWasmTrainingKernels();
const { train: pool, test } = await loadMnist();

if (command === 'train') {
  const epochs = Number(a1 ?? 12);
  const count = Number(a2 ?? 60000);
  const t0 = performance.now();
  const [pairs = MIX.pairs, singles = MIX.singles, triples = MIX.triples] = a3?.split(',').map(Number) ?? [];
  const trainSet = createNumberSet(pool, { count, seed: 1, mix: { pairs, singles, triples } });
  const validation = createNumberSet(test, { count: 5000, seed: 2, mix: MIX });
  console.log(`made ${count} + 5000 wide fits in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  const model = pairCnn(42);
  const { negatives: _n, ...augment } = defaultRecipe('cnn').augment as Record<string, number>;
  await train(model, { train: trainSet, validation }, {
    ...defaultRecipe('cnn'),
    epochs,
    augment,
    // In process: the training workers take digit models (28x28) only.
    workers: 1,
    callbacks: { onEpochEnd: (m) => console.log(`epoch ${m.epoch}: loss ${m.loss.toFixed(4)} acc ${(m.accuracy * 100).toFixed(2)}% val acc ${((m.valAccuracy ?? 0) * 100).toFixed(2)}% ${m.seconds.toFixed(1)} s`) },
  });
  await mkdir(dir, { recursive: true });
  await saveModel(model, `${dir}/model`);
  console.log(`saved ${dir}/model in ${((performance.now() - t0) / 1000).toFixed(0)} s`);
} else {
  // Read as a plain layers model: loadModel takes digit models (28x28) only.
  const json = JSON.parse(await readFile(`${dir}/model/model.json`, 'utf8'));
  const bin = await readFile(`${dir}/model/weights.bin`);
  const net = await tfl.loadLayersModel(tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest[0].weights, weightData: bin.buffer.slice(bin.byteOffset, bin.byteOffset + bin.byteLength) }));
  const model: DigitModel = { kind: 'custom', inputShape: [NUMBER_FIT.height, NUMBER_FIT.width, 1], numClasses: NUMBER_CLASSES, net };
  const count = Number(a1 ?? 300);
  const GATES = [0.5, 0.7, 0.8, 0.9];
  console.log(`set (half): right = read as its digits; then, per threshold on the pair's probability, pictures called a pair that sure / of them right`);
  for (const name of ['touching pairs', 'single digits', 'letters', 'scribbles', 'symbols', 'soft digits', 'touching triples', 'pairs']) {
    const samples = drawBothHalves(name, test, count);
    const formats = samples.map((s) => toMnistFormat(s.image));
    const fits = formats.map((m) => (m.empty ? null : wideFit(m.ink)));
    const read = readWide(model, fits.map((f) => f ?? new Uint8Array(NUMBER_FIT.width * NUMBER_FIT.height)));
    for (const [h, half] of ['tuning', 'held-out'].entries()) {
      let right = 0;
      const called = GATES.map(() => 0);
      const calledRight = GATES.map(() => 0);
      for (let i = h * count; i < (h + 1) * count; i++) {
        const d = samples[i]!.digits ?? [];
        const r = read[i]!;
        const reading = readNumberClass(r.label);
        const said = reading.kind === 'digits' ? reading.digits : [];
        right += +(said.join() === d.join());
        GATES.forEach((g, k) => {
          if (said.length === 2 && r.p >= g) {
            called[k]!++;
            calledRight[k]! += +(said.join() === d.join());
          }
        });
      }
      const pc = (x: number) => `${((100 * x) / count).toFixed(1)}%`;
      console.log(`${name.padEnd(16)} ${half.padEnd(9)} right ${pc(right).padStart(6)} | ${GATES.map((g, k) => `>=${g}: ${pc(called[k]!)} / ${pc(calledRight[k]!)}`).join('  ')}`);
    }
  }
}
