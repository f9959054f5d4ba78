import { DigitkitError } from '@digitkit/core';
import {
  boundingBox,
  centerOfMass,
  resampleArea,
  resampleBilinear,
  resampleMax,
  shrinkByFactor,
  strokeWidth,
  toGrayscale,
  type Box,
  type GrayImage,
  type RasterImage,
} from './image.js';
import { connectedComponents, dilateDisk, topHatInPlace } from './morphology.js';

/** Which way round ink and background are: `auto` decides from the image. */
export type Polarity = 'auto' | 'dark-on-light' | 'light-on-dark';

/** Options of {@link toMnistFormat}. */
export interface MnistFormatOptions {
  /** `dark-on-light` (pen on paper, black on a white or transparent canvas), `light-on-dark`, or `auto` (default). */
  polarity?: Polarity;
  /**
   * Fraction (0..1) of the ink's contrast over the background below which a pixel counts as background.
   * Default 0.1; raise it for photos with stains or shadows, lower it for faint pencil.
   */
  threshold?: number;
}

/** What {@link toMnistFormat} gives: a 28x28 MNIST-style digit, or why there is none. */
export type MnistFormatResult =
  | { empty: true; reason: string }
  | {
      empty: false;
      /** 784 bytes, row-major 28x28: 0 background, 255 ink, like MNIST. */
      pixels: Uint8Array;
      /** The ink's bounding box in the source image's pixels. */
      box: Box;
      /** True when the source had dark ink on a light background (so it was inverted). */
      inverted: boolean;
    };

const FRAME = 28;
/** MNIST fits each digit into 20x20 keeping its aspect ratio... */
const BOX_SIDE = 20;
/** ...then shifts it so its centre of mass is here (pixel-index coordinates; the MNIST test set averages 14.0). */
const CENTER = 14;
/** Larger images are box-shrunk by a whole factor first: 20x20 output needs no more, and it bounds the time. */
const MAX_WORKING_SIDE = 1024;
const DEFAULT_THRESHOLD = 0.1;
/** The box MNIST fits into 20x20 is that of the ink at or above this fraction of its contrast (the stroke edge,
 * not the faint anti-aliasing fringe around it). */
const BOX_LEVEL = 0.4;
/** Ink must differ from the background by at least this many gray levels (of 255), or the image is blank. */
const MIN_CONTRAST = 24;
/** ...and by this many times the background noise (a blank photo's grain has its own "marks"). */
const MIN_CONTRAST_SIGMAS = 8;
/** Above this noise level (gray levels) an image counts as grainy and is smoothed 3x3 before fitting. */
const GRAIN_SIGMA = 2;
/** Background noise: pixels within this many (robust) standard deviations of the background are background. */
const NOISE_SIGMAS = 4;
/** Ink pieces smaller than this fraction of the largest piece are specks (dust, noise), not part of the digit. */
const MIN_PIECE_FRACTION = 0.05;
/** In a photo, pieces touching the image edge are dropped when a piece clear of the edges is at least this large
 * relative to the largest edge piece (so a tightly framed digit that touches the edge is kept). */
const EDGE_PIECE_RATIO = 0.2;
/** Fewer ink pixels than max(MIN_INK_PIXELS, MIN_INK_FRACTION * image area) are stray marks, not a digit. */
const MIN_INK_PIXELS = 12;
const MIN_INK_FRACTION = 1e-4;
/**
 * Stroke width of the 20x20 fit, as 2 * area / perimeter of the pixels >= half the maximum (see strokeWidth). MNIST's
 * test set measures 1.32 at the 5th percentile, 1.46 at the 10th, 2.0 at the median: fits thinner than MIN are
 * thickened to about TARGET.
 */
const MIN_STROKE = 1.4;
const TARGET_STROKE = 2.0;
/**
 * Finger-thick strokes fill loops and blur shapes: fits thicker than all but 1% of MNIST (3.4 at the 99th percentile)
 * are thinned with a round eraser to MNIST's 90th percentile, THICK_TARGET.
 */
const MAX_STROKE = 3.4;
const THICK_TARGET = 2.6;
/** Thickening runs on an intermediate image this many times finer than the 20x20 box. */
const DILATION_DETAIL = 4;

