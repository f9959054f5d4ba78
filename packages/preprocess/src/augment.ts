import { type AugmentOptions, createRng, DigitkitError, type Rng } from '@digitkit/core';
import { boundingBox, maxOf, resizeArea } from './image.js';
import { BOX_LEVEL, fitIntoBox, placeByMass } from './mnist-format.js';

/** The families drawn with a probability per image, in the order they are applied after the warp. */
export const AUGMENT_FAMILIES = ['strokeWidth', 'outline', 'lowResolution', 'blur', 'clutter', 'stains', 'contrast', 'noise'] as const;
/** A family applied after the warp (see {@link AugmentOptions}). */
export type AppearanceFamily = (typeof AUGMENT_FAMILIES)[number];

/** Options of {@link createAugmenter}: `AugmentOptions`' families, with the scale as a [min, max] zoom range. */
export interface AugmenterOptions extends Omit<AugmentOptions, 'scale'> {
  /** Seed of the random sequence: the same seed gives the same sequence of transformed images. */
  seed: number;
  /** Largest shift in whole pixels along each axis (uniform in -maxShift..maxShift). Default 2. */
  maxShift?: number;
  /** Largest rotation in degrees (uniform in -maxRotation..maxRotation). Default 0 = off. */
  maxRotation?: number;
  /** Range of the zoom factor, uniform in [min, max]. Default [1, 1] = off. */
  scale?: [number, number];
  /** Image height in pixels. Default 28. */
  height?: number;
  /** Image width in pixels. Default 28. */
  width?: number;
}

/** Writes a normalized ([0, 1]), randomly transformed copy of `src` (bytes) into `out` (floats). */
export type Augmenter = (src: Uint8Array, out: Float32Array) => void;

/** One appearance stage: changes a [0, 1] float image in place, with the augmenter's scratch buffers. */
type Stage = (image: Float32Array, width: number, height: number, rng: Rng, scratch: Scratch) => void;

/** Buffers one augmenter reuses on every call (this runs 60,000 times an epoch: no allocation per image). */
interface Scratch {
  /** A free float image of the augmenter's size. */
  image: Float32Array;
  /** One row or column with a convolution's border pixels repeated at both ends. */
  line: Float32Array;
  /** The warp's per-column terms of its source x and y (see warpNormalized). */
  columnX: Float64Array;
  columnY: Float64Array;
  /** The source's ink box (left, right, top, bottom) and one row's span of columns to sample (first, last). */
  inkBox: Int32Array;
  columns: Int32Array;
  /** The last source buffer's 32-bit view (see inkBox). */
  words: Uint32Array | null;
  /**
   * Where the image being augmented may be nonzero (left, right, top, bottom, inclusive), when `supportKnown`: the
   * warp knows it, stroke width and blur narrow their passes to it and grow it; other stages forget it.
   */
  support: Int32Array;
  supportKnown: boolean;
  /** One column of the image (see blurSupport). */
  column: Float32Array;
  /** A second free float image (see outlineStrokes). */
  second: Float32Array;
}

function createScratch(width: number, height: number): Scratch {
  return {
    image: new Float32Array(width * height),
    line: convolutionLine(width, height, BLUR_KERNELS),
    columnX: new Float64Array(width),
    columnY: new Float64Array(width),
    inkBox: new Int32Array(4),
    columns: new Int32Array(2),
    words: null,
    support: new Int32Array(4),
    supportKnown: false,
    column: new Float32Array(height),
    second: new Float32Array(width * height),
  };
}

/** What each family does to an image (they run in {@link AUGMENT_FAMILIES}' order, each with its probability). */
const STAGES: Record<AppearanceFamily, Stage> = {
  strokeWidth: changeStrokeWidth,
  outline: outlineStrokes,
  lowResolution: lowerResolution,
  blur: gaussianBlur,
  clutter: addClutter,
  stains: addStains,
  contrast: lowerContrast,
  noise: addNoise,
};

const PROBABILITY_FAMILIES = ['elastic', ...AUGMENT_FAMILIES] as const;

/** The stages that keep `Scratch.support` true (they grow it as they spread ink); after any other it is unknown. */
const KEEPS_SUPPORT: ReadonlySet<Stage> = new Set<Stage>([changeStrokeWidth, gaussianBlur]);

/**
 * A seeded augmenter for training: each call shifts (and, when enabled, rotates, zooms, shears and elastically
 * distorts) one image at random in one bilinear warp with a zero background, then applies each appearance family
 * (stroke width, outline, low resolution, blur, clutter, stains, contrast, noise) with its probability. With only the shift
 * on it takes a whole-pixel copy fast path.
 */
