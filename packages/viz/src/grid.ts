// Grids of digits with their labels drawn in: the sample sheet and the misclassified gallery.
import { DigitkitError, type Evaluation, type ImageSet } from '@digitkit/core';
import { drawText, GLYPH_ADVANCE, textHeight, textWidth } from './font.js';
import { createRaster, drawGray, pngDataUri, strokeRectOutside, type RasterImage, type Rgb } from './raster.js';
import { escapeXml } from './svg.js';
import { checkImageSet, checkIndex } from './validate.js';

export interface DigitGridOptions {
  /** Exactly these images (indices into the set), in this order. */
  indices?: number[];
  /** The first N images of the set. Default 100 when neither `indices` nor `perClass` is given. */
  first?: number;
  /** N images of every class, one row per class (the first N of each label in the set). */
  perClass?: number;
  /** Cells per row. Default 10 (or `perClass`). */
  columns?: number;
  /** Each source pixel becomes a `scale x scale` square. Integer 1-16, default 2. */
  scale?: number;
  /** A predicted label for every image of the set (e.g. `Evaluation.predicted`): drawn beside the true label, red where wrong. */
  predicted?: ArrayLike<number>;
  /** A heading drawn above the grid. */
  title?: string;
}

/** Where one image sits in a grid picture: its top-left pixel and size (the label strip is below it). */
export interface GridCell {
  /** Index of the image in the ImageSet. */
  readonly index: number;
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly label: number;
  readonly predicted?: number;
}

/** A grid picture plus where every image landed in it (for tests, tooltips and click maps). */
export interface GridImage extends RasterImage {
  readonly cells: readonly GridCell[];
}

const INK: Rgb = [34, 34, 34];
const MUTED: Rgb = [110, 110, 110];
const RIGHT: Rgb = [26, 127, 55];
const WRONG: Rgb = [207, 34, 46];
const BACKGROUND: Rgb = [255, 255, 255];

export function colorCss([r, g, b]: Rgb): string {
  return `rgb(${r},${g},${b})`;
}

/** Sizes derived from the scale: one place, so the PNG and SVG grids agree. */
interface GridGeometry {
  scale: number;
  fontScale: number;
  gap: number;
  margin: number;
  labelHeight: number;
  cellWidth: number;
  cellHeight: number;
  columns: number;
  rows: number;
  top: number;
  width: number;
  height: number;
  headerLines: HeaderLine[];
}

type HeaderLine = { segments: [string, Rgb][]; y: number };

function chooseIndices(set: ImageSet, options: DigitGridOptions, caller: string): number[] {
  const { indices, first, perClass } = options;
  const given = [indices !== undefined, first !== undefined, perClass !== undefined].filter(Boolean).length;
  if (given > 1) {
    throw new DigitkitError('INVALID_ARGUMENT', `${caller}: pass only one of indices, first and perClass.`);
  }
  if (indices !== undefined) {
    if (!Array.isArray(indices)) throw new DigitkitError('INVALID_ARGUMENT', `${caller}: indices must be an array of image indices.`);
    indices.forEach((index, i) => checkIndex(index, set.count, caller, `indices[${i}] =`));
    return indices;
  }
  if (perClass !== undefined) {
    if (!Number.isInteger(perClass) || perClass < 1) {
      throw new DigitkitError('INVALID_ARGUMENT', `${caller}: perClass must be a positive integer, got ${perClass}.`);
    }
    const chosen: number[] = [];
    for (let label = 0; label < set.numClasses; label++) {
      let found = 0;
      for (let i = 0; i < set.count && found < perClass; i++) {
        if (set.labels[i] === label) {
          chosen.push(i);
          found++;
        }
      }
    }
    return chosen;
  }
  const n = first ?? 100;
  if (!Number.isInteger(n) || n < 1) throw new DigitkitError('INVALID_ARGUMENT', `${caller}: first must be a positive integer, got ${n}.`);
  return Array.from({ length: Math.min(n, set.count) }, (_, i) => i);
}

function checkScale(scale: number, caller: string): void {
  if (!Number.isInteger(scale) || scale < 1 || scale > 16) {
    throw new DigitkitError('INVALID_ARGUMENT', `${caller}: scale must be an integer from 1 to 16, got ${scale}.`);
  }
}