/**
 * Turns a drawing or photo of one digit into a 28x28 MNIST-style image, the way MNIST itself was made
 * (LeCun et al.): grayscale, ink made bright, background removed, cropped to the ink, fitted into 20x20 with
 * anti-aliased area averaging (aspect ratio kept), and placed in 28x28 with its centre of mass at (14, 14).
 * Returns `{ empty: true, reason }` instead of a digit when there is no ink worth the name.
 */
export function toMnistFormat(image: RasterImage, options: MnistFormatOptions = {}): MnistFormatResult {
  const { polarity = 'auto', threshold = DEFAULT_THRESHOLD } = options;
  if (polarity !== 'auto' && polarity !== 'dark-on-light' && polarity !== 'light-on-dark') {
    throw new DigitkitError(
      'BAD_OPTION',
      `toMnistFormat: polarity must be 'auto', 'dark-on-light' or 'light-on-dark', got ${JSON.stringify(polarity)}`,
    );
  }
  if (!(threshold >= 0 && threshold < 1)) {
    throw new DigitkitError('BAD_OPTION', `toMnistFormat: threshold must be a fraction in [0, 1), got ${threshold}`);
  }
  const gray = toGrayscale(image);
  const factor = Math.ceil(Math.max(gray.width, gray.height) / MAX_WORKING_SIDE);
  const work = factor > 1 ? shrinkByFactor(gray, factor) : { ...gray, data: Float32Array.from(gray.data) };
  const { width, height } = work;

  // Background removal: ink is what an opening (a min then max filter much wider than any stroke) takes away.
  // It follows smooth shading and uneven light, so photos of paper work as well as flat canvases.
  const radius = Math.max(1, Math.round(Math.min(width, height) / 8));
  const inverted = polarity === 'auto' ? hasDarkInk(work) : polarity === 'dark-on-light';
  const raw = inkOf(work.data, width, height, radius, inverted);

  const rawStats = inkStatistics(raw);
  if (rawStats.strong === null) return { empty: true, reason: 'no ink: the image is blank (every pixel is background)' };
  if (rawStats.strong - rawStats.background < MIN_CONTRAST) {
    return {
      empty: true,
      reason: `no ink: the strongest marks differ from the background by only ${(rawStats.strong - rawStats.background).toFixed(1)} of 255 gray levels (need ${MIN_CONTRAST})`,
    };
  }
  let ink = raw;
  let stats = rawStats;
  if (rawStats.sigma > 0) {
    // Grain is no mark: judge "is anything there" on a 3x3 average, where strokes keep their contrast and noise
    // drops 3x. (A clean drawing has no noise at all and skips this.)
    const smooth = boxBlur3(raw, width, height);
    const smoothStats = inkStatistics(smooth);
    const signal = (smoothStats.strong ?? smoothStats.background) - smoothStats.background;
    if (signal < MIN_CONTRAST_SIGMAS * smoothStats.sigma) {
      return {
        empty: true,
        reason:
          `no ink: nothing stands out of the background noise (marks ${signal.toFixed(1)} gray levels above it, ` +
          `need ${MIN_CONTRAST_SIGMAS}x the noise of ${smoothStats.sigma.toFixed(1)})`,
      };
    }
    // Grainy photos continue from the 3x3 average (the 20x20 fit averages far larger areas anyway).
    if (rawStats.sigma > GRAIN_SIGMA && smoothStats.strong !== null) {
      ink = smooth;
      stats = smoothStats;
    }
  }
  const floor = stats.background + NOISE_SIGMAS * stats.sigma;
  const contrast = stats.strong! - stats.background;
  const low = Math.max(floor, stats.background + threshold * contrast);

  // Keep the digit, drop specks: pieces much smaller than the largest one.
  const mask = new Uint8Array(ink.length);
  for (let i = 0; i < ink.length; i++) mask[i] = ink[i]! > low ? 1 : 0;
  const { labels, areas } = connectedComponents(mask, width, height);
  const minInk = Math.max(MIN_INK_PIXELS, Math.round(MIN_INK_FRACTION * width * height));
  const candidate = areas.map(() => true);
  if (stats.sigma > 0) {
    // A photo's edges hold what is not the digit: the table beside the sheet, a shadow, a finger. When a real piece
    // of ink stands clear of the edges, drop the pieces that touch them. (Clean drawings keep everything: a digit
    // may well run off a canvas.)
    const touches = edgePieces(labels, width, height, areas.length);
    let largestInside = 0;
    let largestTouching = 0;
    areas.forEach((area, i) => {
      if (touches[i]) largestTouching = Math.max(largestTouching, area);
      else largestInside = Math.max(largestInside, area);
    });
    if (largestInside >= minInk && largestInside >= EDGE_PIECE_RATIO * largestTouching) {
      areas.forEach((_, i) => (candidate[i] = !touches[i]));
    }
  }
  const largest = areas.reduce((a, area, i) => (candidate[i] ? Math.max(a, area) : a), 0);
  const keep = areas.map((area, i) => candidate[i]! && area >= MIN_PIECE_FRACTION * largest);
  let inkPixels = 0;
  areas.forEach((area, i) => (inkPixels += keep[i] ? area : 0));
  if (inkPixels < minInk) {
    return {
      empty: true,
      reason: `no digit: only ${inkPixels} ink pixel(s) (need at least ${minInk}); stray marks are not a digit`,
    };
  }
  const scaleInk = 1 / (stats.strong! - low);
  const level = new Float32Array(ink.length);
  for (let i = 0; i < ink.length; i++) {
    const l = labels[i]!;
    if (l !== 0 && keep[l - 1]) level[i] = Math.min(1, (ink[i]! - low) * scaleInk);
  }
  const levels: GrayImage<Float32Array> = { data: level, width, height };
  // Faint kept ink only (its strong part was in pieces dropped above): fall back to all of it.
  const inkBox = boundingBox(levels, BOX_LEVEL) ?? boundingBox(levels, 0);
  if (inkBox === null) return { empty: true, reason: 'no digit: what stood out was all specks or edge marks' };
  const box = {
    x: inkBox.x * factor,
    y: inkBox.y * factor,
    width: Math.min(inkBox.width * factor, gray.width - inkBox.x * factor),
    height: Math.min(inkBox.height * factor, gray.height - inkBox.y * factor),
  };

  // Fit into 20x20 keeping the aspect ratio: area averaging when shrinking (anti-aliased), bilinear when enlarging.
  let fit = fitToBox(levels, inkBox, 0);
  // Thin strokes on a big canvas come out as hairlines. Measure the result as MNIST's strokes are measured, and
  // thicken what is thinner than nearly all of MNIST with a round pen, to MNIST's median width (see README).
  const measured = strokeWidth(fit, 0.5 * maxOf(fit.data));
  if (measured < MIN_STROKE) {
    const side = Math.max(inkBox.width, inkBox.height);
    const sourceStroke = strokeWidth(levels, 0.5);
    const predicted = (sourceStroke * BOX_SIDE) / side;
    // Crisp pen strokes measure thinner at 28x28 than soft MNIST strokes of the same width: aim higher by as much.
    const ratio = predicted >= 1 ? Math.min(1, Math.max(0.6, measured / predicted)) : 1;
    const target = TARGET_STROKE / ratio;
    // Dilating by g widens both the stroke and the box: solve (w + 2g) * 20 / (side + 2g) = target for g.
    const grow = ((target * side) / BOX_SIDE - sourceStroke) / (2 * (1 - target / BOX_SIDE));
    if (grow > 0) fit = fitToBox(levels, inkBox, grow);
  } else if (measured > MAX_STROKE) {
    const side = Math.max(inkBox.width, inkBox.height);
    const sourceStroke = (measured * side) / BOX_SIDE;
    // Eroding by r thins the stroke and the box by 2r: solve (w - 2r) * 20 / (side - 2r) = target for r; keep 2 px.
    const shrink = (sourceStroke - (THICK_TARGET * side) / BOX_SIDE) / (2 * (1 - THICK_TARGET / BOX_SIDE));
    const radius = Math.min(Math.floor(shrink), Math.floor(sourceStroke / 2) - 1);
    if (radius >= 1) {
      const thinned = erodeDisk(levels, radius);
      const thinBox = boundingBox(thinned, BOX_LEVEL);
      if (thinBox) fit = fitToBox(thinned, thinBox, 0);
    }
  }
  const patch = fit.data;
  const patchWidth = fit.width;
  const patchHeight = fit.height;

  // Centre of mass to (14, 14), shifting by whole pixels as MNIST did.
  const com = centerOfMass({ data: patch, width: patchWidth, height: patchHeight })!;
  const offsetX = Math.round(CENTER - com.x);
  const offsetY = Math.round(CENTER - com.y);
  const pixels = new Uint8Array(FRAME * FRAME);
  const toByte = 255 / maxOf(patch);
  for (let y = 0; y < patchHeight; y++) {
    const fy = y + offsetY;
    if (fy < 0 || fy >= FRAME) continue;
    for (let x = 0; x < patchWidth; x++) {
      const fx = x + offsetX;
      if (fx < 0 || fx >= FRAME) continue;
      pixels[fy * FRAME + fx] = Math.round(patch[y * patchWidth + x]! * toByte);
    }
  }
  return { empty: false, pixels, box, inverted };
}

