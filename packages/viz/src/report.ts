// The one-file HTML report: every picture of a run inlined (PNG as data URIs, SVG as markup), no network needed.
import { DigitkitError, type Evaluation, type ImageSet, type Prediction, type RunMetrics } from '@digitkit/core';
import { predictionFile } from './artifacts.js';
import { predictionCard } from './card.js';
import { confusionMatrix, learningRateChart, trainingCurves } from './charts.js';
import { digitGrid, misclassifiedGallery, type DigitGridOptions, type GridImage } from './grid.js';
import { parseRunMetrics } from './metrics.js';
import { createRaster, drawGray, encodePng, toBase64 } from './raster.js';
import { escapeXml, formatCount, formatDuration, formatNumber, formatPercent, namespaceSvgIds } from './svg.js';
import { checkIndex } from './validate.js';

/** One prediction to show as a card: either an image of `test` by index, or an image of its own. */
export interface ReportPrediction {
  prediction: Prediction;
  /** Index into the report's `test` set (the image and true label are taken from there). */
  index?: number;
  /** A 28x28 grayscale image, when the image is not part of `test`. */
  image?: Uint8Array;
  trueLabel?: number;
}

export interface ReportInput {
  /** The run's metrics (metrics.json, e.g. via `parseRunMetrics`). */
  metrics: RunMetrics;
  /** The test images: enables the sample grid, prediction cards by index and the misclassified gallery. */
  test?: ImageSet;
  /** The full evaluation of `test` (with `predicted`); default `metrics.test`. */
  evaluation?: Evaluation;
  /** Heading of the report. Default "digitkit training report". */
  title?: string;
  /** Which test images to show in the sample grid; default 10 per class. `false` for none. */
  samples?: Omit<DigitGridOptions, 'predicted'> | false;
  /** Cards to show, e.g. a few test images with the model's answer. */
  predictions?: readonly ReportPrediction[];
  /** At most this many misclassified images in the gallery. Default 60. */
  misclassifiedLimit?: number;
  /** Time stamp printed in the report; default now. Pass one for byte-identical reports. */
  generatedAt?: Date | string;
  /** Names of the classes, used wherever a class is labelled (e.g. Fashion-MNIST's). Default "0".."9". */
  classNames?: readonly string[];
  /** The model's probability for its own answer, by test index: shown under each image of the misclassified gallery. */
  confidences?: ReadonlyMap<number, number>;
}

/** One image of the misclassified gallery: a test image the model got wrong, as its own small PNG. */
export interface MisclassifiedTile {
  /** 0-based index into the test set. */
  index: number;
  label: number;
  predicted: number;
  /** The probability the model gave its (wrong) answer, when known. */
  confidence?: number;
  png: Uint8Array;
  width: number;
  height: number;
}

/** Everything a report shows, rendered once and shared by buildReport() and writeReport(). */
export interface ReportParts {
  title: string;
  metrics: RunMetrics;
  evaluation?: Omit<Evaluation, 'predicted'>;
  generatedAt: string;
  classNames: readonly string[];
  curvesSvg: string;
  learningRateSvg: string;
  confusionSvg?: string;
  samples?: { image: GridImage; png: Uint8Array };
  misclassified?: { image: GridImage; png: Uint8Array; tiles: MisclassifiedTile[] };
  /** Each card with the file writeReport puts it in (relative to the report). */
  cards: { file: string; svg: string }[];
}

function checkEvaluation(evaluation: Evaluation, test: ImageSet | undefined): void {
  if (!test) return;
  if (evaluation.predicted && evaluation.predicted.length !== test.count) {
    throw new DigitkitError(
      'INVALID_ARGUMENT',
      `buildReport: evaluation.predicted has ${evaluation.predicted.length} labels but the test set has ${test.count} images; pass the evaluation of that same set.`,
    );
  }
}

function checkClassNames(names: readonly string[] | undefined, classes: number): readonly string[] {
  if (names === undefined) return Array.from({ length: classes }, (_, i) => String(i));
  if (!Array.isArray(names) || names.length !== classes || names.some((name) => typeof name !== 'string' || name.trim() === '')) {
    throw new DigitkitError(
      'INVALID_ARGUMENT',
      `buildReport: classNames must hold ${classes} non-empty names, one per class (e.g. ['0', '1', …]); got ${Array.isArray(names) ? `${names.length}` : typeof names}.`,
    );
  }
  return names;
}

