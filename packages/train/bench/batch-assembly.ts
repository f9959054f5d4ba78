// Training-batch assembly (augmentation + synthetic non-digits), previous code vs now: CPU ms per batch of 128, the two
// taking turns batch by batch so both see the same load, and whether every batch came out byte for byte the same.
// "previous" is a frozen copy of the code before issue 12's speed-ups (bench/previous/, bench-only); "now" is
// assembleBatch with the built @digitkit/preprocess (run the build first: `pnpm bench` at the root does), or with its
// sources under TSX_TSCONFIG_PATH=tsconfig.sources.json.
import { statSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type AugmentOptions, createRng, type ImageSet } from '@digitkit/core';
import { MODELS } from '@digitkit/model';
import { createAugmenter, createNegativeMaker } from '@digitkit/preprocess';
import { AUGMENT_OFF as OFF, assembleBatch, batchBuffers } from '../src/batch.js';
import { AUGMENT_FAMILIES as PREVIOUS_FAMILIES, createAugmenter as previousAugmenter } from './previous/augment.js';
import { assembleBatch as assemblePrevious } from './previous/batch.js';
import { createNegativeMaker as previousNegatives } from './previous/negatives.js';

const BATCH = 128;
const BATCHES_PER_EPOCH = 469;


interface Mix {
  name: string;
  augment: Required<AugmentOptions>;
  seed: number;
  epoch: number;
  /** First training image of the batches (the images are taken in a fixed scattered order from there). */
  start: number;
  batches: number;
}

