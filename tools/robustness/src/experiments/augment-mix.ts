// Short-run check of an augmentation mix: trains `kind` on the first <n> training images for <epochs> epochs with the
// default recipe's augmentation replaced by <mix JSON>, then prints clean MNIST test accuracy and accuracy on test
// images corrupted here (made independently of @digitkit/preprocess's augmenter, straight into the model).
// Usage: node --import tsx src/experiments/augment-mix.ts <kind> <n> <epochs> '<AugmentOptions JSON or false>' [saveDir]
// or, to score saved models: ... src/experiments/augment-mix.ts score <kind> <modelDir>
import { createRng, useBackend, type DigitModel } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createModel, loadModel, type ModelKind, predict, registerWasmTrainingKernels, saveModel } from '@digitkit/model';
import { resizeArea } from '@digitkit/preprocess';
import { defaultRecipe, train, type TrainOptions } from '@digitkit/train';

await useBackend('wasm', { log: null });
registerWasmTrainingKernels();
const { train: trainSet, test } = await loadMnist();
const args = process.argv.slice(2);

type Corruption = (img: Float32Array, rng: () => number) => Float32Array;
const N = 2000;
const at = (img: Float32Array, x: number, y: number) => (x < 0 || y < 0 || x >= 28 || y >= 28 ? 0 : img[y * 28 + x]!);
const bilinear = (img: Float32Array, x: number, y: number) => {
  const x0 = Math.floor(x), y0 = Math.floor(y), fx = x - x0, fy = y - y0;
  return (at(img, x0, y0) * (1 - fx) + at(img, x0 + 1, y0) * fx) * (1 - fy) + (at(img, x0, y0 + 1) * (1 - fx) + at(img, x0 + 1, y0 + 1) * fx) * fy;
};
const affine = (m: [number, number, number, number]): Corruption => (img) => {
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    const u = x + 0.5 - 14, v = y + 0.5 - 14;
    out[y * 28 + x] = bilinear(img, m[0] * u + m[1] * v + 14 - 0.5, m[2] * u + m[3] * v + 14 - 0.5);
  }
  return out;
};
const rot = (deg: number): Corruption => (img, r) => {
  const a = ((r() < 0.5 ? -1 : 1) * deg * Math.PI) / 180;
  return affine([Math.cos(a), Math.sin(a), -Math.sin(a), Math.cos(a)])(img, r);
};
const clamp = (v: number) => Math.min(1, Math.max(0, v));
const boxBlur = (img: Float32Array, radius: number) => {
  const out = new Float32Array(784);
  for (let y = 0; y < 28; y++) for (let x = 0; x < 28; x++) {
    let s = 0, n = 0;
    for (let dy = -radius; dy <= radius; dy++) for (let dx = -radius; dx <= radius; dx++) { s += at(img, x + dx, y + dy); n++; }
    out[y * 28 + x] = s / n;
  }
  return out;
};
const normalizeMax = (img: Float32Array) => { let m = 0; for (const v of img) m = Math.max(m, v); return img.map((v) => (m > 0 ? v / m : 0)); };
const lowRes = (side: number): Corruption => (img) => {
  const small = resizeArea({ data: img, width: 28, height: 28 }, side, side).data;
  // Nearest-neighbour back up (blocky), unlike the augmenter's bilinear.
  return Float32Array.from({ length: 784 }, (_, i) => small[Math.floor(((i / 28) | 0) * side / 28) * side + Math.floor((i % 28) * side / 28)]!);
};
const line = (img: Float32Array, r: () => number, width: number, dotted: boolean) => {
  const out = img.slice();
  const y0 = 4 + r() * 20, y1 = 4 + r() * 20;
  for (let x = 0; x < 28; x++) {
    if (dotted && x % 4 >= 2) continue;
    const yc = y0 + ((y1 - y0) * x) / 27;
    for (let y = 0; y < 28; y++) out[y * 28 + x] = Math.max(out[y * 28 + x]!, clamp(width / 2 + 0.5 - Math.abs(y + 0.5 - yc)));
  }
  return out;
};
const CORRUPTIONS: Record<string, Corruption> = {
  clean: (img) => img,
  'rotate 20': rot(20),
  'rotate 30': rot(30),
  'shear 0.35': (img, r) => affine([1, (r() < 0.5 ? -1 : 1) * 0.35, 0, 1])(img, r),
  'scale 0.75': affine([1 / 0.75, 0, 0, 1 / 0.75]),
  'box blur 3x3': (img) => normalizeMax(boxBlur(img, 1)),
  'box blur 5x5': (img) => normalizeMax(boxBlur(img, 2)),
  'low-res 10 (blocky)': lowRes(10),
  'low-res 14 (blocky)': lowRes(14),
  'gauss noise 0.3': (img, r) => img.map((v) => clamp(v + 0.3 * Math.sqrt(-2 * Math.log(1 - r())) * Math.cos(2 * Math.PI * r()))),
  'impulse 8%': (img, r) => img.map((v) => (r() < 0.08 ? (r() < 0.5 ? 0 : 1) : v)),
  'fog (bg 0.35)': (img) => img.map((v) => 0.35 + 0.55 * v),
  'stripe 2px': (img, r) => line(img, r, 2, false),
  'dotted line': (img, r) => line(img, r, 1.5, true),
  'thick (3x3 max)': (img) => Float32Array.from({ length: 784 }, (_, i) => { const x = i % 28, y = (i / 28) | 0; let m = 0; for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) m = Math.max(m, at(img, x + dx, y + dy)); return m; }),
  'outline (edges)': (img) => normalizeMax(Float32Array.from({ length: 784 }, (_, i) => { const x = i % 28, y = (i / 28) | 0; const gx = at(img, x + 1, y) - at(img, x - 1, y), gy = at(img, x, y + 1) - at(img, x, y - 1); return Math.hypot(gx, gy); })),
};