export function createAugmenter(options: AugmenterOptions): Augmenter {
  const { seed, maxShift = 2, maxRotation = 0, scale = [1, 1], shear = 0, height = 28, width = 28 } = options;
  if (!Number.isFinite(seed)) {
    throw new DigitkitError('BAD_OPTION', `createAugmenter: seed must be a finite number, got ${seed}`);
  }
  if (!Number.isInteger(maxShift) || maxShift < 0) {
    throw new DigitkitError(
      'BAD_OPTION',
      `createAugmenter: maxShift must be a whole number of pixels >= 0, got ${maxShift}`,
    );
  }
  if (!Number.isFinite(maxRotation) || maxRotation < 0 || maxRotation > 180) {
    throw new DigitkitError('BAD_OPTION', `createAugmenter: maxRotation must be in 0..180 degrees, got ${maxRotation}`);
  }
  const [minScale, maxScale] = scale;
  if (!(minScale > 0) || !(maxScale >= minScale) || !Number.isFinite(maxScale)) {
    throw new DigitkitError(
      'BAD_OPTION',
      `createAugmenter: scale must be [min, max] with 0 < min <= max, got ${JSON.stringify(scale)}`,
    );
  }
  if (!Number.isFinite(shear) || shear < 0 || shear > 1) {
    throw new DigitkitError('BAD_OPTION', `createAugmenter: shear must be in 0..1 (x-offset per pixel of height), got ${shear}`);
  }
  for (const family of PROBABILITY_FAMILIES) {
    const p = options[family] ?? 0;
    if (!Number.isFinite(p) || p < 0 || p > 1) {
      throw new DigitkitError('BAD_OPTION', `createAugmenter: ${family} is a probability per image and must be in 0..1, got ${p}`);
    }
  }
  if (!Number.isInteger(height) || !Number.isInteger(width) || height < 1 || width < 1) {
    throw new DigitkitError('BAD_OPTION', `createAugmenter: height and width must be positive integers, got ${height}x${width}`);
  }
  const rng = createRng(seed);
  const size = height * width;
  const shiftChoices = 2 * maxShift + 1;
  const elastic = options.elastic ?? 0;
  const warps = maxRotation > 0 || minScale !== 1 || maxScale !== 1 || shear > 0 || elastic > 0;
  const stages = AUGMENT_FAMILIES.filter((family) => (options[family] ?? 0) > 0).map(
    (family) => [options[family]!, STAGES[family]] as const,
  );
  const scratch = createScratch(width, height);

  const checkSizes = (src: Uint8Array, out: Float32Array) => {
    if (src.length !== size || out.length < size) {
      throw new DigitkitError(
        'BAD_INPUT',
        `augmenter: expected a ${height}x${width} image (${size} bytes) and an output of at least ${size} floats, got ${src.length} bytes and ${out.length} floats`,
      );
    }
  };

  if (!warps && stages.length === 0) {
    return (src, out) => {
      checkSizes(src, out);
      const dx = rng.int(shiftChoices) - maxShift;
      const dy = rng.int(shiftChoices) - maxShift;
      shiftNormalized(src, out, width, height, dx, dy);
    };
  }

  const degToRad = Math.PI / 180;
  const bank = elastic > 0 ? elasticBank(width, height) : null;
  return (src, out) => {
    checkSizes(src, out);
    const dx = rng.int(shiftChoices) - maxShift;
    const dy = rng.int(shiftChoices) - maxShift;
    if (!warps) {
      shiftNormalized(src, out, width, height, dx, dy);
      scratch.supportKnown = false;
    } else {
      const angle = maxRotation > 0 ? (rng.next() * 2 - 1) * maxRotation * degToRad : 0;
      const zoom = maxScale !== minScale ? minScale + rng.next() * (maxScale - minScale) : minScale;
      const slant = shear > 0 ? (rng.next() * 2 - 1) * shear : 0;
      let field: ElasticDraw | null = null;
      if (bank && rng.next() < elastic) {
        const drawn = bank[rng.int(bank.length)]!;
        // A random sign makes two distortions of each field in the bank.
        const strength = ELASTIC_PIXELS * (0.5 + 0.5 * rng.next()) * (rng.next() < 0.5 ? -1 : 1);
        field = { field: drawn.field, strength, rowReachX: drawn.rowReachX, rowReachY: drawn.rowReachY };
      }
      warpNormalized(src, out, width, height, { angle, zoom, shear: slant, dx, dy, elastic: field }, scratch);
    }
    for (let s = 0; s < stages.length; s++) {
      const [probability, stage] = stages[s]!;
      if (rng.next() >= probability) continue;
      stage(out, width, height, rng, scratch);
      if (!KEEPS_SUPPORT.has(stage)) scratch.supportKnown = false;
    }
  };
}

/**
 * out[y][x] = src[y - dy][x - dx] / 255, zero where the source is outside the image. A shift of the row-major image
 * is a shift of the flat array by dy * width + dx, plus zeroing the |dx| columns that wrapped round from the next
 * row: one tight loop, no per-row calls (this runs 60,000 times an epoch).
 */
function shiftNormalized(src: Uint8Array, out: Float32Array, width: number, height: number, dx: number, dy: number): void {
  const n = width * height;
  const d = dy * width + dx;
  const from = Math.max(0, Math.min(n, d));
  const to = Math.max(0, Math.min(n, n + d));
  const k = 1 / 255;
  for (let i = 0; i < from; i++) out[i] = 0;
  let i = from;
  // Four pixels per turn: about a quarter less time than one (measured on Node 20).
  for (; i + 4 <= to; i += 4) {
    const j = i - d;
    out[i] = src[j]! * k;
    out[i + 1] = src[j + 1]! * k;
    out[i + 2] = src[j + 2]! * k;
    out[i + 3] = src[j + 3]! * k;
  }
  for (; i < to; i++) out[i] = src[i - d]! * k;
  for (let i = to; i < n; i++) out[i] = 0;
  if (dx > 0) {
    for (let row = 0; row < n; row += width) for (let x = 0; x < dx && x < width; x++) out[row + x] = 0;
  } else if (dx < 0) {
    for (let row = 0; row < n; row += width) for (let x = Math.max(0, width + dx); x < width; x++) out[row + x] = 0;
  }
}

/** The geometry of one warp: rotation (radians), zoom, horizontal shear, whole-pixel shift, optional elastic field. */
interface Warp {
  angle: number;
  zoom: number;
  shear: number;
  dx: number;
  dy: number;
  elastic: ElasticDraw | null;
}

/** One elastic distortion: a field of the bank (x displacements, then y), scaled by `strength` pixels (RMS). */
interface ElasticDraw {
  field: Float32Array;
  strength: number;
  /** Per row of the field, the largest magnitude of its x and of its y values (times |strength|: the pull in pixels). */
  rowReachX: Float64Array;
  rowReachY: Float64Array;
}

/** A field of the elastic bank (x displacements, then y), and per row its largest magnitude along each axis. */
interface ElasticField {
  field: Float32Array;
  rowReachX: Float64Array;
  rowReachY: Float64Array;
}

/**
 * Rotates, shears and zooms about the image centre, shifts by (dx, dy) and displaces by the elastic field: one pass,
 * bilinear sampling, zero outside. Works backwards from each output pixel to its source so each is written once.
 */