/** For each labelled piece (labels 1..count), whether it touches the image's edge. */
function edgePieces(labels: Int32Array, width: number, height: number, count: number): boolean[] {
  const touches = new Array<boolean>(count).fill(false);
  const mark = (i: number) => {
    const l = labels[i]!;
    if (l !== 0) touches[l - 1] = true;
  };
  for (let x = 0; x < width; x++) {
    mark(x);
    mark((height - 1) * width + x);
  }
  for (let y = 0; y < height; y++) {
    mark(y * width);
    mark(y * width + width - 1);
  }
  return touches;
}

/** Grayscale erosion by a disk (a round eraser): the dilation of the negative, turned back. */
function erodeDisk(image: GrayImage<Float32Array>, radius: number): GrayImage<Float32Array> {
  const negative = image.data.map((v) => -v);
  const data = dilateDisk(negative, image.width, image.height, radius).map((v) => Math.max(0, -v));
  return { data, width: image.width, height: image.height };
}

/** Mean of each pixel's 3x3 neighbourhood (clipped at the edges). */
function boxBlur3(data: Float32Array, width: number, height: number): Float32Array {
  const rows = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) {
      let sum = data[o + x]!;
      let n = 1;
      if (x > 0) (sum += data[o + x - 1]!), n++;
      if (x + 1 < width) (sum += data[o + x + 1]!), n++;
      rows[o + x] = sum / n;
    }
  }
  const out = new Float32Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      let sum = rows[i]!;
      let n = 1;
      if (y > 0) (sum += rows[i - width]!), n++;
      if (y + 1 < height) (sum += rows[i + width]!), n++;
      out[i] = sum / n;
    }
  }
  return out;
}

