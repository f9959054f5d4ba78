// Augmentation beside the step it feeds: CPU milliseconds per batch of 128 for assembling a batch with each recipe's
// augmentation (and each family alone, at probability 1) next to one training step of the MLP and the CNN on WASM.
// Taking turns batch by batch, so both sides see the same load. Run alone: DIGITKIT_BENCH_AUGMENT_ONLY=1.
import * as tf from '@tensorflow/tfjs-core';
import type { AugmentOptions, Batch, ImageSet } from '@digitkit/core';
import { batches } from '@digitkit/data';
import { cnn, mlp, MODELS } from '@digitkit/model';
import { createAugmenter } from '@digitkit/preprocess';
import { createStepper } from '../src/steppers.js';

const cpuMs = (start: NodeJS.CpuUsage) => {
  const c = process.cpuUsage(start);
  return (c.user + c.system) / 1000;
};
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** An encoder for `batches` with these options, as train() makes one (scale as a ±fraction). */
function encoderFor(options: AugmentOptions | false, seed: number) {
  if (options === false) return undefined;
  const { scale = 0, ...rest } = options;
  return createAugmenter({ ...rest, seed, scale: [1 - scale, 1 + scale] });
}

export async function augmentVsStep(trainSet: ImageSet, rounds = 30): Promise<void> {
  const mixes: [string, AugmentOptions | false][] = [
    ['no augmentation (normalize only)', false],
    ['shift ±2 px only (the old MLP recipe)', { maxShift: 2 }],
    ['the MLP recipe', MODELS.mlp.recipe.augment],
    ['the CNN recipe', MODELS.cnn.recipe.augment],
    ...(['elastic', 'strokeWidth', 'lowResolution', 'blur', 'clutter', 'contrast', 'noise'] as const).map(
      (family) => [`${family} alone, every image`, { maxShift: 0, [family]: 1 }] as [string, AugmentOptions],
    ),
    ['rotation ±30° + shear 0.3 + zoom ±15%, every image', { maxShift: 2, maxRotation: 30, shear: 0.3, scale: 0.15 }],
  ];
  const steppers = [
    ['MLP step', mlp({ seed: 1 })],
    ['CNN step', cnn({ seed: 1 })],
  ] as const;
  const stepMs: number[][] = steppers.map(() => []);
  const assembleMs: number[][] = mixes.map(() => []);
  const made = steppers.map(([, model]) => createStepper(model, 'adam', 0));
  const order = Uint32Array.from({ length: 128 * rounds }, (_, i) => (i * 7919) % trainSet.count);
  for (let round = 0; round < rounds; round++) {
    const indices = order.subarray(round * 128, (round + 1) * 128);
    let batch: Batch | undefined;
    for (let m = 0; m < mixes.length; m++) {
      const encode = encoderFor(mixes[m]![1], round);
      const c0 = process.cpuUsage();
      batch = batches(trainSet, { batchSize: 128, order: indices, ...(encode ? { encode } : {}) }).next().value!;
      assembleMs[m]!.push(cpuMs(c0));
    }
    for (let s = 0; s < made.length; s++) {
      const c0 = process.cpuUsage();
      const out = made[s]!.step(batch!.x, batch!.y, batch!.size, 1e-3, s);
      // Reading the loss waits for the step to finish, as train() does every few batches.
      out[0].dataSync();
      tf.dispose(out);
      stepMs[s]!.push(cpuMs(c0));
    }
  }
  console.log(`\nAugmentation vs training step, CPU ms per batch of 128 (median of ${rounds}, taking turns):`);
  steppers.forEach(([name], s) => console.log(`  ${name.padEnd(52)} ${median(stepMs[s]!.slice(3)).toFixed(2)} ms`));
  mixes.forEach(([name], m) => console.log(`  assemble, ${name.padEnd(42)} ${median(assembleMs[m]!.slice(3)).toFixed(2)} ms`));
  for (const stepper of made) stepper.dispose();
  for (const [, model] of steppers) model.net.dispose();
}
