import { DigitkitError } from '@digitkit/core';
import {
  borderMedian,
  boundingBox,
  centerOfMass,
  inkStatistics,
  levelQuantiles,
  localMedian,
  maxOf,
  meanFilter,
  resample,
  robustSigma,
  shrinkByFactor,
  smoothLight,
  strokeWidth,
  grayForInk,
  type Box,
  type GrayImage,
  type InkStatistics,
  type RasterImage,
} from './image.js';
import {
  connectedComponents,
  countInRow,
  cutStrokeWidth,
  fillsFrom,
  lineFills,
  erodeDisk,
  pieceBoxes,
  piecesTouchingEdge,
  resampleDilated,
  ruledThickness,
  topHatInPlace,
  minFilter,
  maxFilter,
  touchingFrame,
  gridDividers,
  levelled,
  lowerEdgeSlope,
  maskAbove,
  touchingBaseline,
  type EdgeBands,
} from './morphology.js';

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
      /**
       * The ink the 28x28 was fitted from, inside `box`: light on black (0-255), with the background, specks and ruled
       * lines left out, at the working resolution (pictures over 1024 px a side are shrunk first, so one ink pixel is
       * `box.width / ink.width` source pixels). What to split a number into its digits from.
       */
      ink: GrayImage<Uint8Array>;
      /**
       * True when a faint, flat wash (mud, a stain, fog) lies over the ink: the strokes may go on under it, so `ink`
       * keeps the wash at its own level, and pieces of ink joined through it may be one stroke.
       */
      washed: boolean;
    };

type Empty = Extract<MnistFormatResult, { empty: true }>;
type Levels = GrayImage<Float32Array>;

/**
 * Turns a drawing or photo of one digit into a 28x28 MNIST-style image, the way MNIST itself was made
 * (LeCun et al.): grayscale, ink made bright, background removed, cropped to the ink, fitted into 20x20 with
 * anti-aliased area averaging (aspect ratio kept), and placed in 28x28 with its centre of mass at (14, 14).
 * Returns `{ empty: true, reason }` instead of a digit when there is no ink worth the name.
 */
export function toMnistFormat(image: RasterImage, options: MnistFormatOptions = {}): MnistFormatResult {
  const { polarity, threshold } = checkedOptions(options);
  const gray = grayForInk(image);
  const { work: sharp, factor } = toWorkingSize(gray);
  const whole = withoutPixelBlocks(sharp);
  const { work, offset } = withoutEdgeBands(whole);
  const inverted = polarity === 'auto' ? hasDarkInk(work) : polarity === 'dark-on-light';
  const first = digitIn(work, inverted, threshold, 0);
  // A digit cropped to its own box (a thumbnail, a cut-out) leaves too little background to model: again with a margin,
  // kept when the digit found then fills the picture too (where none was found at first, only in strong contrast: a
  // blank photo's shading beside a flat margin would pass for ink).
  const retry = isEmpty(first) ? hasStrongContrast(work) : isTightCrop(first, work);
  const again = retry ? digitIn(work, inverted, threshold, MARGIN) : first;
  const digit = !isEmpty(again) && isTightCrop(again, work) ? again : first;
  if (isEmpty(digit)) return digit;
  const { fit, box, ink, washed } = digit;
  const inSourceBox = inSource({ ...box, x: box.x + offset.x, y: box.y + offset.y }, factor, gray);
  return { empty: false, pixels: centreInFrame(fit), box: inSourceBox, inverted, ink, washed };
}

/** The digit's 20x20 fit, its ink box, the box of all its kept ink, faint too, in the working image's pixels, and the
 * kept ink inside its box as bytes. */
interface Fitted {
  fit: Levels;
  box: Box;
  reach: Box;
  ink: GrayImage<Uint8Array>;
}

/** A fitted digit, and whether a wash lies over it. */
type FoundDigit = Fitted & { washed: boolean };

/** The stages from the background on, with the working image inside a margin of `margin` times its longer side. */
function digitIn(work: Levels, inverted: boolean, threshold: number, margin: number): FoundDigit | Empty {
  const { padded, frame } = withMargin(work, margin);
  const ink = findInk(withoutFaintBands(withoutPaperLines(removeBackground(padded, inverted), frame), frame));
  if (isEmpty(ink)) return ink;
  const kept = keepDigit(ink, threshold, frame);
  if (isEmpty(kept)) return kept;
  const { levels, washed } = kept;
  const inkBox = cropBox(levels);
  if (isEmpty(inkBox)) return inkBox;
  const digit = fitted(levels, inkBox, frame, ink);
  const soft = ink.stats.sigma === 0 && isSoftAndThick(digit.fit) ? softDigitIn(ink, threshold, levels, frame) : null;
  return { ...(soft ?? digit), washed };
}

/** The ink in `inkBox` fitted into 20x20 with MNIST's stroke width, and where it lies in the frame. */
function fitted(levels: Levels, inkBox: Box, frame: Box, source: Ink): Fitted {
  const fit = normalizeStrokeWidth(levels, inkBox, fitIntoBox(levels, inkBox));
  return { fit, box: within(inkBox, frame), reach: within(boundingBox(levels, 0) ?? inkBox, frame), ink: keptInk(levels, inkBox, source) };
}

/**
 * The kept pixels inside `box` as bytes, at their own contrast over the background (not clipped at the strong ink
 * level as the fit's levels are: a number is split on the strokes' own shading).
 */
function keptInk(levels: Levels, box: Box, { image, stats }: Ink): GrayImage<Uint8Array> {
  let peak = stats.background + 1;
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) if (levels.data[y * levels.width + x]! > 0) peak = Math.max(peak, image.data[y * levels.width + x]!);
  }
  const scale = 255 / (peak - stats.background);
  const data = new Uint8Array(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    const from = (box.y + y) * levels.width + box.x;
    for (let x = 0; x < box.width; x++) {
      if (levels.data[from + x]! > 0) data[y * box.width + x] = Math.max(0, Math.round((image.data[from + x]! - stats.background) * scale));
    }
  }
  return { data, width: box.width, height: box.height };
}

/**
 * A soft, thick fit on clean paper (a thumbnail scaled up, an out-of-focus scan): the strong-ink clip would saturate
 * its blurred strokes into blobs that fill loops and gaps, so its levels run to the peak and its box is the ink's at
 * SOFT_BOX_LEVEL, as MNIST's own anti-aliased digits are cropped.
 */
function softDigitIn(ink: Ink, threshold: number, kept: Levels, frame: Box): Fitted | null {
  const { image, stats } = ink;
  const low = inkFloor(stats, threshold);
  // The kept pixels are exactly those above 0 in `kept`: rescale them, no second search for the digit's pieces.
  let peak = stats.strong;
  for (let i = 0; i < kept.data.length; i++) if (kept.data[i]! > 0) peak = Math.max(peak, image.data[i]!);
  const scale = 1 / (peak - low);
  const levels = { ...kept, data: kept.data.map((v, i) => (v > 0 ? (image.data[i]! - low) * scale : 0)) };
  const inkBox = boundingBox(levels, SOFT_BOX_LEVEL);
  return inkBox ? fitted(levels, inkBox, frame, ink) : null;
}

/** Soft fits this thick (stroke width at half peak, of the 20x20) or more have saturated blobs for strokes (on fits
 * thinner the clip changes little: the gate keeps crisp and noisy pictures on the measured path). */
const SOFT_THICK_STROKE = 2.8;
/** The box of a soft digit: its ink at this fraction of its peak. */
const SOFT_BOX_LEVEL = 0.1;

/** Whether a fit's strokes ramp up slowly (see SOFT_EDGE) and are at least SOFT_THICK_STROKE wide at half its peak. */
function isSoftAndThick(fit: Levels): boolean {
  return edgeRamp(fit) > SOFT_EDGE && strokeWidth(fit, 0.5 * maxOf(fit.data)) >= SOFT_THICK_STROKE;
}

const empty = (reason: string): Empty => ({ empty: true, reason });
const isEmpty = (value: object): value is Empty => 'empty' in value;

// --- the stages, in order

const POLARITIES: readonly Polarity[] = ['auto', 'dark-on-light', 'light-on-dark'];
const DEFAULT_THRESHOLD = 0.1;

const OPTION_NAMES: readonly string[] = ['polarity', 'threshold'];

function checkedOptions(options: MnistFormatOptions): Required<MnistFormatOptions> {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    const got = options === null ? 'null' : Array.isArray(options) ? 'an array' : JSON.stringify(options);
    throw new DigitkitError('BAD_OPTION', `toMnistFormat: options must be an object with polarity and/or threshold (or left out), got ${got}`);
  }
  const unknown = Object.keys(options).filter((key) => !OPTION_NAMES.includes(key));
  if (unknown.length > 0) {
    throw new DigitkitError('BAD_OPTION', `toMnistFormat: unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; it takes polarity and threshold`);
  }
  const { polarity = 'auto', threshold = DEFAULT_THRESHOLD } = options;
  if (!POLARITIES.includes(polarity)) {
    throw new DigitkitError(
      'BAD_OPTION',
      `toMnistFormat: polarity must be 'auto', 'dark-on-light' or 'light-on-dark', got ${JSON.stringify(polarity)}`,
    );
  }
  if (!(threshold >= 0 && threshold < 1)) {
    throw new DigitkitError('BAD_OPTION', `toMnistFormat: threshold must be a fraction in [0, 1), got ${JSON.stringify(threshold)}`);
  }
  return { polarity, threshold };
}

/** Larger images are box-shrunk by a whole factor first: 20x20 output needs no more, and it bounds the time. */
const MAX_WORKING_SIDE = 1024;

/** A float copy of the image at most MAX_WORKING_SIDE on a side, and the whole factor it was shrunk by. */
function toWorkingSize(gray: GrayImage<Uint8Array>): { work: Levels; factor: number } {
  const factor = Math.ceil(Math.max(gray.width, gray.height) / MAX_WORKING_SIDE);
  const work = factor > 1 ? shrinkByFactor(gray, factor) : { ...gray, data: Float32Array.from(gray.data) };
  return { work, factor };
}

/**
 * A picture enlarged by repeating its pixels (a thumbnail zoomed without smoothing, a pixelated digit) is blocks of one
 * level each. Their faint blocks fall under the ink floor or clip into hard steps and the strokes break (a 9's loop
 * opens), so it is smoothed back first. Blocky: of the pixels between BLOCK_LEVELS of the contrast from the border's
 * level, in runs along a row of at most MAX_BLOCK_RUN equal values (longer are lines and flat areas, not blocks), at
 * least BLOCKY_SHARE lie in runs of two or more.
 */