/**
 * The ink in `inkBox`, grown by `grow` pixels all round with a round pen, fitted into 20x20 keeping the aspect ratio.
 */
function fitToBox(levels: GrayImage<Float32Array>, inkBox: Box, grow: number): GrayImage<Float32Array> {
  const margin = Math.ceil(grow);
  const box: Box = {
    x: inkBox.x - margin,
    y: inkBox.y - margin,
    width: inkBox.width + 2 * margin,
    height: inkBox.height + 2 * margin,
  };
  const scale = BOX_SIDE / Math.max(box.width, box.height);
  const width = Math.max(1, Math.ceil(box.width * scale - 1e-6));
  const height = Math.max(1, Math.ceil(box.height * scale - 1e-6));
  if (grow <= 0) return { data: resample(levels, box, scale, width, height), width, height };
  // Dilate at DILATION_DETAIL x the output resolution (cheap, and fine enough), then average down exactly. The
  // step down to that resolution takes maxima, not means, so hairlines keep their full intensity.
  const detailScale = scale * DILATION_DETAIL;
  const detailWidth = Math.ceil(box.width * detailScale - 1e-6);
  const detailHeight = Math.ceil(box.height * detailScale - 1e-6);
  const shrunk =
    detailScale <= 1
      ? resampleMax(levels, box, detailScale, detailWidth, detailHeight)
      : resampleBilinear(levels, box, detailScale, detailWidth, detailHeight);
  const detail = dilateDisk(shrunk, detailWidth, detailHeight, Math.round(grow * detailScale));
  const whole = { x: 0, y: 0, width: detailWidth, height: detailHeight };
  const step = 1 / DILATION_DETAIL;
  const data = resampleArea({ data: detail, width: detailWidth, height: detailHeight }, whole, step, step, width, height);
  return { data, width, height };
}