function checkConfidences(confidences: ReadonlyMap<number, number> | undefined): void {
  if (confidences === undefined) return;
  if (!(confidences instanceof Map)) throw new DigitkitError('INVALID_ARGUMENT', 'buildReport: confidences must be a Map from test index to probability.');
  for (const [index, p] of confidences) {
    if (!(typeof p === 'number' && p >= 0 && p <= 1)) {
      throw new DigitkitError('INVALID_ARGUMENT', `buildReport: confidences.get(${index}) is ${p}; a confidence is a probability from 0 to 1.`);
    }
  }
}

const TILE_SCALE = 2;

function misclassifiedTiles(test: ImageSet, evaluation: Evaluation, limit: number, confidences?: ReadonlyMap<number, number>): MisclassifiedTile[] {
  const size = test.width * test.height;
  return evaluation.misclassified.slice(0, limit).map((index) => {
    const raster = createRaster(test.width * TILE_SCALE, test.height * TILE_SCALE, [0, 0, 0]);
    drawGray(raster, test.images, index * size, test.width, test.height, 0, 0, TILE_SCALE);
    const confidence = confidences?.get(index);
    return {
      index,
      label: test.labels[index]!,
      predicted: evaluation.predicted[index]!,
      ...(confidence !== undefined && { confidence }),
      png: encodePng(raster),
      width: raster.width,
      height: raster.height,
    };
  });
}

function predictionCards(input: ReportInput, classNames: readonly string[]): { file: string; svg: string }[] {
  return (input.predictions ?? []).map((entry, i) => {
    let image = entry.image;
    let trueLabel = entry.trueLabel;
    if (entry.index !== undefined) {
      if (!input.test) throw new DigitkitError('INVALID_ARGUMENT', `buildReport: predictions[${i}] names test image ${entry.index} but no test set was given.`);
      checkIndex(entry.index, input.test.count, 'buildReport', `predictions[${i}].index`);
      const size = input.test.width * input.test.height;
      image = input.test.images.subarray(entry.index * size, (entry.index + 1) * size);
      trueLabel ??= input.test.labels[entry.index];
    }
    if (!image) throw new DigitkitError('INVALID_ARGUMENT', `buildReport: predictions[${i}] needs an image or an index into the test set.`);
    const size = input.test && entry.index !== undefined ? { width: input.test.width, height: input.test.height } : {};
    const svg = predictionCard(image, entry.prediction, {
      ...size,
      ...(trueLabel !== undefined && { trueLabel }),
      ...(entry.prediction?.probabilities?.length === classNames.length && { classNames }),
    });
    return { file: predictionFile({ position: i, ...(entry.index !== undefined && { index: entry.index }) }), svg };
  });
}

/** Renders every picture of a report (nothing is written anywhere). */
export async function renderReportParts(input: ReportInput): Promise<ReportParts> {
  if (input === null || typeof input !== 'object') throw new DigitkitError('INVALID_ARGUMENT', 'buildReport needs an input object with at least { metrics }.');
  const metrics = parseRunMetrics(input.metrics, 'report metrics');
  const { test } = input;
  if (input.evaluation) checkEvaluation(input.evaluation, test);
  const evaluation = input.evaluation ?? metrics.test;
  const predicted = input.evaluation?.predicted;
  const generated = input.generatedAt ?? new Date();
  const classNames = checkClassNames(input.classNames, evaluation?.confusion.length ?? test?.numClasses ?? 10);
  checkConfidences(input.confidences);
  const [curvesSvg, learningRateSvg, confusionSvg] = await Promise.all([
    trainingCurves(metrics.history),
    learningRateChart(metrics.history),
    evaluation ? confusionMatrix(evaluation.confusion, { classNames }) : Promise.resolve(undefined),
  ]);
  const parts: ReportParts = {
    title: input.title ?? 'digitkit training report',
    metrics,
    generatedAt: typeof generated === 'string' ? generated : generated.toISOString().replace('T', ' ').replace(/\.\d+Z$/, ' UTC'),
    classNames,
    curvesSvg,
    learningRateSvg,
    cards: predictionCards(input, classNames),
    ...(evaluation && { evaluation }),
    ...(confusionSvg && { confusionSvg }),
  };
  if (test && input.samples !== false) {
    const options = input.samples ?? { perClass: 10 };
    const image = digitGrid(test, { ...options, ...(predicted && { predicted }) });
    parts.samples = { image, png: encodePng(image) };
  }
  if (test && input.evaluation?.predicted) {
    const limit = input.misclassifiedLimit ?? 60;
    const image = misclassifiedGallery(test, input.evaluation, { limit, title: '' });
    parts.misclassified = { image, png: encodePng(image), tiles: misclassifiedTiles(test, input.evaluation, limit, input.confidences) };
  }
  return parts;
}