function warpNormalized(src: Uint8Array, out: Float32Array, width: number, height: number, warp: Warp, scratch: Scratch): void {
  // MNIST puts the centre of mass at (14, 14) of 28x28, so turn and zoom about (width/2, height/2).
  const cx = width / 2;
  const cy = height / 2;
  // Forward map: zoom * R(angle) * [[1, shear], [0, 1]]; sample through its inverse [[a, b], [c, d]].
  const cos = Math.cos(warp.angle);
  const sin = Math.sin(warp.angle);
  const m00 = warp.zoom * cos;
  const m01 = warp.zoom * (cos * warp.shear - sin);
  const m10 = warp.zoom * sin;
  const m11 = warp.zoom * (sin * warp.shear + cos);
  const det = m00 * m11 - m01 * m10;
  const a = m11 / det;
  const b = -m01 / det;
  const c = -m10 / det;
  const d = m00 / det;
  const size = width * height;
  const inv = 1 / 255;
  // The source point is (cx + a * u) + b * v: the first term depends on the column only, so it is made once per column.
  const { columnX, columnY } = scratch;
  for (let x = 0; x < width; x++) {
    const u = x - cx - warp.dx;
    columnX[x] = cx + a * u;
    columnY[x] = cy + c * u;
  }
  const elastic = warp.elastic;
  const field = elastic?.field;
  const strength = elastic?.strength ?? 0;
  const largest = Math.abs(strength);
  // Only output pixels whose source lands next to ink can be other than +0 (four background pixels sum to exactly +0):
  // the rest of each row is zeroed without sampling.
  const ink = inkBox(src, width, height, scratch);
  // One fill is far cheaper than zeroing each row's ends.
  out.fill(0, 0, size);
  // A source point can pick up ink only inside [left - 1, right + 1) x [top - 1, bottom + 1).
  const inkLeft = scratch.inkBox[0]! - 1;
  const inkRight = scratch.inkBox[1]! + 1;
  const inkTop = scratch.inkBox[2]! - 1;
  const inkBottom = scratch.inkBox[3]! + 1;
  const support = scratch.support;
  [support[0], support[1], support[2], support[3]] = [width, -1, height, -1];
  // The stages that use the support run over the whole of `out`, which may be longer than the image.
  scratch.supportKnown = out.length === size;
  for (let y = 0; y < height; y++) {
    const v = y - cy - warp.dy;
    const bv = b * v;
    const dv = d * v;
    const rowOut = y * width;
    let first = width;
    let last = -1;
    if (ink) {
      const reachX = elastic ? largest * elastic.rowReachX[y]! : 0;
      const reachY = elastic ? largest * elastic.rowReachY[y]! : 0;
      const { inkBox: box, columns } = scratch;
      columns[0] = 0;
      columns[1] = width - 1;
      if (
        narrowToLanding(columnX[0]! + bv, a, box[0]! - 1 - reachX, box[1]! + 1 + reachX, width, columns) &&
        narrowToLanding(columnY[0]! + dv, c, box[2]! - 1 - reachY, box[3]! + 1 + reachY, width, columns)
      ) {
        first = columns[0]!;
        last = columns[1]!;
        support[0] = Math.min(support[0]!, first);
        support[1] = Math.max(support[1]!, last);
        support[2] = Math.min(support[2]!, y);
        support[3] = y;
      }
    }
    for (let x = first; x <= last; x++) {
      let sx = columnX[x]! + bv;
      let sy = columnY[x]! + dv;
      if (field) {
        sx += strength * field[rowOut + x]!;
        sy += strength * field[size + rowOut + x]!;
        // The row's span allows for the field's largest pull; most points land farther from ink than that.
        if (sx < inkLeft || sx >= inkRight || sy < inkTop || sy >= inkBottom) continue;
      }
      // Inside with all four neighbours in the image (most pixels): sampleBilinear's sum, inlined.
      if (sx >= 0 && sy >= 0 && sx < width - 1 && sy < height - 1) {
        const x0 = sx | 0;
        const y0 = sy | 0;
        const i = y0 * width + x0;
        const p00 = src[i]!;
        const p01 = src[i + 1]!;
        const p10 = src[i + width]!;
        const p11 = src[i + width + 1]!;
        const fx = sx - x0;
        const top = p00 + (p01 - p00) * fx;
        const bottom = p10 + (p11 - p10) * fx;
        out[rowOut + x] = (top + (bottom - top) * (sy - y0)) * inv;
      } else {
        out[rowOut + x] = sampleBilinear(src, width, height, sx, sy) * inv;
      }
    }
  }
}

/** Writes the first and last columns, then rows, of a byte image that hold ink into `scratch.inkBox`; false for a blank image. */
function inkBox(src: Uint8Array, width: number, height: number, scratch: Scratch): boolean {
  const box = scratch.inkBox;
  let top = -1;
  let bottom = -1;
  let left = width;
  let right = -1;
  // Four pixels a read where the rows fall on whole 32-bit words (MNIST's do); byte order is little-endian on every
  // platform Node and the browsers run on, so a word's lowest byte is its leftmost pixel (checked below).
  if (LITTLE_ENDIAN && width % 4 === 0 && src.byteOffset % 4 === 0) {
    const words = wordsOf(src.buffer, scratch);
    const perRow = width / 4;
    const first = src.byteOffset / 4;
    for (let y = 0; y < height; y++) {
      const row = first + y * perRow;
      let k = 0;
      while (k < perRow && words[row + k] === 0) k++;
      if (k === perRow) continue;
      if (top < 0) top = y;
      bottom = y;
      const firstWord = words[row + k]!;
      // The lowest set byte of the word: its trailing zero bits / 8.
      left = Math.min(left, 4 * k + ((31 - Math.clz32(firstWord & -firstWord)) >> 3));
      let end = perRow - 1;
      while (words[row + end] === 0) end--;
      right = Math.max(right, 4 * end + 3 - (Math.clz32(words[row + end]!) >> 3));
    }
  } else {
    for (let y = 0; y < height; y++) {
      const row = y * width;
      let x = 0;
      while (x < width && src[row + x] === 0) x++;
      if (x === width) continue;
      if (top < 0) top = y;
      bottom = y;
      if (x < left) left = x;
      for (let end = width - 1; end > right; end--) {
        if (src[row + end] !== 0) {
          right = end;
          break;
        }
      }
    }
  }
  box[0] = left;
  box[1] = right;
  box[2] = top;
  box[3] = bottom;
  return top >= 0;
}

const LITTLE_ENDIAN = new Uint8Array(Uint32Array.of(1).buffer)[0] === 1;

/** A 32-bit view of `buffer`, kept in `scratch`: a training set's images share one buffer, so one view serves them all. */
function wordsOf(buffer: ArrayBufferLike, scratch: Scratch): Uint32Array {
  if (scratch.words?.buffer !== buffer) scratch.words = new Uint32Array(buffer, 0, Math.floor(buffer.byteLength / 4));
  return scratch.words;
}

/**
 * Narrows `columns` (first, last) to the x where `start + slope * x` may lie in [low, high]. The bounds are widened by
 * 1e-9 source pixels, far more than the rounding of the per-pixel sums (about 1e-14), so no column that lands is
 * dropped. False when none is left.
 */
