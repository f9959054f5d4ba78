// Would a model that reads two touching digits whole (recognition, not segmentation) read the touching numbers the
// seams cannot? A CNN over a 28x56 "wide fit" of the ink, 112 classes: the 100 pairs 00-99, the 10 single digits,
// three or more digits, and no digit.
// Trained on pairs of MNIST *training* digits written touching (MNIST's bitmaps, the CNN recipe's augmentation),
// measured on the verdict bench's touching pairs (MNIST *test* skeletons drawn with pens, photographed) and singles.
// The recognizer with it: number-reader.diff (a prototype patch of @digitkit/recognizer) and number-reader-variants.ts.
// Usage: number-reader.ts train <dir> [epochs=12] [count=60000] [pairs,singles,triples shares=0.6,0.15,0.1] |
//        measure <dir> [count a half=300]
import { mkdir, readFile } from 'node:fs/promises';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { createRng, type DigitModel, type ImageSet, type Rng, useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { registerWasmTrainingKernels, saveModel } from '@digitkit/model';
import { type Box, boundingBox, centerOfMass, createNegativeMaker, resizeArea, toMnistFormat, type GrayImage } from '@digitkit/preprocess';
import { defaultRecipe, train } from '@digitkit/train';
import { drawBothHalves } from '../negatives/sets.js';

export const WIDE = { width: 56, height: 28 } as const;
const PAIR_CLASSES = 100;
const CLASSES = PAIR_CLASSES + 12;

/** Light-on-dark ink fitted into 28x56: height 20 (width at most 52), aspect kept, centre of mass at (28, 14), peak 255. */
export function wideFit(ink: GrayImage): Uint8Array | null {
  let peak = 0;
  for (let i = 0; i < ink.data.length; i++) peak = Math.max(peak, ink.data[i]!);
  if (!(peak > 0)) return null;
  const box = boundingBox(ink, 0.1 * peak)!;
  const small = scaledCrop(ink, box, Math.min(20 / box.height, 52 / box.width));
  const com = centerOfMass(small)!;
  const top = small.data.reduce((a, b) => Math.max(a, b), 0);
  const dx = Math.min(Math.max(Math.round(WIDE.width / 2 - com.x), 0), WIDE.width - small.width);
  const dy = Math.min(Math.max(Math.round(WIDE.height / 2 - com.y), 0), WIDE.height - small.height);
  const out = new Uint8Array(WIDE.width * WIDE.height);
  for (let y = 0; y < small.height; y++) for (let x = 0; x < small.width; x++) out[(y + dy) * WIDE.width + x + dx] = Math.round((small.data[y * small.width + x]! / top) * 255);
  return out;
}

/** One MNIST bitmap cropped to its ink and scaled. */
function digitInk(set: ImageSet, index: number, scale: number): GrayImage {
  const side = 28;
  const image = { data: set.images.subarray(index * side * side, (index + 1) * side * side), width: side, height: side };
  const box = boundingBox(image) ?? { x: 0, y: 0, width: side, height: side };
  return scaledCrop(image, box, scale);
}

/** `box` of `image` area-resized by `scale` (at least a pixel a side). */
function scaledCrop(image: GrayImage, box: Box, scale: number): GrayImage<Float32Array> {
  const crop = new Float32Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) for (let x = 0; x < box.width; x++) crop[y * box.width + x] = image.data[(box.y + y) * image.width + box.x + x]!;
  return resizeArea({ data: crop, width: box.width, height: box.height }, Math.max(1, Math.round(box.width * scale)), Math.max(1, Math.round(box.height * scale)));
}

/** Digits written in one flow: heights 85-115%, baselines up to 6% apart, extents overlapping by up to 25% of the height or 6% apart. */
function composeNumber(set: ImageSet, indices: readonly number[], rng: Rng): GrayImage {
  const inks = indices.map((i) => digitInk(set, i, 0.85 + rng.next() * 0.3));
  const drops = inks.map((ink) => Math.round((rng.next() - 0.5) * 0.12 * ink.height));
  const unit = Math.max(...inks.map((ink) => ink.height));
  const margin = 2;
  const lift = Math.max(...drops.map(Math.abs));
  const xs: number[] = [];
  let right = margin;
  inks.forEach((ink, k) => {
    const x = k === 0 ? margin : Math.max(margin, right + Math.round((-0.25 + rng.next() * 0.31) * unit));
    xs.push(x);
    right = Math.max(right, x + ink.width);
  });
  const width = right + margin;
  const height = unit + 2 * lift + 2 * margin;
  const data = new Float32Array(width * height);
  inks.forEach((ink, k) => {
    const y0 = margin + lift + drops[k]! + (unit - ink.height);
    for (let y = 0; y < ink.height; y++) for (let x = 0; x < ink.width; x++) {
      const i = (y0 + y) * width + xs[k]! + x;
      data[i] = Math.max(data[i]!, ink.data[y * ink.width + x]!);
    }
  });
  return { data, width, height };
}

/** Classes past the pairs and singles: three or more digits, and ink that holds no digit. */
const MORE = PAIR_CLASSES + 10;
/** Shares of touching pairs, single digits and touching triples in a training set (the rest non-digits). */
const MIX: [number, number, number] = [0.6, 0.15, 0.1];
const NONE = MORE + 1;

