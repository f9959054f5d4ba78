// Vega-Lite charts of a training run: the specs (usable in a browser with plain vega) and SVG renders.
import type { EpochMetrics } from '@digitkit/core';
import type { TopLevelSpec } from 'vega-lite';
import { DigitkitError } from '@digitkit/core';
import { checkConfusion, checkHistory } from './metrics.js';
import { formatCount, formatNumber, formatPercent } from './svg.js';

const FONT = `system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif`;
const SCHEMA = 'https://vega.github.io/schema/vega-lite/v6.json';
const SPLIT_COLORS = { training: '#0969da', validation: '#e36209' };
const SPLIT_DASHES = { training: [1, 0], validation: [6, 3] };

const BASE_CONFIG = {
  font: FONT,
  title: { fontSize: 15, subtitleFontSize: 12, subtitleColor: '#656d76', anchor: 'start', offset: 10 },
  axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, gridColor: '#eaeef2', domainColor: '#8c959f', tickColor: '#8c959f' },
  legend: { labelFontSize: 12, titleFontSize: 12, orient: 'top' },
  view: { stroke: '#d0d7de' },
} as const;

export interface TrainingCurvesOptions {
  /** Heading above both charts. Default "Training curves". */
  title?: string;
  /** Size of each of the two charts in pixels. Default 320x220. */
  width?: number;
  height?: number;
}

/** One row per point drawn: the long format Vega-Lite colours and dashes by `split`. */
interface CurvePoint {
  epoch: number;
  metric: 'loss' | 'accuracy';
  split: 'training' | 'validation';
  value: number;
}

/** The x axis of every per-epoch chart: whole epochs from 1, at least two so a single epoch still has an axis. */
function epochAxis(maxEpoch: number) {
  return {
    field: 'epoch',
    type: 'quantitative',
    title: 'epoch',
    scale: { domain: [Math.min(1, maxEpoch), Math.max(maxEpoch, 2)], nice: false },
    axis: { tickMinStep: 1, format: 'd' },
  } as const;
}

function lastValues(history: readonly EpochMetrics[], metric: 'loss' | 'accuracy', format: (v: number) => string): string {
  const last = history[history.length - 1]!;
  const validation = metric === 'loss' ? last.valLoss : last.valAccuracy;
  const parts = [`training ${format(last[metric])}`];
  if (validation !== undefined) parts.push(`validation ${format(validation)}`);
  return `after epoch ${last.epoch}: ${parts.join(' · ')}`;
}

/**
 * The Vega-Lite spec for the training curves: loss and accuracy per epoch, training and
 * validation. Render it anywhere with `vega` (compile with `vega-lite`), or use `trainingCurves()`.
 */
export function trainingCurvesSpec(history: readonly EpochMetrics[], options: TrainingCurvesOptions = {}): TopLevelSpec {
  const checked = checkHistory(history, 'trainingCurves');
  const width = options.width ?? 320;
  const height = options.height ?? 220;
  const values: CurvePoint[] = [];
  for (const e of checked) {
    values.push({ epoch: e.epoch, metric: 'loss', split: 'training', value: e.loss });
    if (e.valLoss !== undefined) values.push({ epoch: e.epoch, metric: 'loss', split: 'validation', value: e.valLoss });
    values.push({ epoch: e.epoch, metric: 'accuracy', split: 'training', value: e.accuracy });
    if (e.valAccuracy !== undefined) values.push({ epoch: e.epoch, metric: 'accuracy', split: 'validation', value: e.valAccuracy });
  }
  const splits = [...new Set(values.map((v) => v.split))];
  const maxEpoch = Math.max(...checked.map((e) => e.epoch));
  const panel = (metric: 'loss' | 'accuracy', title: string, subtitle: string, format: string) => ({
    title: { text: title, subtitle },
    width,
    height,
    transform: [{ filter: { field: 'metric', equal: metric } }],
    encoding: {
      x: epochAxis(maxEpoch),
      y: { field: 'value', type: 'quantitative', title: metric, scale: { zero: false }, axis: { format } },
      color: {
        field: 'split',
        type: 'nominal',
        title: null,
        scale: { domain: splits, range: splits.map((s) => SPLIT_COLORS[s]) },
      },
      strokeDash: { field: 'split', type: 'nominal', title: null, scale: { domain: splits, range: splits.map((s) => SPLIT_DASHES[s]) } },
      tooltip: [
        { field: 'epoch', type: 'quantitative' },
        { field: 'split', type: 'nominal' },
        { field: 'value', type: 'quantitative', title: metric, format: metric === 'accuracy' ? '.2%' : '.4f' },
      ],
    },
    layer: [{ mark: { type: 'line', strokeWidth: 2 } }, { mark: { type: 'point', filled: true, size: 40 } }],
  });
  return {
    $schema: SCHEMA,
    title: { text: options.title ?? 'Training curves', fontSize: 17 },
    data: { values },
    hconcat: [
      panel('loss', 'Loss', lastValues(checked, 'loss', (v) => formatNumber(v, 4)), '.3~f'),
      panel('accuracy', 'Accuracy', lastValues(checked, 'accuracy', (v) => formatPercent(v, 2)), '.1%'),
    ],
    spacing: 36,
    config: BASE_CONFIG,
  } as TopLevelSpec;
}

