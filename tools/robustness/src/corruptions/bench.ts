// Scores recognizers on the corruption families, each through its full pipeline (`recognize`), through toMnistFormat
// alone and, beside them, through the plain MNIST preprocessing (the last two -> `recognizeMnistBatch`).
import type { ImageSet } from '@digitkit/core';
import { toMnistFormat } from '@digitkit/preprocess';
import type { Recognition, Recognizer } from '@digitkit/recognizer';
import type { Raster } from '@digitkit/testkit';
import { corruptFamily, FAMILIES, type Family, type FamilySplit } from './families.js';
import { plainMnist } from './plain.js';
import { binomialAtMost, formatP, holmPasses } from '../stats.js';

/** The suffix of a recognizer's column through the plain preprocessing. */
export const PLAIN = '-plain';
/**
 * The suffix of a recognizer's column through toMnistFormat alone: the preprocessing issue 11's point 1 compares with
 * the plain way, read as the plain column is (one 28x28, no layout into pieces, no number reader, no verdicts).
 */
export const FORMAT_ONLY = '-format';

/** One row: a family (or the held-out other writers' digits) and the accuracy per column. */
export interface FamilyRow {
  readonly name: string;
  readonly split: FamilySplit | 'other-writers';
  readonly count: number;
  /** Per column: `<recognizer>` (full pipeline), `<recognizer>-format` (toMnistFormat alone) and `<recognizer>-plain`. */
  readonly accuracy: Record<string, number>;
  /**
   * Per column but the plain ones (`<recognizer>`, `<recognizer>-format`): the pictures only it or only its plain
   * column reads right (the same pictures, so they pair).
   */
  readonly paired?: Record<string, PairedMisses>;
}

/** Of the same pictures, how many the full pipeline alone reads right and how many the plain preprocessing alone does. */
export interface PairedMisses {
  readonly pipelineOnly: number;
  readonly plainOnly: number;
}

/**
 * The pipeline's accuracy minus the plain preprocessing's on the same `count` pictures, in points, and McNemar's exact
 * two-sided p: only the pictures one side alone reads right tell the two apart, and were the two equally good each of
 * those would fall to either side as a fair coin does. A gap of a few pictures in 500 is within chance;
 * `losesBeyondChance` is a loss with p under 0.05.
 */
export function pairedDifference({ pipelineOnly, plainOnly }: PairedMisses, count: number): { points: number; p: number; losesBeyondChance: boolean } {
  const points = (100 * (pipelineOnly - plainOnly)) / count;
  const p = Math.min(1, 2 * binomialAtMost(Math.min(pipelineOnly, plainOnly), pipelineOnly + plainOnly, 0.5));
  return { points, p, losesBeyondChance: points < 0 && p < 0.05 };
}

/**
 * Accuracy of each recognizer on the pictures through `recognize`, through toMnistFormat -> recognizeMnistBatch and
 * through plainMnist -> recognizeMnistBatch, with the pictures only the first two or only the plain way reads right.
 */
export function scorePictures(
  recognizers: Record<string, Recognizer>,
  pictures: readonly Raster[],
  labels: Uint8Array,
): { accuracy: Record<string, number>; paired: Record<string, PairedMisses> } {
  const [formatted, plain] = [new Uint8Array(pictures.length * 784), new Uint8Array(pictures.length * 784)];
  pictures.forEach((p, i) => {
    const mnist = toMnistFormat(p);
    if (!mnist.empty) formatted.set(mnist.pixels, i * 784);
    const image = plainMnist(p);
    if (image) plain.set(image, i * 784);
  });
  const accuracy: Record<string, number> = {};
  const paired: Record<string, PairedMisses> = {};
  for (const [name, recognizer] of Object.entries(recognizers)) {
    const byPlain = rightOnes(recognizer.recognizeMnistBatch(plain), labels);
    const columns = { [name]: rightOnes(pictures.map((p) => recognizer.recognize(p)), labels), [`${name}${FORMAT_ONLY}`]: rightOnes(recognizer.recognizeMnistBatch(formatted), labels) };
    for (const [column, right] of Object.entries(columns)) {
      accuracy[column] = shareTrue(right);
      paired[column] = { pipelineOnly: right.filter((r, i) => r && !byPlain[i]).length, plainOnly: byPlain.filter((r, i) => r && !right[i]).length };
    }
    accuracy[`${name}${PLAIN}`] = shareTrue(byPlain);
  }
  return { accuracy, paired };
}

/** Scores every family (`count` pictures each from the test set) and calls `onRow` as each is done. */
export function runFamilyBench(
  recognizers: Record<string, Recognizer>,
  test: ImageSet,
  options: { count: number; seed?: number; families?: readonly Family[]; onRow?: (row: FamilyRow) => void },
): FamilyRow[] {
  return (options.families ?? FAMILIES).map((family) => {
    const set = corruptFamily(family, test, options.count, options.seed ?? 1);
    const row = { name: family.name, split: family.split, count: options.count, ...scorePictures(recognizers, set.pictures, set.labels) };
    options.onRow?.(row);
    return row;
  });
}