// ---------------------------------------------------------------------------------------------
// HTML

const CSS = `
:root { color-scheme: light; --ink: #1f2328; --muted: #656d76; --line: #d0d7de; --soft: #f6f8fa; --accent: #0969da; --good: #1a7f37; --bad: #cf222e; }
* { box-sizing: border-box; }
body { margin: 0; background: #fff; color: var(--ink); font: 15px/1.55 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1080px; margin: 0 auto; padding: 40px 24px 64px; }
@media (max-width: 600px) { main { padding: 20px 12px 40px; } header h1 { font-size: 22px; } h2 { margin-top: 32px; } }
header h1 { font-size: 28px; line-height: 1.2; margin: 0 0 6px; letter-spacing: -0.01em; }
header p { margin: 0; color: var(--muted); }
h2 { font-size: 20px; margin: 48px 0 6px; padding-bottom: 6px; border-bottom: 1px solid var(--line); }
section > p.note { color: var(--muted); margin: 4px 0 16px; }
.summary { display: grid; grid-template-columns: repeat(auto-fill, minmax(140px, 1fr)); gap: 12px; margin: 28px 0 0; padding: 0; }
.summary div { border: 1px solid var(--line); border-radius: 10px; padding: 12px 14px; background: var(--soft); }
.summary dt { font-size: 12px; text-transform: uppercase; letter-spacing: 0.06em; color: var(--muted); }
.summary dd { margin: 2px 0 0; font-size: 22px; font-weight: 650; font-variant-numeric: tabular-nums; }
.summary dd small { font-size: 13px; font-weight: 400; color: var(--muted); }
.summary div.headline { background: #ddf4ff; border-color: #80ccff; }
.summary div.headline dd { font-size: 28px; color: #0550ae; }
/* Wide figures and tables shrink to the screen (SVG and PNG scale) or scroll inside their own box, never the page. */
figure { margin: 16px 0; max-width: 100%; overflow-x: auto; }
figure svg, figure img { max-width: 100%; height: auto; display: block; }
.scroll { max-width: 100%; overflow-x: auto; }
img.pixels { image-rendering: pixelated; }
.row { display: flex; flex-wrap: wrap; gap: 32px; align-items: flex-start; }
.row > * { min-width: 0; max-width: 100%; }
.cards { display: flex; flex-wrap: wrap; gap: 16px; }
.cards svg { max-width: 100%; height: auto; }
.gallery { display: grid; grid-template-columns: repeat(auto-fill, minmax(92px, 1fr)); gap: 12px 8px; list-style: none; margin: 16px 0; padding: 0; }
.gallery figure { margin: 0; overflow: visible; }
.gallery img { width: 56px; height: 56px; margin: 0 auto; border: 2px solid var(--bad); border-radius: 3px; }
.gallery figcaption { font-size: 12px; line-height: 1.35; text-align: center; overflow-wrap: anywhere; font-variant-numeric: tabular-nums; }
.gallery .wrong { color: var(--bad); font-weight: 650; }
.gallery .meta { color: var(--muted); }
table { border-collapse: collapse; font-variant-numeric: tabular-nums; font-size: 14px; }
th, td { padding: 5px 12px; text-align: right; border-bottom: 1px solid #eaeef2; }
th { font-weight: 600; color: var(--muted); border-bottom: 1px solid var(--line); }
th:first-child, td:first-child { text-align: left; }
details { margin: 12px 0; }
summary { cursor: pointer; color: var(--accent); }
pre { background: var(--soft); border: 1px solid var(--line); border-radius: 8px; padding: 12px; overflow-x: auto; font-size: 13px; }
footer { margin-top: 56px; color: var(--muted); font-size: 13px; }
@media print { main { padding: 0; } h2 { break-after: avoid; } figure { break-inside: avoid; } }
`;

/** Inline SVG for HTML: drops the XML namespaces (HTML does not need them) and makes ids unique. */
function inlineSvg(svg: string, idPrefix: string): string {
  return namespaceSvgIds(svg, idPrefix).replace(/\s+xmlns(:xlink)?="[^"]*"/g, '');
}

