// Every table and number the CLI prints to a terminal: one place, so commands only say what to show.
import type { Evaluation, Recipe } from '@digitkit/core';
import { AUGMENT_FAMILIES } from '@digitkit/preprocess';

export type Align = 'left' | 'right';

/** Whole numbers with thousands separators (60,000). */
export function count(n: number): string {
  return n.toLocaleString('en');
}

export function percent(value: number, digits = 2): string {
  return `${(value * 100).toFixed(digits)}%`;
}

/** Columns padded to their widest cell; `align` per column (default: first left, the rest right). */
export function table(header: readonly string[], rows: readonly (readonly string[])[], align: readonly Align[] = []): string {
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => (r[c] ?? '').length)));
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, c) => ((align[c] ?? (c === 0 ? 'left' : 'right')) === 'left' ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  return [line(header), ...rows.map(line)].join('\n');
}

/** `key  value` lines with the keys padded to one width, indented. */
export function keyValues(entries: readonly (readonly [string, string])[], indent = '  '): string {
  const width = Math.max(...entries.map(([key]) => key.length));
  return entries.map(([key, value]) => `${indent}${key.padEnd(width)}  ${value}`).join('\n');
}

/** Rows "true" class by class, columns "predicted" by class index (names would make it too wide); a legend when names are not the indices. */
export function confusionTable(confusion: readonly (readonly number[])[], classNames: readonly string[]): string {
  const n = confusion.length;
  const rowLabel = (c: number) => (classNames[c] === String(c) ? String(c) : `${c} ${classNames[c]}`);
  const header = ['true \\ predicted', ...Array.from({ length: n }, (_, c) => String(c))];
  const rows = confusion.map((row, c) => [rowLabel(c), ...row.map(String)]);
  return table(header, rows);
}

/** Per-class precision, recall, F1 and support, then macro and weighted averages and the accuracy (as scikit-learn's report). */
export function perClassTable(evaluation: Pick<Evaluation, 'confusion' | 'accuracy' | 'count'>, classNames: readonly string[]): string {
  const stats = perClassStats(evaluation.confusion);
  const fixed = (x: number) => x.toFixed(4);
  const rows = stats.map((s, c) => [classNames[c] ?? String(c), fixed(s.precision), fixed(s.recall), fixed(s.f1), count(s.support)]);
  const total = stats.reduce((sum, s) => sum + s.support, 0);
  const average = (key: 'precision' | 'recall' | 'f1', weighted: boolean) =>
    stats.reduce((sum, s) => sum + s[key] * (weighted ? s.support / total : 1 / stats.length), 0);
  const summary = (name: string, weighted: boolean) => [name, fixed(average('precision', weighted)), fixed(average('recall', weighted)), fixed(average('f1', weighted)), count(total)];
  return table(['class', 'precision', 'recall', 'f1', 'support'], [
    ...rows,
    ['', '', '', '', ''],
    ['accuracy', '', '', fixed(evaluation.accuracy), count(evaluation.count)],
    summary('macro avg', false),
    summary('weighted avg', true),
  ]);
}

export interface ClassStats {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

/** Precision, recall, F1 and support of each class from a confusion matrix (confusion[true][predicted]); 0 where undefined. */
export function perClassStats(confusion: readonly (readonly number[])[]): ClassStats[] {
  return confusion.map((row, c) => {
    const support = row.reduce((a, b) => a + b, 0);
    const predicted = confusion.reduce((sum, r) => sum + (r[c] ?? 0), 0);
    const right = row[c] ?? 0;
    const precision = predicted > 0 ? right / predicted : 0;
    const recall = support > 0 ? right / support : 0;
    const f1 = precision + recall > 0 ? (2 * precision * recall) / (precision + recall) : 0;
    return { precision, recall, f1, support };
  });
}

/** A learning rate as people write it: 2e-3, 1.19e-10. */
export function rate(lr: number): string {
  const [mantissa, exponent] = lr.toExponential(2).split('e') as [string, string];
  return `${mantissa.replace(/\.?0+$/, '')}e${exponent.replace('+', '')}`;
}

/** How a recipe's augmentation reads: "shifts ±2 px, rotations ±8°", or "off". */
export function describeAugment(augment: Recipe['augment']): string {
  if (augment === false) return 'off';
  const parts = [
    augment.maxShift ? `shifts ±${augment.maxShift} px` : '',
    augment.maxRotation ? `rotations ±${augment.maxRotation}°` : '',
    augment.scale ? `scale ±${Math.round(augment.scale * 100)}%` : '',
    augment.shear ? `shear ±${augment.shear}` : '',
    augment.elastic ? `elastic ${percentOfImages(augment.elastic)}` : '',
    // The appearance families, each applied to a share of the images.
    ...AUGMENT_FAMILIES.map((family) => (augment[family] ? `${family} ${percentOfImages(augment[family])}` : '')),
    augment.negatives ? `non-digits ${percentOfImages(augment.negatives)}` : '',
    augment.pairs ? `touching pairs ${percentOfImages(augment.pairs)}` : '',
  ].filter(Boolean);
  return parts.length > 0 ? parts.join(', ') : 'off';
}

function percentOfImages(probability: number): string {
  return `${Math.round(probability * 100)}%`;
}

/** One row per model: the recipe table `digitkit recipes` prints. */
export function recipeTable(recipes: readonly { model: string; recipe: Recipe }[]): string {
  return table(
    ['model', 'epochs', 'batch', 'optimizer', 'lr', 'schedule', 'weight decay', 'augment', 'seed'],
    recipes.map(({ model, recipe }) => [
      model,
      String(recipe.epochs),
      String(recipe.batchSize),
      recipe.optimizer,
      rate(recipe.learningRate),
      recipe.schedule,
      String(recipe.weightDecay),
      describeAugment(recipe.augment),
      String(recipe.seed),
    ]),
    ['left', 'right', 'right', 'left', 'right', 'left', 'right', 'left', 'right'],
  );
}

/** Seconds as Keras shows them: 3s, 1m 05s. */
export function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
}