const BLOCK_LEVELS = [0.1, 0.9] as const;
const MAX_BLOCK_RUN = 8;
const BLOCKY_SHARE = 0.6;
/** Fewer such pixels than this tell nothing. */
const MIN_BLOCK_PIXELS = 20;

/** The working image, box-blurred the blocks' width when it is blocks of repeated pixels (see BLOCKY_SHARE). */
function withoutPixelBlocks(work: Levels): Levels {
  const { data, width, height } = work;
  const background = borderMedian(work);
  let contrast = 0;
  for (let i = 0; i < data.length; i++) contrast = Math.max(contrast, Math.abs(data[i]! - background));
  const [low, high] = [BLOCK_LEVELS[0] * contrast, BLOCK_LEVELS[1] * contrast];
  let between = 0;
  let inRuns = 0;
  let runs = 0;
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; ) {
      const v = data[row + x]!;
      let end = x + 1;
      while (end < width && data[row + end] === v) end++;
      const level = Math.abs(v - background);
      const run = end - x;
      if (level > low && level < high && run <= MAX_BLOCK_RUN) {
        between += run;
        if (run >= 2) {
          inRuns += run;
          runs++;
        }
      }
      x = end;
    }
  }
  if (between < MIN_BLOCK_PIXELS || inRuns < BLOCKY_SHARE * between) return work;
  return meanFilter(work, Math.max(2, Math.round(inRuns / runs)));
}

/** Lines along a side at least this full (of the light, or of the dark) make a band there: a margin, the table, a
 * card's edge, a stripe... */
const BAND_FILL = 0.6;
/** ...which is surroundings, not ink, when it runs this many times deeper than the strokes inside are wide (a digit
 * drawn up to the edge, a '1' or a '7''s bar, is one stroke deep there, not a filled band)... */
const BAND_STROKES = 2;
/** ...or when lines this full run along two or more sides: a frame round the digit. */
const FRAME_FILL = 0.9;
/** At a band's inner edge the fill falls from the band's mean by at least this much within EDGE_LINES lines. */
const SHARP_EDGE = 0.3;
const EDGE_LINES = 2;
/** The line just inside a band is at most this full, and at most FRAY fuller than the line EDGE_LINES further in. */
const MAX_NEXT_FILL = 0.5;
const FRAY = 0.1;
/** Bands leave at least this fraction of each side inside them (MNIST-C's stripe leaves half). */
const MIN_INSIDE = 0.4;
/** A band's level differs from the background inside by at least this fraction of the picture's contrast... */
const SOLID_STEP = 0.75;
/** ...and is flat: its quartiles lie within this fraction of the contrast (a soft stroke of a digit is not). */
const FLAT_SPREAD = 0.15;
/** Inside a frame, at most this fraction is of the frame's level (ink on paper, not the digit's own box). */
const MAX_FRAMED_INK = 0.3;
const SIDES = ['left', 'right', 'top', 'bottom'] as const;

/**
 * The working image without the solid bands or the frame along its sides (see BAND_FILL), of either polarity, and
 * where what is left sits in it. They go before anything else: half a picture of white band decides the polarity
 * wrongly, and the digit's strokes often touch them, so no later stage can tell them apart.
 */
function withoutEdgeBands(work: Levels): { work: Levels; offset: { x: number; y: number } } {
  const unchanged = { work, offset: { x: 0, y: 0 } };
  const [dark = 0, light = 0] = levelQuantiles(work.data, 0.02, 0.98);
  if (light - dark < MIN_CONTRAST) return unchanged;
  const middle = (dark + light) / 2;
  const { data, width, height } = work;
  for (const lightOn of [true, false]) {
    const mask = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i++) mask[i] = data[i]! > middle === lightOn ? 1 : 0;
    const bands = bandsAroundInk(mask, width, height);
    if (bands && isSolid(work, mask, bands, light - dark)) return { work: crop(work, insideBands(bands, width, height)), offset: { x: bands.left, y: bands.top } };
  }
  return unchanged;
}

/** The bands of the mask to drop, or null when there are none (or nothing like a digit would be left inside). */
function bandsAroundInk(mask: Uint8Array, width: number, height: number): EdgeBands | null {
  const fills = lineFills(mask, width, height);
  const depths = (full: number) => sideMap((side) => sharpBandDepth(fillsFrom(fills, side), full));
  const bands = depths(BAND_FILL);
  if (SIDES.every((side) => bands[side] === 0)) return null;
  const inside = crop({ data: mask, width, height }, insideBands(bands, width, height));
  if (inside.width < MIN_INSIDE * width || inside.height < MIN_INSIDE * height) return null;
  const ink = count(inside.data);
  if (ink < Math.max(MIN_INK_PIXELS, MIN_INK_FRACTION * width * height)) return null;
  // What is inside must be ink on a background of the other level, not the digit inside its own blank margins: where a
  // side has no band, the background inside reaches that edge; bands on all four sides are a minority of the picture
  // round a mostly empty inside.
  const open = SIDES.filter((side) => bands[side] === 0);
  const inkOnOpenEdges = open.length > 0 && openEdgesOn(mask, width, height, bands, open) >= 0.5;
  const closedAround = open.length === 0 && (count(mask) >= 0.5 * mask.length || ink >= MAX_FRAMED_INK * inside.data.length);
  if (ink >= 0.5 * inside.data.length || inkOnOpenEdges || closedAround) return null;
  const stroke = cutStrokeWidth(inside.data, inside.width, inside.height);
  const frame = depths(FRAME_FILL);
  const framed = SIDES.filter((side) => bands[side] > 0 && frame[side] > 0).length >= 2;
  const drop = (side: (typeof SIDES)[number]) => bands[side] >= BAND_STROKES * stroke || (framed && frame[side] > 0);
  const dropped = sideMap((side) => (drop(side) ? bands[side] : 0));
  return SIDES.some((side) => dropped[side] > 0) ? dropped : null;
}

/**
 * Whether the bands are solid: flat, and their level (median) differs from the background inside by at least SOLID_STEP
 * of the picture's contrast, as a margin, a table or a card's edge does, and smooth shading (light falling off, fog)
 * or a soft stroke does not.
 */
function isSolid(work: Levels, mask: Uint8Array, bands: EdgeBands, contrast: number): boolean {
  const { data, width, height } = work;
  const band = new Float32Array(data.length);
  const background = new Float32Array(data.length);
  let [inBand, inBackground] = [0, 0];
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const inside = x >= bands.left && x < width - bands.right && y >= bands.top && y < height - bands.bottom;
      if (!inside) band[inBand++] = data[i]!;
      else if (!mask[i]) background[inBackground++] = data[i]!;
    }
  }
  const [low = 0, bandLevel = 0, high = 0] = levelQuantiles(band.subarray(0, inBand), 0.25, 0.5, 0.75);
  if (high - low > FLAT_SPREAD * contrast) return false;
  const [backgroundLevel = 0] = levelQuantiles(background.subarray(0, inBackground), 0.5);
  return Math.abs(bandLevel - backgroundLevel) >= SOLID_STEP * contrast;
}

const sideMap = (depth: (side: (typeof SIDES)[number]) => number): EdgeBands =>
  Object.fromEntries(SIDES.map((side) => [side, depth(side)])) as unknown as EdgeBands;

/**
 * How many lines in a row from the edge are at least `full` on, when the band ends sharply (one of the next EDGE_LINES
 * lines at least SHARP_EDGE emptier than the band's mean: a margin's edge runs along the side, a shadow's slants across
 * it) short of the middle; else 0.
 */
function sharpBandDepth(fills: Float64Array, full: number): number {
  let depth = 0;
  while (depth < fills.length && fills[depth]! >= full) depth++;
  if (depth === 0 || 2 * depth >= fills.length) return 0;
  const band = fills.subarray(0, depth).reduce((sum, fill) => sum + fill, 0) / depth;
  const inside = Math.min(...fills.subarray(depth, depth + EDGE_LINES));
  const next = fills[depth]!;
  // It stops rather than frays: the line inside is mostly background, and no fuller than the lines past it (the ragged
  // edge of a blank margin beside a digit thins out inwards; the digit's own strokes inside do not).
  const stops = next <= MAX_NEXT_FILL && next <= (fills[depth + EDGE_LINES] ?? 0) + FRAY;
  return band - inside >= SHARP_EDGE && stops ? depth : 0;
}

/** Fraction of the picture's edge pixels on the `open` sides, between the bands of the other sides, that are on. */
function openEdgesOn(mask: Uint8Array, width: number, height: number, bands: EdgeBands, open: readonly (typeof SIDES)[number][]): number {
  let on = 0;
  let total = 0;
  const at = (x: number, y: number) => {
    on += mask[y * width + x]!;
    total++;
  };
  for (const side of open) {
    if (side === 'top' || side === 'bottom') {
      const y = side === 'top' ? 0 : height - 1;
      for (let x = bands.left; x < width - bands.right; x++) at(x, y);
    } else {
      const x = side === 'left' ? 0 : width - 1;
      for (let y = bands.top; y < height - bands.bottom; y++) at(x, y);
    }
  }
  return total > 0 ? on / total : 0;
}

const count = (mask: Uint8Array) => mask.reduce((sum, v) => sum + v, 0);

/** The part of an image inside `box` (which lies inside it). */
function crop<T extends Float32Array | Uint8Array>({ data, width }: GrayImage<T>, box: Box): GrayImage<T> {
  const out = new (data.constructor as new (n: number) => T)(box.width * box.height);
  for (let y = 0; y < box.height; y++) {
    const from = (y + box.y) * width + box.x;
    out.set(data.subarray(from, from + box.width), y * box.width);
  }
  return { data: out, width: box.width, height: box.height };
}

/** The box of an image inside its bands. */
const insideBands = (bands: EdgeBands, width: number, height: number): Box => ({
  x: bands.left,
  y: bands.top,
  width: width - bands.left - bands.right,
  height: height - bands.top - bands.bottom,
});

/** Longest side of the small copy polarity is decided on: plenty for "is the ink darker or lighter". */
const POLARITY_SIDE = 32;
/**
 * The local median's radius, as a fraction of the small copy's shorter side: wide, so a thumbnail's strokes, thick for
 * its size, are not taken for the background.
 */
const MEDIAN_REACH = 1 / 2;
/**
 * ...and for a picture shrunk to the small copy (its strokes thin there), narrower: a window that reaches across the
 * whole picture takes a shadow over most of the page for the background, and the lit paper for light ink...
 */
const SHRUNK_MEDIAN_REACH = 1 / 3;
/**
 * ...and narrower still in a photo (noise in the small copy), where a shadow may cover most of the page (a third
 * still took a deep shadow over 60% of a large page for the background; on a clean canvas a fifth took thick strokes
 * for it, and there are no shadows to follow).
 */