function layout(
  set: ImageSet,
  count: number,
  options: { columns: number; scale: number; title?: string; legend: boolean },
): GridGeometry {
  const { scale, columns } = options;
  const fontScale = Math.min(3, scale);
  const gap = 4 + 3 * scale;
  const margin = gap + 4;
  const labelHeight = textHeight(fontScale) + 2 * (fontScale + 1);
  const cellWidth = set.width * scale;
  const cellHeight = set.height * scale;
  const rows = Math.max(1, Math.ceil(count / columns));
  const headerLines: HeaderLine[] = [];
  let top = margin;
  if (options.title) {
    headerLines.push({ segments: [[options.title, INK]], y: top });
    top += textHeight(fontScale) + gap;
  }
  if (options.legend) {
    headerLines.push({
      segments: [
        ['LEFT: TRUE LABEL   RIGHT: PREDICTED, ', MUTED],
        ['RED', WRONG],
        [' IF WRONG', MUTED],
      ],
      y: top,
    });
    top += textHeight(fontScale) + gap;
  }
  const gridWidth = columns * cellWidth + (columns - 1) * gap;
  const headerWidth = Math.max(0, ...headerLines.map((line) => textWidth(line.segments.map(([t]) => t).join(''), fontScale)));
  const width = 2 * margin + Math.max(gridWidth, headerWidth);
  const height = top + rows * (cellHeight + labelHeight) + (rows - 1) * gap + margin;
  return { scale, fontScale, gap, margin, labelHeight, cellWidth, cellHeight, columns, rows, top, width, height, headerLines };
}

function checkPredicted(predicted: ArrayLike<number> | undefined, set: ImageSet, caller: string): void {
  if (predicted === undefined) return;
  if (typeof predicted?.length !== 'number' || predicted.length !== set.count) {
    throw new DigitkitError(
      'INVALID_ARGUMENT',
      `${caller}: predicted must hold one label per image of the set (${set.count}), got ${predicted?.length ?? 'none'}. Pass Evaluation.predicted for the same set.`,
    );
  }
}

interface PlacedGrid {
  geometry: GridGeometry;
  cells: GridCell[];
}

function placeCells(set: ImageSet, options: DigitGridOptions, caller: string): PlacedGrid {
  checkImageSet(set, caller);
  const scale = options.scale ?? 2;
  checkScale(scale, caller);
  checkPredicted(options.predicted, set, caller);
  const indices = chooseIndices(set, options, caller);
  const columns = options.columns ?? (options.perClass !== undefined ? options.perClass : Math.min(10, Math.max(1, indices.length)));
  if (!Number.isInteger(columns) || columns < 1) {
    throw new DigitkitError('INVALID_ARGUMENT', `${caller}: columns must be a positive integer, got ${columns}.`);
  }
  const geometry = layout(set, indices.length, {
    columns,
    scale,
    ...(options.title !== undefined && { title: options.title }),
    legend: options.predicted !== undefined,
  });
  const { margin, gap, cellWidth, cellHeight, labelHeight, top } = geometry;
  const cells = indices.map((index, k): GridCell => {
    const col = k % columns;
    const row = Math.floor(k / columns);
    const cell = {
      index,
      x: margin + col * (cellWidth + gap),
      y: top + row * (cellHeight + labelHeight + gap),
      width: cellWidth,
      height: cellHeight,
      label: set.labels[index]!,
    };
    return options.predicted === undefined ? cell : { ...cell, predicted: Number(options.predicted[index]) };
  });
  return { geometry, cells };
}

/** The strings and colours drawn under one cell. */
function cellLabels(cell: GridCell): { left: [string, Rgb]; right?: [string, Rgb] } {
  if (cell.predicted === undefined) return { left: [String(cell.label), INK] };
  return { left: [String(cell.label), INK], right: [String(cell.predicted), cell.predicted === cell.label ? RIGHT : WRONG] };
}

function drawImages(set: ImageSet, { geometry, cells }: PlacedGrid, withText: boolean): RasterImage {
  const image = createRaster(geometry.width, geometry.height, BACKGROUND);
  const { fontScale, margin } = geometry;
  if (withText) {
    for (const line of geometry.headerLines) {
      let x = margin;
      for (const [text, color] of line.segments) {
        drawText(image, text, x, line.y, color, fontScale);
        x += text.length * GLYPH_ADVANCE * fontScale;
      }
    }
  }
  const pixelsPerImage = set.width * set.height;
  for (const cell of cells) {
    drawGray(image, set.images, cell.index * pixelsPerImage, set.width, set.height, cell.x, cell.y, geometry.scale);
    if (cell.predicted !== undefined && cell.predicted !== cell.label) {
      strokeRectOutside(image, cell.x, cell.y, cell.width, cell.height, geometry.scale <= 2 ? 1 : 2, WRONG);
    }
    if (!withText) continue;
    const { left, right } = cellLabels(cell);
    const textY = cell.y + cell.height + fontScale + 1;
    if (right) {
      drawText(image, left[0], cell.x + fontScale, textY, left[1], fontScale);
      drawText(image, right[0], cell.x + cell.width - fontScale - textWidth(right[0], fontScale), textY, right[1], fontScale);
    } else {
      drawText(image, left[0], cell.x + Math.floor((cell.width - textWidth(left[0], fontScale)) / 2), textY, left[1], fontScale);
    }
  }
  return image;
}

