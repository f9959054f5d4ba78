// The model option: a shipped model by name, a DigitModel, or a saved model's directory or URL.
import { DigitkitError, type DigitModel } from '@digitkit/core';
import { loadModel, modelFromArtifacts } from '@digitkit/model';
import { type EmbeddedModel, toArtifacts } from './artifacts.js';
import { SHIPPED_FIGURES } from './shipped/catalog.js';
import type { ShippedModelName } from './types.js';

/** What the package ships of one model, and how well it does. */
export interface ShippedModel {
  readonly name: ShippedModelName;
  readonly description: string;
  /** Accuracy of the shipped (uint8-quantized) weights on the 10,000 MNIST test images. */
  readonly testAccuracy: number;
  /** The same for the float32 weights they were quantized from. */
  readonly float32TestAccuracy: number;
  readonly testImages: number;
  readonly parameters: number;
  /** Bytes of weights shipped (one per parameter), and what float32 would take. */
  readonly weightBytes: number;
  readonly float32WeightBytes: number;
}

/** The trained models inside the package, with their measured accuracy (no weights are loaded to read this). */
export const SHIPPED_MODELS: Readonly<Record<ShippedModelName, ShippedModel>> = {
  cnn: {
    name: 'cnn',
    description: 'LeNet-style CNN (two 5x5 conv layers, 129k parameters): the best on drawings and photos',
    ...SHIPPED_FIGURES.cnn,
  },
  mlp: {
    name: 'mlp',
    description: 'the original Keras MLP (784 -> 128 -> 64 -> 10, 109k parameters)',
    ...SHIPPED_FIGURES.mlp,
  },
};

// One lazy module per model: a bundler splits each into its own chunk, and Node ESM and CJS share one copy.
const EMBEDDED: Record<ShippedModelName, () => Promise<{ default: EmbeddedModel }>> = {
  cnn: () => import('./shipped/cnn.js'),
  mlp: () => import('./shipped/mlp.js'),
};

/**
 * The number reader the recognizer asks about ink that may be two touching digits (`numberAgreement`): a third model,
 * trained by `digitkit train --model numbers` on numbers made from MNIST's training digits. Its figures: accuracy over
 * its 112 classes on numbers made from the 10,000 MNIST test digits (@digitkit/train's `testSetForModel`).
 */
export const SHIPPED_NUMBER_READER = {
  description: 'number reader (28x56 input, 112 classes: the pairs 00-99, single digits, more, none; 305k parameters)',
  ...SHIPPED_FIGURES.numbers,
} as const;

export async function loadNumberReader(): Promise<DigitModel> {
  return modelFromArtifacts(toArtifacts((await import('./shipped/numbers.js')).default), 'the shipped number reader');
}

const ACCEPTED = `'cnn' or 'mlp' (the shipped models), a DigitModel, or a directory, model.json path or http(s) URL of a saved TF.js layers model`;

/** How a model option will be resolved; checked before any work starts. */
export type ModelPlan =
  | { kind: 'shipped'; name: ShippedModelName }
  | { kind: 'given'; model: DigitModel }
  | { kind: 'saved'; source: string };

export function planModel(option: unknown): ModelPlan {
  if (option === undefined) return { kind: 'shipped', name: 'cnn' };
  if (typeof option === 'string') {
    if (Object.hasOwn(SHIPPED_MODELS, option)) return { kind: 'shipped', name: option as ShippedModelName };
    // A bare word is a mistyped name far more often than a directory: ask for ./name to mean the directory.
    if (/^[\w-]+$/.test(option)) {
      throw new DigitkitError('UNKNOWN_MODEL', `Unknown model "${option}". model takes ${ACCEPTED} (for a directory named ${option}, write ./${option}).`);
    }
    return { kind: 'saved', source: option };
  }
  if (isDigitModel(option)) {
    checkDigitInput(option.inputShape, 'the DigitModel given as model');
    return { kind: 'given', model: option };
  }
  throw new DigitkitError('BAD_MODEL_OPTION', `model takes ${ACCEPTED}; got ${option === null ? 'null' : typeof option}.`);
}

export async function loadPlannedModel(plan: ModelPlan): Promise<DigitModel> {
  if (plan.kind === 'given') return plan.model;
  const model =
    plan.kind === 'shipped'
      ? await modelFromArtifacts(toArtifacts((await EMBEDDED[plan.name]()).default), `the shipped ${plan.name} model`)
      : await loadModel(plan.source);
  try {
    checkDigitInput(model.inputShape, plan.kind === 'saved' ? plan.source : plan.name);
  } catch (error) {
    model.net.dispose();
    throw error;
  }
  return model;
}

/** The recognizer feeds 28x28 MNIST images: flat ([784]) or as an image ([28, 28, 1]). */
function checkDigitInput(shape: readonly number[], what: string): void {
  const flat = shape.length === 1 && shape[0] === 784;
  const image = shape.length === 3 && shape[0] === 28 && shape[1] === 28 && shape[2] === 1;
  if (!flat && !image) {
    throw new DigitkitError(
      'NOT_A_DIGIT_MODEL',
      `${what} takes inputs of shape [${shape.join(', ')}]; the recognizer feeds 28x28 images, so it needs a model taking [784] or [28, 28, 1].`,
    );
  }
}

function isDigitModel(value: unknown): value is DigitModel {
  if (value === null || typeof value !== 'object') return false;
  const model = value as Partial<DigitModel>;
  return Array.isArray(model.inputShape) && typeof model.numClasses === 'number' && model.net instanceof Object && typeof (model.net as { predict?: unknown }).predict === 'function';
}
