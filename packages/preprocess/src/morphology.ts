// Morphology and connected components on float images: the clean-up steps of toMnistFormat.
import { type Box, type GrayImage, resampleArea, resampleBilinear, resampleMax } from './image.js';

/**
 * One line of a running max (sign 1) or min (sign -1) over a window of 2r+1, in O(1) per pixel whatever r
 * (van Herk / Gil-Werman). Reads n values from src at offset + i*stride and writes them back the same way; the
 * line's ends count as nothing (the window just holds fewer pixels there).
 */
function filterLine(
  data: Float32Array,
  offset: number,
  stride: number,
  n: number,
  radius: number,
  sign: 1 | -1,
  buffer: Float32Array,
  forward: Float32Array,
  backward: Float32Array,
): void {
  const k = 2 * radius + 1;
  const padded = n + 2 * radius;
  for (let p = 0; p < radius; p++) buffer[p] = -Infinity;
  for (let i = 0; i < n; i++) buffer[radius + i] = sign * data[offset + i * stride]!;
  for (let p = radius + n; p < padded; p++) buffer[p] = -Infinity;
  for (let start = 0; start < padded; start += k) {
    const end = Math.min(start + k, padded);
    let m = -Infinity;
    for (let p = start; p < end; p++) {
      const v = buffer[p]!;
      if (v > m) m = v;
      forward[p] = m;
    }
    m = -Infinity;
    for (let p = end - 1; p >= start; p--) {
      const v = buffer[p]!;
      if (v > m) m = v;
      backward[p] = m;
    }
  }
  // The window [i, i + k - 1] of the padded line is centred on source index i.
  for (let i = 0; i < n; i++) {
    const a = backward[i]!;
    const b = forward[i + k - 1]!;
    data[offset + i * stride] = sign * (a > b ? a : b);
  }
}

/** In place: max (sign 1) or min (sign -1) over a (2rx+1) x (2ry+1) rectangle around each pixel. */
function rectangleFilter(data: Float32Array, width: number, height: number, radiusX: number, radiusY: number, sign: 1 | -1): void {
  const longest = Math.max(width + 2 * radiusX, height + 2 * radiusY) + 1;
  const buffer = new Float32Array(longest);
  const forward = new Float32Array(longest);
  const backward = new Float32Array(longest);
  if (radiusX > 0) for (let y = 0; y < height; y++) filterLine(data, y * width, 1, width, radiusX, sign, buffer, forward, backward);
  if (radiusY > 0) for (let x = 0; x < width; x++) filterLine(data, x, width, height, radiusY, sign, buffer, forward, backward);
}

/** Grayscale dilation (max filter) by a (2rx+1) x (2ry+1) rectangle, into a new array. */
export function maxFilter(data: Float32Array, width: number, height: number, radiusX: number, radiusY: number): Float32Array {
  const out = data.slice();
  rectangleFilter(out, width, height, radiusX, radiusY, 1);
  return out;
}

/** Grayscale erosion (min filter) by a (2rx+1) x (2ry+1) rectangle, into a new array. */
export function minFilter(data: Float32Array, width: number, height: number, radiusX: number, radiusY: number): Float32Array {
  const out = data.slice();
  rectangleFilter(out, width, height, radiusX, radiusY, -1);
  return out;
}

/**
 * White top-hat by a square of side about 2r+1: the image minus its opening (min then max filter), i.e. the bright
 * details narrower than the square. The opening follows a flat or smoothly shaded background (exactly, for linear
 * shading), so what is left is the ink. In place.
 *
 * A wide opening is computed on block minima (blocks of about r/16 pixels) and read back block by block: 4x less
 * work or more for big images, still never above the image (so the result is >= 0), and only as blocky as the
 * shading is steep.
 */
export function topHatInPlace(data: Float32Array, width: number, height: number, radius: number): void {
  const block = Math.max(1, Math.floor(radius / 16));
  if (block === 1) {
    const background = data.slice();
    rectangleFilter(background, width, height, radius, radius, -1);
    rectangleFilter(background, width, height, radius, radius, 1);
    for (let i = 0; i < data.length; i++) {
      const v = data[i]! - background[i]!;
      data[i] = v > 0 ? v : 0;
    }
    return;
  }
  const smallWidth = Math.ceil(width / block);
  const smallHeight = Math.ceil(height / block);
  const small = new Float32Array(smallWidth * smallHeight).fill(Infinity);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / block) * smallWidth;
    for (let x = 0; x < width; x++) {
      const v = data[y * width + x]!;
      const o = row + Math.floor(x / block);
      if (v < small[o]!) small[o] = v;
    }
  }
  const smallRadius = Math.max(1, Math.round(radius / block));
  rectangleFilter(small, smallWidth, smallHeight, smallRadius, smallRadius, -1);
  rectangleFilter(small, smallWidth, smallHeight, smallRadius, smallRadius, 1);
  for (let y = 0; y < height; y++) {
    const row = Math.floor(y / block) * smallWidth;
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      const v = data[i]! - small[row + Math.floor(x / block)]!;
      data[i] = v > 0 ? v : 0;
    }
  }
}

