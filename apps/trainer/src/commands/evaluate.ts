import { loadModel } from '@digitkit/model';
import { createRecognizer, type ShippedModelName } from '@digitkit/recognizer';
import { evaluate, testSetForModel } from '@digitkit/train';
import { classNamesOfModel } from '../classes.js';
import { confusionTable, count, perClassStats, perClassTable, percent } from '../format.js';
import { SHIPPED_HINT, ensureModelExists, loadData, printJson, startBackend } from '../runtime.js';

/** How many misclassified test indices the terminal shows (--json gives them all). */
const MISCLASSIFIED_SHOWN = 20;

export async function evaluateCommand(flags: { modelDir: string; model?: ShippedModelName; backend: string; data?: string; classes?: string[]; json?: boolean }): Promise<void> {
  // Checked before the backend starts: a wrong directory fails at once.
  const savedPath = flags.model ? null : await ensureModelExists(flags.modelDir, SHIPPED_HINT);
  await startBackend(flags.backend);
  // A shipped model is the recognizer's own network (uint8 weights, as shipped); its verdicts play no part here.
  const model = savedPath === null ? (await createRecognizer({ model: flags.model, verdicts: { secondOpinionWeight: 0 } })).model : await loadModel(savedPath);
  const data = await loadData(flags.data);
  const { names: classNames } = await classNamesOfModel(model, flags);
  const started = performance.now();
  const result = evaluate(model, testSetForModel(model.kind, data.test));
  const seconds = (performance.now() - started) / 1000;
  if (flags.json) {
    const { predicted: _predicted, ...rest } = result;
    const stats = perClassStats(result.confusion);
    printJson({ ...rest, f1: stats.map((s) => s.f1), support: stats.map((s) => s.support), classNames, seconds });
    return;
  }
  const say = (line: string) => console.log(line);
  say(`test accuracy: ${percent(result.accuracy)} (${count(result.count - result.misclassified.length)}/${count(result.count)}), loss ${result.loss.toFixed(4)}, ${seconds.toFixed(2)} s`);
  say('');
  say('confusion matrix (rows: true class, columns: predicted class)');
  say(confusionTable(result.confusion, classNames));
  say('');
  say(perClassTable(result, classNames));
  if (result.misclassified.length > 0) {
    const shown = result.misclassified.slice(0, MISCLASSIFIED_SHOWN).join(', ');
    const more = result.misclassified.length > MISCLASSIFIED_SHOWN ? `, … (${count(result.misclassified.length)} in all; --json lists every one)` : '';
    say('');
    say(`misclassified test images (0-based indices, as predict --index takes them): ${shown}${more}`);
  }
}