function pngImg(png: Uint8Array, alt: string, width: number, height: number): string {
  return `<img class="pixels" src="data:image/png;base64,${toBase64(png)}" width="${width}" height="${height}" alt="${escapeXml(alt)}">`;
}

function summaryItems(parts: ReportParts): string {
  const { metrics, evaluation } = parts;
  const last = metrics.history[metrics.history.length - 1]!;
  const items: [name: string, value: string, headline?: boolean, note?: string][] = [];
  if (evaluation) items.push(['Test accuracy', formatPercent(evaluation.accuracy, 2), true]);
  else if (last.valAccuracy !== undefined) items.push(['Validation accuracy', formatPercent(last.valAccuracy, 2), true]);
  if (evaluation) {
    items.push(['Test loss', formatNumber(evaluation.loss, 4)]);
    items.push(['Test errors', formatCount(evaluation.misclassified.length), false, `of ${formatCount(evaluation.count)}`]);
  }
  items.push(['Epochs', formatCount(metrics.history.length)]);
  items.push(['Training time', formatDuration(metrics.seconds)]);
  items.push(['Backend', metrics.backend]);
  items.push(['Model', metrics.model.toUpperCase()]);
  items.push(['Train accuracy', formatPercent(last.accuracy, 2)]);
  return items
    .map(
      ([name, value, headline, note]) =>
        `<div${headline ? ' class="headline"' : ''}><dt>${escapeXml(name)}</dt><dd>${escapeXml(value)}${note ? ` <small>${escapeXml(note)}</small>` : ''}</dd></div>`,
    )
    .join('');
}

function epochTable(metrics: RunMetrics): string {
  const hasVal = metrics.history.some((e) => e.valLoss !== undefined || e.valAccuracy !== undefined);
  const head = ['epoch', 'loss', 'accuracy', ...(hasVal ? ['val loss', 'val accuracy'] : []), 'learning rate', 'seconds'];
  const rows = metrics.history.map((e) => {
    const cells = [
      String(e.epoch),
      formatNumber(e.loss, 4),
      formatPercent(e.accuracy, 2),
      ...(hasVal ? [e.valLoss === undefined ? '—' : formatNumber(e.valLoss, 4), e.valAccuracy === undefined ? '—' : formatPercent(e.valAccuracy, 2)] : []),
      e.learningRate.toPrecision(3),
      e.seconds.toFixed(1),
    ];
    return `<tr>${cells.map((c) => `<td>${escapeXml(c)}</td>`).join('')}</tr>`;
  });
  return `<div class="scroll"><table><thead><tr>${head.map((h) => `<th>${h}</th>`).join('')}</tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

function classTable(evaluation: Omit<Evaluation, 'predicted'>, classNames: readonly string[]): string {
  const rows = evaluation.confusion.map((row, label) => {
    const support = row.reduce((a, b) => a + b, 0);
    const precision = evaluation.precision[label];
    const recall = evaluation.recall[label];
    return (
      `<tr><td>${escapeXml(classNames[label] ?? String(label))}</td><td>${precision === undefined ? '—' : formatPercent(precision, 1)}</td>` +
      `<td>${recall === undefined ? '—' : formatPercent(recall, 1)}</td><td>${formatCount(support)}</td></tr>`
    );
  });
  return `<div class="scroll"><table><thead><tr><th>class</th><th>precision</th><th>recall</th><th>images</th></tr></thead><tbody>${rows.join('')}</tbody></table></div>`;
}

/** One gallery tile: the image, then "true → predicted", the confidence and the 0-based test index. */
function galleryTile(tile: MisclassifiedTile, classNames: readonly string[]): string {
  const name = (label: number) => escapeXml(classNames[label] ?? String(label));
  const confidence = tile.confidence === undefined ? '' : ` · ${formatPercent(tile.confidence, 1)}`;
  const alt = `Test image ${tile.index}: true ${classNames[tile.label] ?? tile.label}, predicted ${classNames[tile.predicted] ?? tile.predicted}`;
  return (
    `<li><figure>${pngImg(tile.png, alt, tile.width, tile.height)}` +
    `<figcaption>${name(tile.label)} → <span class="wrong">${name(tile.predicted)}</span><br>` +
    `<span class="meta">#${tile.index}${confidence}</span></figcaption></figure></li>`
  );
}