/** Grayscale dilation by a disk of the given radius (a round pen): every pixel takes the max within that distance. */
export function dilateDisk(data: Float32Array, width: number, height: number, radius: number): Float32Array {
  const r = Math.max(0, Math.floor(radius));
  if (r === 0) return data.slice();
  // The disk is 2r+1 rows, narrowest at the top and bottom: each row's running max grows by a pixel each way per step
  // (the max of its neighbours), and is taken into the rows of the disk that are that wide before it grows on. Two
  // working arrays whatever r (one per width took r of them: 800 MB for r = 200 on a megapixel picture).
  const out = new Float32Array(data.length).fill(-Infinity);
  let rows = data.slice();
  let grown = new Float32Array(data.length);
  let half = 0;
  for (let ady = r; ady >= 0; ady--) {
    const needed = Math.floor(Math.sqrt(r * r - ady * ady) + 1e-9);
    for (; half < needed; half++) {
      widenRowMax(rows, grown, width, height);
      [rows, grown] = [grown, rows];
    }
    maxShiftedInto(out, rows, width, height, ady);
    if (ady > 0) maxShiftedInto(out, rows, width, height, -ady);
  }
  return out;
}

/** next[x] = the max of rows[x - 1 .. x + 1] within its row: a row max over 2h+1 pixels becomes one over 2h+3. */
function widenRowMax(rows: Float32Array, next: Float32Array, width: number, height: number): void {
  for (let y = 0; y < height; y++) {
    const o = y * width;
    for (let x = 0; x < width; x++) {
      let m = rows[o + x]!;
      if (x > 0 && rows[o + x - 1]! > m) m = rows[o + x - 1]!;
      if (x + 1 < width && rows[o + x + 1]! > m) m = rows[o + x + 1]!;
      next[o + x] = m;
    }
  }
}

/** out[y] = max(out[y], rows[y + dy]) row by row, where row y + dy is inside the picture. */
function maxShiftedInto(out: Float32Array, rows: Float32Array, width: number, height: number, dy: number): void {
  for (let y = Math.max(0, -dy); y < Math.min(height, height - dy); y++) {
    const o = y * width;
    const s = (y + dy) * width;
    for (let x = 0; x < width; x++) {
      const v = rows[s + x]!;
      if (v > out[o + x]!) out[o + x] = v;
    }
  }
}

/** Grayscale erosion by a disk (a round eraser), clipped at 0: the dilation of the negative, turned back. */
export function erodeDisk(data: Float32Array, width: number, height: number, radius: number): Float32Array {
  const negative = data.map((v) => -v);
  return dilateDisk(negative, width, height, radius).map((v) => Math.max(0, -v));
}

/**
 * Resamples a region at `scale` (as {@link resampleArea} does) after dilating it by a disk of `radius` source
 * pixels. The dilation runs at `detail` x the output resolution (cheap, and fine enough), then averages down exactly;
 * the step down to that resolution takes maxima, not means, so hairlines keep their full intensity.
 */
export function resampleDilated(
  image: GrayImage,
  region: Box,
  scale: number,
  outWidth: number,
  outHeight: number,
  radius: number,
  detail: number,
): Float32Array {
  const detailScale = scale * detail;
  const detailWidth = Math.ceil(region.width * detailScale - 1e-6);
  const detailHeight = Math.ceil(region.height * detailScale - 1e-6);
  const fine =
    detailScale <= 1
      ? resampleMax(image, region, detailScale, detailWidth, detailHeight)
      : resampleBilinear(image, region, detailScale, detailWidth, detailHeight);
  const dilated = dilateDisk(fine, detailWidth, detailHeight, Math.round(radius * detailScale));
  const whole = { x: 0, y: 0, width: detailWidth, height: detailHeight };
  const step = 1 / detail;
  return resampleArea({ data: dilated, width: detailWidth, height: detailHeight }, whole, step, step, outWidth, outHeight);
}

/** 1 where `data` is above `level`, else 0. A plain loop: Uint8Array.from with a map function took 27 ms on a 1024x768
 * picture. */
