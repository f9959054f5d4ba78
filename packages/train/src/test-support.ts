// Shared by the tests: a small real-MNIST slice and the WASM backend, loaded once per test file.
import * as tf from '@tensorflow/tfjs-core';
import { useBackend, type DatasetSplit, type DigitModel, type ImageSet } from '@digitkit/core';
import { loadMnist, subset } from '@digitkit/data';
import { registerWasmTrainingKernels } from '@digitkit/model';

let mnist: Promise<DatasetSplit> | undefined;

export async function setup(): Promise<void> {
  const backend = await useBackend((process.env.DIGITKIT_TEST_BACKEND as 'wasm' | 'cpu' | undefined) ?? 'wasm', { log: null });
  // train() needs @digitkit/model's gradient kernels on WASM and says so when they are missing.
  if (backend.name === 'wasm') registerWasmTrainingKernels();
}

/** The first `count` training images (and `validationCount` test images as validation). */
export async function mnistSlice(count: number, validationCount = 500): Promise<{ train: ImageSet; validation: ImageSet; test: ImageSet }> {
  mnist ??= loadMnist();
  const { train, test } = await mnist;
  const range = (n: number) => Array.from({ length: n }, (_, i) => i);
  return { train: subset(train, range(count)), validation: subset(test, range(validationCount)), test };
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
