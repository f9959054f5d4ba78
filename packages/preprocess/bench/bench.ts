// Prints what @digitkit/preprocess costs and how close toMnistFormat gets: `pnpm --filter @digitkit/preprocess bench`.
import { cpus, loadavg } from 'node:os';
import { asBlackOnTransparent, createRng, drawStrokes, median, mnistSlice, PEN_DIGITS, pearson, quantile, redrawCloseness, redrawOnCanvas, simulatePhoto } from '@digitkit/testkit';
import { createAugmenter, toMnistFormat, type RasterImage } from '../src/index.js';

const train = (await mnistSlice({ split: 'train' })).images;
const test = (await mnistSlice({ split: 'test' })).images;
const digit = (images: Uint8Array, i: number) => images.subarray(i * 784, (i + 1) * 784);

/** Median wall-clock and CPU milliseconds of `run` (CPU time is steadier when other work shares the machine). */
function timing(run: () => void, times: number): string {
  for (let i = 0; i < 5; i++) run();
  const wall: number[] = [];
  const cpu: number[] = [];
  for (let i = 0; i < times; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    run();
    const used = process.cpuUsage(cpuStart);
    wall.push(performance.now() - start);
    cpu.push((used.user + used.system) / 1000);
  }
  return `${median(wall).toFixed(2)} ms median (${median(cpu).toFixed(2)} ms of CPU)`;
}

console.log(
  '@digitkit/preprocess benchmark (Node %s, %d cores, load average %s: figures scale with how busy the machine is)',
  process.version,
  cpus().length,
  loadavg()[0]!.toFixed(1),
);

// --- toMnistFormat speed
const canvas280 = redrawOnCanvas(digit(test, 0), 9, 280, 280, 0);
const rgba280: RasterImage = { data: asBlackOnTransparent(canvas280), width: 280, height: 280 };
console.log('toMnistFormat, 280x280 RGBA canvas (black on transparent): %s', timing(() => toMnistFormat(rgba280), 50));
const thin = drawStrokes(PEN_DIGITS['2']!, 280, 280, { left: 60, top: 40, width: 137, height: 196 }, 2);
const thinRgba: RasterImage = { data: asBlackOnTransparent(thin), width: 280, height: 280 };
console.log('toMnistFormat, 280x280 RGBA canvas, 2 px pen (thickened): %s', timing(() => toMnistFormat(thinRgba), 50));
const photo: RasterImage = {
  data: simulatePhoto(redrawOnCanvas(digit(test, 1), 30, 1200, 900, 1), 1200, 900, createRng(1).next),
  width: 1200,
  height: 900,
};
console.log('toMnistFormat, 1200x900 RGB photo: %s', timing(() => toMnistFormat(photo), 10));

// --- augmentation throughput: one epoch of the 60,000 training images
const out = new Float32Array(784);
for (const [label, options] of [
  ['shift only (±2 px, whole-pixel fast path)', { seed: 1 }],
  ['shift ±2 px + rotation ±10° + zoom 0.9-1.1 (bilinear)', { seed: 1, maxRotation: 10, scale: [0.9, 1.1] as [number, number] }],
] as const) {
  const augment = createAugmenter(options);
  for (let i = 0; i < 2000; i++) augment(digit(train, i), out);
  const epochs: number[] = [];
  const cpuMs: number[] = [];
  for (let e = 0; e < 5; e++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    for (let i = 0; i < 60000; i++) augment(digit(train, i), out);
    const cpu = process.cpuUsage(cpuStart);
    epochs.push(performance.now() - start);
    cpuMs.push((cpu.user + cpu.system) / 1000);
  }
  const ms = median(epochs);
  console.log(
    'augment, %s: %s ms per 60,000-image epoch (%s ms of CPU) = %s images/s',
    label,
    ms.toFixed(1),
    median(cpuMs).toFixed(1),
    Math.round(60000 / (ms / 1000)).toLocaleString('en-US'),
  );
}

// --- closeness: the first 200 MNIST test digits, re-drawn 9x larger and off-centre on a 280x280 canvas
const first200 = Array.from({ length: 200 }, (_, i) => digit(test, i));
const { correlation: r, shifted, difference: diff } = redrawCloseness(first200, { factor: 9, width: 280, height: 280 }, (canvas, i) => {
  const result = toMnistFormat({ data: asBlackOnTransparent(canvas), width: 280, height: 280 });
  if (result.empty) throw new Error(`digit ${i} came back empty: ${result.reason}`);
  return result.pixels;
});
console.log(
  'closeness (200 MNIST test digits re-drawn 9x on 280x280 RGBA): Pearson r median %s (10th percentile %s); best within a 1-px shift median %s (10th %s); mean |diff|/255 median %s',
  median(r).toFixed(4),
  quantile(r, 0.1).toFixed(4),
  median(shifted).toFixed(4),
  quantile(shifted, 0.1).toFixed(4),
  median(diff).toFixed(4),
);
const photoR: number[] = [];
const next = createRng(5).next;
for (let i = 0; i < 100; i++) {
  const original = digit(test, i);
  const result = toMnistFormat({ data: simulatePhoto(redrawOnCanvas(original, 8, 360, 270, i), 360, 270, next), width: 360, height: 270 });
  photoR.push(result.empty ? 0 : pearson(result.pixels, original));
}
console.log('closeness (100 simulated 360x270 phone photos, noise 6): Pearson r median %s (10th percentile %s)', median(photoR).toFixed(4), quantile(photoR, 0.1).toFixed(4));
