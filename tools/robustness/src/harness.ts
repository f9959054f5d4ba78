// Runs recognizers on benchmark pictures the way apps use them: a picture through `recognize`, an MNIST image through
// `recognizeMnistBatch`.
import { DigitkitError, type ImageSet } from '@digitkit/core';
import type { Recognition, Recognizer } from '@digitkit/recognizer';
import { CONDITIONS, type Condition, drawCondition } from './conditions.js';
import { shortfall } from './stats.js';
import type { Raster } from '@digitkit/testkit';

const SIZE = 28 * 28;

/**
 * Picture -> 28x28 MNIST-format bytes, or null when it finds no digit (which counts as a miss). Only for comparing
 * preprocessing variants (e.g. another copy of toMnistFormat): without one, pictures go through `recognize`.
 */
export type Preprocessor = (image: Raster) => Uint8Array | null;

/** A condition's pictures, drawn once so several recognizers are scored on the same ones. */
export interface PreparedCondition {
  readonly condition: Condition;
  readonly count: number;
  readonly labels: Uint8Array;
  /** The pictures, as a recognizer receives them. */
  readonly pictures: readonly Raster[];
  /**
   * `count * 784` MNIST-format images that go to `recognizeMnistBatch` instead of the pictures to `recognize`: the raw
   * MNIST reference, or a custom {@link Preprocessor}'s results (zeros where it found no digit, which the recognizer
   * calls empty).
   */
  readonly mnist?: Uint8Array;
  /** Milliseconds per picture spent drawing, and in the custom preprocessor (0 without one). */
  readonly drawMs: number;
  readonly preprocessMs: number;
}

export interface PrepareOptions {
  /** Pictures per condition. */
  count: number;
  /** Seed of the pictures. Default 1. */
  seed?: number;
  /** A preprocessing variant to compare; by default the recognizer's own (`recognize`). */
  preprocess?: Preprocessor;
}

/** Draws `count` pictures of the condition from the test set (raw conditions keep the 28x28 MNIST images). */
export function prepareCondition(condition: Condition, test: ImageSet, options: PrepareOptions): PreparedCondition {
  const { count, seed = 1, preprocess } = options;
  if (!Number.isInteger(count) || count < 1) {
    throw new DigitkitError('BAD_OPTION', `prepareCondition: count must be a positive integer, got ${count}`);
  }
  const t0 = performance.now();
  const digits = drawCondition(condition, test, count, seed);
  const t1 = performance.now();
  const pictures = digits.map((d) => d.image);
  const labels = Uint8Array.from(digits, (d) => d.label);
  const prepared = { condition, count, labels, pictures, drawMs: (t1 - t0) / count, preprocessMs: 0 };
  if (condition.raw) return { ...prepared, mnist: concat(pictures.map((p) => p.data)) };
  if (!preprocess) return prepared;
  const mnist = concat(pictures.map(preprocess));
  return { ...prepared, mnist, preprocessMs: (performance.now() - t1) / count };
}

/** What one recognizer made of a prepared condition. */
export interface ConditionScore {
  /** Fraction labelled right; a picture in which it found no digit counts as wrong. */
  readonly accuracy: number;
  /** Pictures with the verdict `'empty'`. */
  readonly empty: number;
  /** The recognizer's answer for each picture (a `'digit'` answer holds the 28x28 image the model saw). */
  readonly results: readonly Recognition[];
  /** Milliseconds per picture in the recognizer (finding and re-framing the digit, then the model). */
  readonly recognizeMs: number;
}

/** Runs a recognizer on every picture of a prepared condition and scores its answers against the labels. */
export function scoreCondition(recognizer: Recognizer, prepared: PreparedCondition): ConditionScore {
  const t0 = performance.now();
  const results = prepared.mnist ? recognizer.recognizeMnistBatch(prepared.mnist) : prepared.pictures.map((p) => recognizer.recognize(p));
  const recognizeMs = (performance.now() - t0) / prepared.count;
  let right = 0;
  let empty = 0;
  results.forEach((result, i) => {
    if (result.verdict === 'empty') empty++;
    else if (result.verdict === 'digit' && result.label === prepared.labels[i]) right++;
  });
  return { accuracy: right / prepared.count, empty, results, recognizeMs };
}

/** Fraction of a prepared condition's pictures the recognizer labels right (no digit found counts as wrong). */
export function accuracyOn(recognizer: Recognizer, prepared: PreparedCondition): number {
  return scoreCondition(recognizer, prepared).accuracy;
}