function narrowToLanding(start: number, slope: number, low: number, high: number, width: number, columns: Int32Array): boolean {
  if (Math.abs(slope) < 1e-9) return start >= low - 1e-9 && start <= high + 1e-9;
  // Clamped to [-2, width + 2] first, so the ceiling and floor come from truncating a number >= 0 (`| 0`, cheaper than
  // Math.ceil/floor); the offset's rounding can only widen the span by a column.
  const offset = width + 4;
  const p = Math.min(width + 2, Math.max(-2, (low - 1e-9 - start) / slope));
  const q = Math.min(width + 2, Math.max(-2, (high + 1e-9 - start) / slope));
  const first = Math.max(columns[0]!, offset - ((offset - Math.min(p, q)) | 0));
  const last = Math.min(columns[1]!, ((Math.max(p, q) + offset) | 0) - offset);
  columns[0] = first;
  columns[1] = last;
  return first <= last;
}

/** The bilinear value of byte image `src` at (sx, sy) (finite), zero outside. */
function sampleBilinear(src: Uint8Array, width: number, height: number, sx: number, sy: number): number {
  // Beyond -1 or at the far edge the four pixels are all outside; inside, `| 0` and -1 are Math.floor (which costs
  // as much as the rest of this function when its result becomes an index).
  if (!(sx >= -1 && sy >= -1 && sx < width && sy < height)) return 0;
  const x0 = sx >= 0 ? sx | 0 : -1;
  const y0 = sy >= 0 ? sy | 0 : -1;
  const fx = sx - x0;
  const fy = sy - y0;
  const i = y0 * width + x0;
  if (x0 >= 0 && y0 >= 0 && x0 + 1 < width && y0 + 1 < height) {
    const top = src[i]! + (src[i + 1]! - src[i]!) * fx;
    const bottom = src[i + width]! + (src[i + width + 1]! - src[i + width]!) * fx;
    return top + (bottom - top) * fy;
  }
  const inX0 = x0 >= 0;
  const inX1 = x0 + 1 < width;
  const inY0 = y0 >= 0;
  const inY1 = y0 + 1 < height;
  const p00 = inY0 && inX0 ? src[i]! : 0;
  const p01 = inY0 && inX1 ? src[i + 1]! : 0;
  const p10 = inY1 && inX0 ? src[i + width]! : 0;
  const p11 = inY1 && inX1 ? src[i + width + 1]! : 0;
  const top = p00 + (p01 - p00) * fx;
  const bottom = p10 + (p11 - p10) * fx;
  return top + (bottom - top) * fy;
}

// --- elastic fields (Simard et al. 2003): smoothed random displacements, made once per image size

/** Largest RMS displacement of an elastic draw, in pixels (each draw takes 50-100% of it). */
const ELASTIC_PIXELS = 1.6;
/** Fields in the bank; with the sign each gives two distortions. */
const ELASTIC_FIELDS = 128;
/** Smoothing of the random field (Simard et al. used 4 on 29x29 digits), in pixels. */
const ELASTIC_SIGMA = 4;
const banks = new Map<string, ElasticField[]>();

/**
 * The elastic fields for one image size: uniform noise in [-1, 1] per pixel and axis, Gaussian-smoothed and scaled
 * to an RMS displacement of 1. Made once from a fixed seed (so every run and worker has the same bank) and cached:
 * smoothing is the costly part, far too slow to repeat per image.
 */
function elasticBank(width: number, height: number): ElasticField[] {
  const key = `${width}x${height}`;
  const cached = banks.get(key);
  if (cached) return cached;
  const rng = createRng(0xe1a571c);
  const size = width * height;
  const kernel = gaussianKernel(ELASTIC_SIGMA);
  const scratch = new Float32Array(size);
  const line = convolutionLine(width, height, [kernel]);
  const bank: ElasticField[] = [];
  for (let f = 0; f < ELASTIC_FIELDS; f++) {
    const field = new Float32Array(2 * size);
    for (let i = 0; i < field.length; i++) field[i] = rng.next() * 2 - 1;
    let squares = 0;
    for (let axis = 0; axis < 2; axis++) {
      const plane = field.subarray(axis * size, (axis + 1) * size);
      convolveSeparable(plane, width, height, kernel, scratch, line);
      for (const value of plane) squares += value * value;
    }
    const scale = 1 / Math.sqrt(squares / size);
    for (let i = 0; i < field.length; i++) field[i]! *= scale;
    const rowReach = (axis: number) =>
      Float64Array.from({ length: height }, (_, y) => field.subarray(axis * size + y * width, axis * size + (y + 1) * width).reduce((max, value) => Math.max(max, Math.abs(value)), 0));
    bank.push({ field, rowReachX: rowReach(0), rowReachY: rowReach(1) });
  }
  banks.set(key, bank);
  return bank;
}

/** A normalized 1-D Gaussian kernel reaching out 2.5 sigma. */
function gaussianKernel(sigma: number): Float32Array {
  const radius = Math.max(1, Math.ceil(2.5 * sigma));
  const kernel = new Float32Array(2 * radius + 1);
  let total = 0;
  for (let i = -radius; i <= radius; i++) total += kernel[i + radius] = Math.exp((-i * i) / (2 * sigma * sigma));
  for (let i = 0; i < kernel.length; i++) kernel[i]! /= total;
  return kernel;
}

/** A buffer for {@link convolveSeparable}'s padded rows and columns, long enough for every kernel given. */
function convolutionLine(width: number, height: number, kernels: Float32Array[]): Float32Array {
  return new Float32Array(Math.max(width, height) + Math.max(...kernels.map((kernel) => kernel.length)) - 1);
}

/**
 * Convolves `image` in place with `kernel` along rows, then columns; edges repeat the border pixel. Each row (column)
 * is first copied into `line` with its border pixels repeated, so every output is one branch-free sum over the kernel.
 */
function convolveSeparable(image: Float32Array, width: number, height: number, kernel: Float32Array, scratch: Float32Array, line: Float32Array): void {
  for (let y = 0; y < height; y++) convolveLine(image, y * width, 1, width, kernel, scratch, line);
  for (let x = 0; x < width; x++) convolveLine(scratch, x, width, height, kernel, image, line);
}

