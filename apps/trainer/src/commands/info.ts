import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { ImageSet } from '@digitkit/core';
import { loadModel, parameterCount, summary } from '@digitkit/model';
import { classNamesOfModel, modelClassNames, resolveClassNames } from '../classes.js';
import { count } from '../format.js';
import { humanLines, loadData, printJson, startBackend } from '../runtime.js';

export async function infoCommand(flags: { modelDir: string; backend: string; data?: string; classes?: string[]; json?: boolean }): Promise<void> {
  const say = humanLines(flags.json);
  // startBackend prints the one line naming the backend and why; only what it skipped is added here.
  const backend = await startBackend(flags.backend);
  for (const skipped of backend.skipped) say(`  not available: ${skipped.name}: ${skipped.error}`);

  const data = await loadData(flags.data);
  const modelPath = resolve(flags.modelDir);
  const model = existsSync(modelPath.endsWith('.json') ? modelPath : join(modelPath, 'model.json')) ? await loadModel(modelPath) : undefined;
  // The data's classes; a model that reads other classes (the number reader's 112 numbers) names its own beside them.
  const readsTheData = model === undefined || model.numClasses === data.train.numClasses;
  const classes = await resolveClassNames({
    flag: flags.classes,
    data: flags.data,
    modelNames: model && readsTheData ? modelClassNames(model.net.getUserDefinedMetadata()) : undefined,
    numClasses: data.train.numClasses,
  });
  const modelClasses = model && !readsTheData ? await classNamesOfModel(model, {}) : classes;
  const sets = { train: describeSet(data.train), test: describeSet(data.test) };

  if (flags.json) {
    printJson({
      backend: { name: backend.name, reason: backend.reason, skipped: backend.skipped },
      data: { source: data.source, ...sets },
      classNames: classes.names,
      classNamesFrom: classes.source,
      model: model
        ? { path: modelPath, kind: model.kind, inputShape: model.inputShape, numClasses: model.numClasses, classNames: modelClasses.names, parameters: parameterCount(model) }
        : null,
    });
    return;
  }
  say(`data: ${data.source}`);
  for (const [name, set] of Object.entries(sets)) {
    say(`  ${name}: ${count(set.count)} images of ${set.height}x${set.width}; per class: ${set.perClass.join(' ')}`);
  }
  say(`classes (${classes.source}): ${classes.names.map((n, i) => (n === String(i) ? n : `${i} ${n}`)).join(', ')}`);
  if (model) {
    say(`model: ${modelPath}`);
    say(summary(model));
    if (!readsTheData) say(`model classes (${modelClasses.source}, ${model.numClasses}): ${modelClasses.names.join(', ')}`);
  } else {
    say(`model: none at ${modelPath} (train one with: digitkit train)`);
  }
}

function describeSet(set: ImageSet): { count: number; height: number; width: number; perClass: number[] } {
  const perClass = new Array<number>(set.numClasses).fill(0);
  for (const label of set.labels) perClass[label] = (perClass[label] ?? 0) + 1;
  return { count: set.count, height: set.height, width: set.width, perClass };
}
