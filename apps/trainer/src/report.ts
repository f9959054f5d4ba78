// The report both `train` and `show report` write: curves, confusion, samples, mistakes, and a few prediction cards.
import type { DigitModel, Evaluation, ImageSet, Prediction, RunMetrics } from '@digitkit/core';
import { predict } from '@digitkit/model';
import { normalize } from '@digitkit/preprocess';
import { writeReport } from '@digitkit/viz';

/** Cards for the first few test images and the first few mistakes: what the original project showed, and where it fails. */
export async function writeRunReport(
  dir: string,
  run: { model: DigitModel; metrics: RunMetrics; test: ImageSet; evaluation: Evaluation; classNames: readonly string[] },
): Promise<{ files: string[] }> {
  const { model, metrics, test, evaluation, classNames } = run;
  const indices = [...new Set([0, 1, 2, 3, ...evaluation.misclassified.slice(0, 4)])].filter((i) => i < test.count);
  const size = test.height * test.width;
  const pixels = new Uint8Array(indices.length * size);
  indices.forEach((index, i) => pixels.set(test.images.subarray(index * size, (index + 1) * size), i * size));
  const answers = predict(model, normalize(pixels), indices.length) as Prediction[];
  const predictions = indices.map((index, i) => ({ index, prediction: answers[i] as Prediction, trueLabel: test.labels[index] }));
  // Until @digitkit/viz's report takes classNames (the report branch adds it), they ride in a spread, which TypeScript lets pass.
  const labelling = { classNames };
  return writeReport(dir, { metrics, test, evaluation, predictions, ...labelling });
}
