// Shared by the tests only (not exported from the package): a made-up evaluation and training history.
import type { EpochMetrics, Evaluation, ImageSet, RunMetrics } from '@digitkit/core';

/** An evaluation where every `errorEvery`-th image is predicted as (label + 1) mod 10. */
export function fakeEvaluation(set: ImageSet, errorEvery = 50): Evaluation {
  const predicted = new Uint8Array(set.labels);
  for (let i = 0; i < set.count; i += errorEvery) predicted[i] = (predicted[i]! + 1) % set.numClasses;
  const n = set.numClasses;
  const confusion = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  const misclassified: number[] = [];
  for (let i = 0; i < set.count; i++) {
    confusion[set.labels[i]!]![predicted[i]!]!++;
    if (predicted[i] !== set.labels[i]) misclassified.push(i);
  }
  const precision = confusion.map((_, c) => confusion[c]![c]! / Math.max(1, confusion.reduce((s, row) => s + row[c]!, 0)));
  const recall = confusion.map((row, c) => row[c]! / Math.max(1, row.reduce((a, b) => a + b, 0)));
  return { count: set.count, loss: 0.0712, accuracy: 1 - misclassified.length / set.count, confusion, precision, recall, misclassified, predicted };
}

export function fakeHistory(epochs = 4): EpochMetrics[] {
  return Array.from({ length: epochs }, (_, i) => ({
    epoch: i + 1,
    loss: 0.4 / (i + 1),
    accuracy: Math.min(0.995, 0.9 + 0.02 * i),
    valLoss: 0.42 / (i + 1) + 0.01,
    valAccuracy: Math.min(0.99, 0.905 + 0.018 * i),
    learningRate: 0.001,
    seconds: 9.8,
  }));
}

export function fakeRunMetrics(evaluation?: Evaluation): RunMetrics {
  const test = evaluation && (({ predicted: _, ...rest }) => rest)(evaluation);
  return { model: 'mlp', backend: 'wasm', history: fakeHistory(), seconds: 41.3, ...(test && { test }), config: { batchSize: 128, seed: 7 } };
}