/** The table: a row per family, then mean and min over the families (all, tune half, held-out half), then extra rows. */
export function formatFamilyTable(rows: readonly FamilyRow[], extra: readonly FamilyRow[] = []): string {
  if (rows.length === 0) return '(no rows)';
  const columns = Object.keys(rows[0]!.accuracy);
  const nameWidth = Math.max(14, ...[...rows, ...extra].map((r) => r.name.length));
  const cell = (v: number | undefined) => (v === undefined ? '' : `${(v * 100).toFixed(1)}%`).padStart(Math.max(...columns.map((c) => c.length), 7));
  const line = (name: string, split: string, count: string, values: (number | undefined)[]) =>
    `${name.padEnd(nameWidth)}  ${split.padEnd(13)}  ${count.padStart(5)}  ${values.map(cell).join('  ')}`;
  const header = line('family', 'split', 'n', []) + columns.map((c) => `  ${c.padStart(Math.max(...columns.map((k) => k.length), 7))}`).join('');
  const rule = '-'.repeat(header.length);
  const summary = (label: string, of: readonly FamilyRow[], f: (values: number[]) => number) =>
    line(label, '', '', columns.map((c) => (of.length ? f(of.map((r) => r.accuracy[c]!)) : undefined)));
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const min = (v: number[]) => Math.min(...v);
  const tune = rows.filter((r) => r.split === 'tune');
  const held = rows.filter((r) => r.split === 'held-out');
  return [
    header,
    rule,
    ...rows.map((r) => line(r.name, r.split, String(r.count), columns.map((c) => r.accuracy[c]))),
    rule,
    summary('mean', rows, mean),
    summary('min', rows, min),
    summary('mean tune', tune, mean),
    summary('min tune', tune, min),
    summary('mean held-out', held, mean),
    summary('min held-out', held, min),
    ...(extra.length ? [rule, ...extra.map((r) => line(r.name, r.split, String(r.count), columns.map((c) => r.accuracy[c])))] : []),
  ].join('\n');
}

/** The share of `results` that are the digit `labels` says, read as one digit. */
export function rightFraction(results: readonly Recognition[], labels: Uint8Array): number {
  return shareTrue(rightOnes(results, labels));
}

/** The share of `flags` that are true. */
function shareTrue(flags: readonly boolean[]): number {
  return flags.filter(Boolean).length / flags.length;
}

/** Per result, whether it is the digit `labels` says, read as one digit. */
function rightOnes(results: readonly Recognition[], labels: Uint8Array): boolean[] {
  return results.map((r, i) => r.verdict === 'digit' && r.label === labels[i]);
}

/**
 * Per row with paired counts, each paired column (a recognizer's full pipeline, and toMnistFormat alone) minus its
 * plain column, in points, with McNemar's p; a `*` marks a loss beyond chance, `**` one that stays beyond chance with
 * every comparison of the table counted (Holm's correction: with 92 tests, a few single stars come by luck alone). The
 * preprocessing should never lose to the plain way: this says which gaps are more than a few pictures' luck, and the
 * two columns apart say which part of a loss is toMnistFormat's and which the layout's and verdicts'.
 */
export function formatPairedTable(rows: readonly FamilyRow[]): string {
  const withPairs = rows.filter((r) => r.paired);
  if (withPairs.length === 0) return '';
  const names = Object.keys(withPairs[0]!.paired!);
  const nameWidth = Math.max(14, ...withPairs.map((r) => r.name.length));
  const differences = withPairs.map((r) => names.map((n) => pairedDifference(r.paired![n]!, r.count)));
  const corrected = holmPasses(differences.flat().map((d) => d.p));
  const cell = (d: ReturnType<typeof pairedDifference>, index: number) => {
    const mark = d.losesBeyondChance ? (corrected[index] ? ' **' : ' * ') : '   ';
    return `${d.points >= 0 ? '+' : ''}${d.points.toFixed(1)} (p ${formatP(d.p)})${mark}`.padStart(21);
  };
  return [
    `${'column - plain'.padEnd(nameWidth)}  ${names.map((n) => `${n}, points (p)`.padStart(21)).join('  ')}`,
    ...withPairs.map((r, row) => `${r.name.padEnd(nameWidth)}  ${differences[row]!.map((d, k) => cell(d, row * names.length + k)).join('  ')}`),
    "(same pictures, McNemar's exact test; * the pipeline reads fewer than the plain preprocessing beyond chance, p < 0.05;",
    ` ** still beyond chance with all ${corrected.length} comparisons counted, Holm's correction)`,
  ].join('\n');
}
