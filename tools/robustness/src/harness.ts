// Runs models through the web app's exact pipeline (toMnistFormat -> normalize -> predict) on benchmark pictures.
import { DigitkitError, type DigitModel, type ImageSet } from '@digitkit/core';
import { predict } from '@digitkit/model';
import { normalize, toMnistFormat } from '@digitkit/preprocess';
import { CONDITIONS, type Condition, drawCondition } from './conditions.js';
import type { Raster } from '@digitkit/testkit';

const SIZE = 28 * 28;

/** Picture -> 28x28 MNIST-format bytes, or null when it finds no digit (which counts as a miss). */
export type Preprocessor = (image: Raster) => Uint8Array | null;

/** What the web app does (apps/web/src/recognizer.ts): toMnistFormat with its defaults. */
export const browserPreprocess: Preprocessor = (image) => {
  const result = toMnistFormat(image);
  return result.empty ? null : result.pixels;
};

/** A condition's pictures, preprocessed once so several models can be scored on the same inputs. */
export interface PreparedCondition {
  readonly condition: Condition;
  /** `count * 784` model inputs in [0, 1] (zeros where preprocessing found nothing). */
  readonly x: Float32Array;
  readonly labels: Uint8Array;
  /** True where preprocessing found no digit. */
  readonly empty: Uint8Array;
  readonly count: number;
  /** Milliseconds spent drawing and preprocessing, per picture. */
  readonly drawMs: number;
  readonly preprocessMs: number;
}

export interface PrepareOptions {
  /** Pictures per condition. */
  count: number;
  /** Seed of the pictures. Default 1. */
  seed?: number;
  /** Default: {@link browserPreprocess}. */
  preprocess?: Preprocessor;
}

/** Draws `count` pictures of the condition from the test set and preprocesses them (raw conditions skip preprocessing). */
export function prepareCondition(condition: Condition, test: ImageSet, options: PrepareOptions): PreparedCondition {
  const { count, seed = 1, preprocess = browserPreprocess } = options;
  if (!Number.isInteger(count) || count < 1) {
    throw new DigitkitError('BAD_OPTION', `prepareCondition: count must be a positive integer, got ${count}`);
  }
  const t0 = performance.now();
  const digits = drawCondition(condition, test, count, seed);
  const t1 = performance.now();
  const bytes = new Uint8Array(count * SIZE);
  const labels = new Uint8Array(count);
  const empty = new Uint8Array(count);
  digits.forEach((digit, i) => {
    labels[i] = digit.label;
    const pixels = condition.raw ? digit.image.data : preprocess(digit.image);
    if (pixels) bytes.set(pixels, i * SIZE);
    else empty[i] = 1;
  });
  const t2 = performance.now();
  return {
    condition,
    x: normalize(bytes),
    labels,
    empty,
    count,
    drawMs: (t1 - t0) / count,
    preprocessMs: condition.raw ? 0 : (t2 - t1) / count,
  };
}

/** Fraction of a prepared condition's pictures the model labels right (pictures with no digit found count as wrong). */
export function accuracyOn(model: DigitModel, prepared: PreparedCondition): number {
  const predictions = predict(model, prepared.x, prepared.count);
  let right = 0;
  predictions.forEach((p, i) => {
    if (!prepared.empty[i] && p.label === prepared.labels[i]) right++;
  });
  return right / prepared.count;
}

/** One row of the benchmark table. */
export interface BenchmarkRow {
  readonly condition: string;
  readonly count: number;
  /** Accuracy per model name. */
  readonly accuracy: Record<string, number>;
  /** Pictures where preprocessing found no digit. */
  readonly empty: number;
  readonly preprocessMs: number;
}

/** Scores every model on every condition (same pictures for all models). */
export function runBenchmark(
  models: Record<string, DigitModel>,
  test: ImageSet,
  options: PrepareOptions & { conditions?: readonly Condition[]; onRow?: (row: BenchmarkRow) => void },
): BenchmarkRow[] {
  const rows: BenchmarkRow[] = [];
  for (const condition of options.conditions ?? CONDITIONS) {
    const prepared = prepareCondition(condition, test, options);
    const accuracy: Record<string, number> = {};
    for (const [name, model] of Object.entries(models)) accuracy[name] = accuracyOn(model, prepared);
    let empty = 0;
    for (const e of prepared.empty) empty += e;
    const row = { condition: condition.name, count: prepared.count, accuracy, empty, preprocessMs: prepared.preprocessMs };
    options.onRow?.(row);
    rows.push(row);
  }
  return rows;
}

/** Mean accuracy of a model over the drawn conditions (the raw MNIST reference left out). */
export function drawnMean(rows: readonly BenchmarkRow[], model: string): number {
  const drawn = rows.filter((r) => r.condition !== 'mnist-raw' && r.condition !== 'mnist-pipeline');
  return drawn.reduce((sum, r) => sum + (r.accuracy[model] ?? 0), 0) / drawn.length;
}

/** A plain-text table: one row per condition, one accuracy column per model. */
export function formatTable(rows: readonly BenchmarkRow[]): string {
  if (rows.length === 0) return '(no rows)';
  const models = Object.keys(rows[0]!.accuracy);
  const nameWidth = Math.max(9, ...rows.map((r) => r.condition.length));
  const header = `${'condition'.padEnd(nameWidth)}  ${'n'.padStart(4)}  ${models.map((m) => m.padStart(8)).join('  ')}  ${'no-digit'.padStart(8)}  ${'prep ms'.padStart(7)}`;
  const lines = rows.map(
    (r) =>
      `${r.condition.padEnd(nameWidth)}  ${String(r.count).padStart(4)}  ${models.map((m) => `${((r.accuracy[m] ?? 0) * 100).toFixed(1)}%`.padStart(8)).join('  ')}  ${String(r.empty).padStart(8)}  ${r.preprocessMs.toFixed(2).padStart(7)}`,
  );
  const mean = `${'drawn mean'.padEnd(nameWidth)}  ${''.padStart(4)}  ${models.map((m) => `${(drawnMean(rows, m) * 100).toFixed(1)}%`.padStart(8)).join('  ')}`;
  return [header, '-'.repeat(header.length), ...lines, '-'.repeat(header.length), mean].join('\n');
}
