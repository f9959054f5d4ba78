// The table made-elsewhere.ts and paper-and-light.ts print: MNIST test digits turned into pictures by each family, read
// three ways per shipped model — the plain preprocessing and toMnistFormat straight to the model, then `recognize` with
// its verdicts (right = a 'digit', the right one).
import { createRng, type Rng, useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import type { toMnistFormat as ToMnistFormat } from '@digitkit/preprocess';
import { createRecognizer } from '@digitkit/recognizer';
import type { Raster } from '@digitkit/testkit';
import { plainMnist } from '../corruptions/plain.js';
import { type Plane, planeOf } from '../corruptions/planes.js';

/** A family: an MNIST digit (a 28x28 plane, 1 = ink) as the picture a recognizer receives. */
export type Family = (digit: Plane, rng: Rng) => Raster;

/** Prints one line per family (those in `only`, when given) for `count` test digits picked with `seed`. */
export async function readThreeWays(
  families: Record<string, Family>,
  { count, seed, toMnistFormat, only }: { count: number; seed: number; toMnistFormat: typeof ToMnistFormat; only?: string[] },
): Promise<void> {
  await useBackend('wasm', { log: null });
  const { test } = await loadMnist();
  const recognizers = [await createRecognizer({ model: 'cnn', log: null }), await createRecognizer({ model: 'mlp', log: null })];
  const pick = createRng(seed);
  const indices = Array.from({ length: count }, () => pick.int(test.count));
  const labels = Uint8Array.from(indices, (i) => test.labels[i]!);
  const pct = (right: number) => ((100 * right) / count).toFixed(1);
  /** Right answers per model, for 28x28s straight to the model. */
  const straight = (images: (Uint8Array | null)[]) => {
    const batch = new Uint8Array(count * 784);
    images.forEach((image, i) => image && batch.set(image, i * 784));
    return recognizers.map((r) => pct(r.recognizeMnistBatch(batch).filter((x, i) => x.verdict === 'digit' && x.label === labels[i]).length));
  };
  /** Right answers per model, for pictures through recognize. */
  const through = (pictures: Raster[]) =>
    recognizers.map((r) => pct(pictures.filter((p, i) => ((x) => x.verdict === 'digit' && x.label === labels[i])(r.recognize(p))).length));
  console.log(`${count} MNIST test digits a family (seed ${seed}), cnn/mlp: plain and toMnistFormat straight to the model, then recognize`);
  console.log(`${'family'.padEnd(20)}${'plain'.padStart(14)}${'toMnistFormat'.padStart(16)}${'recognize'.padStart(14)}`);
  for (const [name, family] of Object.entries(families)) {
    if (only && !only.includes(name)) continue;
    const rng = createRng(5);
    const pictures = indices.map((i) => family(planeOf(test.images.subarray(i * 784, (i + 1) * 784)), rng));
    const fitted = pictures.map((p) => ((r) => (r.empty ? null : r.pixels))(toMnistFormat(p)));
    const cells = [straight(pictures.map(plainMnist)), straight(fitted), through(pictures)].map((c) => c.join('/'));
    console.log(`${name.padEnd(20)}${cells[0]!.padStart(14)}${cells[1]!.padStart(16)}${cells[2]!.padStart(14)}`);
  }
}
