// One image with what the model thinks of it: predicted label, true label, and every class probability.
import { DigitkitError, type Prediction } from '@digitkit/core';
import { escapeXml, formatPercent } from './svg.js';
import { checkGrayImage, checkPrediction } from './validate.js';

export interface PredictionCardOptions {
  /** The right answer, if known: the card then says whether the model got it. */
  trueLabel?: number;
  /** Size of the image. Default 28x28. */
  width?: number;
  height?: number;
  /** Names of the classes, default "0".."9". */
  classNames?: readonly string[];
}

const FONT = `system-ui, -apple-system, 'Segoe UI', Roboto, 'Helvetica Neue', Arial, sans-serif`;
const COLORS = { right: '#1a7f37', wrong: '#cf222e', neutral: '#0969da', bar: '#afb8c1', track: '#eef1f4', ink: '#1f2328', muted: '#656d76' };

/** The pixels as SVG rects on a black square: one rect per horizontal run of equal gray, skipping background. */
function pixelRects(image: Uint8Array, width: number, height: number, x: number, y: number, size: number): string {
  const cell = size / Math.max(width, height);
  const parts = [`<rect x="${x}" y="${y}" width="${width * cell}" height="${height * cell}" fill="#000"/>`];
  for (let row = 0; row < height; row++) {
    let col = 0;
    while (col < width) {
      const v = image[row * width + col]!;
      let end = col + 1;
      while (end < width && image[row * width + end] === v) end++;
      if (v > 0) {
        parts.push(
          `<rect x="${+(x + col * cell).toFixed(2)}" y="${+(y + row * cell).toFixed(2)}" width="${+((end - col) * cell).toFixed(2)}" height="${+cell.toFixed(2)}" fill="rgb(${v},${v},${v})"/>`,
        );
      }
      col = end;
    }
  }
  // crispEdges stops anti-aliasing seams between neighbouring pixel rects.
  return `<g shape-rendering="crispEdges">${parts.join('')}</g>`;
}

/**
 * An SVG card for one image: the digit, the predicted label and its probability, the true label
 * (if given, green when right and red when wrong) and the probability of every class as a bar.
 */
export function predictionCard(image: Uint8Array, prediction: Prediction, options: PredictionCardOptions = {}): string {
  const caller = 'predictionCard';
  const imageWidth = options.width ?? 28;
  const imageHeight = options.height ?? 28;
  checkGrayImage(image, imageWidth, imageHeight, caller);
  checkPrediction(prediction, caller);
  const probabilities = prediction.probabilities;
  const classes = probabilities.length;
  const names = options.classNames ?? Array.from({ length: classes }, (_, i) => String(i));
  if (names.length !== classes) {
    throw new DigitkitError('INVALID_ARGUMENT', `${caller}: ${names.length} class names for ${classes} probabilities.`);
  }
  const { trueLabel } = options;
  if (trueLabel !== undefined && (!Number.isInteger(trueLabel) || trueLabel < 0 || trueLabel >= classes)) {
    throw new DigitkitError('INVALID_ARGUMENT', `${caller}: trueLabel must be an integer in 0..${classes - 1}, got ${trueLabel}.`);
  }
  const predicted = prediction.label;
  const verdict = trueLabel === undefined ? 'neutral' : trueLabel === predicted ? 'right' : 'wrong';
  const accent = COLORS[verdict];

  const pad = 16;
  const imageSize = 168;
  const top = 52;
  const rowHeight = Math.max(14, Math.min(22, imageSize / classes));
  const barsHeight = rowHeight * classes;
  const height = top + Math.max(imageSize, barsHeight) + pad;
  const width = 480;
  const labelX = pad + imageSize + 24;
  const barX = labelX + 18;
  const valueX = width - pad;
  const barWidth = valueX - 52 - barX;
  const confidence = formatPercent(probabilities[predicted]!);
  const title =
    `Predicted ${names[predicted]} (${confidence})` +
    (trueLabel === undefined ? '' : `, true label ${names[trueLabel]}${verdict === 'right' ? ', correct' : ', wrong'}`);

  const rows = probabilities.map((p, i) => {
    const y = top + i * rowHeight;
    const midY = +(y + rowHeight / 2).toFixed(2);
    const isPredicted = i === predicted;
    const isTrue = i === trueLabel;
    const fill = isPredicted ? accent : isTrue ? COLORS.right : COLORS.bar;
    const weight = isPredicted || isTrue ? ' font-weight="700"' : '';
    const w = Math.max(p > 0 ? 1 : 0, p * barWidth);
    const barH = rowHeight - 6;
    return (
      `<text x="${labelX}" y="${midY}" dominant-baseline="central" fill="${COLORS.ink}"${weight}>${escapeXml(names[i]!)}</text>` +
      `<rect x="${barX}" y="${+(y + 3).toFixed(2)}" width="${barWidth}" height="${barH}" rx="2" fill="${COLORS.track}"/>` +
      `<rect x="${barX}" y="${+(y + 3).toFixed(2)}" width="${+w.toFixed(2)}" height="${barH}" rx="2" fill="${fill}"/>` +
      `<text x="${valueX}" y="${midY}" dominant-baseline="central" text-anchor="end" fill="${isPredicted ? COLORS.ink : COLORS.muted}"${weight} font-variant-numeric="tabular-nums">${formatPercent(p)}</text>`
    );
  });

  const verdictText =
    trueLabel === undefined
      ? ''
      : `<text x="${width - pad}" y="30" text-anchor="end" font-size="14" fill="${COLORS.muted}">true label <tspan font-weight="700" fill="${COLORS.ink}">${escapeXml(names[trueLabel]!)}</tspan>` +
        ` <tspan font-weight="700" fill="${accent}">${verdict === 'right' ? '✓ correct' : '✗ wrong'}</tspan></text>`;

  return (
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="${FONT}" font-size="12" role="img" aria-label="${escapeXml(title)}">` +
    `<title>${escapeXml(title)}</title>` +
    `<rect x="0.5" y="0.5" width="${width - 1}" height="${height - 1}" rx="8" fill="#fff" stroke="#d0d7de"/>` +
    `<text x="${pad}" y="30" font-size="14" fill="${COLORS.muted}">predicted <tspan font-size="20" font-weight="700" fill="${accent}">${escapeXml(names[predicted]!)}</tspan>` +
    ` <tspan fill="${COLORS.ink}">${confidence}</tspan></text>` +
    verdictText +
    pixelRects(image, imageWidth, imageHeight, pad, top, imageSize) +
    (verdict === 'wrong' ? `<rect x="${pad - 2}" y="${top - 2}" width="${imageSize + 4}" height="${imageSize + 4}" fill="none" stroke="${accent}" stroke-width="3"/>` : '') +
    rows.join('') +
    `</svg>`
  );
}