/**
 * `count` wide fits from `set` (shares: `MIX`, or the train command's fifth argument): 60% touching pairs (class 10a + b), 15% single digits (100 + d), 10% touching triples
 * (110), 15% synthetic non-digits (111, @digitkit/preprocess's negative maker, on a 28x28 or a 56x28 canvas).
 */
function pairSet(set: ImageSet, count: number, seed: number, [pairs, singles, triples] = MIX): ImageSet {
  const rng = createRng(seed);
  const size = WIDE.width * WIDE.height;
  const images = new Uint8Array(count * size);
  const labels = new Uint8Array(count);
  const square = createNegativeMaker({ seed: seed + 1 });
  const wide = createNegativeMaker({ seed: seed + 2, width: WIDE.width, height: WIDE.height });
  for (let i = 0; i < count; i++) {
    const roll = rng.next();
    const a = rng.int(set.count);
    const b = rng.int(set.count);
    let ink: GrayImage;
    if (roll < pairs) {
      ink = composeNumber(set, [a, b], rng);
      labels[i] = 10 * set.labels[a]! + set.labels[b]!;
    } else if (roll < pairs + singles) {
      ink = digitInk(set, a, 1);
      labels[i] = PAIR_CLASSES + set.labels[a]!;
    } else if (roll < pairs + singles + triples) {
      ink = composeNumber(set, [a, b, rng.int(set.count)], rng);
      labels[i] = MORE;
    } else {
      const onWide = rng.next() < 0.5;
      const out = new Uint8Array(onWide ? size : 784);
      (onWide ? wide : square)(out);
      ink = { data: out, width: onWide ? WIDE.width : 28, height: 28 };
      labels[i] = NONE;
    }
    const fit = wideFit(ink);
    if (fit) images.set(fit, i * size);
  }
  return { images, labels, count, width: WIDE.width, height: WIDE.height, numClasses: CLASSES };
}

function pairCnn(seed: number): DigitModel {
  let s = seed;
  const net = tfl.sequential({ name: 'digitkit_pairs' });
  const conv = (filters: number, extra: object = {}) =>
    tfl.layers.conv2d({ filters, kernelSize: 5, padding: 'valid', activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: s++ }), ...extra });
  net.add(conv(16, { inputShape: [WIDE.height, WIDE.width, 1] }));
  net.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  net.add(conv(32));
  net.add(tfl.layers.maxPooling2d({ poolSize: 2, strides: 2 }));
  net.add(tfl.layers.flatten());
  net.add(tfl.layers.dense({ units: 192, activation: 'relu', kernelInitializer: tfl.initializers.heNormal({ seed: s++ }) }));
  net.add(tfl.layers.dropout({ rate: 0.3 }));
  net.add(tfl.layers.dense({ units: CLASSES, activation: 'softmax', kernelInitializer: tfl.initializers.glorotUniform({ seed: s++ }) }));
  return { kind: 'custom', inputShape: [WIDE.height, WIDE.width, 1], numClasses: CLASSES, net };
}

function readWide(model: DigitModel, fits: readonly Uint8Array[]): { label: number; p: number }[] {
  const size = WIDE.width * WIDE.height;
  const x = new Float32Array(fits.length * size);
  fits.forEach((f, i) => { for (let j = 0; j < size; j++) x[i * size + j] = f[j]! / 255; });
  const probs = tf.tidy(() => model.net.predict(tf.tensor4d(x, [fits.length, WIDE.height, WIDE.width, 1])) as tf.Tensor).dataSync();
  return fits.map((_, i) => {
    let best = 0;
    for (let c = 1; c < CLASSES; c++) if (probs[i * CLASSES + c]! > probs[i * CLASSES + best]!) best = c;
    return { label: best, p: probs[i * CLASSES + best]! };
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
  const trainSet = pairSet(pool, count, 1, a3 ? (a3.split(',').map(Number) as [number, number, number]) : MIX);
  const validation = pairSet(test, 5000, 2);
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
  const model: DigitModel = { kind: 'custom', inputShape: [WIDE.height, WIDE.width, 1], numClasses: CLASSES, net };
  const count = Number(a1 ?? 300);
  const GATES = [0.5, 0.7, 0.8, 0.9];
  console.log(`set (half): right = read as its digits; then, per threshold on the pair's probability, pictures called a pair that sure / of them right`);
  for (const name of ['touching pairs', 'single digits', 'letters', 'scribbles', 'symbols', 'soft digits', 'touching triples', 'pairs']) {
    const samples = drawBothHalves(name, test, count);
    const formats = samples.map((s) => toMnistFormat(s.image));
    const fits = formats.map((m) => (m.empty ? null : wideFit(m.ink)));
    const read = readWide(model, fits.map((f) => f ?? new Uint8Array(WIDE.width * WIDE.height)));
    for (const [h, half] of ['tuning', 'held-out'].entries()) {
      let right = 0;
      const called = GATES.map(() => 0);
      const calledRight = GATES.map(() => 0);
      for (let i = h * count; i < (h + 1) * count; i++) {
        const d = samples[i]!.digits ?? [];
        const r = read[i]!;
        const said = r.label >= MORE ? [] : r.label >= PAIR_CLASSES ? [r.label - PAIR_CLASSES] : [Math.floor(r.label / 10), r.label % 10];
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