export function maskAbove(data: Float32Array, level: number): Uint8Array {
  const mask = new Uint8Array(data.length);
  for (let i = 0; i < data.length; i++) mask[i] = data[i]! > level ? 1 : 0;
  return mask;
}

/** Labels 8-connected components of `mask` (nonzero = on): label per pixel (0 = off, 1.. = component) and areas. */
export function connectedComponents(mask: Uint8Array, width: number, height: number): { labels: Int32Array; areas: number[] } {
  const labels = new Int32Array(width * height);
  // Union-find over provisional labels (the table grows as needed).
  let parent = new Int32Array(1024);
  let next = 1;
  const find = (a: number): number => {
    while (parent[a]! !== a) {
      const grand = parent[parent[a]!]!;
      parent[a] = grand;
      a = grand;
    }
    return a;
  };
  const join = (a: number, b: number): number => {
    const ra = find(a);
    const rb = find(b);
    if (ra === rb) return ra;
    if (ra < rb) {
      parent[rb] = ra;
      return ra;
    }
    parent[ra] = rb;
    return rb;
  };
  for (let y = 0; y < height; y++) {
    const row = y * width;
    for (let x = 0; x < width; x++) {
      const i = row + x;
      if (!mask[i]) continue;
      let label = 0;
      // Neighbours already visited: west, north-west, north, north-east.
      if (x > 0 && labels[i - 1]) label = labels[i - 1]!;
      if (y > 0) {
        const up = i - width;
        if (x > 0 && labels[up - 1]) label = label ? join(label, labels[up - 1]!) : labels[up - 1]!;
        if (labels[up]) label = label ? join(label, labels[up]!) : labels[up]!;
        if (x + 1 < width && labels[up + 1]) label = label ? join(label, labels[up + 1]!) : labels[up + 1]!;
      }
      if (label === 0) {
        if (next === parent.length) {
          const grown = new Int32Array(parent.length * 2);
          grown.set(parent);
          parent = grown;
        }
        label = next++;
        parent[label] = label;
      }
      labels[i] = label;
    }
  }
  const compact = new Int32Array(next);
  const areas: number[] = [];
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l === 0) continue;
    const root = find(l);
    let c = compact[root]!;
    if (c === 0) {
      areas.push(0);
      c = compact[root] = areas.length;
    }
    labels[i] = c;
    areas[c - 1]!++;
  }
  return { labels, areas };
}

/**
 * For each labelled piece (labels 1..count, as {@link connectedComponents} gives them), whether it touches the edge of
 * `frame` (default: the whole image; a padded image passes the picture's own extent).
 */
export function piecesTouchingEdge(
  labels: Int32Array,
  width: number,
  height: number,
  count: number,
  frame: Box = { x: 0, y: 0, width, height },
): boolean[] {
  const touches = new Array<boolean>(count).fill(false);
  const mark = (x: number, y: number) => {
    const l = labels[y * width + x]!;
    if (l !== 0) touches[l - 1] = true;
  };
  const [right, bottom] = [frame.x + frame.width - 1, frame.y + frame.height - 1];
  for (let x = frame.x; x <= right; x++) {
    mark(x, frame.y);
    mark(x, bottom);
  }
  for (let y = frame.y; y <= bottom; y++) {
    mark(frame.x, y);
    mark(right, y);
  }
  return touches;
}

/** How deep a solid band runs in from each side of a mask, in whole lines (0: none). */
export interface EdgeBands {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** What fraction (0..1) of each column and each row of `mask` (nonzero = on) is on. */
export function lineFills(mask: Uint8Array, width: number, height: number): { columns: Float64Array; rows: Float64Array } {
  const columns = new Float64Array(width);
  const rows = new Float64Array(height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      if (!mask[y * width + x]) continue;
      columns[x]! += 1 / height;
      rows[y]! += 1 / width;
    }
  }
  return { columns, rows };
}

/** The fills of the lines from one side inward: columns from the left or right, rows from the top or bottom. */
export function fillsFrom(fills: { columns: Float64Array; rows: Float64Array }, side: keyof EdgeBands): Float64Array {
  const lines = side === 'left' || side === 'right' ? fills.columns : fills.rows;
  return side === 'left' || side === 'top' ? lines : lines.slice().reverse();
}

/**
 * Mean stroke width of a mask's on pixels, 2 * area / perimeter, where the perimeter counts only edges between on and
 * off pixels: a stroke cut by the image's edge keeps its width.
 */