const PHOTO_MEDIAN_REACH = 1 / 5;
/** Background noise: pixels within this many (robust) standard deviations of the background are background. */
const NOISE_SIGMAS = 4;

/**
 * Decides polarity the way a person would: the background is what most of the image (and its border) shows, and
 * the ink is whichever way the marks stand out from it. Residuals against a wide local median (which follows
 * shading, and treats the gaps between strokes as the background they are) are summed above the noise, per sign.
 */
function hasDarkInk(image: Levels): boolean {
  const factor = Math.ceil(Math.max(image.width, image.height) / POLARITY_SIDE);
  const small = factor > 1 ? shrinkByFactor(image, factor) : image;
  const reach = factor === 1 ? MEDIAN_REACH : inkStatistics(small.data, NOISE_SIGMAS).sigma > 0 ? PHOTO_MEDIAN_REACH : SHRUNK_MEDIAN_REACH;
  const side = inkSide(small.data, localMedian(small, Math.max(1, Math.round(reach * Math.min(small.width, small.height)))));
  if (side !== 0) return side > 0;
  // Strong shading (light from one side, a vignette) is all the median's residuals show, and the strokes, thinned by
  // the shrinking, drown in it: against the light fitted as a smooth surface they stand out. A picture not shrunk (a
  // thumbnail) keeps its strokes whole, and a digit filling it is no light to fit.
  const lit = factor > 1 ? inkSide(small.data, smoothLight(small)) : 0;
  if (lit !== 0) return lit > 0;
  // Nothing stands out (a blank image): fall back on the border's brightness.
  return borderMedian(small) > 127.5;
}

/** How much darker than lighter the marks stand out of `background`, each summed above the noise (0: none do). */
function inkSide(data: Float32Array, background: Float32Array): number {
  const residual = new Float32Array(data.length);
  for (let i = 0; i < data.length; i++) residual[i] = data[i]! - background[i]!;
  const margin = Math.max(2, NOISE_SIGMAS * robustSigma(residual.map(Math.abs)));
  let lighter = 0;
  let darker = 0;
  for (let i = 0; i < residual.length; i++) {
    const r = residual[i]!;
    if (r > margin) lighter += r - margin;
    else if (r < -margin) darker += -r - margin;
  }
  return darker - lighter;
}

/**
 * A tight crop (see {@link isTightCrop}) gets a margin of its border's level this deep (a fraction of its longer side;
 * MNIST's own 28x28 frame gives its 20x20 digits 0.2): with ink over most of the picture, the background's statistics
 * and the top-hat have too little background to measure, and find none or hollow the strokes.
 */
const MARGIN = 0.2;

/**
 * Whether the digit fills its picture from edge to edge (its ink, faint too, spans the width or the height), or none
 * was found (ink over most of a picture also hides it): then it may be a thumbnail or a cut-out cropped to the digit.
 */
function isTightCrop(digit: FoundDigit | Empty, work: Levels): boolean {
  if (isEmpty(digit)) return true;
  const { reach } = digit;
  return (reach.x === 0 && reach.x + reach.width >= work.width) || (reach.y === 0 && reach.y + reach.height >= work.height);
}

/**
 * The 5th and 95th percentiles of a picture where no ink was found lie at least this many gray levels (of 255) apart:
 * half the scale, which a blank sheet's shading and grain do not reach, and a digit filling a thumbnail does.
 */
const STRONG_CONTRAST = 128;

/** Whether a picture in which no ink was found holds strong contrast all the same (its ink may be most of it). */
function hasStrongContrast(work: Levels): boolean {
  const [low = 0, high = 0] = levelQuantiles(work.data, 0.05, 0.95);
  return high - low >= STRONG_CONTRAST;
}

/** The working image inside a margin of its border's median level, and where the image lies in it. */
function withMargin(work: Levels, fraction: number): { padded: Levels; frame: Box } {
  if (fraction === 0) return { padded: work, frame: { x: 0, y: 0, width: work.width, height: work.height } };
  const margin = Math.ceil(fraction * Math.max(work.width, work.height));
  const width = work.width + 2 * margin;
  const height = work.height + 2 * margin;
  const data = new Float32Array(width * height).fill(borderMedian(work));
  for (let y = 0; y < work.height; y++) data.set(work.data.subarray(y * work.width, (y + 1) * work.width), (y + margin) * width + margin);
  return { padded: { data, width, height }, frame: { x: margin, y: margin, width: work.width, height: work.height } };
}

/** The part of a box (in padded pixels) inside the frame, in the frame's own pixels. */
function within(box: Box, frame: Box): Box {
  const [x0, y0] = [Math.max(box.x, frame.x), Math.max(box.y, frame.y)];
  const x1 = Math.min(box.x + box.width, frame.x + frame.width);
  const y1 = Math.min(box.y + box.height, frame.y + frame.height);
  return { x: x0 - frame.x, y: y0 - frame.y, width: Math.max(1, x1 - x0), height: Math.max(1, y1 - y0) };
}

/** At the sure ink, the top-hat must keep this fraction of a twice as wide one's level, or its opening ate into the strokes. */
const CORE_KEPT = 0.9;

/**
 * The ink as bright detail over a zero background. On a flat background (see {@link aboveFlatBackground}), what rises
 * above its level. Else the white top-hat of the image, or of its negative for dark ink: the opening (a min then max
 * filter wider than any stroke) follows smooth shading and uneven light, so photos of paper work too. Its radius starts
 * at 1/8 of the shorter side and doubles while the wider one keeps clearly more of the ink's core: soft strokes (blur,
 * a thumbnail scaled up) are wider than they look, and a too-narrow opening hollows them into fragments.
 */
function removeBackground(work: Levels, dark: boolean): Levels {
  const { width, height } = work;
  // Read only from here on: each way below writes a new image.
  const bright = dark ? work.data.map((v) => 255 - v) : work.data;
  const flat = aboveFlatBackground(bright, width, height);
  if (flat) return { data: flat, width, height };
  const limit = Math.floor(Math.min(width, height) / 2);
  let radius = Math.max(1, Math.round(Math.min(width, height) / 8));
  let ink = topHat(bright, width, height, radius);
  while (2 * radius <= limit) {
    const wider = topHat(bright, width, height, 2 * radius);
    if (coreKept(ink, wider) >= CORE_KEPT || letsInShading(wider, ink)) break;
    [ink, radius] = [wider, 2 * radius];
  }
  return { data: dark ? underEvenLight(ink, work.data) : ink, width, height };
}

/** A printed line of the paper spans the picture: nine tenths of its row (or column) lie at its level or above... */
const PAPER_LINE_SHARE = 0.9;
/** ...a level between these fractions of the ink's peak (fainter is background; stronger may be a stroke)... */
const PAPER_LINE_LEVEL = [0.05, 0.6] as const;
/** ...it is thin (rows or columns together, at most this fraction of the picture's side, or 3 pixels)... */
const PAPER_LINE_THICKNESS = 0.025;
/** ...and there are at least this many such lines (ruled or squared paper; one line across may be a 7's bar). */
const PAPER_LINES = 3;
/** Paper photographed at a tilt: its lines are looked for up to this slope (25 degrees) off the rows and columns. */
const MAX_PAPER_TILT = Math.tan((25 * Math.PI) / 180);

/**
 * The ink without the paper's own printed lines (ruled or squared paper): rows and columns that lie, for nine tenths of
 * the frame's width or height, at a level under the ink's (a line across the whole page; no stroke of a digit covers
 * that much of a row) lose that level, the brighter ink rescaled so the peak stays (ink crossing a line keeps its
 * strength). Only where at least PAPER_LINES thin lines are found: a pattern, not a bar or a band. Paper photographed
 * at a tilt has its rows and columns sheared by the tilt its lines show (see paperTilt).
 */
function withoutPaperLines(ink: Levels, frame: Box): Levels {
  const { data, width } = ink;
  const peak = maxOf(data);
  if (peak <= 0) return ink;
  const faint = PAPER_LINE_LEVEL[0] * peak;
  const { inRow, inColumn } = faintCounts(ink, frame, faint);
  const spans = inRow.some((n) => n >= PAPER_LINE_SHARE * frame.width) || inColumn.some((n) => n >= PAPER_LINE_SHARE * frame.height);
  const tilt = spans ? 0 : paperTilt(ink, frame, faint);
  if (tilt === null) return ink;
  const [rows, columns] = [shearedLines(frame, tilt, true), shearedLines(frame, tilt, false)];
  // Upright, the counts above already rule most rows and columns out.
  const [across, down] = [spanningLines(ink, frame, peak, rows, tilt === 0 ? inRow : null), spanningLines(ink, frame, peak, columns, tilt === 0 ? inColumn : null)];
  if (!across || !down || across.count + down.count < PAPER_LINES) return ink;
  const out = data.slice();
  for (let y = 0; y < frame.height; y++) {
    for (let x = 0; x < frame.width; x++) {
      const level = Math.max(lineLevel(across.levels, y + rows.shift[x]!), lineLevel(down.levels, x + columns.shift[y]!));
      if (level === 0) continue;
      const i = (frame.y + y) * width + frame.x + x;
      out[i] = withoutLevel(data[i]!, level, peak);
    }
  }
  return { ...ink, data: out };
}

/** A pixel under a printed line or a faint band, the line's level taken out: ink crossing it rescaled so the peak stays. */
function withoutLevel(value: number, level: number, peak: number): number {
  return Math.max(0, ((value - level) * peak) / (peak - level));
}

/** How many pixels of each row and column of the frame are at a line's level at all (one pass; most pictures: few). */
function faintCounts({ data, width }: Levels, frame: Box, faint: number): { inRow: Uint32Array; inColumn: Uint32Array } {
  const [inRow, inColumn] = [new Uint32Array(frame.height), new Uint32Array(frame.width)];
  for (let y = 0; y < frame.height; y++) {
    const first = (frame.y + y) * width + frame.x;
    for (let x = 0; x < frame.width; x++) {
      if (data[first + x]! >= faint) {
        inRow[y]!++;
        inColumn[x]!++;
      }
    }
  }
  return { inRow, inColumn };
}

interface ShearedLines {
  rows: boolean;
  /** The slope the lines run at (0: upright). */
  tilt: number;
  /** Where line 0 lies at each step along (rows: each column); line k at k - shift. */
  shift: Float64Array;
  count: number;
}

/**
 * Rows (or columns) of the frame sheared by a tilt: the frame pixel (x, y) lies on line y + shift[x] (x + shift[y] for
 * columns) of `count`, between two lines when that is not whole. A row tilted by slope t runs y = c + t x, a column
 * (perpendicular) x = c - t y.
 */
