import { DigitkitError, type DigitModel } from '@digitkit/core';
import { cnnSpec } from './cnn.js';
import { mlpSpec } from './mlp.js';
import { numbersSpec } from './numbers.js';
import type { ModelSpec } from './types.js';

/**
 * Every model family digitkit ships, by kind. Adding one is a file in `src/models/` and one line
 * here; `ModelKind` then includes it and TypeScript flags each `Record<ModelKind, …>` that lacks it.
 */
export const MODELS = {
  mlp: mlpSpec,
  cnn: cnnSpec,
  numbers: numbersSpec,
} as const satisfies Record<string, ModelSpec>;

/** The model families digitkit ships: the keys of `MODELS`. */
export type ModelKind = keyof typeof MODELS;

/** The options of each kind's factory. */
export type ModelOptionsOf<K extends ModelKind> = NonNullable<Parameters<(typeof MODELS)[K]['create']>[0]>;
export type ModelOptions = ModelOptionsOf<ModelKind>;

/** The kinds, in table order (the first is the default). */
export const MODEL_KINDS = Object.keys(MODELS) as ModelKind[];

/** True when `kind` names a model in `MODELS`. */
export function isModelKind(kind: string): kind is ModelKind {
  return Object.hasOwn(MODELS, kind);
}

/** Looks up a kind's table entry; an unknown kind throws DigitkitError('UNKNOWN_MODEL') listing the kinds. */
export function modelSpec(kind: string): (typeof MODELS)[ModelKind] {
  if (!isModelKind(kind)) {
    throw new DigitkitError('UNKNOWN_MODEL', `Unknown model kind "${kind}". Choose one of: ${MODEL_KINDS.join(', ')}.`);
  }
  return MODELS[kind];
}

/** Builds a model by kind name, as a CLI flag or config file gives it. */
export function createModel<K extends ModelKind>(kind: K, options?: ModelOptionsOf<K>): DigitModel;
export function createModel(kind: string, options?: ModelOptions): DigitModel;
export function createModel(kind: string, options: ModelOptions = {}): DigitModel {
  return (modelSpec(kind) as ModelSpec<ModelOptions>).create(options);
}
