import { loadModel } from '@digitkit/model';
import { evaluate } from '@digitkit/train';
import { ensureModelExists, loadData, percent, startBackend } from '../runtime.js';

export async function evaluateCommand(flags: { modelDir: string; backend: string; data?: string; json?: boolean }): Promise<void> {
  const modelPath = await ensureModelExists(flags.modelDir);
  await startBackend(flags.backend);
  const model = await loadModel(modelPath);
  const data = await loadData(flags.data);
  const started = performance.now();
  const result = evaluate(model, data.test);
  const seconds = (performance.now() - started) / 1000;
  if (flags.json) {
    const { predicted: _predicted, ...rest } = result;
    console.log(JSON.stringify({ ...rest, seconds }, null, 2));
    return;
  }
  console.log(`test accuracy: ${percent(result.accuracy)} (${result.count - result.misclassified.length}/${result.count}), loss ${result.loss.toFixed(4)}, ${seconds.toFixed(2)} s`);
  console.log('class  precision  recall');
  for (let c = 0; c < result.precision.length; c++) {
    console.log(`  ${c}     ${percent(result.precision[c] ?? 0).padStart(7)}  ${percent(result.recall[c] ?? 0).padStart(7)}`);
  }
}
