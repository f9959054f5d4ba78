// Recognizers to benchmark: the models shipped in @digitkit/recognizer, models saved by the CLI
// (`digitkit train --model <kind> --out <dir>/<kind>`), or models trained here.
import type { DigitModel, ImageSet } from '@digitkit/core';
import { createModel, type ModelKind } from '@digitkit/model';
import { createRecognizer, type Recognizer } from '@digitkit/recognizer';
import { type TrainOptions, defaultRecipe, train } from '@digitkit/train';

/**
 * Verdict thresholds that call every piece of ink a digit: the accuracy bench measures which digit the pipeline reads,
 * as `recognizeMnistBatch` (the plain preprocessing's path) does; `bench:verdicts` measures the verdicts themselves.
 */
export const WHOLE_INK_AS_DIGIT = Object.freeze({ minSureness: 0, viewWeight: 0, secondOpinionWeight: 0, maxAspect: Number.MAX_VALUE });

/**
 * A recognizer for `<dir>/<kind>/model` (the layout `digitkit train --out <dir>/<kind>` writes) or `<dir>/<kind>`,
 * or null when neither holds a model.json.
 */
export async function loadSavedRecognizer(dir: string, kind: ModelKind): Promise<Recognizer | null> {
  const { access } = await import('node:fs/promises');
  const { join } = await import('node:path');
  for (const path of [join(dir, kind, 'model'), join(dir, kind)]) {
    try {
      await access(join(path, 'model.json'));
    } catch {
      continue;
    }
    return createRecognizer({ model: path, log: null, verdicts: WHOLE_INK_AS_DIGIT });
  }
  return null;
}

/** Trains a model of `kind` with its default recipe, with `overrides` on top (fewer epochs for quick runs). */
export async function trainModel(kind: ModelKind, trainSet: ImageSet, overrides: Partial<TrainOptions> = {}): Promise<DigitModel> {
  const model = createModel(kind, { seed: 42 });
  await train(model, { train: trainSet }, { ...defaultRecipe(kind), ...overrides } as TrainOptions);
  return model;
}
