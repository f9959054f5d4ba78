// Scores recognizers on the corruption families, each through its full pipeline (`recognize`) and, beside it, through
// the plain MNIST preprocessing (`plainMnist` -> `recognizeMnistBatch`).
import type { ImageSet } from '@digitkit/core';
import type { Recognition, Recognizer } from '@digitkit/recognizer';
import type { Raster } from '@digitkit/testkit';
import { corruptFamily, FAMILIES, type Family, type FamilySplit } from './families.js';
import { plainMnist } from './plain.js';

/** The suffix of a recognizer's column through the plain preprocessing. */
export const PLAIN = '-plain';

/** One row: a family (or the held-out other writers' digits) and the accuracy per column. */
export interface FamilyRow {
  readonly name: string;
  readonly split: FamilySplit | 'other-writers';
  readonly count: number;
  /** Per column: `<recognizer>` (full pipeline) and `<recognizer>-plain`. */
  readonly accuracy: Record<string, number>;
}

/** Accuracy of each recognizer on the pictures through `recognize`, and through plainMnist -> recognizeMnistBatch. */
export function scorePictures(recognizers: Record<string, Recognizer>, pictures: readonly Raster[], labels: Uint8Array): Record<string, number> {
  const plain = new Uint8Array(pictures.length * 784);
  pictures.forEach((p, i) => {
    const image = plainMnist(p);
    if (image) plain.set(image, i * 784);
  });
  const accuracy: Record<string, number> = {};
  for (const [name, recognizer] of Object.entries(recognizers)) {
    accuracy[name] = rightFraction(pictures.map((p) => recognizer.recognize(p)), labels);
    accuracy[`${name}${PLAIN}`] = rightFraction(recognizer.recognizeMnistBatch(plain), labels);
  }
  return accuracy;
}

/** Scores every family (`count` pictures each from the test set) and calls `onRow` as each is done. */
export function runFamilyBench(
  recognizers: Record<string, Recognizer>,
  test: ImageSet,
  options: { count: number; seed?: number; families?: readonly Family[]; onRow?: (row: FamilyRow) => void },
): FamilyRow[] {
  return (options.families ?? FAMILIES).map((family) => {
    const set = corruptFamily(family, test, options.count, options.seed ?? 1);
    const row = { name: family.name, split: family.split, count: options.count, accuracy: scorePictures(recognizers, set.pictures, set.labels) };
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
  let right = 0;
  results.forEach((r, i) => {
    if (r.verdict === 'digit' && r.label === labels[i]) right++;
  });
  return right / labels.length;
}