function shearedLines(frame: Box, tilt: number, rows: boolean): ShearedLines {
  const [along, across] = rows ? [frame.width, frame.height] : [frame.height, frame.width];
  const raw = Array.from({ length: along }, (_, j) => (rows ? -tilt : tilt) * j);
  const lowest = Math.min(...raw);
  return { rows, tilt, shift: Float64Array.from(raw, (v) => v - lowest), count: across + Math.ceil(Math.max(...raw) - lowest) };
}

/** A line's level at a place between two lines: the higher of the two (a tilted line's pixels fall on either). */
function lineLevel(levels: Float32Array, at: number): number {
  return Math.max(levels[Math.floor(at)] ?? 0, levels[Math.ceil(at)] ?? 0);
}

/**
 * The level each (sheared) row or column of the frame loses as a thin printed line (see PAPER_LINE_LEVEL; 0 for the
 * rest) and how many lines they make; null when a run of such lines is too thick for a printed line. Lines the frame
 * cuts to under half its side (a tilted line's corner) count for nothing. `known`: each line's pixels at a line's
 * level at all, when already counted.
 */
function spanningLines(
  ink: Levels,
  frame: Box,
  peak: number,
  lines: ShearedLines,
  known: Uint32Array | null,
): { levels: Float32Array; count: number } | null {
  const { data, width } = ink;
  const { rows, tilt } = lines;
  const [along, across] = rows ? [frame.width, frame.height] : [frame.height, frame.width];
  const levels = new Float32Array(lines.count);
  const counts = new Uint32Array(256);
  const values = new Float32Array(along);
  const faint = PAPER_LINE_LEVEL[0] * peak;
  for (let k = 0; k < lines.count; k++) {
    if (known && known[k]! < PAPER_LINE_SHARE * along) continue;
    let [span, faintCount] = [0, 0];
    for (let j = 0; j < along; j++) {
      // A tilted line passes between two pixels: the brighter of them is on it.
      const [near, far] = [Math.floor(k - lines.shift[j]!), Math.ceil(k - lines.shift[j]!)];
      if (far < 0 || near >= across) continue;
      const [first, step] = rows ? [frame.y * width + frame.x + j, width] : [(frame.y + j) * width + frame.x, 1];
      const value = Math.max(near >= 0 ? data[first + near * step]! : 0, far < across ? data[first + far * step]! : 0);
      values[span++] = value;
      if (value >= faint) faintCount++;
    }
    // Under half the side, or under nine tenths at a line's level at all: no line.
    if (span < along / 2 || faintCount < PAPER_LINE_SHARE * span) continue;
    counts.fill(0);
    for (let j = 0; j < span; j++) counts[Math.min(255, Math.floor(values[j]!))]!++;
    // The level nine tenths of the line reach: the sum of the counts below it is at most a tenth.
    let [b, seen] = [0, counts[0]!];
    while (b < 255 && seen <= (1 - PAPER_LINE_SHARE) * span) seen += counts[++b]!;
    levels[k] = b >= PAPER_LINE_LEVEL[0] * peak && b < PAPER_LINE_LEVEL[1] * peak ? b : 0;
  }
  // A tilted line covers more sheared rows than its thickness: 1 / cos of the tilt.
  const maxThickness = Math.max(3, Math.round(PAPER_LINE_THICKNESS * Math.max(frame.width, frame.height) * Math.hypot(1, tilt)));
  // Each line, its rows together, loses the highest of their levels (a tilted line's fringe reaches its level in part).
  const taken = new Float32Array(lines.count);
  let count = 0;
  for (let k = 0; k < lines.count; ) {
    if (levels[k] === 0) {
      k++;
      continue;
    }
    const start = k;
    while (k < lines.count && levels[k]! > 0) k++;
    if (k - start > maxThickness) return null;
    taken.fill(maxOf(levels.subarray(start, k)), start, k);
    count++;
  }
  return { levels: taken, count };
}

/**
 * The slope of the paper's lines when photographed at a tilt, or null when none show: thin crossings of the frame's
 * left and right sides (top and bottom) are paired, and a pair is a line when nine tenths of the straight path between
 * them lies at a line's level at all. The median slope of at least PAPER_LINES such lines.
 */
function paperTilt(ink: Levels, frame: Box, faint: number): number | null {
  const { data, width } = ink;
  const at = (x: number, y: number) => data[(frame.y + y) * width + frame.x + x]!;
  const maxRun = Math.max(4, 2 * PAPER_LINE_THICKNESS * Math.max(frame.width, frame.height));
  /** Centres of thin runs at a line's level along one side. */
  const crossings = (length: number, value: (j: number) => number): number[] => {
    const centres: number[] = [];
    for (let j = 0; j < length; ) {
      if (value(j) < faint) {
        j++;
        continue;
      }
      const start = j;
      while (j < length && value(j) >= faint) j++;
      if (j - start <= maxRun) centres.push((start + j - 1) / 2);
    }
    return centres;
  };
  const [w, h] = [frame.width, frame.height];
  /** Whether nine tenths of the path from (0, a) to (w - 1, b) (or (a, 0) to (b, h - 1)) is at a line's level. */
  const isLine = (a: number, b: number, rows: boolean): boolean => {
    const length = rows ? w : h;
    let misses = 0;
    for (let j = 0; j < length; j++) {
      const o = a + ((b - a) * j) / (length - 1);
      const [lo, hi] = [Math.floor(o), Math.ceil(o)];
      const hit = rows ? Math.max(at(j, lo), at(j, hi)) : Math.max(at(lo, j), at(hi, j));
      if (hit < faint && ++misses > (1 - PAPER_LINE_SHARE) * length) return false;
    }
    return true;
  };
  const slopes: number[] = [];
  const pair = (from: number[], to: number[], rows: boolean) => {
    const length = rows ? w : h;
    for (const a of from) {
      for (const b of to) {
        const slope = (b - a) / (length - 1);
        if (Math.abs(slope) <= MAX_PAPER_TILT && isLine(a, b, rows)) slopes.push(rows ? slope : -slope);
      }
    }
  };
  pair(crossings(h, (y) => at(0, y)), crossings(h, (y) => at(w - 1, y)), true);
  pair(crossings(w, (x) => at(x, 0)), crossings(w, (x) => at(x, h - 1)), false);
  if (slopes.length < PAPER_LINES) return null;
  slopes.sort((p, q) => p - q);
  const slope = slopes[slopes.length >> 1]!;
  // Under half a pixel across the frame: the rows and columns as they are, which found nothing.
  return Math.abs(slope) * Math.max(w, h) < 0.5 ? null : slope;
}

/** Bands are looked for on pictures this large or larger (a page): in a thumbnail a faint straight stroke is the digit. */
const MIN_FAINT_BAND_PAGE = 64;
/** A faint band crosses the frame from border to border (a narrow shadow, a margin line): its level along its middle is
 * between these fractions of the ink's peak (fainter is background; a stroke's own middle reaches the peak)... */
const FAINT_BAND_LEVEL = [0.15, 0.7] as const;
/** ...nine tenths of its middle at this fraction of its median level or more (one level: shading is no band)... */
const FAINT_BAND_FLAT = 0.6;
/** ...its ends at least this fraction of the frame's longer side apart (a corner clipped off the page is dropped with
 * the pieces touching the edges anyway)... */
const MIN_FAINT_BAND_LENGTH = 0.5;
/** ...and where it meets the border, no longer than this fraction of the border (more is a shadow's edge, no band). */
const MAX_FAINT_BAND_CROSSING = 0.1;
/** Along its middle, a pixel differs from its neighbours' mean by this many gray levels or more (median): a photo's grain. */
const MIN_FAINT_BAND_GRAIN = 1;
/** Its width is looked at across this many sections (less one), ... */
const FAINT_BAND_SECTIONS = 10;
/** ...and in at least this fraction of them the paper lies beside it, on each side (ink may lie along it for a while). */
const FAINT_BAND_CLEAR = 0.2;

/**
 * The ink without faint bands across the page: a narrow shadow (a pen's, a ruler's) or a single printed line is darker
 * than the paper but lighter than the ink, and narrower than the opening it passes for ink in. Runs at a faint level
 * along the frame's border are paired; a pair is a band when the straight middle between them stays at one level
 * under the ink's (FAINT_BAND_LEVEL). The band's pixels lose its level, the ink crossing it rescaled so the peak stays.
 */
function withoutFaintBands(ink: Levels, frame: Box): Levels {
  const { data, width } = ink;
  const peak = maxOf(data);
  if (peak <= 0) return ink;
  const [w, h] = [frame.width, frame.height];
  if (Math.max(w, h) < MIN_FAINT_BAND_PAGE) return ink;
  const at = (x: number, y: number) => data[(frame.y + Math.round(y)) * width + frame.x + Math.round(x)]!;
  const perimeter = 2 * (w - 1) + 2 * (h - 1);
  /** Position p along the border, clockwise from the top-left corner, as (x, y). */
  const onBorder = (p: number): [number, number] => {
    const q = ((p % perimeter) + perimeter) % perimeter;
    if (q < w - 1) return [q, 0];
    if (q < w - 1 + h - 1) return [w - 1, q - (w - 1)];
    if (q < 2 * (w - 1) + h - 1) return [w - 1 - (q - (w - 1 + h - 1)), h - 1];
    return [0, h - 1 - (q - (2 * (w - 1) + h - 1))];
  };
  const border = Float32Array.from({ length: perimeter }, (_, p) => at(...onBorder(p)));
  // Most pictures (a canvas, a page with nothing across it) have nothing faint on their border: no noise to measure.
  if (!border.some((v) => v >= FAINT_BAND_LEVEL[0] * peak)) return ink;
  // Above the noise too: a photo's grain and shading pass a fraction of the peak all along its border.
  const { background, sigma } = inkStatistics(data, NOISE_SIGMAS);
  const noise = background + NOISE_SIGMAS * sigma;
  const faint = Math.max(noise, FAINT_BAND_LEVEL[0] * peak);
  const start = border.findIndex((v) => v < faint);
  if (start < 0) return ink;
  const on = (p: number) => border[p % perimeter]! >= faint;
  /** Runs at a faint level along the border: their middles and lengths. */
  const crossings: BorderRun[] = [];
  for (let p = start; p < start + perimeter; ) {
    if (!on(p)) {
      p++;
      continue;
    }
    const from = p;
    while (p < start + perimeter && on(p)) p++;
    if (p - from <= MAX_FAINT_BAND_CROSSING * perimeter) crossings.push({ at: onBorder((from + p - 1) / 2), run: p - from });
  }
  let out: Float32Array | null = null;
  const used = new Set<number>();
  for (let i = 0; i < crossings.length; i++) {
    if (used.has(i)) continue;
    for (let j = i + 1; j < crossings.length; j++) {
      if (used.has(j) || onOneSide(crossings[i]!.at, crossings[j]!.at, w, h)) continue;
      const band = bandBetween(crossings[i]!, crossings[j]!, at, peak, noise, w, h);
      if (!band) continue;
      out ??= data.slice();
      const [x0, y0] = crossings[i]!.at;
      const [nx, ny] = band.normal;
      for (let y = 0; y < h; y++) {
        for (let x = 0; x < w; x++) {
          if (Math.abs((x - x0) * nx + (y - y0) * ny) > band.halfWidth) continue;
          const k = (frame.y + y) * width + frame.x + x;
          out[k] = withoutLevel(out[k]!, band.level, peak);
        }
      }
      // Each run is one band's end: i pairs once, and j no more.
      used.add(j);
      break;
    }
  }
  return out ? { ...ink, data: out } : ink;
}

