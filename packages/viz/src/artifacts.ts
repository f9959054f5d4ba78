// The names of the files a run's pictures are written to: one table, read by writeReport and by `digitkit show`.

/** File names (relative to the output directory) of every picture of a run. */
export const REPORT_FILES = {
  report: 'report.html',
  curves: 'curves.svg',
  learningRate: 'learning-rate.svg',
  confusion: 'confusion.svg',
  samples: 'samples.png',
  misclassified: 'misclassified.png',
  predictions: 'predictions',
} as const;

/**
 * The prediction card of test image `index` (0-based, the same number the report's gallery shows):
 * `predictions/prediction-<index>.svg`. Cards of images from outside the test set are `predictions/image-<n>.svg`.
 */
export function predictionFile(card: { index?: number; position: number }): string {
  return card.index === undefined ? `${REPORT_FILES.predictions}/image-${card.position}.svg` : `${REPORT_FILES.predictions}/prediction-${card.index}.svg`;
}
