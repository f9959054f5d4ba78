// Shared by the tests: real-MNIST slices (from @digitkit/testkit) and the WASM backend.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type DigitModel, type ImageSet } from '@digitkit/core';
import { registerWasmTrainingKernels } from '@digitkit/model';
import { mnistSlice as slice } from '@digitkit/testkit';

export async function setup(): Promise<void> {
  const backend = await useBackend((process.env.DIGITKIT_TEST_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm', { log: null });
  // train() needs @digitkit/model's gradient kernels on WASM and says so when they are missing.
  if (backend.name === 'wasm') registerWasmTrainingKernels();
}

/** The first `count` training images (and `validationCount` test images as validation). */
export async function mnistSlice(count: number, validationCount = 500): Promise<{ train: ImageSet; validation: ImageSet; test: ImageSet }> {
  return {
    train: await slice({ split: 'train', count }),
    validation: await slice({ split: 'test', count: validationCount }),
    test: await slice({ split: 'test' }),
  };
}

/** Copies of every weight of a model, for exact comparisons. */
export function weightsOf(model: DigitModel): Float32Array[] {
  return model.net.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
}

export function sameWeights(a: Float32Array[], b: Float32Array[]): boolean {
  return a.length === b.length && a.every((w, i) => w.length === b[i]!.length && w.every((v, k) => Object.is(v, b[i]![k])));
}

export function tensorCount(): number {
  return tf.memory().numTensors;
}