export function cutStrokeWidth(mask: Uint8Array, width: number, height: number): number {
  let area = 0;
  let perimeter = 0;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = y * width + x;
      if (!mask[i]) continue;
      area++;
      if (x > 0 && !mask[i - 1]) perimeter++;
      if (x + 1 < width && !mask[i + 1]) perimeter++;
      if (y > 0 && !mask[i - width]) perimeter++;
      if (y + 1 < height && !mask[i + width]) perimeter++;
    }
  }
  return perimeter > 0 ? (2 * area) / perimeter : Math.max(width, height);
}

/** Each labelled piece's box as [left, top, right, bottom] (inclusive), four entries a piece (labels 1..count). */
export function pieceBoxes(labels: Int32Array, width: number, height: number, count: number): Int32Array {
  const boxes = new Int32Array(4 * count);
  for (let p = 0; p < count; p++) boxes.set([width, height, -1, -1], 4 * p);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const l = labels[y * width + x]!;
      if (l === 0) continue;
      const b = 4 * (l - 1);
      if (x < boxes[b]!) boxes[b] = x;
      if (y < boxes[b + 1]!) boxes[b + 1] = y;
      if (x > boxes[b + 2]!) boxes[b + 2] = x;
      boxes[b + 3] = y;
    }
  }
  return boxes;
}

/** A ruled line is at least this many pixels long... */
const MIN_RULE_LENGTH = 8;
/** ...and this many times longer than its lines are thick: the rows that run its whole length, and the columns of
 * an upright side (a frame's, a comb's tooth), each stretch of them together (a bar, not a thick "1" or a soft stem)... */
const RULE_ELONGATION = 5;
/** ...and this share of its pixels lie in straight runs at least half its width (rows) or height (columns) long. */
const RULE_SHARE = 0.92;
/** A row runs the piece's whole length when its run covers this much of the piece's width (anti-aliased ends). */
const FULL_RUN = 0.9;

/**
 * How thick the lines of piece `label` (box [left, top, right, bottom]) are when it is drawn with a ruler (an underline,
 * a form's box or comb), 0 when it is not. Such a piece is mostly thin straight rows and columns, and some of its rows
 * run its whole width; or it is one thin straight bar at a slant.
 */
export function ruledThickness(labels: Int32Array, width: number, box: ArrayLike<number>, label: number, area: number): number {
  const [left, top, right, bottom] = [box[0]!, box[1]!, box[2]!, box[3]!];
  const [w, h] = [right - left + 1, bottom - top + 1];
  if (w < MIN_RULE_LENGTH) return 0;
  // Pixels in long straight runs (rows, then columns), and which rows run the whole width, which columns run long.
  const straight = new Uint8Array(w * h);
  const markRuns = (count: number, first: (k: number) => number, step: number, length: number, min: number, at: (k: number, j: number) => number) =>
    Array.from({ length: count }, (_, k) => {
      const start = first(k);
      let [run, longest] = [0, 0];
      for (let j = 0; j <= length; j++) {
        if (j < length && labels[start + j * step] === label) {
          run++;
          continue;
        }
        longest = Math.max(longest, run);
        if (run >= min) for (let r = j - run; r < j; r++) straight[at(k, r)] = 1;
        run = 0;
      }
      return longest;
    });
  const rowRuns = markRuns(h, (y) => (top + y) * width + left, 1, w, Math.max(4, w / 2), (y, x) => y * w + x);
  const columnRuns = markRuns(w, (x) => top * width + left + x, width, h, Math.max(4, h / 2), (x, y) => y * w + x);
  const fullRows = rowRuns.map((run) => run >= FULL_RUN * w);
  if (!fullRows.includes(true)) return slantedBarThickness(labels, width, box, label, area);
  // An upright side runs well past the rows' own thickness (a thick pen's underline is no side at every column).
  const longColumns = columnRuns.map((run) => run >= Math.max(4, h / 2) && run > 2 * thickest(fullRows));
  const thickness = Math.max(thickest(fullRows), thickest(longColumns));
  if (RULE_ELONGATION * thickness > w) return 0;
  let inRuns = 0;
  for (const s of straight) inRuns += s;
  return inRuns >= RULE_SHARE * area ? thickness : 0;
}

