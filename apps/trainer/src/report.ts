// The report both `train` and `show report` write: curves, confusion, samples, mistakes, and a few prediction cards.
import type { DigitModel, Evaluation, ImageSet, Prediction, RunMetrics } from '@digitkit/core';
import { predict } from '@digitkit/model';
import { normalize } from '@digitkit/preprocess';
import { writeReport } from '@digitkit/viz';

/** As many mistakes as the report's gallery shows: the confidences are computed for these only. */
const GALLERY_LIMIT = 60;

/** Predictions for some test images, by index (one batch). */
function predictIndices(model: DigitModel, test: ImageSet, indices: readonly number[]): Prediction[] {
  const size = test.height * test.width;
  const pixels = new Uint8Array(indices.length * size);
  indices.forEach((index, i) => pixels.set(test.images.subarray(index * size, (index + 1) * size), i * size));
  return indices.length === 0 ? [] : (predict(model, normalize(pixels), indices.length) as Prediction[]);
}

/** Cards for the first few test images and the first few mistakes: what the original project showed, and where it fails. */
export async function writeRunReport(
  dir: string,
  run: { model: DigitModel; metrics: RunMetrics; test: ImageSet; evaluation: Evaluation; classNames?: readonly string[] },
): Promise<{ files: string[] }> {
  const { model, metrics, test, evaluation, classNames } = run;
  const cardIndices = [...new Set([0, 1, 2, 3, ...evaluation.misclassified.slice(0, 4)])].filter((i) => i < test.count);
  const galleryIndices = evaluation.misclassified.slice(0, GALLERY_LIMIT);
  const answers = predictIndices(model, test, [...cardIndices, ...galleryIndices]);
  const predictions = cardIndices.map((index, i) => ({ index, prediction: answers[i] as Prediction, trueLabel: test.labels[index] }));
  const confidences = new Map(
    galleryIndices.map((index, i) => {
      const answer = answers[cardIndices.length + i] as Prediction;
      return [index, answer.probabilities[answer.label] ?? 0];
    }),
  );
  return writeReport(dir, {
    metrics,
    test,
    evaluation,
    predictions,
    confidences,
    misclassifiedLimit: GALLERY_LIMIT,
    ...(classNames && { classNames }),
  });
}