/** The labels drawn in PNG grids are class numbers; with names, say which number is which. */
function classKey(classNames: readonly string[]): string {
  if (classNames.every((name, i) => name === String(i))) return '';
  return ` Numbers in the picture are classes: ${classNames.map((name, i) => `${i} ${escapeXml(name)}`).join(', ')}.`;
}

/** The report page for already-rendered parts. */
export function reportHtml(parts: ReportParts): string {
  const { metrics, evaluation, classNames } = parts;
  const sections: string[] = [];
  sections.push(
    `<section><h2>Training</h2><p class="note">Loss and accuracy after every epoch, on the training data and on the held-out validation data.</p>` +
      `<figure>${inlineSvg(parts.curvesSvg, 'curves-')}</figure>` +
      `<figure>${inlineSvg(parts.learningRateSvg, 'learning-rate-')}</figure>` +
      `<details${metrics.history.length <= 12 ? ' open' : ''}><summary>Every epoch</summary>${epochTable(metrics)}</details></section>`,
  );
  if (evaluation && parts.confusionSvg) {
    sections.push(
      `<section><h2>Test results</h2><p class="note">${formatCount(evaluation.count)} test images. Rows are the true class, columns what the model answered; the diagonal is right, everything else is a mistake.</p>` +
        `<div class="row"><figure>${inlineSvg(parts.confusionSvg, 'confusion-')}</figure><div>${classTable(evaluation, classNames)}</div></div></section>`,
    );
  }
  if (parts.cards.length > 0) {
    sections.push(
      `<section><h2>Predictions</h2><p class="note">What the model answers for single images, with the probability it gives every class.</p>` +
        `<div class="cards">${parts.cards.map((card, i) => inlineSvg(card.svg, `card${i}-`)).join('')}</div></section>`,
    );
  }
  if (parts.samples) {
    const { image, png } = parts.samples;
    const hasPredictions = image.cells.some((c) => c.predicted !== undefined);
    sections.push(
      `<section><h2>Test samples</h2><p class="note">${formatCount(image.cells.length)} test images with their labels${hasPredictions ? ' (left) and the model’s answer (right, red when wrong)' : ''}.${classKey(classNames)}</p>` +
        `<figure>${pngImg(png, 'Sample test digits with labels', image.width, image.height)}</figure></section>`,
    );
  }
  if (parts.misclassified && evaluation) {
    const { tiles } = parts.misclassified;
    const total = evaluation.misclassified.length;
    const hasConfidence = tiles.some((t) => t.confidence !== undefined);
    const note =
      total === 0
        ? 'The model got every test image right.'
        : `${formatCount(total)} test images the model got wrong${tiles.length < total ? `; the first ${formatCount(tiles.length)} are shown` : ''}. ` +
          `Under each: true label → the model’s answer, then # and the image’s 0-based index in the test set${hasConfidence ? ' and the probability the model gave its answer' : ''}.`;
    sections.push(
      `<section><h2>Misclassified</h2><p class="note">${note}</p>` +
        (total === 0 ? '' : `<ul class="gallery">${tiles.map((tile) => galleryTile(tile, classNames)).join('')}</ul>`) +
        `</section>`,
    );
  }
  if (metrics.config && Object.keys(metrics.config).length > 0) {
    sections.push(
      `<section><h2>Configuration</h2><details><summary>Settings of this run</summary><pre>${escapeXml(JSON.stringify(metrics.config, null, 2))}</pre></details></section>`,
    );
  }
  const subtitle = `${metrics.model.toUpperCase()} on the ${metrics.backend} backend · ${formatCount(metrics.history.length)} epoch${metrics.history.length === 1 ? '' : 's'} · generated ${parts.generatedAt}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeXml(parts.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header><h1>${escapeXml(parts.title)}</h1><p>${escapeXml(subtitle)}</p>
<dl class="summary">${summaryItems(parts)}</dl></header>
${sections.join('\n')}
<footer>Made with @digitkit/viz. This file is self-contained: it works offline and can be mailed or archived as it is.</footer>
</main>
</body>
</html>
`;
}

/**
 * One self-contained HTML file with everything about a run: summary numbers, training curves,
 * confusion matrix, per-class precision/recall, prediction cards, sample and misclassified digits.
 */
export async function buildReport(input: ReportInput): Promise<string> {
  return reportHtml(await renderReportParts(input));
}