function maxOf(values: Float32Array): number {
  let max = -Infinity;
  for (let i = 0; i < values.length; i++) if (values[i]! > max) max = values[i]!;
  return max;
}

/** Area averaging when shrinking, bilinear interpolation when enlarging. */
function resample(image: GrayImage, region: Box, scale: number, outWidth: number, outHeight: number): Float32Array {
  return scale <= 1
    ? resampleArea(image, region, scale, scale, outWidth, outHeight)
    : resampleBilinear(image, region, scale, outWidth, outHeight);
}

/** The ink as bright detail over a zero background: the white top-hat of the image, or of its negative for dark ink. */
function inkOf(data: Float32Array, width: number, height: number, radius: number, dark: boolean): Float32Array {
  const ink = new Float32Array(data.length);
  if (dark) for (let i = 0; i < ink.length; i++) ink[i] = 255 - data[i]!;
  else ink.set(data);
  topHatInPlace(ink, width, height, radius);
  return ink;
}

/** Longest side of the small copy polarity is decided on: plenty for "is the ink darker or lighter". */
const POLARITY_SIDE = 32;

/**
 * Decides polarity the way a person would: the background is what most of the image (and its border) shows, and
 * the ink is whichever way the marks stand out from it. Residuals against a wide local median (which follows
 * shading, and treats the gaps between strokes as the background they are) are summed above the noise, per sign.
 */
function hasDarkInk(image: GrayImage<Float32Array>): boolean {
  const factor = Math.ceil(Math.max(image.width, image.height) / POLARITY_SIDE);
  const small = factor > 1 ? shrinkByFactor(image, factor) : image;
  const { data, width, height } = small;
  const median = localMedian(data, width, height, Math.max(1, Math.round(Math.min(width, height) / 2)));
  const residual = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) residual[i] = data[i]! - median[i]!;
  const magnitudes = residual.map(Math.abs).sort();
  const sigma = 1.4826 * magnitudes[magnitudes.length >> 1]!;
  const margin = Math.max(2, NOISE_SIGMAS * sigma);
  let lighter = 0;
  let darker = 0;
  for (let i = 0; i < residual.length; i++) {
    const r = residual[i]!;
    if (r > margin) lighter += r - margin;
    else if (r < -margin) darker += -r - margin;
  }
  if (lighter !== darker) return darker > lighter;
  // Nothing stands out (a blank image): fall back on the border's brightness.
  return borderMedian(small) > 127.5;
}

/** Median of the (2r+1)-square window around each pixel (clipped at the edges), by a sliding 256-bin histogram. */
function localMedian(data: Float32Array, width: number, height: number, radius: number): Float32Array {
  const out = new Float32Array(data.length);
  const levels = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) levels[i] = Math.min(255, Math.max(0, Math.round(data[i]!)));
  const bins = new Int32Array(256);
  for (let y = 0; y < height; y++) {
    bins.fill(0);
    const y0 = Math.max(0, y - radius);
    const y1 = Math.min(height - 1, y + radius);
    let count = 0;
    // Huang's method: keep the median bin m and the count of values below it as the window slides.
    let m = 0;
    let below = 0;
    const update = (x: number, delta: number) => {
      for (let yy = y0; yy <= y1; yy++) {
        const v = levels[yy * width + x]!;
        bins[v]! += delta;
        if (v < m) below += delta;
      }
      count += delta * (y1 - y0 + 1);
    };
    for (let x = 0; x <= Math.min(width - 1, radius); x++) update(x, 1);
    for (let x = 0; x < width; x++) {
      if (x > 0) {
        if (x + radius < width) update(x + radius, 1);
        if (x - radius - 1 >= 0) update(x - radius - 1, -1);
      }
      const half = count / 2;
      while (below > half && m > 0) below -= bins[--m]!;
      while (below + bins[m]! <= half && m < 255) below += bins[m++]!;
      out[y * width + x] = m;
    }
  }
  return out;
}