function score(model: DigitModel): Record<string, number> {
  const result: Record<string, number> = {};
  for (const [name, corrupt] of Object.entries(CORRUPTIONS)) {
    const count = name === 'clean' ? test.count : N;
    const rng = createRng(1234).next;
    const x = new Float32Array(count * 784);
    for (let i = 0; i < count; i++) {
      const img = Float32Array.from(test.images.subarray(i * 784, i * 784 + 784), (v) => v / 255);
      x.set(corrupt(img, rng), i * 784);
    }
    const predictions = predict(model, x, count);
    result[name] = predictions.filter((p, i) => p.label === test.labels[i]).length / count;
  }
  return result;
}

function print(label: string, result: Record<string, number>) {
  const corrupted = Object.entries(result).filter(([k]) => k !== 'clean').map(([, v]) => v);
  const mean = corrupted.reduce((a, b) => a + b, 0) / corrupted.length;
  console.log(`${label}: clean ${(result.clean! * 100).toFixed(2)}%  corrupted mean ${(mean * 100).toFixed(1)}%  min ${(Math.min(...corrupted) * 100).toFixed(1)}%`);
  console.log(Object.entries(result).map(([k, v]) => `  ${k.padEnd(20)} ${(v * 100).toFixed(1)}%`).join('\n'));
}

if (args[0] === 'score') {
  const [, kind, dir] = args as [string, ModelKind, string];
  const model = await loadModel(dir!);
  print(`${kind} ${dir}`, score(model));
} else {
  const [kind, n, epochs, mixJson, saveDir] = args as [ModelKind, string, string, string, string | undefined];
  const mix = JSON.parse(mixJson);
  const limit = Number(n);
  const sub = { ...trainSet, images: trainSet.images.subarray(0, limit * 784), labels: trainSet.labels.subarray(0, limit), count: limit };
  const model = createModel(kind, { seed: 42 });
  const started = performance.now();
  await train(model, { train: sub }, { ...defaultRecipe(kind), epochs: Number(epochs), augment: mix } as TrainOptions);
  const seconds = (performance.now() - started) / 1000;
  if (saveDir) await saveModel(model, saveDir);
  print(`${kind} n=${limit} epochs=${epochs} mix=${mixJson} (${seconds.toFixed(0)} s)`, score(model));
}
