import type { DigitModel, Recipe } from '@digitkit/core';

/**
 * One model family digitkit ships: a plain object, one file each under `src/models/`, listed once in
 * `MODELS` (src/models/index.ts). Everything that must know the kinds reads them from there.
 */
/** What a model family reads: see `ModelSpec.reads`. */
export type ModelReads = 'digits' | 'numbers';

export interface ModelSpec<Options extends object = object> {
  /** One line for help texts and model lists, e.g. "the original 784-128-64-10 network". */
  readonly description: string;
  /** Per-example input shape: `[784]` for flat pixel rows, `[28, 28, 1]` for images (NHWC, one channel). */
  readonly inputShape: readonly number[];
  /**
   * What it is trained and evaluated on: `digits`, the set's images as they are (MNIST's 28x28 digits), or `numbers`,
   * numbers made from the set's digits (@digitkit/preprocess's `createNumberSet`, 28x56, 112 classes).
   */
  readonly reads: ModelReads;
  /** Builds a fresh, randomly initialized model (seeded); throws DigitkitError('BAD_MODEL_OPTION') on bad options. */
  create(options?: Options): DigitModel;
  /** The training options measured to reach this family's target accuracy on MNIST. */
  readonly recipe: Recipe;
}