/** Whether two border points lie on the same side of a w x h frame (a path between them runs along the border). */
function onOneSide([x0, y0]: [number, number], [x1, y1]: [number, number], w: number, h: number): boolean {
  return (x0 === x1 && (x0 === 0 || x0 === w - 1)) || (y0 === y1 && (y0 === 0 || y0 === h - 1));
}

interface BorderRun {
  at: [number, number];
  run: number;
}

/** The band between two runs along the border (see withoutFaintBands): its level, half its width and the unit normal to
 * its middle, or null if none. */
function bandBetween(
  from: BorderRun,
  to: BorderRun,
  at: (x: number, y: number) => number,
  peak: number,
  noise: number,
  w: number,
  h: number,
): { level: number; halfWidth: number; normal: [number, number] } | null {
  const [[x0, y0], [x1, y1]] = [from.at, to.at];
  const length = Math.hypot(x1 - x0, y1 - y0);
  if (length < MIN_FAINT_BAND_LENGTH * Math.max(w, h)) return null;
  // Most pairs are no band: their middle leaves the faint level (below it, the tests after fail anyway). Looked at in
  // eighths first (a photo's border holds hundreds of runs of grain and shading), then all along.
  const gone = Math.max(noise, FAINT_BAND_FLAT * FAINT_BAND_LEVEL[0] * peak);
  let misses = 0;
  for (let e = 1; e < 8; e++) if (at(x0 + ((x1 - x0) * e) / 8, y0 + ((y1 - y0) * e) / 8) < gone && ++misses > 1) return null;
  misses = 0;
  const count = Math.ceil(length) + 1;
  const middle = new Float32Array(count);
  for (let s = 0; s < count; s++) {
    middle[s] = at(x0 + ((x1 - x0) * s) / (count - 1), y0 + ((y1 - y0) * s) / (count - 1));
    if (middle[s]! < gone && ++misses > (1 - PAPER_LINE_SHARE) * count) return null;
  }
  const [low = 0, level = 0] = levelQuantiles(middle, 1 - PAPER_LINE_SHARE, 0.5);
  if (low < FAINT_BAND_FLAT * level || level < FAINT_BAND_LEVEL[0] * peak || level > FAINT_BAND_LEVEL[1] * peak) return null;
  // A photo's band shows the camera's grain along it; a drawing's or a thumbnail's faint straight stroke (its own, as
  // UCI's blocky or scaled-up 1s) runs at exact or smoothly changing levels: each pixel near its neighbours' mean.
  const wobble = new Float32Array(middle.length - 2);
  for (let s = 1; s < middle.length - 1; s++) wobble[s - 1] = Math.abs(middle[s]! - (middle[s - 1]! + middle[s + 1]!) / 2);
  const [grain = 0] = levelQuantiles(wobble, 0.5);
  if (grain < MIN_FAINT_BAND_GRAIN) return null;
  // Its width: across the middle at a few places, the pixels at half its level or more; beyond them on both sides the
  // paper (else it is no band but part of a wider mark, or noise), and the widths alike (a band has parallel edges).
  const [nx, ny] = [-(y1 - y0) / length, (x1 - x0) / length];
  const inside = (x: number, y: number) => x >= 0 && y >= 0 && x <= w - 1 && y <= h - 1;
  const widths: number[] = [];
  const clear = [0, 0];
  for (let s = 1; s < FAINT_BAND_SECTIONS; s++) {
    const [cx, cy] = [x0 + ((x1 - x0) * s) / FAINT_BAND_SECTIONS, y0 + ((y1 - y0) * s) / FAINT_BAND_SECTIONS];
    let across = 1;
    for (const [side, sign] of [-1, 1].entries()) {
      let d = 1;
      for (; d < Math.max(w, h) / 4; d++) {
        const [x, y] = [cx + sign * d * nx, cy + sign * d * ny];
        if (!inside(x, y) || at(x, y) < 0.5 * level) break;
        across++;
      }
      const [x, y] = [cx + sign * (d + 1) * nx, cy + sign * (d + 1) * ny];
      if (!inside(x, y) || at(x, y) < 0.5 * FAINT_BAND_LEVEL[0] * peak) clear[side]!++;
    }
    widths.push(across);
  }
  widths.sort((a, b) => a - b);
  // Ink beside or across the band widens some sections: half of them at least are alike.
  const [narrow, typical] = [widths[1]!, widths[widths.length >> 1]!];
  if (Math.min(...clear) < FAINT_BAND_CLEAR * (FAINT_BAND_SECTIONS - 1) || typical > 1.5 * narrow + 1) return null;
  // Where it meets the border it is as wide as it is, cut at its slant there (shading and noise meet it in any runs).
  const cut = ({ at: [x, y], run }: BorderRun) => {
    const slant = Math.max(x === 0 || x === w - 1 ? Math.abs(ny) : 0, y === 0 || y === h - 1 ? Math.abs(nx) : 0);
    const expected = typical / Math.max(slant, 0.1);
    return run >= expected / 2 - 2 && run <= 2 * expected + 2;
  };
  if (!cut(from) || !cut(to)) return null;
  return { level, halfWidth: typical / 2 + 1, normal: [nx, ny] };
}

/** A shadow darkens paper and ink alike: by at most this factor it is undone (deeper is something dark on the page). */
const MAX_SHADE = 4;

/**
 * Dark ink's top-hat as if the page were evenly lit: the opening is the paper's own level, and a shadow or uneven light
 * multiplies ink and paper alike, so the ink's depth below it is divided by the paper's level (the brightest paper's
 * stays as it is). Subtracted only, ink in a shadow kept a fraction of its contrast and faded out of the fit.
 */
function underEvenLight(ink: Float32Array, gray: Float32Array): Float32Array {
  // Plain loops: Float32Array.map with a function took 17 ms on a 1024x768 photo.
  const paper = new Float32Array(ink.length);
  for (let i = 0; i < ink.length; i++) paper[i] = gray[i]! + ink[i]!;
  const [lit = 255] = levelQuantiles(paper, 0.9);
  // Grain is not scaled (in a dark corner it would pass for marks): scaling ramps in from the noise floor to twice it.
  const { background, sigma } = inkStatistics(ink, NOISE_SIGMAS);
  const floor = Math.max(1, background + NOISE_SIGMAS * sigma);
  const out = new Float32Array(ink.length);
  for (let i = 0; i < ink.length; i++) {
    const v = ink[i]!;
    const weight = Math.min(1, Math.max(0, (v - floor) / floor));
    out[i] = weight > 0 ? v * (1 + weight * (Math.min(MAX_SHADE, Math.max(1, lit / Math.max(1, paper[i]!))) - 1)) : v;
  }
  return out;
}

/**
 * When most of the picture lies at exactly one level (its noise, as measured, is 0: a canvas, a digital image, or a
 * digit that fills its picture inside the margin added at its border's level), that is not noise clipped at black, and
 * no second level covers a wide part of it, the ink as what rises above that level; else null. There is no shading for
 * an opening to follow, and it would cut into strokes wider than it (UCI's blocky digits, motion blur: they came out
 * hollowed). A second level is a shadow across a clean page, or a panel beside a canvas: taken as ink, it came out as
 * a gray field round the digit; the opening follows it.
 */
function aboveFlatBackground(bright: Float32Array, width: number, height: number): Float32Array | null {
  const { background, sigma } = inkStatistics(bright, NOISE_SIGMAS);
  if (sigma !== 0 || hasClippedNoise({ data: bright, width, height })) return null;
  const above = bright.map((v) => Math.max(0, v - background));
  return hasSecondLevel(above, width, height) ? null : above;
}

/** Pictures this small (a thumbnail, a 28x28) may be filled by their digit and hold no page: no second level there. */
const MIN_SECOND_LEVEL_PAGE = 64;
/** A second level lies this far (of the marks' peak) above the background or more: a shadow's, not antialiasing's... */
const SECOND_LEVEL = 0.1;
/** ...over a region wider than strokes (it survives an opening by a square of this fraction of the shorter side)... */
const SECOND_LEVEL_REACH = 1 / 8;
/** ...that covers this share of the picture or more. */
const SECOND_LEVEL_SHARE = 0.1;

/** Whether a second level (see SECOND_LEVEL) covers a wide part of the picture, given what rises above its background. */
function hasSecondLevel(above: Float32Array, width: number, height: number): boolean {
  if (Math.min(width, height) < MIN_SECOND_LEVEL_PAGE) return false;
  const peak = maxOf(above);
  const level = SECOND_LEVEL * peak;
  let between = 0;
  for (const v of above) if (v > level && v < peak - level) between++;
  // Too few pixels between the background and the ink's own level for the share: a canvas's strokes (the common
  // case, thick pens too: their cores lie at the peak) end here, before the mask's and the opening's cost.
  if (between < SECOND_LEVEL_SHARE * above.length) return false;
  const mask = above.map((v) => (v > level ? 1 : 0));
  const reach = Math.round(SECOND_LEVEL_REACH * Math.min(width, height));
  const opened = maxFilter(minFilter(mask, width, height, reach, reach), width, height, reach, reach);
  return opened.reduce((sum, v) => sum + v, 0) >= SECOND_LEVEL_SHARE * above.length;
}

/** Pixels along the border checked for noise cut off at black. */
const RING = 2;
/**
 * Noise clipped at black (where a picture's background is at the darkest level, as synthetic noise and overexposed
 * paper have it) leaves half the background at exactly 0, so it measures as a flat one. The border ring tells: at least
 * this fraction of it, on every side, above 0...
 */