/** One row of the benchmark table. */
export interface BenchmarkRow {
  readonly condition: string;
  readonly count: number;
  /** Accuracy per recognizer name. */
  readonly accuracy: Record<string, number>;
  /** Pictures in which no digit was found (the most over the recognizers: they share the preprocessing). */
  readonly empty: number;
  /** Milliseconds per picture: the custom preprocessor plus the mean over the recognizers. */
  readonly ms: number;
}

/** Scores every recognizer on every condition (the same pictures for all). */
export function runBenchmark(
  recognizers: Record<string, Recognizer>,
  test: ImageSet,
  options: PrepareOptions & { conditions?: readonly Condition[]; onRow?: (row: BenchmarkRow) => void },
): BenchmarkRow[] {
  const rows: BenchmarkRow[] = [];
  const names = Object.keys(recognizers);
  for (const condition of options.conditions ?? CONDITIONS) {
    const prepared = prepareCondition(condition, test, options);
    const accuracy: Record<string, number> = {};
    let empty = 0;
    let ms = 0;
    for (const name of names) {
      const score = scoreCondition(recognizers[name]!, prepared);
      accuracy[name] = score.accuracy;
      empty = Math.max(empty, score.empty);
      ms += score.recognizeMs / names.length;
    }
    const row = { condition: condition.name, count: prepared.count, accuracy, empty, ms: prepared.preprocessMs + ms };
    options.onRow?.(row);
    rows.push(row);
  }
  return rows;
}

/** Whether a row is a drawn or photographed condition, not the raw MNIST reference. */
const isDrawn = (row: BenchmarkRow) => row.condition !== 'mnist-raw' && row.condition !== 'mnist-pipeline';

/** Mean accuracy of a recognizer over the drawn conditions (the raw MNIST reference left out). */
export function drawnMean(rows: readonly BenchmarkRow[], name: string): number {
  const drawn = rows.filter(isDrawn);
  return drawn.reduce((sum, r) => sum + (r.accuracy[name] ?? 0), 0) / drawn.length;
}

/**
 * A plain-text table: one row per condition, one accuracy column per recognizer. With a `target` share, each drawn
 * condition's cell under it is marked '!', and '!*' when short of it beyond chance (belowTarget: p < 0.05).
 */
export function formatTable(rows: readonly BenchmarkRow[], target?: number): string {
  if (rows.length === 0) return '(no rows)';
  const models = Object.keys(rows[0]!.accuracy);
  const nameWidth = Math.max(9, ...rows.map((r) => r.condition.length));
  const cellWidth = target === undefined ? 8 : 10;
  const cell = (r: BenchmarkRow, m: string) => {
    const accuracy = r.accuracy[m] ?? 0;
    const text = `${(accuracy * 100).toFixed(1)}%`;
    if (target === undefined) return text.padStart(cellWidth);
    return `${text}${isDrawn(r) ? shortfall(Math.round(accuracy * r.count), r.count, target).mark : '  '}`.padStart(cellWidth);
  };
  const header = `${'condition'.padEnd(nameWidth)}  ${'n'.padStart(4)}  ${models.map((m) => m.padStart(cellWidth)).join('  ')}  ${'no-digit'.padStart(8)}  ${'ms/pic'.padStart(7)}`;
  const lines = rows.map((r) => `${r.condition.padEnd(nameWidth)}  ${String(r.count).padStart(4)}  ${models.map((m) => cell(r, m)).join('  ')}  ${String(r.empty).padStart(8)}  ${r.ms.toFixed(2).padStart(7)}`);
  const mean = `${'drawn mean'.padEnd(nameWidth)}  ${''.padStart(4)}  ${models.map((m) => `${(drawnMean(rows, m) * 100).toFixed(1)}%`.padStart(cellWidth)).join('  ')}`;
  const key = target === undefined ? [] : [`! under ${(target * 100).toFixed(0)}% on a drawn condition; !* short of it beyond chance (one-sided exact binomial p < 0.05)`];
  return [header, '-'.repeat(header.length), ...lines, '-'.repeat(header.length), mean, ...key].join('\n');
}

/** Images (or nulls, for no digit) -> one `n * 784` buffer, zeros where null. */
function concat(images: readonly (Uint8Array | null)[]): Uint8Array {
  const out = new Uint8Array(images.length * SIZE);
  images.forEach((image, i) => {
    if (image) out.set(image, i * SIZE);
  });
  return out;
}