/** Median of the outermost ring of pixels. */
function borderMedian(image: GrayImage<Float32Array>): number {
  const { data, width, height } = image;
  const ring: number[] = [];
  for (let x = 0; x < width; x++) ring.push(data[x]!, data[(height - 1) * width + x]!);
  for (let y = 1; y < height - 1; y++) ring.push(data[y * width]!, data[y * width + width - 1]!);
  ring.sort((a, b) => a - b);
  return ring[ring.length >> 1]!;
}

const BINS_PER_LEVEL = 4;
const BINS = 256 * BINS_PER_LEVEL;

/** Counts of values (0..255) in bins of 1/BINS_PER_LEVEL gray level. */
function histogramOf(values: Float32Array): Uint32Array {
  const counts = new Uint32Array(BINS);
  for (let i = 0; i < values.length; i++) {
    const bin = Math.floor(values[i]! * BINS_PER_LEVEL);
    counts[bin < 0 ? 0 : bin >= BINS ? BINS - 1 : bin]!++;
  }
  return counts;
}

/** The value at quantile q of the counts in bins 0..lastBin (bin centre). */
function histogramQuantile(counts: Uint32Array, total: number, q: number, lastBin = BINS - 1): number {
  const target = q * total;
  let seen = 0;
  for (let b = 0; b <= lastBin; b++) {
    seen += counts[b]!;
    if (seen > target) return (b + 0.5) / BINS_PER_LEVEL;
  }
  return (lastBin + 0.5) / BINS_PER_LEVEL;
}

/**
 * Of ink values over a background: the background level (median), a robust standard deviation of its noise
 * (1.4826 * median absolute deviation), and the strong ink level (90th percentile of what lies NOISE_SIGMAS
 * deviations above the background), or null when nothing does. One histogram, 1/4 gray level per bin.
 */
function inkStatistics(values: Float32Array): { background: number; sigma: number; strong: number | null } {
  const counts = histogramOf(values);
  // Sigma clipping: where ink covers much of the image (a tight crop) it inflates the first estimate, so estimate
  // again from what lies below background + NOISE_SIGMAS deviations, until that stops shrinking.
  let top = BINS - 1;
  let median = 0;
  let mad = 0;
  for (let round = 0; round < 8; round++) {
    let total = 0;
    for (let b = 0; b <= top; b++) total += counts[b]!;
    median = histogramQuantile(counts, total, 0.5, top);
    const medianBin = Math.floor(median * BINS_PER_LEVEL);
    const deviations = new Uint32Array(BINS);
    for (let b = 0; b <= top; b++) deviations[Math.abs(b - medianBin)]! += counts[b]!;
    mad = histogramQuantile(deviations, total, 0.5, BINS - 1) - 0.5 / BINS_PER_LEVEL;
    const nextTop = Math.min(BINS - 1, Math.floor((median + NOISE_SIGMAS * 1.4826 * mad) * BINS_PER_LEVEL) + 1);
    if (nextTop >= top) break;
    top = nextTop;
  }
  // Bin centres put a floor of half a bin under the median; a flat background has neither noise nor offset.
  const background = median <= 0.5 / BINS_PER_LEVEL ? 0 : median;
  const sigma = 1.4826 * mad;
  const floor = background + NOISE_SIGMAS * sigma;
  // Bins wholly above the floor hold the candidate ink.
  const firstBin = Math.floor(floor * BINS_PER_LEVEL) + 1;
  let above = 0;
  for (let b = firstBin; b < BINS; b++) above += counts[b]!;
  if (above === 0) return { background, sigma, strong: null };
  let seen = 0;
  let strong = 255;
  for (let b = firstBin; b < BINS; b++) {
    seen += counts[b]!;
    if (seen > 0.9 * above) {
      strong = (b + 0.5) / BINS_PER_LEVEL;
      break;
    }
  }
  return { background, sigma, strong };
}