const CLIPPED_NOISE_SHARE = 0.2;
/** ...mostly next to a pixel at 0 (grain; a digit's own strokes or blocks touching the border are solid)... */
const CLIPPED_NOISE_ISOLATED = 0.7;
/** ...and its median level between these fractions of the peak: above the default ink floor (fainter noise is dropped
 * there anyway, and smoothing would only soften the digit), below strokes and salt. */
const CLIPPED_NOISE_LEVELS = [0.1, 0.5] as const;

/** Whether the picture's background is noise clipped at black (see CLIPPED_NOISE_SHARE): then it is smoothed as grain is. */
function hasClippedNoise(image: Levels): boolean {
  const { data, width, height } = image;
  const sides = [0, 0, 0, 0];
  const sideTotal = [0, 0, 0, 0];
  const above: number[] = [];
  let isolated = 0;
  const zero = (j: number) => data[j]! <= 0.5;
  for (let y = 0; y < height; y++) {
    const edgeRow = y < RING || y >= height - RING;
    // Only the ring: inside rows jump from the left strip to the right one.
    for (let x = 0; x < width; x = !edgeRow && x === RING - 1 ? Math.max(x + 1, width - RING) : x + 1) {
      const side = x < RING ? 0 : x >= width - RING ? 1 : y < RING ? 2 : 3;
      const i = y * width + x;
      sideTotal[side]!++;
      if (!(data[i]! > 0.5)) continue;
      above.push(data[i]!);
      sides[side]!++;
      if ((x > 0 && zero(i - 1)) || (x < width - 1 && zero(i + 1)) || (y > 0 && zero(i - width)) || (y < height - 1 && zero(i + width))) isolated++;
    }
  }
  if (!sides.every((n, s) => n >= CLIPPED_NOISE_SHARE * sideTotal[s]!) || isolated < CLIPPED_NOISE_ISOLATED * above.length) return false;
  const level = above.sort((a, b) => a - b)[above.length >> 1]! / maxOf(data);
  return level >= CLIPPED_NOISE_LEVELS[0] && level < CLIPPED_NOISE_LEVELS[1];
}

/** The white top-hat (image minus its opening by a square of `radius`) of the ink-bright image, as a new image. */
function topHat(bright: Float32Array, width: number, height: number, radius: number): Float32Array {
  const ink = bright.slice();
  topHatInPlace(ink, width, height, radius);
  return ink;
}

/** Background noise the wider opening may let in (shading, in photos) over the narrower one's, as a factor. */
const MAX_NOISE_GROWTH = 1.25;

/** Whether the wider top-hat lets in clearly more background variation than the narrower one (then keep the narrow). */
function letsInShading(wider: Float32Array, narrow: Float32Array): boolean {
  return inkStatistics(wider, NOISE_SIGMAS).sigma > MAX_NOISE_GROWTH * inkStatistics(narrow, NOISE_SIGMAS).sigma + 0.5;
}

/**
 * At the sure ink (the narrow top-hat's pixels at half its peak or more), how much of the wider top-hat's level the
 * narrow one keeps, 0..1: 1 for strokes narrower than the opening, less when the opening cuts into them.
 */
export function coreKept(narrow: Float32Array, wide: Float32Array): number {
  const half = 0.5 * maxOf(narrow);
  let kept = 0;
  let total = 0;
  for (let i = 0; i < narrow.length; i++) {
    if (narrow[i]! >= half) {
      kept += narrow[i]!;
      total += wide[i]!;
    }
  }
  return total > 0 ? kept / total : 1;
}

/** Ink must differ from the background by at least this many gray levels (of 255), or the image is blank. */
const MIN_CONTRAST = 24;
/** ...and by this many times the background noise (a blank photo's grain has its own "marks"). */
const MIN_CONTRAST_SIGMAS = 8;
/** Above this noise level (gray levels) an image counts as grainy and is smoothed 3x3 before fitting. */
const GRAIN_SIGMA = 2;

/** Ink that stands out of the background: the image to go on with, and its statistics. */
interface Ink {
  image: Levels;
  stats: InkStatistics & { strong: number };
}

/** Whether anything stands out of the background, and from which image to go on: the ink itself, or grain smoothed. */
function findInk(raw: Levels): Ink | Empty {
  const stats = inkStatistics(raw.data, NOISE_SIGMAS);
  if (stats.strong === null) {
    // Noise everywhere (a photo of nothing, random pixels) is no blank picture, though nothing stands out of it either.
    return empty(stats.sigma > 0 ? 'no ink: nothing stands out of the background noise' : 'no ink: the image is blank (every pixel is background)');
  }
  const contrast = stats.strong - stats.background;
  if (contrast < MIN_CONTRAST) {
    return empty(
      `no ink: the strongest marks differ from the background by only ${contrast.toFixed(1)} of 255 gray levels (need ${MIN_CONTRAST})`,
    );
  }
  // A clean drawing has no noise at all and is judged as it is.
  const clipped = stats.sigma === 0 && hasClippedNoise(raw);
  if (stats.sigma === 0 && !clipped) return { image: raw, stats: { ...stats, strong: stats.strong } };
  // Grain is no mark: judge "is anything there" on a 3x3 average, where strokes keep their contrast and noise drops 3x.
  const smooth = meanFilter(raw, 3);
  const smoothStats = inkStatistics(smooth.data, NOISE_SIGMAS);
  const signal = (smoothStats.strong ?? smoothStats.background) - smoothStats.background;
  if (signal < MIN_CONTRAST_SIGMAS * smoothStats.sigma) {
    return empty(
      `no ink: nothing stands out of the background noise (marks ${signal.toFixed(1)} gray levels above it, ` +
        `need ${MIN_CONTRAST_SIGMAS}x the noise of ${smoothStats.sigma.toFixed(1)})`,
    );
  }
  // Grainy photos continue from the 3x3 average (the 20x20 fit averages far larger areas anyway).
  if ((clipped || stats.sigma > GRAIN_SIGMA) && smoothStats.strong !== null) {
    return { image: smooth, stats: { ...smoothStats, strong: smoothStats.strong } };
  }
  return { image: raw, stats: { ...stats, strong: stats.strong } };
}

/** Ink pieces smaller than this fraction of the largest piece are specks (dust, noise), not part of the digit. */
const MIN_PIECE_FRACTION = 0.05;
/** In a photo, pieces touching the image edge are dropped when a piece clear of the edges is at least this large
 * relative to the largest edge piece (so a tightly framed digit that touches the edge is kept). */
const EDGE_PIECE_RATIO = 0.2;
/** Fewer ink pixels than max(MIN_INK_PIXELS, MIN_INK_FRACTION * image area) are stray marks, not a digit. */
const MIN_INK_PIXELS = 12;
const MIN_INK_FRACTION = 1e-4;

/** The level below which a pixel is background: within the noise, or below `threshold` of the ink's contrast. */
function inkFloor(stats: Ink['stats'], threshold: number): number {
  return Math.max(stats.background + NOISE_SIGMAS * stats.sigma, stats.background + threshold * (stats.strong - stats.background));
}

/**
 * The digit's ink as levels in 0..1 (1 from the strong ink level up), everything else 0: pixels above the noise and
 * above `threshold` of the ink's contrast, in the pieces that make the digit (see {@link digitPieces}).
 */
function keepDigit(ink: Ink, threshold: number, frame: Box): KeptDigit | Empty {
  const { image, stats } = ink;
  const { data, width, height } = image;
  const low = inkFloor(stats, threshold);
  const mask = maskAbove(data, low);
  withoutRuledLines(mask, data, width, height, (low + stats.strong) / 2);
  const minInk = Math.max(MIN_INK_PIXELS, Math.round(MIN_INK_FRACTION * width * height));
  const { labels, keep, inkPixels } = digitPieces(mask, width, height, minInk, stats.sigma > 0, frame);
  if (inkPixels < minInk) {
    return empty(`no digit: only ${inkPixels} ink pixel(s) (need at least ${minInk}); stray marks are not a digit`);
  }
  const levelsFrom = (from: number): Levels => {
    const scale = 1 / (stats.strong - from);
    const levels = new Float32Array(data.length);
    for (let i = 0; i < data.length; i++) if (labels[i] !== 0 && keep[labels[i]! - 1]) levels[i] = Math.min(1, (data[i]! - from) * scale);
    return { data: levels, width, height };
  };
  // Levels run from the ink floor, which keeps a pen's faint edges faint. Under a wash the strokes go on at its level,
  // and from the floor a stroke under mud at a quarter of the contrast would come out at a sixth, a gap in the digit.
  const fromFloor = levelsFrom(low);
  const washed = hasFaintWash(image, fromFloor, stats);
  return { levels: washed ? levelsFrom(stats.background) : fromFloor, washed };
}

/** The digit's kept ink as levels (see keepDigit), and whether a faint wash lies over it (see hasFaintWash). */
interface KeptDigit {
  levels: Levels;
  washed: boolean;
}

/** Kept ink under this fraction of the contrast is faint... */
const WASH_LEVEL = 0.4;
/** ...and flat where, across an MNIST pixel each way (a twentieth of the ink's longer side: the 20x20 fit's pixel),
 * it spans at most this fraction of the contrast: a pen's edge ramps, enlarged too, and a wash does not. */
const WASH_SPREAD = 0.06;

/** Whether some kept ink is a faint, flat wash: mud or a stain over the page and the strokes. */
export function hasFaintWash(image: GrayImage<Float32Array>, kept: Levels, stats: Ink['stats']): boolean {
  const { data, width, height } = image;
  const box = boundingBox(kept, 0);
  if (!box) return false;
  const [faint, flat] = [stats.background + WASH_LEVEL * (stats.strong - stats.background), WASH_SPREAD * (stats.strong - stats.background)];
  // Flat across an MNIST pixel is flat across 3x3 first: that cheap test rules out a pen's ramping edges at once.
  const flat3x3: number[] = [];
  for (let y = box.y; y < box.y + box.height; y++) {
    for (let x = box.x; x < box.x + box.width; x++) {
      const i = y * width + x;
      if (kept.data[i]! > 0 && data[i]! < faint && spreadAround(data, width, height, x, y) <= flat) flat3x3.push(i);
    }
  }
  const reach = Math.max(1, Math.round(Math.max(box.width, box.height) / 20));
  if (flat3x3.length === 0 || reach === 1) return flat3x3.length > 0;
  // Filtered only round the ink (the picture may be 1024 px a side and the digit small).
  const region = within(grownBox(box, reach), { x: 0, y: 0, width, height });
  const around = crop(image, region);
  const highs = maxFilter(around.data, around.width, around.height, reach, reach);
  const lows = minFilter(around.data, around.width, around.height, reach, reach);
  return flat3x3.some((i) => {
    const j = (Math.floor(i / width) - region.y) * region.width + (i % width) - region.x;
    return highs[j]! - lows[j]! <= flat;
  });
}