/**
 * A grid of digits with their labels drawn under each one (true label; with `predicted`, the
 * predicted label beside it, red where wrong). Digits are shown as stored: ink bright on black.
 */
export function digitGrid(set: ImageSet, options: DigitGridOptions = {}): GridImage {
  const placed = placeCells(set, options, 'digitGrid');
  return { ...drawImages(set, placed, true), cells: placed.cells };
}

/**
 * The same grid as SVG: the digits as one embedded PNG, the labels as real text (sharp at any
 * zoom, selectable, searchable).
 */
export function digitGridSvg(set: ImageSet, options: DigitGridOptions = {}): string {
  const placed = placeCells(set, options, 'digitGridSvg');
  const { geometry, cells } = placed;
  const raster = drawImages(set, placed, false);
  const fontSize = Math.max(10, Math.round(geometry.fontScale * 7 * 1.3));
  const text: string[] = [];
  for (const line of geometry.headerLines) {
    const spans = line.segments.map(([t, color]) => `<tspan fill="${colorCss(color)}">${escapeXml(t)}</tspan>`).join('');
    text.push(`<text x="${geometry.margin}" y="${line.y + fontSize * 0.8}" xml:space="preserve">${spans}</text>`);
  }
  for (const cell of cells) {
    const { left, right } = cellLabels(cell);
    const y = cell.y + cell.height + geometry.labelHeight / 2 + fontSize * 0.35;
    if (right) {
      text.push(`<text x="${cell.x + 1}" y="${y}" fill="${colorCss(left[1])}">${left[0]}</text>`);
      text.push(`<text x="${cell.x + cell.width - 1}" y="${y}" text-anchor="end" fill="${colorCss(right[1])}" font-weight="bold">${right[0]}</text>`);
    } else {
      text.push(`<text x="${cell.x + cell.width / 2}" y="${y}" text-anchor="middle" fill="${colorCss(left[1])}">${left[0]}</text>`);
    }
  }
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${raster.width}" height="${raster.height}" viewBox="0 0 ${raster.width} ${raster.height}" ` +
    `font-family="ui-monospace, SFMono-Regular, Menlo, Consolas, monospace" font-size="${fontSize}">` +
    `<image width="${raster.width}" height="${raster.height}" style="image-rendering:pixelated" href="${pngDataUri(raster)}"/>` +
    text.join('') +
    `</svg>`
  );
}

export interface MisclassifiedGalleryOptions {
  /** Show at most this many (the first ones). Default 60. */
  limit?: number;
  columns?: number;
  scale?: number;
  /** Heading; default "Misclassified: N of M test images". Pass '' for none. */
  title?: string;
}

/** The digits a model got wrong, each with its true and predicted label. */
export function misclassifiedGallery(
  set: ImageSet,
  evaluation: Pick<Evaluation, 'misclassified' | 'predicted'>,
  options: MisclassifiedGalleryOptions = {},
): GridImage {
  const caller = 'misclassifiedGallery';
  checkImageSet(set, caller);
  const misclassified = evaluation?.misclassified;
  if (!Array.isArray(misclassified)) {
    throw new DigitkitError('INVALID_ARGUMENT', `${caller} needs evaluation.misclassified (an array of image indices).`);
  }
  const limit = options.limit ?? 60;
  if (!Number.isInteger(limit) || limit < 1) throw new DigitkitError('INVALID_ARGUMENT', `${caller}: limit must be a positive integer, got ${limit}.`);
  const shown = misclassified.slice(0, limit);
  const total = misclassified.length;
  const title =
    options.title ??
    (total === 0
      ? 'No misclassified images'
      : `Misclassified: ${total} of ${set.count} images${shown.length < total ? ` (first ${shown.length} shown)` : ''}`);
  if (shown.length === 0) {
    // Nothing to show still gives a picture that says so, so reports never hold a broken image.
    const scale = options.scale ?? 2;
    checkScale(scale, caller);
    const fontScale = Math.min(3, scale);
    const message = title || 'No misclassified images';
    const image = createRaster(textWidth(message, fontScale) + 24, textHeight(fontScale) + 24, BACKGROUND);
    drawText(image, message, 12, 12, MUTED, fontScale);
    return { ...image, cells: [] };
  }
  return digitGrid(set, {
    indices: shown,
    predicted: evaluation.predicted,
    ...(options.columns !== undefined && { columns: options.columns }),
    ...(options.scale !== undefined && { scale: options.scale }),
    ...(title !== '' && { title }),
  });
}
