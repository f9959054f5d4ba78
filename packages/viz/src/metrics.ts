// Reading and checking the metrics a training run writes (metrics.json), with errors that name the field.
import { BACKEND_NAMES, DigitkitError, type EpochMetrics, type RunMetrics } from '@digitkit/core';

function describe(value: unknown): string {
  if (value === undefined) return 'nothing (the field is missing)';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return `an array of ${value.length}`;
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : String(value);
}

class MetricsReader {
  constructor(
    private readonly source: string,
    private readonly hint = 'Re-run training to write a fresh metrics file, or fix that field.',
    private readonly code = 'BAD_METRICS',
  ) {}

  fail(field: string, expected: string, value: unknown): never {
    throw new DigitkitError(
      this.code,
      `${this.source}: field "${field}" must be ${expected}, got ${describe(value)}. ${this.hint}`,
    );
  }

  object(value: unknown, field: string): Record<string, unknown> {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) this.fail(field, 'an object', value);
    return value as Record<string, unknown>;
  }

  number(value: unknown, field: string, { min = -Infinity, max = Infinity } = {}): number {
    if (typeof value !== 'number' || !Number.isFinite(value)) this.fail(field, 'a finite number', value);
    if (value < min || value > max) this.fail(field, `a number in [${min}, ${max}]`, value);
    return value;
  }

  integer(value: unknown, field: string, min = 0): number {
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) this.fail(field, `an integer >= ${min}`, value);
    return value;
  }

  optionalNumber(value: unknown, field: string, range?: { min?: number; max?: number }): number | undefined {
    return value === undefined ? undefined : this.number(value, field, range);
  }

  numbers(value: unknown, field: string, range?: { min?: number; max?: number }): number[] {
    if (!Array.isArray(value)) this.fail(field, 'an array of numbers', value);
    return value.map((v, i) => this.number(v, `${field}[${i}]`, range));
  }

  name(value: unknown, field: string): string {
    if (typeof value !== 'string' || value.trim().length === 0) this.fail(field, 'a non-empty string', value);
    return value;
  }

  oneOf<T extends string>(value: unknown, field: string, allowed: readonly T[]): T {
    if (typeof value !== 'string' || !allowed.includes(value as T)) this.fail(field, `one of ${allowed.map((a) => `"${a}"`).join(', ')}`, value);
    return value as T;
  }

  epoch(value: unknown, field: string): EpochMetrics {
    const o = this.object(value, field);
    const valLoss = this.optionalNumber(o.valLoss, `${field}.valLoss`, { min: 0 });
    const valAccuracy = this.optionalNumber(o.valAccuracy, `${field}.valAccuracy`, { min: 0, max: 1 });
    return {
      epoch: this.integer(o.epoch, `${field}.epoch`, 1),
      loss: this.number(o.loss, `${field}.loss`, { min: 0 }),
      accuracy: this.number(o.accuracy, `${field}.accuracy`, { min: 0, max: 1 }),
      ...(valLoss !== undefined && { valLoss }),
      ...(valAccuracy !== undefined && { valAccuracy }),
      learningRate: this.number(o.learningRate, `${field}.learningRate`, { min: 0 }),
      seconds: this.number(o.seconds, `${field}.seconds`, { min: 0 }),
    };
  }

  history(value: unknown, field: string): EpochMetrics[] {
    if (!Array.isArray(value)) this.fail(field, 'an array of epochs', value);
    if (value.length === 0) this.fail(field, 'a non-empty array of epochs', value);
    return value.map((e, i) => this.epoch(e, `${field}[${i}]`));
  }

  confusion(value: unknown, field: string): number[][] {
    if (!Array.isArray(value) || value.length === 0) this.fail(field, 'a square array of arrays of counts', value);
    const n = value.length;
    return value.map((row, i) => {
      if (!Array.isArray(row) || row.length !== n) this.fail(`${field}[${i}]`, `an array of ${n} counts (the matrix is ${n}x${n})`, row);
      return row.map((c, j) => this.integer(c, `${field}[${i}][${j}]`, 0));
    });
  }

  test(value: unknown, field: string): NonNullable<RunMetrics['test']> {
    const o = this.object(value, field);
    const confusion = this.confusion(o.confusion, `${field}.confusion`);
    const misclassified = Array.isArray(o.misclassified)
      ? o.misclassified.map((v, i) => this.integer(v, `${field}.misclassified[${i}]`, 0))
      : this.fail(`${field}.misclassified`, 'an array of image indices', o.misclassified);
    return {
      count: this.integer(o.count, `${field}.count`, 0),
      loss: this.number(o.loss, `${field}.loss`, { min: 0 }),
      accuracy: this.number(o.accuracy, `${field}.accuracy`, { min: 0, max: 1 }),
      confusion,
      precision: this.numbers(o.precision, `${field}.precision`, { min: 0, max: 1 }),
      recall: this.numbers(o.recall, `${field}.recall`, { min: 0, max: 1 }),
      misclassified,
    };
  }

  runMetrics(value: unknown): RunMetrics {
    const o = this.object(value, '(top level)');
    const test = o.test === undefined ? undefined : this.test(o.test, 'test');
    const config = o.config === undefined ? undefined : this.object(o.config, 'config');
    return {
      // Any model kind: the kinds are @digitkit/model's table, and metrics of a newer or custom model still chart.
      model: this.name(o.model, 'model'),
      backend: this.oneOf(o.backend, 'backend', BACKEND_NAMES),
      history: this.history(o.history, 'history'),
      ...(test !== undefined && { test }),
      seconds: this.number(o.seconds, 'seconds', { min: 0 }),
      ...(config !== undefined && { config }),
    };
  }
}

/**
 * Checks a training run's metrics (the text of metrics.json, or the parsed value) and returns them
 * typed. Anything missing or malformed throws a DigitkitError naming `source` and the field.
 */
export function parseRunMetrics(json: string | unknown, source = 'metrics'): RunMetrics {
  let value = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch (error) {
      throw new DigitkitError(
        'BAD_METRICS',
        `${source} is not valid JSON (${(error as Error).message}). Expected the metrics.json a training run writes.`,
        { cause: error },
      );
    }
  }
  return new MetricsReader(source).runMetrics(value);
}

/** Checks a training history passed straight to a chart; `caller` names the function in errors. */
export function checkHistory(history: readonly EpochMetrics[], caller: string): EpochMetrics[] {
  return new MetricsReader(caller, 'Pass the history a training run reports (RunMetrics.history).', 'INVALID_ARGUMENT').history(history, 'history');
}

/** Checks a confusion matrix passed straight to a chart. */
export function checkConfusion(confusion: number[][], caller: string): number[][] {
  return new MetricsReader(caller, 'Pass confusion[trueLabel][predictedLabel] counts (Evaluation.confusion).', 'INVALID_ARGUMENT').confusion(confusion, 'confusion');
}