/** How far the 3x3 neighbourhood of (x, y) spans (within the picture). */
function spreadAround(data: Float32Array, width: number, height: number, x: number, y: number): number {
  let low = Infinity;
  let high = -Infinity;
  for (let v = Math.max(0, y - 1); v <= Math.min(height - 1, y + 1); v++) {
    for (let u = Math.max(0, x - 1); u <= Math.min(width - 1, x + 1); u++) {
      const value = data[v * width + u]!;
      if (value < low) low = value;
      if (value > high) high = value;
    }
  }
  return high - low;
}

/**
 * Which 8-connected pieces of the mask make the digit: not specks much smaller than the largest piece, and in a photo
 * not what touches the image's edges (the table beside the sheet, a shadow, a finger) when a real piece of ink stands
 * clear of them. Clean drawings keep edge pieces: a digit may well run off a canvas.
 */
function digitPieces(
  mask: Uint8Array,
  width: number,
  height: number,
  minInk: number,
  photo: boolean,
  frame: Box,
): { labels: Int32Array; keep: boolean[]; inkPixels: number } {
  const { labels, areas } = connectedComponents(mask, width, height);
  const touches = photo ? piecesTouchingEdge(labels, width, height, areas.length, frame) : areas.map(() => false);
  const largestWhere = (touching: boolean) => areas.reduce((a, area, i) => (touches[i] === touching ? Math.max(a, area) : a), 0);
  const largestInside = largestWhere(false);
  const dropEdges = photo && largestInside >= minInk && largestInside >= EDGE_PIECE_RATIO * largestWhere(true);
  const candidate = areas.map((_, i) => !(dropEdges && touches[i]));
  const largest = areas.reduce((a, area, i) => (candidate[i] ? Math.max(a, area) : a), 0);
  const keep = areas.map((area, i) => candidate[i]! && area >= MIN_PIECE_FRACTION * largest);
  const inkPixels = areas.reduce((sum, area, i) => sum + (keep[i] ? area : 0), 0);
  return { labels, keep, inkPixels };
}

/** A ruled piece is a line under or a frame round the digit when it reaches this fraction of its length (at least a
 * pixel) past the rest of the ink at both ends... */
const RULE_OVERHANG = 0.03;
/** ...and the largest piece of the rest has at least this fraction of its pixels (not a speck beside a soft digit). */
const RULE_REST = 0.1;
/** A slanted line levelled column by column may break where the shift steps: its rows run on across this many pixels. */
const LEVELLED_GAP = 2;
/** Pieces of the ink's core (above `core`) smaller than this are no line and no digit. */
const MIN_RULE_PIXELS = 12;

/**
 * Clears from `mask` the lines drawn with a ruler beside the digit (an underline, a form's box or comb; see
 * {@link ruledThickness}), with the faint pixels round them: pieces of the ink's core (pixels above `core`, where the
 * faint fringe no longer joins a frame to the digit inside) that reach past the rest of the ink, left and right; and,
 * first, an underline, a comb or a frame the digits touch, cut off the piece they make with them (see touchingBaseline,
 * touchingFrame and gridDividers). A bar that is part of a digit (a 7's, a 5's) is joined to its strokes or ends where
 * they do; when only lines are there, they stay.
 */
function withoutRuledLines(mask: Uint8Array, data: Float32Array, width: number, height: number, core: number): void {
  const { labels, areas } = connectedComponents(maskAbove(data, core), width, height);
  const boxes = pieceBoxes(labels, width, height, areas.length);
  // Underlines and combs that touch the digits first, so the rest's extent below is the digits' and not the lines'.
  areas.forEach((area, i) => {
    if (area < MIN_RULE_PIXELS) return;
    const box = boxes.subarray(4 * i, 4 * i + 4);
    const overhang = Math.max(1, Math.round(RULE_OVERHANG * (box[2]! - box[0]! + 1)));
    // Level, or else along the piece's lower edge when that slants (a line drawn by hand, a page photographed askew).
    let line = touchingBaseline(labels, width, box, i + 1, overhang);
    let frame: { box: ArrayLike<number>; toImage?: (x: number, y: number) => [number, number] } = { box };
    const slope = line ? 0 : lowerEdgeSlope(labels, width, box, i + 1);
    if (slope !== 0) {
      const sheared = levelled(labels, width, box, i + 1, slope);
      // Levelled column by column, the line's rows step by a pixel where the shift does.
      line = touchingBaseline(sheared.labels, sheared.width, sheared.box, i + 1, overhang, LEVELLED_GAP);
      frame = sheared;
    }
    if (!line) return;
    // The line's rows down to the piece's bottom, each tooth and a top line, with a pixel's margin on the side away from
    // the digits (the end teeth's and the top line's inner side may touch one) or round a tooth between.
    const [left, top, right, bottom] = [frame.box[0]!, frame.box[1]!, frame.box[2]!, frame.box[3]!];
    const cuts = [line.left - 1, line.top, line.right + 1, bottom + 1];
    const { teeth } = line;
    for (let t = 0; t < teeth.length; t += 3) {
      const [growLeft, growRight] = [t === teeth.length - 3 ? 0 : 1, t === 0 ? 0 : 1];
      cuts.push(teeth[t]! - growLeft, teeth[t + 2]! - 1, teeth[t + 1]! + growRight, line.top - 1);
    }
    if (line.ceiling > 0) cuts.push(left - 1, top - 1, right + 1, top + line.ceiling - 1);
    areas[i] = cutPiece(mask, labels, width, height, box, i + 1, cuts, frame.toImage);
  });
  // Frames the digit touches (one piece with it): their sides leave the mask, with the fringe outside them, when the
  // inside keeps ink (a box with nothing in it, a 0 drawn with a ruler, stays).
  areas.forEach((area, i) => {
    const box = boxes.subarray(4 * i, 4 * i + 4);
    const sides = area >= MIN_RULE_PIXELS ? touchingFrame(labels, width, box, i + 1) : null;
    if (!sides) return;
    const [left, top, right, bottom] = [box[0]!, box[1]!, box[2]!, box[3]!];
    const [dt, db, dl, dr] = sides;
    const inner: [number, number, number, number] = [left + dl, top + dt, right - dr, bottom - db];
    // A row of boxes (a form's comb closed at the top): its dividers go with the frame.
    const dividers = gridDividers(labels, width, inner, i + 1, 2 * Math.max(...sides) + 1, areas, MIN_RULE_PIXELS);
    const [innerLeft, innerTop, innerRight, innerBottom] = inner;
    let inside = 0;
    for (let y = innerTop; y <= innerBottom; y++) inside += countInRow(labels, width, y, innerLeft, innerRight, i + 1);
    if (dividers.length === 0 && inside < RULE_REST * (area - inside)) return;
    // The four sides with the fringe outside them (top, bottom, left, right), and the dividers.
    const cuts = [left - 1, top - 1, right + 1, innerTop - 1, left - 1, innerBottom + 1, right + 1, bottom + 1];
    cuts.push(left - 1, top, innerLeft - 1, bottom, innerRight + 1, top, right + 1, bottom);
    for (const [x0, x1] of dividers) cuts.push(x0 - 1, top, x1 + 1, bottom);
    areas[i] = cutPiece(mask, labels, width, height, box, i + 1, cuts);
  });
  if (areas.length < 2) return;
  const thickness = areas.map((area, i) => (area >= MIN_RULE_PIXELS ? ruledThickness(labels, width, boxes.subarray(4 * i, 4 * i + 4), i + 1, area) : 0));
  const ruled = thickness.map((t) => t > 0);
  if (!ruled.includes(true)) return;
  const largestRest = areas.reduce((a, area, i) => (ruled[i] ? a : Math.max(a, area)), 0);
  // The rest's extent: the pieces that are not specks.
  let [restLeft, restRight, restTop, restBottom] = [width, -1, height, -1];
  areas.forEach((area, i) => {
    if (ruled[i] || area < MIN_PIECE_FRACTION * largestRest) return;
    restLeft = Math.min(restLeft, boxes[4 * i]!);
    restRight = Math.max(restRight, boxes[4 * i + 2]!);
    restTop = Math.min(restTop, boxes[4 * i + 1]!);
    restBottom = Math.max(restBottom, boxes[4 * i + 3]!);
  });
  const drop = ruled.map((rule, i) => {
    const [left, right] = [boxes[4 * i]!, boxes[4 * i + 2]!];
    // Past the rest by more than its own thickness too (a thick 2's base drawn apart reaches a little past its curve);
    // under a number, a fraction of the rest's height rather than of the line's length.
    const overhang = Math.max(1, Math.round(RULE_OVERHANG * Math.min(right - left + 1, restBottom - restTop + 1)), thickness[i]!);
    return rule && largestRest >= RULE_REST * areas[i]! && left <= restLeft - overhang && right >= restRight + overhang;
  });
  if (!drop.includes(true)) return;
  // Each dropped piece's pixels and their 8 neighbours (its faint fringe) leave the mask.
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const l = labels[y * width + x]!;
      if (l === 0 || !drop[l - 1]) continue;
      for (let yy = Math.max(0, y - 1); yy <= Math.min(height - 1, y + 1); yy++) mask.fill(0, yy * width + Math.max(0, x - 1), yy * width + Math.min(width, x + 2));
    }
  }
}

/**
 * Clears the rectangles `cuts` ([left, top, right, bottom] in fours, inclusive; in the image, or on a grid `toImage`
 * maps into it) from `mask` and from piece `label`, with the faint pixels (off the core) right round them, and shrinks
 * the piece's `box` to what it keeps: how many pixels that is.
 */
function cutPiece(
  mask: Uint8Array,
  labels: Int32Array,
  width: number,
  height: number,
  box: Int32Array,
  label: number,
  cuts: number[],
  toImage: (x: number, y: number) => [number, number] = (x, y) => [x, y],
): number {
  for (let c = 0; c < cuts.length; c += 4) {
    for (let cy = cuts[c + 1]! - 1; cy <= cuts[c + 3]! + 1; cy++) {
      const ring = cy < cuts[c + 1]! || cy > cuts[c + 3]!;
      for (let cx = cuts[c]! - 1; cx <= cuts[c + 2]! + 1; cx++) {
        const [x, y] = toImage(cx, cy);
        if (x < 0 || x >= width || y < 0 || y >= height) continue;
        const p = y * width + x;
        if (ring || cx < cuts[c]! || cx > cuts[c + 2]!) {
          // A line's anti-aliased edge beside the ink it touches: faint, so off the core (labelled 0).
          if (labels[p] === 0) mask[p] = 0;
          continue;
        }
        mask[p] = 0;
        if (labels[p] === label) labels[p] = 0;
      }
    }
  }
  const [left, top, right, bottom] = [box[0]!, box[1]!, box[2]!, box[3]!];
  box.set([right + 1, bottom + 1, left - 1, top - 1]);
  let kept = 0;
  for (let y = top; y <= bottom; y++) {
    for (let x = left; x <= right; x++) {
      if (labels[y * width + x] !== label) continue;
      kept++;
      box.set([Math.min(box[0]!, x), Math.min(box[1]!, y), Math.max(box[2]!, x), Math.max(box[3]!, y)]);
    }
  }
  return kept;
}

