import { type BackendName, DigitkitError, type DigitModel, parseBackendChoice, type Prediction } from '@digitkit/core';
import { predict } from '@digitkit/model';
import { boundingBox, normalize, toMnistFormat } from '@digitkit/preprocess';
import { ensureBackend } from './backend.js';
import { readPicture } from './input.js';
import { loadPlannedModel, planModel } from './models.js';
import type { Recognition, RecognizeInput, RecognizeOptions, Recognizer, RecognizerOptions } from './types.js';

const MNIST_SIZE = 28 * 28;
const OPTION_NAMES = ['model', 'backend', 'log', 'wasmPaths'] as const;

/**
 * Loads a model (the shipped CNN by default) on a TF.js backend and gives a recognizer for pictures of digits.
 * Options are checked before any work: a wrong one throws a DigitkitError naming what was given and what is accepted.
 */
export async function createRecognizer(options: RecognizerOptions = {}): Promise<Recognizer> {
  const plan = checkOptions(options);
  const backend = await ensureBackend({
    ...(options.backend !== undefined && { backend: parseBackendChoice(options.backend) }),
    ...(options.log !== undefined && { log: options.log }),
    ...(options.wasmPaths !== undefined && { wasmPaths: options.wasmPaths }),
  });
  const model = await loadPlannedModel(plan);
  const source = plan.kind === 'shipped' ? plan.name : plan.kind === 'saved' ? plan.source : 'custom';
  return new ModelRecognizer(model, source, backend, plan.kind !== 'given');
}

function checkOptions(options: RecognizerOptions): ReturnType<typeof planModel> {
  if (options === null || typeof options !== 'object') {
    throw new DigitkitError('BAD_OPTION', `createRecognizer takes an options object ({ ${OPTION_NAMES.join(', ')} }), got ${options === null ? 'null' : typeof options}.`);
  }
  const unknown = Object.keys(options).filter((key) => !(OPTION_NAMES as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new DigitkitError('BAD_OPTION', `createRecognizer got unknown option(s) ${unknown.join(', ')}; it takes ${OPTION_NAMES.join(', ')}.`);
  }
  if (options.backend !== undefined) parseBackendChoice(options.backend);
  if (options.log !== undefined && options.log !== null && typeof options.log !== 'function') {
    throw new DigitkitError('BAD_OPTION', `log takes a function (line: string) => void, or null for silence; got ${typeof options.log}.`);
  }
  return planModel(options.model);
}

class ModelRecognizer implements Recognizer {
  #disposed = false;

  constructor(
    readonly model: DigitModel,
    readonly modelSource: string,
    readonly backend: BackendName,
    private readonly owned: boolean,
  ) {}

  recognize(image: RecognizeInput, options: RecognizeOptions = {}): Recognition {
    this.#checkAlive();
    const picture = readPicture(image);
    const mnist = toMnistFormat(picture, options);
    if (mnist.empty) return { verdict: 'empty', reason: mnist.reason };
    const [prediction] = predict(this.model, normalize(mnist.pixels), 1) as [Prediction];
    return { verdict: 'digit', ...answer(prediction), pixels: mnist.pixels, box: mnist.box, inverted: mnist.inverted };
  }

  recognizeMnist(pixels: Uint8Array): Recognition {
    if (!(pixels instanceof Uint8Array) || pixels.length !== MNIST_SIZE) {
      throw new DigitkitError('BAD_IMAGE', `recognizeMnist takes one 28x28 MNIST-format image: a Uint8Array of ${MNIST_SIZE} bytes; got ${lengthOf(pixels)}. For many, use recognizeMnistBatch.`);
    }
    return this.recognizeMnistBatch(pixels)[0]!;
  }

  recognizeMnistBatch(images: Uint8Array): Recognition[] {
    this.#checkAlive();
    if (!(images instanceof Uint8Array) || images.length === 0 || images.length % MNIST_SIZE !== 0) {
      throw new DigitkitError('BAD_IMAGE', `recognizeMnistBatch takes n 28x28 MNIST-format images: a Uint8Array of n * ${MNIST_SIZE} bytes (n >= 1); got ${lengthOf(images)}.`);
    }
    const count = images.length / MNIST_SIZE;
    const predictions = predict(this.model, normalize(images), count);
    return predictions.map((prediction, i) => {
      const pixels = images.subarray(i * MNIST_SIZE, (i + 1) * MNIST_SIZE);
      const box = boundingBox({ data: pixels, width: 28, height: 28 });
      if (!box) return { verdict: 'empty', reason: 'no ink: every pixel of the 28x28 image is 0' };
      return { verdict: 'digit', ...answer(prediction), pixels, box, inverted: false };
    });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.owned) this.model.net.dispose();
  }

  #checkAlive(): void {
    if (this.#disposed) throw new DigitkitError('DISPOSED', 'This recognizer was disposed; create another with createRecognizer().');
  }
}

function answer(prediction: Prediction): { label: number; confidence: number; probabilities: readonly number[] } {
  return { label: prediction.label, confidence: prediction.probabilities[prediction.label]!, probabilities: prediction.probabilities };
}

function lengthOf(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : `${value === null ? 'null' : typeof value === 'object' ? value.constructor?.name : typeof value}`;
}
