// Models to benchmark: saved by the CLI (`digitkit train --model <kind> --out <dir>/<kind>`), or trained here.
import type { DigitModel, ImageSet } from '@digitkit/core';
import { createModel, loadModel, type ModelKind } from '@digitkit/model';
import { type TrainOptions, defaultRecipe, train } from '@digitkit/train';

/** Loads `<dir>/<kind>/model` (the layout `digitkit train --out <dir>/<kind>` writes), or null when it is not there. */
export async function loadSavedModel(dir: string, kind: ModelKind): Promise<DigitModel | null> {
  const { access } = await import('node:fs/promises');
  const { join } = await import('node:path');
  // `digitkit train --out <dir>/<kind>` writes <dir>/<kind>/model/; the web app ships <dir>/<kind>/model.json.
  for (const path of [join(dir, kind, 'model'), join(dir, kind)]) {
    try {
      await access(join(path, 'model.json'));
      return loadModel(path);
    } catch {}
  }
  return null;
}

/** Trains a model of `kind` with its default recipe, with `overrides` on top (fewer epochs for quick runs). */
export async function trainModel(kind: ModelKind, trainSet: ImageSet, overrides: Partial<TrainOptions> = {}): Promise<DigitModel> {
  const model = createModel(kind, { seed: 42 });
  await train(model, { train: trainSet }, { ...defaultRecipe(kind), ...overrides } as TrainOptions);
  return model;
}