/** The box MNIST fits into 20x20 is that of the ink at or above this fraction of its contrast (the stroke edge,
 * not the faint anti-aliasing fringe around it). */
export const BOX_LEVEL = 0.4;

/** The box to crop to; faint kept ink only (its strong part was in pieces dropped): the box of all of it. */
function cropBox(levels: Levels): Box | Empty {
  return boundingBox(levels, BOX_LEVEL) ?? boundingBox(levels, 0) ?? empty('no digit: what stood out was all specks or edge marks');
}

/** MNIST fits each digit into 20x20 keeping its aspect ratio... */
const BOX_SIDE = 20;
/** Thickening runs on an intermediate image this many times finer than the 20x20 box. */
const DILATION_DETAIL = 4;

/**
 * The ink in `inkBox`, grown by `grow` pixels all round with a round pen, fitted into `side` x `side` (MNIST's 20x20)
 * keeping the aspect ratio: area averaging when shrinking (anti-aliased), bilinear when enlarging. The augmenter fits
 * cluttered training images with it too.
 */
export function fitIntoBox(levels: Levels, inkBox: Box, grow = 0, side = BOX_SIDE): Levels {
  const box = grownBox(inkBox, grow);
  const scale = side / Math.max(box.width, box.height);
  const width = Math.max(1, Math.ceil(box.width * scale - 1e-6));
  const height = Math.max(1, Math.ceil(box.height * scale - 1e-6));
  const data =
    grow > 0
      ? resampleDilated(levels, box, scale, width, height, grow, DILATION_DETAIL)
      : resample(levels, box, scale, width, height);
  return { data, width, height };
}

/** The ink box with room for a pen of `grow` pixels round it. */
function grownBox(inkBox: Box, grow: number): Box {
  const margin = Math.ceil(grow);
  return { x: inkBox.x - margin, y: inkBox.y - margin, width: inkBox.width + 2 * margin, height: inkBox.height + 2 * margin };
}

/**
 * Stroke width of the 20x20 fit, as 2 * area / perimeter of the pixels >= half the maximum (see strokeWidth). MNIST's
 * test set measures 1.32 at the 5th percentile, 1.46 at the 10th, 1.62 at the 20th, 2.0 at the median: fits thinner
 * than MIN are thickened to about TARGET, a thin MNIST pen rather than its median one. The shipped models learn
 * stroke widths from augmentation, and pen added beyond that also widens what crosses the digit (a stray line, dots,
 * an outline's two edges: at 1.7 they merge) into strokes as bold as its own.
 */
const MIN_STROKE = 1.4;
const TARGET_STROKE = 1.6;
/**
 * Finger-thick strokes fill loops and blur shapes: fits thicker than all but 1% of MNIST (3.4 at the 99th percentile)
 * are thinned with a round eraser to MNIST's 90th percentile, THICK_TARGET.
 */
const MAX_STROKE = 3.4;
const THICK_TARGET = 2.6;
/**
 * Strokes whose edges ramp up over more than this many pixels of the 20x20 fit are soft (blur, a thumbnail scaled up):
 * their width at half contrast is blur, not a fat pen, which is what the thinning is for. Crisp pens and MNIST ramp up
 * over 0.1-0.65 px (90th percentile of the drawn conditions), the blurred tune families over 0.9-1.6.
 */
const SOFT_EDGE = 0.75;

/** Measures the fit's strokes as MNIST's are measured, and redoes a fit much thinner or thicker than MNIST's. */
function normalizeStrokeWidth(levels: Levels, inkBox: Box, fit: Levels): Levels {
  const measured = strokeWidth(fit, 0.5 * maxOf(fit.data));
  if (measured < MIN_STROKE) return thickened(levels, inkBox, measured) ?? fit;
  if (measured > MAX_STROKE && edgeRamp(fit) <= SOFT_EDGE) return thinned(levels, inkBox, measured) ?? fit;
  return fit;
}

/**
 * How many pixels a stroke's edge takes to rise from a quarter to three quarters of the peak: half the difference of
 * the stroke widths measured at those two levels (a stroke has two edges). About 0.5 for a crisp stroke, more when soft.
 */
export function edgeRamp(fit: GrayImage): number {
  const peak = maxOf(fit.data);
  return (strokeWidth(fit, 0.25 * peak) - strokeWidth(fit, 0.75 * peak)) / 2;
}

/** Thin strokes on a big canvas come out as hairlines: refit after a round pen widens them to MNIST's median. */
function thickened(levels: Levels, inkBox: Box, measured: number): Levels | null {
  const side = Math.max(inkBox.width, inkBox.height);
  const sourceStroke = strokeWidth(levels, 0.5);
  const predicted = (sourceStroke * BOX_SIDE) / side;
  // Crisp pen strokes measure thinner at 28x28 than soft MNIST strokes of the same width: aim higher by as much.
  const ratio = predicted >= 1 ? Math.min(1, Math.max(0.6, measured / predicted)) : 1;
  const target = TARGET_STROKE / ratio;
  // Dilating by g widens both the stroke and the box: solve (w + 2g) * 20 / (side + 2g) = target for g.
  const grow = ((target * side) / BOX_SIDE - sourceStroke) / (2 * (1 - target / BOX_SIDE));
  if (!(grow > 0)) return null;
  const apart = specksApart(levels, grownBox(inkBox, 2 * grow));
  if (!apart) return fitIntoBox(levels, inkBox, grow);
  // The specks keep their size, in the same box as the widened strokes.
  const fit = fitIntoBox(apart.strokes, inkBox, grow);
  const box = grownBox(inkBox, grow);
  const specks = resample(apart.specks, box, BOX_SIDE / Math.max(box.width, box.height), fit.width, fit.height);
  for (let i = 0; i < specks.length; i++) fit.data[i] = Math.max(fit.data[i]!, specks[i]!);
  return fit;
}

/**
 * Pieces of ink under this fraction of the largest are specks beside the strokes (a dotted line's dashes, grains of
 * noise; those under MIN_PIECE_FRACTION are gone already): the pen that widens thin strokes would grow them as bold as
 * a stroke and join a line of them into a bar.
 */
const SPECK_FRACTION = 0.1;

/**
 * The ink as its strokes and its specks (see SPECK_FRACTION), each on its own, or null when it has no specks; pieces are
 * told apart inside `region` (the box the fit reads, with its pen's reach), the ink outside it goes with the strokes.
 */
function specksApart(levels: Levels, region: Box): { strokes: Levels; specks: Levels } | null {
  const { data, width, height } = levels;
  const box = within(region, { x: 0, y: 0, width, height });
  const { labels, areas } = connectedComponents(maskAbove(crop(levels, box).data, 0), box.width, box.height);
  const largest = areas.reduce((a, b) => Math.max(a, b), 0);
  if (areas.every((area) => area >= SPECK_FRACTION * largest)) return null;
  const strokes = data.slice();
  const specks = new Float32Array(data.length);
  for (let y = 0; y < box.height; y++) {
    for (let x = 0; x < box.width; x++) {
      const label = labels[y * box.width + x]!;
      if (label === 0) continue;
      const i = (box.y + y) * width + box.x + x;
      if (areas[label - 1]! >= SPECK_FRACTION * largest) continue;
      specks[i] = data[i]!;
      strokes[i] = 0;
    }
  }
  return { strokes: { ...levels, data: strokes }, specks: { ...levels, data: specks } };
}

/** Finger-thick strokes: refit after a round eraser thins them to MNIST's 90th percentile. */
function thinned(levels: Levels, inkBox: Box, measured: number): Levels | null {
  const side = Math.max(inkBox.width, inkBox.height);
  const sourceStroke = (measured * side) / BOX_SIDE;
  // Eroding by r thins the stroke and the box by 2r: solve (w - 2r) * 20 / (side - 2r) = target for r; keep 2 px.
  const shrink = (sourceStroke - (THICK_TARGET * side) / BOX_SIDE) / (2 * (1 - THICK_TARGET / BOX_SIDE));
  const radius = Math.min(Math.floor(shrink), Math.floor(sourceStroke / 2) - 1);
  if (radius < 1) return null;
  const eroded = { data: erodeDisk(levels.data, levels.width, levels.height, radius), width: levels.width, height: levels.height };
  const box = boundingBox(eroded, BOX_LEVEL);
  return box ? fitIntoBox(eroded, box) : null;
}

/** MNIST's frame: 28x28, the fit's centre of mass shifted to its middle (the MNIST test set averages 14.0). */
const FRAME = 28;

/** The fit in a 28x28 frame as bytes, its maximum 255, shifted by whole pixels (as MNIST did) to centre its mass. */
function centreInFrame(fit: Levels): Uint8Array {
  const frame = new Float32Array(FRAME * FRAME);
  placeByMass(fit, frame, FRAME, FRAME);
  const toByte = 255 / maxOf(fit.data);
  return Uint8Array.from(frame, (v) => Math.round(v * toByte));
}

/**
 * Writes the fit into `out` (a `width` x `height` frame, zero elsewhere), shifted by whole pixels so its centre of mass
 * is at the frame's middle (pixel-index coordinates); pixels that would land outside are dropped.
 */
export function placeByMass(fit: Levels, out: Float32Array, width: number, height: number): void {
  const com = centerOfMass(fit)!;
  const dx = Math.round(width / 2 - com.x);
  const dy = Math.round(height / 2 - com.y);
  out.fill(0, 0, width * height);
  const [left, right] = [Math.max(0, -dx), Math.min(fit.width, width - dx)];
  const [top, bottom] = [Math.max(0, -dy), Math.min(fit.height, height - dy)];
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) out[(y + dy) * width + x + dx] = fit.data[y * fit.width + x]!;
  }
}

/** A box in working pixels, in the source image's pixels (exact to within the shrink factor). */
function inSource(box: Box, factor: number, gray: GrayImage): Box {
  return {
    x: box.x * factor,
    y: box.y * factor,
    width: Math.min(box.width * factor, gray.width - box.x * factor),
    height: Math.min(box.height * factor, gray.height - box.y * factor),
  };
}