/** One row or column of `from` (`count` values `stride` apart from `start`) convolved into the same places of `to`. */
function convolveLine(from: Float32Array, start: number, stride: number, count: number, kernel: Float32Array, to: Float32Array, line: Float32Array): void {
  const taps = kernel.length;
  const radius = (taps - 1) / 2;
  const last = start + (count - 1) * stride;
  for (let k = 0; k < radius; k++) line[k] = from[start]!;
  for (let i = 0; i < count; i++) line[radius + i] = from[start + i * stride]!;
  for (let k = radius + count; k < count + taps - 1; k++) line[k] = from[last]!;
  // Nonzero values in the window of output i (line[i .. i + taps)): a window of zeros sums to exactly +0.
  let nonzero = 0;
  for (let k = 0; k < taps - 1; k++) if (line[k] !== 0) nonzero++;
  for (let i = 0; i < count; i++) {
    if (line[i + taps - 1] !== 0) nonzero++;
    if (nonzero === 0) {
      to[start + i * stride] = 0;
      continue;
    }
    // The same products added in the same order (kernel index ascending) as a sum over clamped indices.
    let sum = 0;
    for (let k = 0; k < taps; k++) sum += kernel[k]! * line[i + k]!;
    to[start + i * stride] = sum;
    if (line[i] !== 0) nonzero--;
  }
}

// --- appearance stages: each takes a [0, 1] image and leaves one in [0, 1]

/** Below this share of its ink left, a thinned digit is kept as it was (a thin stroke would break up). */
const THINNING_KEEPS = 0.45;

/** Thickens (3x3 cross maximum) or thins (cross minimum) the strokes by about a pixel, blended in by 50-100%. */
function changeStrokeWidth(image: Float32Array, width: number, height: number, rng: Rng, scratch: Scratch): void {
  const thicker = rng.next() < 0.5;
  const cross = scratch.image;
  // Where the image is known to be 0 around a pixel, its cross is 0 and the blend leaves it 0: only the support,
  // grown by a pixel, can change (and the sums below add nothing but zeros outside it).
  const [left, right, top, bottom] = scratch.supportKnown
    ? [Math.max(0, scratch.support[0]! - 1), Math.min(width - 1, scratch.support[1]! + 1), Math.max(0, scratch.support[2]! - 1), Math.min(height - 1, scratch.support[3]! + 1)]
    : [0, width - 1, 0, height - 1];
  const whole = !scratch.supportKnown;
  for (let y = top; y <= bottom; y++) {
    // Only the border rows and columns need the outside checks.
    const edgeRow = y === 0 || y === height - 1;
    for (let x = left; x <= right; x++) {
      const i = y * width + x;
      let leftValue: number;
      let rightValue: number;
      let up: number;
      let down: number;
      if (edgeRow || x === 0 || x === width - 1) {
        // Outside the frame is background.
        leftValue = x > 0 ? image[i - 1]! : 0;
        rightValue = x + 1 < width ? image[i + 1]! : 0;
        up = y > 0 ? image[i - width]! : 0;
        down = y + 1 < height ? image[i + width]! : 0;
      } else {
        leftValue = image[i - 1]!;
        rightValue = image[i + 1]!;
        up = image[i - width]!;
        down = image[i + width]!;
      }
      let value = image[i]!;
      if (thicker) {
        if (leftValue > value) value = leftValue;
        if (rightValue > value) value = rightValue;
        if (up > value) value = up;
        if (down > value) value = down;
      } else {
        if (leftValue < value) value = leftValue;
        if (rightValue < value) value = rightValue;
        if (up < value) value = up;
        if (down < value) value = down;
      }
      cross[i] = value;
    }
  }
  const amount = 0.5 + 0.5 * rng.next();
  if (!thicker) {
    let before = 0;
    let after = 0;
    if (whole) {
      for (let i = 0; i < image.length; i++) {
        before += image[i]!;
        after += image[i]! + (cross[i]! - image[i]!) * amount;
      }
    } else {
      for (let y = top; y <= bottom; y++) {
        for (let i = y * width + left; i <= y * width + right; i++) {
          before += image[i]!;
          after += image[i]! + (cross[i]! - image[i]!) * amount;
        }
      }
    }
    if (after < THINNING_KEEPS * before) return;
  }
  if (whole) {
    for (let i = 0; i < image.length; i++) image[i]! += (cross[i]! - image[i]!) * amount;
    return;
  }
  for (let y = top; y <= bottom; y++) {
    for (let i = y * width + left; i <= y * width + right; i++) image[i]! += (cross[i]! - image[i]!) * amount;
  }
  if (thicker) [scratch.support[0], scratch.support[1], scratch.support[2], scratch.support[3]] = [left, right, top, bottom];
}

/**
 * Draws the digit as its outline: strokes grown by 1-2 px, keeping a rim 1-2 px wide (no wider than the growth),
 * then fitted again as the pipeline fits all ink. An outline (bubble) digit or an edge detector's picture is two thin
 * lines round each stroke; the pipeline's stroke-width fit only thickens those lines, so the model has to learn the
 * hollow shape.
 */
function outlineStrokes(image: Float32Array, width: number, height: number, rng: Rng, scratch: Scratch): void {
  const grow = 1 + rng.int(2);
  // A rim no wider than the growth keeps the stroke's middle hollow.
  const rim = 1 + rng.int(grow);
  if (maxOf(image.subarray(0, width * height)) <= 0) return;
  const [solid, inner] = [scratch.second, scratch.image];
  solid.set(image.subarray(0, width * height));
  for (let i = 0; i < grow; i++) {
    crossFilter(solid, inner, width, height, true);
    solid.set(inner);
  }
  crossFilter(solid, inner, width, height, false);
  if (rim === 2) crossFilter(inner, image, width, height, false);
  else image.set(inner);
  // image holds the grown strokes shrunk by the rim; what the rim takes away is the outline.
  for (let i = 0; i < width * height; i++) image[i] = solid[i]! - image[i]!;
  refitToInk(image, width, height, scratch.image);
}

/** to = the maximum (grow) or minimum (shrink) of each pixel and its 4 neighbours in from; outside is background. */
function crossFilter(from: Float32Array, to: Float32Array, width: number, height: number, grow: boolean): void {
  const pick = grow ? Math.max : Math.min;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const left = x > 0 ? from[i - 1]! : 0;
      const right = x + 1 < width ? from[i + 1]! : 0;
      const up = y > 0 ? from[i - width]! : 0;
      const down = y + 1 < height ? from[i + width]! : 0;
      to[i] = pick(from[i]!, left, right, up, down);
    }
  }
}