export interface ConfusionMatrixOptions {
  /** Heading. Default "Confusion matrix". */
  title?: string;
  /** Names of the classes, default "0".."9". */
  classNames?: readonly string[];
  /** Side of one cell in pixels. Default 38. */
  cellSize?: number;
}

/**
 * The Vega-Lite spec for a confusion matrix heat map: true label down, predicted label across,
 * counts written in the cells; correct answers in blue, mistakes in red so small errors stand out.
 */
export function confusionMatrixSpec(confusion: number[][], options: ConfusionMatrixOptions = {}): TopLevelSpec {
  const matrix = checkConfusion(confusion, 'confusionMatrix');
  const n = matrix.length;
  const names = options.classNames ?? Array.from({ length: n }, (_, i) => String(i));
  if (names.length !== n) {
    throw new DigitkitError('INVALID_ARGUMENT', `confusionMatrix: ${names.length} class names for a ${n}x${n} matrix.`);
  }
  const cellSize = options.cellSize ?? 38;
  let total = 0;
  let correct = 0;
  let maxCorrect = 0;
  let maxError = 0;
  matrix.forEach((row, t) =>
    row.forEach((count, p) => {
      total += count;
      if (t === p) {
        correct += count;
        maxCorrect = Math.max(maxCorrect, count);
      } else maxError = Math.max(maxError, count);
    }),
  );
  const values = matrix.flatMap((row, t) =>
    row.map((count, p) => {
      const kind = t === p ? 'correct' : 'error';
      const max = t === p ? maxCorrect : maxError;
      // Dark cells get white numbers; zero counts are shown faintly so the eye finds the errors.
      const textColor = count === 0 ? '#afb8c1' : count > 0.55 * max ? '#ffffff' : '#1f2328';
      return { true: names[t]!, predicted: names[p]!, count, kind, textColor };
    }),
  );
  const axisSort = [...names];
  const encoding = {
    x: { field: 'predicted', type: 'ordinal', sort: axisSort, title: 'predicted label', axis: { orient: 'top', labelAngle: 0, domain: false, ticks: false } },
    y: { field: 'true', type: 'ordinal', sort: axisSort, title: 'true label', axis: { domain: false, ticks: false } },
  };
  const subtitle = total > 0 ? `${formatCount(correct)} of ${formatCount(total)} correct (${formatPercent(correct / total, 2)})` : 'no examples';
  return {
    $schema: SCHEMA,
    title: { text: options.title ?? 'Confusion matrix', subtitle },
    width: n * cellSize,
    height: n * cellSize,
    data: { values },
    encoding,
    layer: [
      { mark: { type: 'rect', fill: '#f6f8fa', stroke: '#ffffff', strokeWidth: 1 } },
      {
        transform: [{ filter: "datum.kind === 'correct' && datum.count > 0" }],
        mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 },
        encoding: { color: { field: 'count', type: 'quantitative', scale: { scheme: 'blues', domain: [0, Math.max(1, maxCorrect)] }, legend: null } },
      },
      {
        transform: [{ filter: "datum.kind === 'error' && datum.count > 0" }],
        mark: { type: 'rect', stroke: '#ffffff', strokeWidth: 1 },
        encoding: {
          color: { field: 'count', type: 'quantitative', scale: { scheme: 'reds', domain: [0, Math.max(1, maxError)], type: 'sqrt' }, legend: null },
        },
      },
      {
        mark: { type: 'text', fontSize: cellSize >= 34 ? 11 : 9, font: FONT },
        encoding: {
          text: { field: 'count', type: 'quantitative', format: ',d' },
          color: { field: 'textColor', type: 'nominal', scale: null },
          tooltip: [
            { field: 'true', title: 'true label' },
            { field: 'predicted', title: 'predicted' },
            { field: 'count', type: 'quantitative', format: ',d' },
          ],
        },
      },
    ],
    resolve: { scale: { color: 'independent' } },
    config: { ...BASE_CONFIG, view: { stroke: null }, axis: { ...BASE_CONFIG.axis, grid: false, labelFontSize: 12 } },
  } as TopLevelSpec;
}