/** The longest stretch of consecutive trues. */
function thickest(flags: boolean[]): number {
  let [run, longest] = [0, 0];
  for (const flag of flags) {
    run = flag ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}

/** Rows of ink right above an underline that must lie inside its ends (see touchingBaseline)... */
const ABOVE_ROWS = 2;
/** ...and how far past all the ink above it an underline reaches at both ends, as a fraction of its length (a 2's
 * base may reach past its curve a little, on one side or both). */
const TOUCHING_OVERHANG = 0.1;
/** A stroke through an underline may reach below it by this fraction of the height above it (a 4's stem below its bar
 * reaches further), in rows holding at most this fraction of the line's length. */
const DESCENT = 0.2;
/** A comb's teeth are as tall as one another within this fraction of the tallest. */
const TOOTH_SPREAD = 0.25;

/** A line along the bottom of a piece with what stands on it: see {@link touchingBaseline}. */
export interface Baseline {
  /** The line's first row (it runs down to the piece's bottom, but for strokes through it) and its ends. */
  top: number;
  left: number;
  right: number;
  /** A comb's teeth standing on it, as [left, right, top] triples (columns, and the first row of each). */
  teeth: number[];
  /** How many rows from the piece's top a line closing the comb at the top takes (0: none). */
  ceiling: number;
}

/**
 * The underline, or a form's comb (a base line with upright teeth at both ends and between the boxes, perhaps closed
 * by a top line), at the bottom of piece `label` (box [left, top, right, bottom]) that the digits above it touch: the
 * bottom rows that run the piece's whole width (strokes through it may end a little below), thin beside their length;
 * teeth as tall as one another standing on it at both ends (and any as tall between). The other ink above it lies
 * inside its ends, clear of each by `overhang` right above the line (a 2's base, joined at its end, is no underline),
 * and all of it by a tenth of the line's length (both scaled down to its own height when that is less: a number's
 * line is long) or inside the end teeth. Null when there is no such line, or nothing but lines. Its rows may have gaps
 * of `gap` pixels (a slanted line levelled in steps).
 */
export function touchingBaseline(labels: Int32Array, width: number, box: ArrayLike<number>, label: number, overhang: number, gap = 0): Baseline | null {
  const [left, top, right, bottom] = [box[0]!, box[1]!, box[2]!, box[3]!];
  const w = right - left + 1;
  if (w < MIN_RULE_LENGTH) return null;
  const fullRow = (row: number) => fullRun(labels, width, row, left, right, label, gap);
  // A stroke may cross the line and end a little below it (a 7's stem through its underline): rows of little ink.
  const sparse = (row: number) => countInRow(labels, width, row, left, right, label) <= DESCENT * w;
  // A thick pen's line may also have a ragged lower edge: rows of more ink, a quarter of its thickness at most.
  let [lineBottom, ragged] = [bottom, 0];
  while (lineBottom > top && bottom - lineBottom < DESCENT * (bottom - top + 1) && !fullRow(lineBottom)) {
    if (!sparse(lineBottom)) ragged++;
    lineBottom--;
  }
  let [lineLeft, lineRight, y] = [right, left, lineBottom];
  for (let run = fullRow(y); run && y >= top; run = fullRow(--y)) [lineLeft, lineRight] = [Math.min(lineLeft, run[0]!), Math.max(lineRight, run[1]!)];
  const thickness = lineBottom - y;
  // (A line levelled in steps has a row of them along each edge: the upper one is the line's too.)
  if (y < top || thickness === 0 || thickness * RULE_ELONGATION > w || ragged > thickness / 4 + (gap > 0 ? 1 : 0)) return null;
  if (gap > 0) y--;
  const teeth = combTeeth(labels, width, top, y, lineLeft, lineRight, label, thickness);
  const ceiling = teeth.length > 0 && teeth[2]! <= top + thickness ? topLineRows(labels, width, box, label) : 0;
  // The ink above the line and below any top line, but for the teeth: right above the line, and all of it.
  let [nearLeft, nearRight, restLeft, restRight, restTop] = [right + 1, left - 1, right + 1, left - 1, y + 1];
  for (let row = y; row >= top + ceiling; row--) {
    for (let x = left; x <= right; x++) {
      if (labels[row * width + x] !== label || inTooth(teeth, x, row)) continue;
      restLeft = Math.min(restLeft, x);
      restRight = Math.max(restRight, x);
      restTop = row;
      if (row <= y - ABOVE_ROWS) continue;
      nearLeft = Math.min(nearLeft, x);
      nearRight = Math.max(nearRight, x);
    }
  }
  // Something stands on the line, taller than the line is thick (not the upper edge of a bar), and little hangs below.
  if (y - restTop + 1 <= 2 * thickness || bottom - lineBottom > DESCENT * (y - restTop + 1)) return null;
  const [innerLeft, innerRight] = teeth.length > 0 ? [teeth[1]! + 1, teeth[teeth.length - 2]! - 1] : [lineLeft, lineRight];
  // Fractions of the line's length, or of the height above it when that is less (under a number of several digits).
  const scale = Math.min(1, (y - restTop + 1) / (lineRight - lineLeft + 1));
  const clear = Math.max(1, Math.round(overhang * scale));
  const reach = teeth.length > 0 ? 0 : Math.max(clear, TOUCHING_OVERHANG * scale * (lineRight - lineLeft + 1));
  const inside = nearLeft >= innerLeft + clear && nearRight <= innerRight - clear && restLeft >= innerLeft + reach && restRight <= innerRight - reach;
  return inside ? { top: y + 1, left: lineLeft, right: lineRight, teeth, ceiling } : null;
}

/** A piece is levelled along a slanted lower edge only when it is this many times as wide as high. */
const LEVELLED_WIDTH = 1.6;

/**
 * How steeply the lower edge of piece `label` (box [left, top, right, bottom]) runs, in rows per column, when it is
 * neither level nor steeper than MAX_SLANT (a line under the digits, drawn or photographed at a slant): the lowest rows of
 * its left and right quarters' columns (medians) a pixel and a half apart or more, on a piece at least LEVELLED_WIDTH
 * times as wide as high; else 0.
 */
export function lowerEdgeSlope(labels: Int32Array, width: number, box: ArrayLike<number>, label: number): number {
  const [left, top, right, bottom] = [box[0]!, box[1]!, box[2]!, box[3]!];
  const quarter = Math.floor((right - left + 1) / 4);
  // Only under a number (a piece wider than one digit is high, as the recognizer judges it): a 2's slanted base is no line.
  if (quarter < 2 || right - left + 1 < LEVELLED_WIDTH * (bottom - top + 1)) return 0;
  const lowest = (from: number, to: number) => {
    const rows: number[] = [];
    for (let x = from; x <= to; x++) {
      for (let y = bottom; y >= top; y--) {
        if (labels[y * width + x] !== label) continue;
        rows.push(y);
        break;
      }
    }
    rows.sort((a, b) => a - b);
    return rows.length > 0 ? rows[rows.length >> 1]! : Number.NaN;
  };
  const slope = (lowest(right - quarter + 1, right) - lowest(left, left + quarter - 1)) / (right - left + 1 - quarter);
  const steepest = Math.tan((MAX_SLANT * Math.PI) / 180);
  return Number.isFinite(slope) && Math.abs(slope) <= steepest && Math.abs(slope) * (right - left) >= 1.5 ? slope : 0;
}

/**
 * Piece `label` sheared so that a line along its lower edge with `slope` runs level: its own labels on a grid of its
 * width, the box they fill there, and where a pixel of that grid lies in the image.
 */
export function levelled(
  labels: Int32Array,
  width: number,
  box: ArrayLike<number>,
  label: number,
  slope: number,
): { labels: Int32Array; width: number; box: Int32Array; toImage: (x: number, y: number) => [number, number] } {
  const [left, top, right, bottom] = [box[0]!, box[1]!, box[2]!, box[3]!];
  const drop = (x: number) => Math.round(slope * (x - left));
  const lift = Math.max(0, drop(right));
  const [w, h] = [right - left + 1, bottom - top + 1 + Math.abs(drop(right))];
  const out = new Int32Array(w * h);
  for (let y = top; y <= bottom; y++) {
    for (let x = left; x <= right; x++) if (labels[y * width + x] === label) out[(y - top - drop(x) + lift) * w + x - left] = label;
  }
  return {
    labels: out,
    width: w,
    box: pieceBoxes(out.map((l) => (l === label ? 1 : 0)), w, h, 1),
    toImage: (x, y) => [x + left, y + top + drop(x + left) - lift],
  };
}

/**
 * A comb's teeth on the line under row `y` (from lineLeft to lineRight, `thickness` rows thick): column groups standing
 * straight up from it, about as wide as the line is thick, one at each end and as tall as each other; then every group
 * between as tall, standing free. As [left, right, top] triples, left to right; none when the ends have no such pair.
 */
function combTeeth(labels: Int32Array, width: number, top: number, y: number, lineLeft: number, lineRight: number, label: number, thickness: number): number[] {
  // How far each column runs straight up from the line; groups of columns running far enough, with the tallest's height.
  const ups = Array.from({ length: lineRight - lineLeft + 1 }, (_, k) => {
    let n = 0;
    while (y - n >= top && labels[(y - n) * width + lineLeft + k] === label) n++;
    return n;
  });
  const groups = columnGroups(lineLeft, lineRight, (x) => ups[x - lineLeft]! >= Math.max(3, 2 * thickness)).map(
    ([x0, x1]): [number, number, number] => [x0, x1, Math.max(...ups.slice(x0 - lineLeft, x1 - lineLeft + 1))],
  );
  const slim = (g: [number, number, number]) => g[1] - g[0] + 1 <= 2 * thickness + 1;
  const [first, last] = [groups[0], groups[groups.length - 1]];
  if (!first || !last || first === last || first[0] > lineLeft + thickness || last[1] < lineRight - thickness || !slim(first) || !slim(last)) return [];
  const tall = Math.max(first[2], last[2]);
  const asTall = (g: [number, number, number]) => g[2] >= (1 - TOOTH_SPREAD) * tall && g[2] <= (1 + TOOTH_SPREAD) * tall;
  if (!asTall(first) || !asTall(last)) return [];
  // A tooth between stands free (a digit's stem on the line has its other strokes joined to its side).
  const free = ([x0, x1, up]: [number, number, number]) => {
    let touching = 0;
    for (let row = y - up + 1; row <= y; row++) touching += Number(labels[row * width + x0 - 1] === label) + Number(labels[row * width + x1 + 1] === label);
    return touching <= TOOTH_SPREAD * up;
  };
  return groups.filter((g) => g === first || g === last || (slim(g) && asTall(g) && free(g))).flatMap(([x0, x1, up]) => [x0, x1, y - up + 1]);
}

/** How many rows from the top of piece `label` run its whole width (a line closing a comb), at most a line's thickness. */
function topLineRows(labels: Int32Array, width: number, box: ArrayLike<number>, label: number): number {
  const [left, top, right, bottom] = [box[0]!, box[1]!, box[2]!, box[3]!];
  const w = right - left + 1;
  let rows = 0;
  while (top + rows <= bottom && rows * RULE_ELONGATION <= w && fullRun(labels, width, top + rows, left, right, label)) rows++;
  return rows * RULE_ELONGATION <= w ? rows : 0;
}

/** Whether (x, row) lies in one of the teeth ([left, right, top] triples, each down to the line). */
function inTooth(teeth: number[], x: number, row: number): boolean {
  for (let t = 0; t < teeth.length; t += 3) if (x >= teeth[t]! && x <= teeth[t + 1]! && row >= teeth[t + 2]!) return true;
  return false;
}

/** How many pixels of row `row` from `left` to `right` belong to piece `label`. */
export function countInRow(labels: Int32Array, width: number, row: number, left: number, right: number, label: number): number {
  let n = 0;
  for (let x = left; x <= right; x++) n += Number(labels[row * width + x] === label);
  return n;
}

/** How many pixels of column `x` from `top` to `bottom` belong to piece `label`. */
function countInColumn(labels: Int32Array, width: number, x: number, top: number, bottom: number, label: number): number {
  let n = 0;
  for (let y = top; y <= bottom; y++) n += Number(labels[y * width + x] === label);
  return n;
}

/** The runs of neighbouring columns from `from` to `to` that pass `test`, as [first, last] pairs, left to right. */
function columnGroups(from: number, to: number, test: (x: number) => boolean): [number, number][] {
  const groups: [number, number][] = [];
  for (let x = from; x <= to; x++) {
    if (!test(x)) continue;
    const last = groups[groups.length - 1];
    if (last && last[1] === x - 1) last[1] = x;
    else groups.push([x, x]);
  }
  return groups;
}

/** The first and last column of the longest run of `label` in row `row` when it runs FULL_RUN of left..right, or null. */
function fullRun(labels: Int32Array, width: number, row: number, left: number, right: number, label: number, gap = 0): [number, number] | null {
  const [first, last] = longestRun(labels, row * width, left, right, label, gap);
  return last - first + 1 >= FULL_RUN * (right - left + 1) ? [first, last] : null;
}

/** The first and last column of the longest run of `label` in the row starting at `row`, between left and right (a
 * run may cross up to `gap` pixels without it). */
function longestRun(labels: Int32Array, row: number, left: number, right: number, label: number, gap = 0): [number, number] {
  let [best, bestEnd, start, last] = [0, left - 1, left, left - gap - 2];
  for (let x = left; x <= right; x++) {
    if (labels[row + x] !== label) continue;
    // A run goes on across at most `gap` pixels without the label.
    if (x - last - 1 > gap) start = x;
    last = x;
    if (x - start + 1 <= best) continue;
    best = x - start + 1;
    bestEnd = x;
  }
  return [bestEnd - best + 1, bestEnd];
}

/** A line drawn at a slant (a hand's underline) turns at most this far from the rows, in degrees. */
const MAX_SLANT = 20;

/**
 * How thick piece `label` is when it is one straight bar at a slant of at most MAX_SLANT, 0 when it is not: its pixels
 * spread along it at least twice RULE_ELONGATION times as far as across it (a bar L long and T thick spreads L^2/12
 * along and T^2/12 across; a curve, or a 7's bar with its corner, spreads further across).
 */
function slantedBarThickness(labels: Int32Array, width: number, box: ArrayLike<number>, label: number, area: number): number {
  const [left, top, right, bottom] = [box[0]!, box[1]!, box[2]!, box[3]!];
  let [sx, sy, sxx, sxy, syy] = [0, 0, 0, 0, 0];
  for (let y = top; y <= bottom; y++) {
    for (let x = left; x <= right; x++) {
      if (labels[y * width + x] !== label) continue;
      sx += x;
      sy += y;
      sxx += x * x;
      sxy += x * y;
      syy += y * y;
    }
  }
  const [mx, my] = [sx / area, sy / area];
  const [cxx, cxy, cyy] = [sxx / area - mx * mx, sxy / area - mx * my, syy / area - my * my];
  const half = Math.hypot((cxx - cyy) / 2, cxy);
  const [along, across] = [(cxx + cyy) / 2 + half, Math.max(1e-6, (cxx + cyy) / 2 - half)];
  const slant = (Math.abs(0.5 * Math.atan2(2 * cxy, cxx - cyy)) * 180) / Math.PI;
  return slant <= MAX_SLANT && Math.sqrt(along / across) >= RULE_ELONGATION * 2 ? Math.sqrt(12 * across) : 0;
}

/**
 * The frame round piece `label` when its four sides are ruled lines that the digit inside touches: how many rows or
 * columns deep each side runs (top, bottom, left, right), or null. Each side is the run of lines from that edge of the
 * box that cover FULL_RUN of its length, at most a RULE_ELONGATION-th of the length thick.
 */
export function touchingFrame(labels: Int32Array, width: number, box: ArrayLike<number>, label: number): [number, number, number, number] | null {
  const [left, top, right, bottom] = [box[0]!, box[1]!, box[2]!, box[3]!];
  const [w, h] = [right - left + 1, bottom - top + 1];
  if (w < MIN_RULE_LENGTH || h < MIN_RULE_LENGTH) return null;
  const rowFull = (y: number) => countInRow(labels, width, y, left, right, label) >= FULL_RUN * w;
  const columnFull = (x: number) => countInColumn(labels, width, x, top, bottom, label) >= FULL_RUN * h;
  const depth = (full: (k: number) => boolean, from: number, step: number, most: number) => {
    let d = 0;
    while (d <= most && full(from + d * step)) d++;
    return d >= 1 && d <= most ? d : 0;
  };
  const sides = [depth(rowFull, top, 1, w / RULE_ELONGATION), depth(rowFull, bottom, -1, w / RULE_ELONGATION), depth(columnFull, left, 1, h / RULE_ELONGATION), depth(columnFull, right, -1, h / RULE_ELONGATION)] as [number, number, number, number];
  return sides.every((d) => d > 0) ? sides : null;
}

/**
 * The dividers of a form's row of boxes inside a frame (inner box [left, top, right, bottom] of piece `label`): column
 * groups of the piece, at most `thickness` wide, running the inside's whole height, as [left, right]. None unless
 * at least two of the boxes they make hold a piece of `minPiece` pixels or more apart from the frame (a digit's stroke
 * touching it is no divider).
 */
export function gridDividers(
  labels: Int32Array,
  width: number,
  inner: readonly number[],
  label: number,
  thickness: number,
  areas: readonly number[],
  minPiece: number,
): [number, number][] {
  const [left, top, right, bottom] = inner as [number, number, number, number];
  const h = bottom - top + 1;
  if (h < MIN_RULE_LENGTH) return [];
  const dividers = columnGroups(left, right, (x) => countInColumn(labels, width, x, top, bottom, label) >= FULL_RUN * h);
  if (dividers.length === 0 || dividers.some(([x0, x1]) => x1 - x0 + 1 > thickness)) return [];
  // The boxes between the frame's sides and the dividers, and whether each holds a piece of its own.
  const edges = [left - 1, ...dividers.flat(), right + 1];
  let filled = 0;
  for (let k = 0; k + 1 < edges.length; k += 2) {
    const [x0, x1] = [edges[k]! + 1, edges[k + 1]! - 1];
    let ink = false;
    for (let y = top; y <= bottom && !ink; y++) {
      for (let x = x0; x <= x1 && !ink; x++) {
        const l = labels[y * width + x]!;
        ink = l !== 0 && l !== label && areas[l - 1]! >= minPiece;
      }
    }
    if (ink) filled++;
  }
  return filled >= 2 ? dividers : [];
}
