// The backends the suite runs on, how much each is asked to train, and what each cannot do (with the reason): the list
// of limits is documentation, as in tfjs-backend-wasm's src/setup_test.ts.
import { type BackendName, DigitkitError, useBackend } from '@digitkit/core';
import { type ModelKind, registerWasmTrainingKernels } from '@digitkit/model';

/**
 * How much training a backend gets for one model (`images` training images, `epochs` passes in batches of
 * `batchSize`), and what that must achieve: the training loss below `lossRatio` times the untrained model's, and
 * accuracy above `minAccuracy` on the first `heldOut` test images (chance is 0.1).
 */
export interface Budget {
  images: number;
  batchSize: number;
  epochs: number;
  heldOut: number;
  lossRatio: number;
  minAccuracy: number;
}

export interface BackendCase {
  name: BackendName;
  /** Makes the backend the active one; rejects with the reason when it cannot run on this machine. */
  start(): Promise<void>;
  budget: Record<ModelKind, Budget>;
  /** What this backend cannot do as shipped, or not within a test's time, and what the suite does instead. */
  limits: string[];
}

// Imported through a variable, so tsc and bundlers do not need the optional package; resolved from this package.
const NATIVE = '@tensorflow/tfjs-node';

const quick: Record<ModelKind, Budget> = {
  mlp: { images: 1024, batchSize: 64, epochs: 2, heldOut: 500, lossRatio: 0.5, minAccuracy: 0.6 },
  cnn: { images: 512, batchSize: 64, epochs: 1, heldOut: 500, lossRatio: 0.8, minAccuracy: 0.3 },
  // 112 classes (pairs, single digits, more, none): a few hundred numbers teach the single digits and "no digit" first.
  numbers: { images: 1024, batchSize: 64, epochs: 2, heldOut: 500, lossRatio: 0.8, minAccuracy: 0.15 },
};

export const BACKENDS: BackendCase[] = [
  {
    name: 'tensorflow',
    start: async () => {
      await useBackend('tensorflow', { log: null, importNative: () => import(/* @vite-ignore */ NATIVE) });
    },
    budget: quick,
    limits: [
      'Runs only where @tensorflow/tfjs-node installed: its install script downloads libtensorflow, which needs a ' +
        'network (it fails on machines that reach only the npm registry; the suite then skips it and says why).',
    ],
  },
  {
    name: 'wasm',
    start: async () => {
      await useBackend('wasm', { log: null });
      // The WASM backend lacks Conv2DBackpropFilter (upstream tfjs issue 8474) and is slow at transposed products:
      // without digitkit's kernels it cannot train the CNN at all.
      registerWasmTrainingKernels();
    },
    budget: quick,
    limits: [
      'Training the CNN needs the kernels of registerWasmTrainingKernels() (@digitkit/model): the shipped backend has no ' +
        'Conv2DBackpropFilter (upstream issue 8474).',
      'One thread in Node (TF.js keeps WASM threads off there).',
    ],
  },
  {
    name: 'cpu',
    start: async () => {
      await useBackend('cpu', { log: null });
    },
    budget: {
      mlp: quick.mlp,
      // Pure-JS convolution gradients are slow: one step on 32 images shows the loss falling; 100 images are evaluated.
      cnn: { images: 32, batchSize: 32, epochs: 1, heldOut: 100, lossRatio: 1, minAccuracy: 0.1 },
      // As slow as the CNN's (one step) with a wider input: "the loss falls" only; chance among 112 classes is below 0.01.
      numbers: { images: 32, batchSize: 32, epochs: 1, heldOut: 100, lossRatio: 1, minAccuracy: 0 },
    },
    limits: [
      'CNN training is too slow for more than one step in a test (pure-JS convolution gradients: one step of 32 ' +
        'images took 12 s of CPU, 31 s of wall time on a busy 2-core machine; two steps once ran past 3 minutes): the ' +
        'CNN trains one step on 32 images and is evaluated on 100, so only "the loss falls" and "better than chance" ' +
        'are asked of it.',
    ],
  },
];

/** Why a backend cannot run here (its start error in one line), or undefined when it runs. */
export async function unavailableReason(backend: BackendCase): Promise<string | undefined> {
  try {
    await backend.start();
    return undefined;
  } catch (error) {
    const text = error instanceof DigitkitError ? error.message : String(error);
    // useBackend says "Could not start the <name> backend (<name>: <why>). <what to do>": the why is enough here.
    return new RegExp(`\\(${backend.name}: (.+?)\\)\\. `).exec(text)?.[1] ?? text.split('\n')[0];
  }
}
