// How faithfully toMnistFormat reproduces MNIST on MNIST itself: accuracy on the 10,000 test images raw vs through the
// pipeline, and what changes (ink mass, stroke width, bounding box, centre of mass). Usage: fidelity.ts <modelDir|cnn|mlp>
// (toMnistFormat is called here to measure its output; the accuracies come from the recognizer.)
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { boundingBox, centerOfMass, strokeWidth, toMnistFormat } from '@digitkit/preprocess';
import { createRecognizer, type Recognition } from '@digitkit/recognizer';

const [model] = process.argv.slice(2) as [string];
await useBackend('wasm', { log: null });
const recognizer = await createRecognizer({ model, log: null });
const { test } = await loadMnist();
const n = Number(process.env.N ?? 10000);
const raw = test.images.subarray(0, n * 784);
const stats = { rawInk: 0, pipeInk: 0, rawW: 0, pipeW: 0, rawBox: 0, pipeBox: 0, comDx: 0, comDy: 0, empty: 0 };
for (let i = 0; i < n; i++) {
  const src = raw.subarray(i * 784, (i + 1) * 784);
  const r = toMnistFormat({ data: src, width: 28, height: 28, channels: 1 });
  if (r.empty) {
    stats.empty++;
    continue;
  }
  const a = { data: src, width: 28, height: 28 };
  const b = { data: r.pixels, width: 28, height: 28 };
  for (let k = 0; k < 784; k++) {
    stats.rawInk += src[k]!;
    stats.pipeInk += r.pixels[k]!;
  }
  stats.rawW += strokeWidth(a, 128);
  stats.pipeW += strokeWidth(b, 128);
  const ba = boundingBox(a)!;
  const bb = boundingBox(b)!;
  stats.rawBox += Math.max(ba.width, ba.height);
  stats.pipeBox += Math.max(bb.width, bb.height);
  const ca = centerOfMass(a)!;
  const cb = centerOfMass(b)!;
  stats.comDx += cb.x - ca.x;
  stats.comDy += cb.y - ca.y;
}
const right = (results: Recognition[]) => results.filter((r, i) => r.verdict === 'digit' && r.label === test.labels[i]).length / n;
const viaRecognize = Array.from({ length: n }, (_, i) => recognizer.recognize({ data: raw.subarray(i * 784, (i + 1) * 784), width: 28, height: 28, channels: 1 }));
console.log(`accuracy raw ${(right(recognizer.recognizeMnistBatch(raw)) * 100).toFixed(2)}%  pipeline ${(right(viaRecognize) * 100).toFixed(2)}%  (empty ${stats.empty})`);
const m = (v: number) => (v / n).toFixed(2);
console.log(`ink/image raw ${m(stats.rawInk / 255)} pipeline ${m(stats.pipeInk / 255)}; stroke width@128 raw ${m(stats.rawW)} pipeline ${m(stats.pipeW)}; box side raw ${m(stats.rawBox)} pipeline ${m(stats.pipeBox)}; CoM shift ${m(stats.comDx)},${m(stats.comDy)}`);