/** Shrinks to 8-16 px (area average) and enlarges back (bilinear): the look of a scaled-up thumbnail. */
function lowerResolution(image: Float32Array, width: number, height: number, rng: Rng): void {
  const side = 8 + rng.int(9);
  const small = resizeArea({ data: image, width, height }, Math.max(1, Math.round((side * width) / 28)), Math.max(1, Math.round((side * height) / 28)));
  const sw = small.width;
  const data = small.data;
  const rows = enlargement(small.height, height);
  const columns = enlargement(sw, width);
  for (let y = 0; y < height; y++) {
    const row0 = rows.first[y]! * sw;
    const row1 = rows.second[y]! * sw;
    const fy = rows.fraction[y]!;
    for (let x = 0; x < width; x++) {
      const x0 = columns.first[x]!;
      const x1 = columns.second[x]!;
      const fx = columns.fraction[x]!;
      const top = data[row0 + x0]! + (data[row0 + x1]! - data[row0 + x0]!) * fx;
      const bottom = data[row1 + x0]! + (data[row1 + x1]! - data[row1 + x0]!) * fx;
      image[y * width + x] = top + (bottom - top) * fy;
    }
  }
}

/** Where each of `full` pixels samples a `small`-pixel axis when enlarging bilinearly: two neighbours and a weight. */
interface Enlargement {
  first: Int32Array;
  second: Int32Array;
  fraction: Float64Array;
}

const enlargements = new Map<string, Enlargement>();

/** The bilinear enlargement of one axis from `small` to `full` pixels, made once per pair of sizes. */
function enlargement(small: number, full: number): Enlargement {
  const key = `${small}>${full}`;
  const cached = enlargements.get(key);
  if (cached) return cached;
  const made = { first: new Int32Array(full), second: new Int32Array(full), fraction: new Float64Array(full) };
  for (let i = 0; i < full; i++) {
    // Pixel centres line up: output centre i + 0.5 sits at (i + 0.5) * small / full in the small image.
    const at = Math.min(small - 1, Math.max(0, ((i + 0.5) * small) / full - 0.5));
    const first = Math.floor(at);
    made.first[i] = first;
    made.second[i] = Math.min(small - 1, first + 1);
    made.fraction[i] = at - first;
  }
  enlargements.set(key, made);
  return made;
}

/** Blur kernels of sigma 0.5, 0.75, ... 1.5 px, made once. */
const BLUR_KERNELS = [0.5, 0.75, 1, 1.25, 1.5].map(gaussianKernel);

/** Blurs with a Gaussian of sigma 0.5-1.5 px and stretches the result back towards full ink (a soft photo, not a faint one). */
function gaussianBlur(image: Float32Array, width: number, height: number, rng: Rng, scratch: Scratch): void {
  const kernel = BLUR_KERNELS[rng.int(BLUR_KERNELS.length)]!;
  if (scratch.supportKnown) {
    blurSupport(image, width, height, kernel, scratch);
    return;
  }
  let before = 0;
  for (let i = 0; i < image.length; i++) before = Math.max(before, image[i]!);
  convolveSeparable(image, width, height, kernel, scratch.image, scratch.line);
  let after = 0;
  for (let i = 0; i < image.length; i++) after = Math.max(after, image[i]!);
  if (after <= 0) return;
  const gain = before / after;
  for (let i = 0; i < image.length; i++) image[i] = Math.min(1, image[i]! * gain);
}

/**
 * {@link gaussianBlur} of an image that is 0 outside `scratch.support`: rows of zeros blur to zeros, so only the support
 * rows are convolved along x, and only its columns grown by the kernel's radius along y; maxima and the gain skip the
 * zeros (max with 0 and 0 * gain change nothing). The support grows by the radius.
 */
function blurSupport(image: Float32Array, width: number, height: number, kernel: Float32Array, scratch: Scratch): void {
  const radius = (kernel.length - 1) / 2;
  const { support, line } = scratch;
  const across = scratch.image;
  if (support[1]! < support[0]!) return;
  const [left, right, top, bottom] = [support[0]!, support[1]!, support[2]!, support[3]!];
  const [wideLeft, wideRight] = [Math.max(0, left - radius), Math.min(width - 1, right + radius)];
  const [tallTop, tallBottom] = [Math.max(0, top - radius), Math.min(height - 1, bottom + radius)];
  let before = 0;
  for (let y = top; y <= bottom; y++) for (let x = left; x <= right; x++) before = Math.max(before, image[y * width + x]!);
  for (let y = top; y <= bottom; y++) convolveLine(image, y * width, 1, width, kernel, across, line);
  // Down each column the rows outside the support are zeros along x too: read as such, not from `across`.
  const column = scratch.column;
  for (let x = wideLeft; x <= wideRight; x++) {
    for (let y = 0; y < height; y++) column[y] = y >= top && y <= bottom ? across[y * width + x]! : 0;
    convolveLine(column, 0, 1, height, kernel, column, line);
    for (let y = tallTop; y <= tallBottom; y++) image[y * width + x] = column[y]!;
  }
  let after = 0;
  for (let y = tallTop; y <= tallBottom; y++) for (let x = wideLeft; x <= wideRight; x++) after = Math.max(after, image[y * width + x]!);
  [support[0], support[1], support[2], support[3]] = [wideLeft, wideRight, tallTop, tallBottom];
  if (after <= 0) return;
  const gain = before / after;
  for (let y = tallTop; y <= tallBottom; y++) {
    for (let i = y * width + wideLeft; i <= y * width + wideRight; i++) image[i] = Math.min(1, image[i]! * gain);
  }
}