export interface LearningRateChartOptions {
  /** Heading. Default "Learning rate". */
  title?: string;
  /** Size of the chart in pixels. Default 320x180. */
  width?: number;
  height?: number;
}

/**
 * The Vega-Lite spec for the learning rate of every epoch (as metrics.json records it); the y axis
 * is logarithmic when the rate spans more than a factor of 10, so a decay to 1e-6 stays readable.
 */
export function learningRateChartSpec(history: readonly EpochMetrics[], options: LearningRateChartOptions = {}): TopLevelSpec {
  const checked = checkHistory(history, 'learningRateChart');
  const rates = checked.map((e) => e.learningRate);
  const low = Math.min(...rates);
  const high = Math.max(...rates);
  const logScale = low > 0 && high / low > 10;
  const maxEpoch = Math.max(...checked.map((e) => e.epoch));
  const first = checked[0]!;
  const last = checked[checked.length - 1]!;
  const subtitle =
    first.learningRate === last.learningRate
      ? `constant ${formatRate(first.learningRate)}`
      : `${formatRate(first.learningRate)} at epoch ${first.epoch} → ${formatRate(last.learningRate)} at epoch ${last.epoch}`;
  return {
    $schema: SCHEMA,
    title: { text: options.title ?? 'Learning rate', subtitle },
    width: options.width ?? 320,
    height: options.height ?? 180,
    data: { values: checked.map((e) => ({ epoch: e.epoch, rate: e.learningRate })) },
    encoding: {
      x: epochAxis(maxEpoch),
      y: {
        field: 'rate',
        type: 'quantitative',
        title: 'learning rate',
        scale: logScale ? { type: 'log' } : { zero: false },
        axis: { format: '.1~e' },
      },
      tooltip: [
        { field: 'epoch', type: 'quantitative' },
        { field: 'rate', type: 'quantitative', title: 'learning rate', format: '.3~e' },
      ],
    },
    layer: [
      { mark: { type: 'line', strokeWidth: 2, color: SPLIT_COLORS.training } },
      { mark: { type: 'point', filled: true, size: 40, color: SPLIT_COLORS.training } },
    ],
    config: BASE_CONFIG,
  } as TopLevelSpec;
}

/** A learning rate the way people write it: 0.001 -> "0.001", 0.0000125 -> "1.25e-5". */
function formatRate(rate: number): string {
  return rate !== 0 && Math.abs(rate) < 1e-3 ? rate.toExponential(2).replace(/\.?0+e/, 'e') : String(Number(rate.toPrecision(3)));
}

/** Compiles a Vega-Lite spec and renders it to an SVG string with vega's headless renderer (no canvas needed). */
export async function renderVegaLiteSvg(spec: TopLevelSpec): Promise<string> {
  // Imported on first use: pages that only draw digit grids never load vega, and CommonJS callers can still use the ESM-only packages.
  const [vega, vegaLite] = await Promise.all([import('vega'), import('vega-lite')]);
  const { spec: compiled } = vegaLite.compile(spec);
  const view = new vega.View(vega.parse(compiled), { renderer: 'none', logLevel: vega.Warn });
  try {
    return await view.toSVG();
  } finally {
    view.finalize();
  }
}

/** Loss and accuracy per epoch (training and validation) as an SVG string. */
export async function trainingCurves(history: readonly EpochMetrics[], options: TrainingCurvesOptions = {}): Promise<string> {
  return renderVegaLiteSvg(trainingCurvesSpec(history, options));
}

/** The learning rate of every epoch as an SVG string. */
export async function learningRateChart(history: readonly EpochMetrics[], options: LearningRateChartOptions = {}): Promise<string> {
  return renderVegaLiteSvg(learningRateChartSpec(history, options));
}

/** A confusion-matrix heat map with the counts in the cells, as an SVG string. */
export async function confusionMatrix(confusion: number[][], options: ConfusionMatrixOptions = {}): Promise<string> {
  return renderVegaLiteSvg(confusionMatrixSpec(confusion, options));
}