const cpuMs = (start: NodeJS.CpuUsage) => {
  const used = process.cpuUsage(start);
  return (used.user + used.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Which @digitkit/preprocess "now" is: the build (the usual run), or the sources (TSX_TSCONFIG_PATH=tsconfig.sources.json). */
function whichPreprocess(): string {
  const resolved = fileURLToPath(import.meta.resolve('@digitkit/preprocess'));
  if (!resolved.includes(`${sep}dist${sep}`)) return `  ("now" is @digitkit/preprocess from its sources, ${resolved})`;
  const at = (path: string) => statSync(fileURLToPath(new URL(`../../preprocess/${path}`, import.meta.url))).mtimeMs;
  const built = statSync(resolved).mtimeMs;
  const stale = ['src/augment.ts', 'src/negatives.ts', 'src/image.ts'].some((source) => at(source) > built);
  return stale ? '  (!) packages/preprocess/dist is older than its sources: build it first, or "now" is not today\'s code' : '';
}

export function batchAssembly(trainSet: ImageSet, quick = false): void {
  // The previous code has no outline family (added after it, by issue 11): the recipes are timed without it.
  const recipe = (kind: 'mlp' | 'cnn') => ({ ...OFF, ...MODELS[kind].recipe.augment, outline: 0 });
  const recipeBatches = quick ? 30 : 100;
  const familyBatches = quick ? 8 : 20;
  const mixes: Mix[] = [
    // The draws the speed-ups were profiled on (seed 1, epoch 0) and draws they were not (seed 42, epoch 7, other images).
    { name: 'MLP recipe (profiled draws)', augment: recipe('mlp'), seed: 1, epoch: 0, start: 0, batches: recipeBatches },
    { name: 'MLP recipe (other draws)', augment: recipe('mlp'), seed: 42, epoch: 7, start: 31_000, batches: recipeBatches },
    { name: 'CNN recipe (profiled draws)', augment: recipe('cnn'), seed: 1, epoch: 0, start: 0, batches: recipeBatches },
    { name: 'CNN recipe (other draws)', augment: recipe('cnn'), seed: 42, epoch: 7, start: 31_000, batches: recipeBatches },
    ...(
      [
        ['shift only', { maxShift: 2 }],
        ['rotation + zoom + shear', { maxRotation: 20, scale: 0.1, shear: 0.2 }],
        ['elastic', { elastic: 1 }],
        ['strokeWidth', { strokeWidth: 1 }],
        ['lowResolution', { lowResolution: 1 }],
        ['blur', { blur: 1 }],
        ['clutter', { clutter: 1 }],
        ['contrast', { contrast: 1 }],
        ['noise', { noise: 1 }],
        ['negatives (every image a non-digit)', { negatives: 1 }],
      ] as const
    ).map(([family, options]) => ({
      name: `${family}, every image`,
      augment: { ...OFF, ...options },
      seed: 5,
      epoch: 2,
      start: 12_000,
      batches: familyBatches,
    })),
  ];
  console.log(
    `\nTraining-batch assembly, previous code vs now: CPU ms per batch of ${BATCH} (median, the two in turns batch by batch; ` +
      `load average ${loadavg()[0]!.toFixed(1)} on ${cpus().length} cores)`,
  );
  const note = whichPreprocess();
  if (note) console.log(note);
  console.log(`  ${'mix'.padEnd(44)} ${'previous'.padStart(9)} ${'now'.padStart(9)} ${'speed-up'.padStart(9)}  identical batches`);
  const pixels = trainSet.height * trainSet.width;
  const sides = [
    { assemble: assemblePrevious, out: batchBuffers(BATCH, pixels) },
    { assemble: assembleBatch, out: batchBuffers(BATCH, pixels) },
  ];
  const epochs: string[] = [];
  for (const mix of mixes) {
    const ms: number[][] = [[], []];
    let identical = 0;
    // Two warm-up batches, not timed.
    for (let b = -2; b < mix.batches; b++) {
      const indices = Uint32Array.from({ length: BATCH }, (_, i) => (mix.start + Math.abs(b * BATCH + i) * 7919) % trainSet.count);
      const order = b % 2 === 0 ? [0, 1] : [1, 0];
      for (const s of order) {
        const side = sides[s]!;
        const c0 = process.cpuUsage();
        side.assemble(trainSet, indices, mix.seed, mix.epoch, b, mix.augment, side.out);
        if (b >= 0) ms[s]!.push(cpuMs(c0));
      }
      if (b < 0) continue;
      const [previous, now] = sides.map((side) => side.out);
      const same = Buffer.compare(Buffer.from(previous!.x.buffer), Buffer.from(now!.x.buffer)) === 0 && Buffer.compare(previous!.labels, now!.labels) === 0;
      if (same) identical++;
    }
    const [before, after] = ms.map(median) as [number, number];
    console.log(
      `  ${mix.name.padEnd(44)} ${before.toFixed(2).padStart(9)} ${after.toFixed(2).padStart(9)} ${`${(before / after).toFixed(1)}x`.padStart(9)}  ${identical}/${mix.batches}${identical === mix.batches ? '' : '  DIFFERENT OUTPUT'}`,
    );
    if (mix.name.endsWith('(other draws)')) {
      epochs.push(`${mix.name.split(' ')[0]} ${((before * BATCHES_PER_EPOCH) / 1000).toFixed(2)} s -> ${((after * BATCHES_PER_EPOCH) / 1000).toFixed(2)} s`);
    }
  }
  console.log(`  per epoch of ${BATCHES_PER_EPOCH} batches (other draws): ${epochs.join('; ')} (load average now ${loadavg()[0]!.toFixed(1)})`);
  randomOptionsAgree(quick ? 100 : 400);
}

/**
 * Previous code vs now on random options (image sizes 20-40, every family both have at random probabilities,
 * rotations up to 180°, zooms 0.5-1.5) and odd images (blank, full, noise, ink on the border, off word boundaries,
 * outputs longer than the image): the fingerprint test pins real MNIST with the recipes; this looks where they do not
 * reach.
 */
export function randomOptionsAgree(configurations: number): void {
  const rng = createRng(20261202);
  const probability = () => (rng.next() < 0.4 ? 0 : rng.next() < 0.5 ? 1 : rng.next());
  let images = 0;
  let different = 0;
  // Clutter's saw-tooth line is drawn up to a stroke's width since the previous code, on purpose (re-pinned then).
  let clutterDifferent = 0;
  for (let c = 0; c < configurations; c++) {
    const width = rng.next() < 0.5 ? 28 : 20 + rng.int(21);
    const height = rng.next() < 0.5 ? 28 : 20 + rng.int(21);
    const seed = rng.int(1e9);
    const maxShift = rng.int(4);
    const maxRotation = rng.next() < 0.3 ? 0 : rng.next() * 180;
    const scale = (rng.next() < 0.3 ? [1, 1] : [0.5 + rng.next() * 0.5, 1 + rng.next() * 0.5]) as [number, number];
    const shear = rng.next() < 0.3 ? 0 : rng.next();
    // The families the previous code has (outline and stains came after it).
    const families: Record<string, number> = Object.fromEntries(['elastic', ...PREVIOUS_FAMILIES].map((family) => [family, probability()]));
    const options = { seed, width, height, maxShift, maxRotation, scale, shear, ...families };
    const sides = [createAugmenter(options), previousAugmenter(options)];
    const size = width * height;
    const outs = [0, 1].map(() => new Float32Array(size + (c % 5 === 0 ? 7 : 0)));
    for (let k = 0; k < 20; k++) {
      const kind = rng.int(6);
      const offset = rng.int(4);
      const src = new Uint8Array(size + 3).subarray(offset, offset + size);
      for (let i = 0; i < size; i++) {
        const [x, y] = [i % width, Math.floor(i / width)];
        const border = x === 0 || y === 0 || x === width - 1 || y === height - 1;
        src[i] = [0, rng.int(256), 255, border ? 200 : 0, Math.hypot(x - width / 2, y - height / 2) < 6 ? 255 : 0, rng.next() < 0.05 ? rng.int(256) : 0][kind]!;
      }
      for (let s = 0; s < 2; s++) {
        outs[s]!.fill(0.25);
        sides[s]!(src, outs[s]!);
      }
      images++;
      if (Buffer.compare(Buffer.from(outs[0]!.buffer), Buffer.from(outs[1]!.buffer)) !== 0) {
        if (families.clutter! > 0) clutterDifferent++;
        else different++;
      }
    }
    if (width >= 20 && height >= 20) {
      const makers = [createNegativeMaker({ seed: options.seed, width, height }), previousNegatives({ seed: options.seed, width, height })];
      const pictures = [new Uint8Array(size), new Uint8Array(size)];
      for (let k = 0; k < 5; k++) {
        makers.forEach((make, s) => make(pictures[s]!));
        images++;
        if (Buffer.compare(pictures[0]!, pictures[1]!) !== 0) different++;
      }
    }
  }
  const verdict = different === 0 ? 'all identical' : `${different} DIFFERENT`;
  const clutter = clutterDifferent > 0 ? ` but ${clutterDifferent} drawn with clutter (its saw-tooth line is wider, on purpose)` : '';
  console.log(`  random options and odd images (${configurations} option sets, ${images} images and non-digits): ${verdict}${clutter}`);
}
