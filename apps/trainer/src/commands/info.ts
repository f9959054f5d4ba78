import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadModel, summary } from '@digitkit/model';
import { loadData, startBackend } from '../runtime.js';

export async function infoCommand(flags: { modelDir: string; backend: string; data?: string }): Promise<void> {
  const backend = await startBackend(flags.backend);
  console.log(`backend: ${backend.name} (${backend.reason})`);
  for (const skipped of backend.skipped) console.log(`  not available: ${skipped.name}: ${skipped.error}`);

  const data = await loadData(flags.data);
  console.log(`data: ${data.source}`);
  for (const [name, set] of Object.entries({ train: data.train, test: data.test })) {
    const counts = new Array<number>(set.numClasses).fill(0);
    for (const label of set.labels) counts[label] = (counts[label] ?? 0) + 1;
    console.log(`  ${name}: ${set.count.toLocaleString('en')} images of ${set.height}x${set.width}; per class: ${counts.join(' ')}`);
  }

  const modelPath = resolve(flags.modelDir);
  if (existsSync(modelPath.endsWith('.json') ? modelPath : join(modelPath, 'model.json'))) {
    const model = await loadModel(modelPath);
    console.log(`model: ${modelPath}`);
    console.log(summary(model));
  } else {
    console.log(`model: none at ${modelPath} (train one with: digitkit train)`);
  }
}