/** Clutter kinds: each draws over the digit with the ink brightness given. */
const CLUTTER: ((image: Float32Array, width: number, height: number, rng: Rng, ink: number) => void)[] = [
  // A straight line or stripe across the whole image.
  (image, width, height, rng, ink) => {
    const [x0, y0] = borderPoint(width, height, rng);
    const [x1, y1] = borderPoint(width, height, rng);
    drawSegment(image, width, height, x0, y0, x1, y1, 0.6 + 1.2 * rng.next(), ink, 0);
  },
  // A dotted line across the image.
  (image, width, height, rng, ink) => {
    const [x0, y0] = borderPoint(width, height, rng);
    const [x1, y1] = borderPoint(width, height, rng);
    drawSegment(image, width, height, x0, y0, x1, y1, 0.8 + 0.6 * rng.next(), ink, 3 + rng.int(3));
  },
  // A zigzag stroke of 2-4 segments somewhere in the image.
  (image, width, height, rng, ink) => {
    const segments = 2 + rng.int(3);
    let x = rng.next() * width;
    let y = rng.next() * height;
    const thickness = 0.6 + 0.8 * rng.next();
    for (let s = 0; s < segments; s++) {
      const nx = Math.min(width, Math.max(0, x + (rng.next() * 2 - 1) * width * 0.4));
      const ny = Math.min(height, Math.max(0, y + (rng.next() * 2 - 1) * height * 0.4));
      drawSegment(image, width, height, x, y, nx, ny, thickness, ink, 0);
      x = nx;
      y = ny;
    }
  },
  // A saw-tooth line across the image (teeth 1.5-3 px high and apart, 1-3 px wide, up to a digit's own stroke): a pen
  // scribbled through the digit, which a straight line or a few long zigzag segments do not teach.
  (image, width, height, rng, ink) => {
    const [x0, y0] = borderPoint(width, height, rng);
    const [x1, y1] = borderPoint(width, height, rng);
    const tooth = 1.5 + 1.5 * rng.next();
    const halfWidth = 0.5 + rng.next();
    const length = Math.hypot(x1 - x0, y1 - y0);
    if (length < 2 * tooth) return;
    const [ux, uy] = [(x1 - x0) / length, (y1 - y0) / length];
    let [x, y] = [x0, y0];
    for (let i = 0; (2 * i + 1) * tooth < length; i++) {
      const [u, v] = [(2 * i + 1) * tooth, i % 2 === 0 ? tooth : -tooth];
      const [nx, ny] = [x0 + u * ux - v * uy, y0 + u * uy + v * ux];
      drawSegment(image, width, height, x, y, nx, ny, halfWidth, ink, 0);
      [x, y] = [nx, ny];
    }
    drawSegment(image, width, height, x, y, x1, y1, halfWidth, ink, 0);
  },
  // Ruled paper: faint horizontal lines every 5-9 px.
  (image, width, height, rng, ink) => {
    const gap = 5 + rng.int(5);
    const faint = ink * 0.5;
    for (let y = rng.int(gap); y < height; y += gap) drawSegment(image, width, height, 0, y + 0.5, width, y + 0.5, 0.5, faint, 0);
  },
];

/**
 * Draws one clutter kind (line, dotted line, zigzag, saw-tooth line or ruled lines) with ink of 40-100% brightness,
 * then fits the image again as the pipeline will: toMnistFormat crops a picture to all its ink, clutter included, so
 * a line through a photo shrinks and moves the digit it crosses.
 */
function addClutter(image: Float32Array, width: number, height: number, rng: Rng, scratch: Scratch): void {
  const draw = CLUTTER[rng.int(CLUTTER.length)]!;
  draw(image, width, height, rng, 0.4 + 0.6 * rng.next());
  refitToInk(image, width, height, scratch.image);
}

/**
 * Lays 1-4 gray stains (a smudge, mud, a drop of coffee: one level of 15-50% per image) over the image, each a blob of
 * 2-5 overlapping discs 1.5-5.5 px across within 5 px (at 28 px), half of them on the digit's ink. A stain covers what
 * it falls on (a stroke under it turns its gray), then the image is fitted again as the pipeline crops it.
 */
function addStains(image: Float32Array, width: number, height: number, rng: Rng, scratch: Scratch): void {
  const unit = Math.min(width, height) / 28;
  const gray = 0.15 + 0.35 * rng.next();
  const stains = 1 + rng.int(4);
  for (let s = 0; s < stains; s++) {
    let [cx, cy] = [width * (0.15 + 0.7 * rng.next()), height * (0.15 + 0.7 * rng.next())];
    // On the ink: the first of a few random pixels that is a stroke (a stain that misses the digit teaches little).
    if (rng.next() < 0.5) {
      for (let tries = 0; tries < 20; tries++) {
        const i = rng.int(width * height);
        if (image[i]! > 0.5) {
          [cx, cy] = [(i % width) + 0.5, Math.floor(i / width) + 0.5];
          break;
        }
      }
    }
    const discs = 2 + rng.int(4);
    for (let d = 0; d < discs; d++) {
      const radius = unit * (0.75 + 2 * rng.next());
      const x0 = cx + unit * 5 * (rng.next() - 0.5);
      const y0 = cy + unit * 5 * (rng.next() - 0.5);
      coverDisc(image, width, height, x0, y0, radius, gray);
    }
  }
  refitToInk(image, width, height, scratch.image);
}

/** Blends `gray` over a disc (anti-aliased edge): a pixel fully inside becomes `gray`, whatever it was. */
function coverDisc(image: Float32Array, width: number, height: number, cx: number, cy: number, radius: number, gray: number): void {
  const reach = radius + 1;
  const [left, right] = [Math.max(0, Math.floor(cx - reach)), Math.min(width, Math.ceil(cx + reach))];
  const [top, bottom] = [Math.max(0, Math.floor(cy - reach)), Math.min(height, Math.ceil(cy + reach))];
  for (let y = top; y < bottom; y++) {
    for (let x = left; x < right; x++) {
      const cover = Math.min(1, Math.max(0, radius + 0.5 - hypot(x + 0.5 - cx, y + 0.5 - cy)));
      if (cover > 0) image[y * width + x] = image[y * width + x]! * (1 - cover) + gray * cover;
    }
  }
}

/** Crops `image` to its ink, fits that into MNIST's 20 of 28 pixels keeping the aspect ratio, and centres its mass. */
function refitToInk(image: Float32Array, width: number, height: number, scratch: Float32Array): void {
  const levels = { data: image.subarray(0, width * height), width, height };
  const peak = maxOf(levels.data);
  if (peak <= 0) return;
  const box = boundingBox(levels, BOX_LEVEL * peak)!;
  placeByMass(fitIntoBox(levels, box, 0, (20 * Math.min(width, height)) / 28), scratch, width, height);
  image.set(scratch.subarray(0, width * height));
}

/** A random point on the image border, so a line through two of them crosses the whole image. */
function borderPoint(width: number, height: number, rng: Rng): [number, number] {
  const t = rng.next();
  const sides: [number, number][] = [
    [t * width, 0],
    [t * width, height],
    [0, t * height],
    [width, t * height],
  ];
  return sides[rng.int(4)]!;
}

/**
 * Draws an anti-aliased segment of half-width `halfWidth` px with brightness `ink` (max with what is there);
 * `dash` > 0 leaves gaps so that it is dotted with a period of `dash` px.
 */
export function drawSegment(
  image: Float32Array,
  width: number,
  height: number,
  x0: number,
  y0: number,
  x1: number,
  y1: number,
  halfWidth: number,
  ink: number,
  dash: number,
): void {
  const ex = x1 - x0;
  const ey = y1 - y0;
  const length2 = ex * ex + ey * ey;
  const length = Math.sqrt(length2);
  // Only the pixels near the segment can be touched: scan its bounding box grown by the pen.
  const reach = halfWidth + 1.5;
  const top = Math.max(0, Math.floor(Math.min(y0, y1) - reach));
  const bottom = Math.min(height, Math.ceil(Math.max(y0, y1) + reach));
  const left = Math.max(0, Math.floor(Math.min(x0, x1) - reach));
  const right = Math.min(width, Math.ceil(Math.max(x0, x1) + reach));
  const pen = halfWidth + 0.5;
  // A pixel farther than the pen's edge (with a margin far above rounding) gets no ink: skipped before the root.
  const far2 = pen * pen * (1 + 1e-9);
  const span = pen * length;
  for (let y = top; y < bottom; y++) {
    const py = y + 0.5 - y0;
    // Along this row only the pixels within the pen of the segment's line, and not beyond its ends, can get ink: scan
    // those (a pixel wider each side than exact, so rounding never drops one). px = x + 0.5 - x0 below.
    let from = left;
    let to = right;
    // Worth it for long lines (clutter across the image); a short segment's box is already about its size.
    if (length2 > 16) {
      // |px * ey - py * ex| <= pen * length: within the pen of the whole line.
      if (ey !== 0) {
        const p = (py * ex - span) / ey + x0 - 0.5;
        const q = (py * ex + span) / ey + x0 - 0.5;
        from = Math.max(from, firstColumn(Math.min(p, q), left, right));
        to = Math.min(to, endColumn(Math.max(p, q), left, right));
      } else if (Math.abs(py * ex) > span * (1 + 1e-9)) continue;
      // -pen * length <= px * ex + py * ey <= length2 + pen * length: not beyond either end by more than the pen.
      if (ex !== 0) {
        const p = (-span - py * ey) / ex + x0 - 0.5;
        const q = (length2 + span - py * ey) / ex + x0 - 0.5;
        from = Math.max(from, firstColumn(Math.min(p, q), left, right));
        to = Math.min(to, endColumn(Math.max(p, q), left, right));
      }
    }
    for (let x = from; x < to; x++) {
      const i = y * width + x;
      // Already as bright as the pen can make it (coverage * ink <= ink): where strokes overlap, most pixels are.
      if (image[i]! >= ink) continue;
      const px = x + 0.5 - x0;
      const t = length2 > 0 ? Math.min(1, Math.max(0, (px * ex + py * ey) / length2)) : 0;
      const qx = px - t * ex;
      const qy = py - t * ey;
      if (qx * qx + qy * qy > far2) continue;
      let coverage = Math.min(1, Math.max(0, pen - hypot(qx, qy)));
      if (coverage <= 0) continue;
      if (dash > 0 && ((t * length) % dash) / dash > 0.5) coverage = 0;
      image[i] = Math.max(image[i]!, coverage * ink);
    }
  }
}

/** The first column at most a pixel left of x (clamped into the scan first, so `| 0` is a cheap, safe floor bound). */
function firstColumn(x: number, left: number, right: number): number {
  return (Math.min(right + 2, Math.max(left - 2, x)) | 0) - 2;
}

/** The end (exclusive) of the columns reaching at least a pixel right of x (as {@link firstColumn}). */
function endColumn(x: number, left: number, right: number): number {
  return (Math.min(right + 2, Math.max(left - 2, x)) | 0) + 3;
}

/**
 * Math.hypot of two finite numbers as V8 computes it (the larger magnitude times the root of 1 + the smaller one's
 * ratio squared: its normalised Kahan sum reduces to that for two), without the cost of V8's generic builtin.
 */
function hypot(x: number, y: number): number {
  const a = Math.abs(x);
  const b = Math.abs(y);
  const max = Math.max(a, b);
  if (max === 0) return 0;
  const ratio = Math.min(a, b) / max;
  return Math.sqrt(1 + ratio * ratio) * max;
}

/** Maps [0, 1] onto [low, high]: a lifted background (0-0.4) and dimmer ink (at least 0.35 above it). */
function lowerContrast(image: Float32Array, _width: number, _height: number, rng: Rng): void {
  const low = 0.4 * rng.next();
  const high = low + 0.35 + (1 - low - 0.35) * rng.next();
  for (let i = 0; i < image.length; i++) image[i] = low + (high - low) * image[i]!;
}

/** Adds Gaussian noise (sd 0.05-0.25) or sets 1-6% of the pixels to 0 or 1 (salt and pepper), clamped to [0, 1]. */
function addNoise(image: Float32Array, _width: number, _height: number, rng: Rng): void {
  if (rng.next() < 0.5) {
    const sd = 0.05 + 0.2 * rng.next();
    const normals = standardNormals();
    // A random window of the table: fresh enough per image, and a table lookup instead of a log and a cosine per pixel.
    const offset = rng.int(normals.length - image.length);
    for (let i = 0; i < image.length; i++) image[i] = Math.min(1, Math.max(0, image[i]! + sd * normals[offset + i]!));
    return;
  }
  const share = 0.01 + 0.05 * rng.next();
  for (let i = 0; i < image.length; i++) if (rng.next() < share) image[i] = rng.next() < 0.5 ? 0 : 1;
}

let normalTable: Float32Array | null = null;

/** 16,384 standard normal draws (Box-Muller, fixed seed), made on first use. */
function standardNormals(): Float32Array {
  if (normalTable) return normalTable;
  const rng = createRng(0x6e01);
  const table = new Float32Array(16384);
  for (let i = 0; i < table.length; i += 2) {
    const r = Math.sqrt(-2 * Math.log(1 - rng.next()));
    const theta = 2 * Math.PI * rng.next();
    table[i] = r * Math.cos(theta);
    table[i + 1] = r * Math.sin(theta);
  }
  normalTable = table;
  return table;
}
