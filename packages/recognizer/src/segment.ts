// Splits the ink of a picture into digit-sized pieces, left to right, on a small copy of the ink's box: cheap enough
// to run on every stroke (well under a millisecond for a pad drawing); and offers cuts of one piece where digits touch.
import { type Box, boundingBox, connectedComponents, type GrayImage, maskAbove, resizeArea } from '@digitkit/preprocess';
import type { Stroke } from './types.js';
import { SEGMENTATION } from './verdicts.js';

/** Ink pixels of one region of the small copy (a group of components, or one side of a cut): 1 where its ink is. */
export interface Region {
  readonly mask: Uint8Array;
  readonly x0: number;
  readonly x1: number;
  readonly y0: number;
  readonly y1: number;
}

/** One piece: a light-on-black gray image of its ink alone (padded), its box in the picture's pixels, and its region. */
export interface Piece {
  readonly image: GrayImage<Uint8Array>;
  readonly box: Box;
  readonly region: Region;
}

/** The ink on a small copy, thresholded, its components grouped into digit-sized regions, left to right. */
export interface InkLayout {
  readonly small: GrayImage<Float32Array>;
  /** Picture pixels per small-copy pixel. */
  readonly factor: number;
  readonly box: Box;
  readonly groups: readonly Region[];
  /** With the strokes that drew the ink (see layoutInk): them, the pen's width, and per small-copy pixel 1 + the group of strokes that drew it. */
  readonly drawn: Drawn | null;
}

interface Drawn {
  readonly strokes: readonly Stroke[];
  /** 1 + the group of each stroke (strokes grouped into digits as components are: by the columns their lines share). */
  readonly groupOf: Int32Array;
  /** 1 + the group of the stroke passing nearest each ink pixel of the small copy (0: no ink). */
  readonly labels: Int32Array;
  /** The pen's width in the picture's pixels: the ink's area over the strokes' length. */
  readonly pen: number;
}

/** Ink parted by the strokes that drew it (see strokeParts). */
export interface StrokeParts {
  readonly pieces: Piece[];
  /** Whether the parts' lines never meet (see linesMeet): their ink only touches, as digits written touching do. */
  readonly apart: boolean;
}

interface Component {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  area: number;
  labels: number[];
}

/** What layoutInk knows of the ink besides its pixels. */
export interface InkFacts {
  /** The strokes that drew it, in the picture's pixels (none: a picture). */
  readonly strokes?: readonly Stroke[];
  /** Whether a faint wash lies over the ink (toMnistFormat's `washed`): strokes may go on under it. */
  readonly washed?: boolean;
}

/**
 * Lays out `ink` (toMnistFormat's: light on black, ruled lines already left out) covering `box` of the picture. With
 * the `strokes` that drew it (two or more), it also notes which group of strokes drew each ink pixel (see strokeParts).
 */
export function layoutInk(ink: GrayImage<Uint8Array>, box: Box, { strokes = [], washed = false }: InkFacts = {}): InkLayout {
  const { small, factor } = shrunk(ink, box);
  const mask = maskAbove(small.data, otsuLevel(small.data));
  const { labels, areas } = connectedComponents(mask, small.width, small.height);
  const found = componentsOf(labels, areas, small.width);
  // Under a wash Otsu's level falls above a stroke's stretch under the mud, cutting one stroke in two: pieces the wash
  // joins are one, while they fit one digit.
  const components = washed ? joinedThrough(small, found, labels) : found;
  const groups = groupComponents(withoutSpecks(components)).map((group) => regionOf(group, labels));
  return { small, factor, box, groups, drawn: strokes.length < 2 ? null : drawnInk(mask, small.width, box, strokes) };
}

/**
 * `components` (labelled in `labels`) merged where one piece of `small`'s kept ink, faint too, holds them and their
 * union is no wider than one digit (under SEGMENTATION.minCutAspect): a stain across two digits side by side leaves them
 * two.
 */
function joinedThrough(small: GrayImage<Float32Array>, components: Component[], labels: Int32Array): Component[] {
  const wide = connectedComponents(maskAbove(small.data, 0), small.width, small.height).labels;
  const held = new Map<number, Component[]>();
  const seen = new Uint8Array(components.length);
  for (let i = 0; i < labels.length; i++) {
    const label = labels[i]!;
    // Each component goes with its wide piece once, at its first pixel.
    if (label === 0 || seen[label - 1]) continue;
    seen[label - 1] = 1;
    const some = held.get(wide[i]!);
    if (some) some.push(components[label - 1]!);
    else held.set(wide[i]!, [components[label - 1]!]);
  }
  return [...held.values()].flatMap((some) => {
    const joined = some.reduce(union);
    return widthOf(joined) < SEGMENTATION.minCutAspect * heightOf(joined) ? [joined] : some;
  });
}

/**
 * `region`'s ink parted the way it was drawn, left to right (none when one group of strokes drew it all): digits written
 * touching come apart, a digit's own strokes stay together. Parts with less than SEGMENTATION.minCutShare of the ink
 * (a stray dot) are left out.
 */
export function strokeParts(layout: InkLayout, region: Region): StrokeParts | null {
  const { drawn, small } = layout;
  if (drawn === null) return null;
  const masks = new Map<number, Uint8Array>();
  let area = 0;
  for (let i = 0; i < region.mask.length; i++) {
    if (!region.mask[i]) continue;
    area++;
    const mask = masks.get(drawn.labels[i]!) ?? new Uint8Array(region.mask.length);
    mask[i] = 1;
    masks.set(drawn.labels[i]!, mask);
  }
  const parts = [...masks].filter(([, mask]) => mask.reduce((sum, v) => sum + v, 0) >= SEGMENTATION.minCutShare * area);
  if (parts.length < 2) return null;
  const lines = parts.map(([group]) => drawn.strokes.filter((_, s) => drawn.groupOf[s] === group));
  const reach = (drawn.pen / 2) ** 2;
  const apart = lines.every((mine, i) => lines.slice(i + 1).every((theirs) => mine.every((p) => theirs.every((q) => !linesMeet(p, q, reach)))));
  const pieces = parts
    .map(([, mask]) => boundsOf(mask, small.width))
    .sort((a, b) => a.x0 - b.x0)
    .map((part) => pieceOf(part, layout));
  return { pieces, apart };
}

/**
 * The strokes grouped into digits, each ink pixel of `mask` (the small copy of `box`) labelled, and the pen's width (see
 * Drawn); null when one group drew it all (a digit in several strokes: nothing to part, no pixel to label).
 */
function drawnInk(mask: Uint8Array, width: number, box: Box, given: readonly Stroke[]): Drawn | null {
  const height = mask.length / width;
  const [fx, fy] = [box.width / width, box.height / height];
  // Points closer than a small-copy pixel add nothing but time (each ink pixel is measured against every point).
  const strokes = given.map((stroke) => spaced(stroke, Math.min(fx, fy)));
  const lines = strokes.map((stroke, s): Component => {
    const [xs, ys] = [stroke.map((p) => p[0]), stroke.map((p) => p[1])];
    // Less one: groupComponents counts pixels (both ends in), a line spans max - min.
    return { x0: Math.min(...xs), x1: Math.max(...xs) - 1, y0: Math.min(...ys), y1: Math.max(...ys) - 1, area: 0, labels: [s + 1] };
  });
  const groupOf = new Int32Array(strokes.length);
  const groups = groupComponents(lines);
  if (groups.length < 2) return null;
  groups.forEach((group, k) => group.labels.forEach((label) => (groupOf[label - 1] = k + 1)));
  const labels = new Int32Array(mask.length);
  let area = 0;
  for (let i = 0; i < mask.length; i++) {
    if (!mask[i]) continue;
    area += fx * fy;
    const px = box.x + ((i % width) + 0.5) * fx;
    const py = box.y + (Math.floor(i / width) + 0.5) * fy;
    let [best, nearest] = [Infinity, 0];
    strokes.forEach((stroke, s) => {
      const d = distanceToStroke(stroke, px, py);
      if (d < best) [best, nearest] = [d, s];
    });
    labels[i] = groupOf[nearest]!;
  }
  const length = strokes.reduce((sum, stroke) => sum + stroke.slice(1).reduce((l, [x, y], k) => l + Math.hypot(x - stroke[k]![0], y - stroke[k]![1]), 0), 0);
  return { strokes, groupOf, labels, pen: area / Math.max(length, 1) };
}

/** `stroke` with its first and last points and, between them, each at least `step` from the last one kept. */
function spaced(stroke: Stroke, step: number): Stroke {
  const kept = [stroke[0]!];
  for (let k = 1; k < stroke.length - 1; k++) {
    const [x, y] = stroke[k]!;
    const [lx, ly] = kept[kept.length - 1]!;
    if (Math.hypot(x - lx, y - ly) >= step) kept.push(stroke[k]!);
  }
  if (stroke.length > 1) kept.push(stroke[stroke.length - 1]!);
  return kept;
}

/**
 * Whether the lines of two strokes meet: one's end comes closer than sqrt(`squared`) to the other (a 4's bar ending on
 * its upright, a 5's cap joining its body), or they cross. Lines that only pass close by (digits written touching) do not.
 */
function linesMeet(a: Stroke, b: Stroke, squared: number): boolean {
  const ends = (s: Stroke) => [s[0]!, s[s.length - 1]!];
  if (ends(a).some(([x, y]) => distanceToStroke(b, x, y) < squared) || ends(b).some(([x, y]) => distanceToStroke(a, x, y) < squared)) return true;
  for (let i = 0; i + 1 < a.length; i++) for (let j = 0; j + 1 < b.length; j++) if (segmentsCross(a[i]!, a[i + 1]!, b[j]!, b[j + 1]!)) return true;
  return false;
}

/** Whether segments pq and rs cross (each has the other's ends on either side of it). */
function segmentsCross(p: readonly [number, number], q: readonly [number, number], r: readonly [number, number], s: readonly [number, number]): boolean {
  const side = (a: readonly [number, number], b: readonly [number, number], c: readonly [number, number]) => Math.sign((b[0] - a[0]) * (c[1] - a[1]) - (b[1] - a[1]) * (c[0] - a[0]));
  return side(p, q, r) * side(p, q, s) < 0 && side(r, s, p) * side(r, s, q) < 0;
}

/** Squared distance from (px, py) to the polyline of `stroke` (a single point: to it). */
function distanceToStroke(stroke: Stroke, px: number, py: number): number {
  let best = Infinity;
  for (let k = 0; k < stroke.length; k++) {
    const [ax, ay] = stroke[k]!;
    const [bx, by] = stroke[Math.min(k + 1, stroke.length - 1)]!;
    const [dx, dy] = [bx - ax, by - ay];
    const span = dx * dx + dy * dy;
    const t = span > 0 ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / span)) : 0;
    const [ex, ey] = [ax + t * dx - px, ay + t * dy - py];
    best = Math.min(best, ex * ex + ey * ey);
  }
  return best;
}

/**
 * The digit-sized pieces of the layout, ordered left to right. One piece (or none) means the picture holds one thing
 * (or digits that touch: see touchingCuts); then no piece images are made.
 */
export function splitPieces(layout: InkLayout): Piece[] {
  return layout.groups.length < 2 ? [] : layout.groups.map((region) => pieceOf(region, layout));
}

/** All of the layout's ink (specks left out) as one region. */
export function wholeRegion({ groups, small }: InkLayout): Region {
  const mask = new Uint8Array(small.data.length);
  for (const region of groups) for (let i = 0; i < mask.length; i++) mask[i]! |= region.mask[i]!;
  return boundsOf(mask, small.width);
}

/** How many times as wide as high `region`'s ink is. */
export function aspectOf(region: Region): number {
  return widthOf(region) / heightOf(region);
}

/**
 * The ways to cut `region` in two where two digits may touch, cheapest first, made as they are asked for (the
 * recognizer reads SEGMENTATION.cuts of them, more where the number reader reads a pair): each a seam from top to
 * bottom entering the fewest strokes (at most SEGMENTATION.maxCutStrokes), free to wind within a band about its column
 * (digits written in one flow overlap in x), leaving a digit's worth of ink in one piece either side. The recognizer
 * keeps a cut only when the model is sure of both sides.
 */
export function* touchingCuts(layout: InkLayout, region: Region, minAspect: number = SEGMENTATION.minCutAspect): Generator<[Piece, Piece]> {
  const height = heightOf(region);
  const band = Math.max(2, Math.round(SEGMENTATION.cutBand * height));
  const margin = Math.max(2, Math.round(SEGMENTATION.cutMargin * height));
  const step = Math.max(1, Math.round(SEGMENTATION.cutStep * height));
  // Two digits side by side are wider than high; narrower ink is one thing (a V or N would be two 1s), unless the number
  // reader says otherwise (minAspect: SEGMENTATION.pairCutAspect).
  if (aspectOf(region) < minAspect || height < 8) return;
  const area = region.mask.reduce((sum, v) => sum + v, 0);
  const seams: { seam: Int32Array; cost: number; centre: number }[] = [];
  for (let centre = region.x0 + margin; centre <= region.x1 - margin; centre += step) {
    const found = cheapestSeam(region, layout.small.width, centre, band);
    seams.push({ ...found, centre });
  }
  const middle = (region.x0 + region.x1) / 2;
  seams.sort((a, b) => a.cost - b.cost || Math.abs(a.centre - middle) - Math.abs(b.centre - middle));
  const taken: number[] = [];
  for (const { seam, centre } of seams) {
    if (taken.some((c) => Math.abs(c - centre) < band)) continue;
    const { entered, inkRows } = seamInk(region, layout.small.width, seam);
    if (entered > SEGMENTATION.maxCutStrokes || inkRows > SEGMENTATION.maxSeamInk * seam.length) continue;
    const sides = sidesOf(region, layout.small.width, seam);
    if (!sides.every((side) => holdsADigit(side, layout.small.width, layout.small.height, height, area))) continue;
    taken.push(centre);
    yield [smaller(pieceOf(sides[0], layout)), smaller(pieceOf(sides[1], layout))];
  }
}

/**
 * Whether a cut side holds a digit's worth of ink in one piece: its largest 8-connected piece at least
 * SEGMENTATION.minPieceHeight of the region's height and SEGMENTATION.minCutShare of its ink (bits of the other digit
 * above and below do not make a sliver tall).
 */
function holdsADigit(side: Region, width: number, height: number, regionHeight: number, regionArea: number): boolean {
  const { labels, areas } = connectedComponents(side.mask, width, height);
  if (areas.length === 0) return false;
  const largest = areas.indexOf(Math.max(...areas)) + 1;
  if (areas[largest - 1]! < SEGMENTATION.minCutShare * regionArea) return false;
  let [top, bottom] = [Infinity, -1];
  for (let i = 0; i < labels.length; i++) {
    if (labels[i] !== largest) continue;
    const y = Math.floor(i / width);
    if (y < top) top = y;
    if (y > bottom) bottom = y;
  }
  return bottom - top + 1 >= SEGMENTATION.minPieceHeight * regionHeight;
}

/** A cut side's image area-shrunk to at most SEGMENTATION.cutSide pixels a side: a quarter of the pixels to fit, which
 * keeps trying cuts within a stroke's time budget (the 28x28 is fitted into 20x20 either way). */
function smaller(piece: Piece): Piece {
  const side = SEGMENTATION.cutSide;
  if (piece.image.width <= side) return piece;
  const shrunk = resizeArea(piece.image, side, side).data;
  const data = new Uint8Array(shrunk.length);
  for (let i = 0; i < data.length; i++) data[i] = Math.min(255, Math.round(shrunk[i]!));
  return { ...piece, image: { data, width: side, height: side } };
}

/**
 * The seam through `region` from top to bottom crossing the fewest strokes, each row's column within `band` of
 * `centre` and one off the row above's. Entering a stroke costs 1 and each ink pixel SEAM_INSIDE more, so a seam runs
 * down through where two digits touch (one stroke, however long the contact) rather than across both arcs of a ring.
 */
function cheapestSeam(region: Region, width: number, centre: number, band: number): { seam: Int32Array; cost: number } {
  const lo = Math.max(region.x0, centre - band);
  const hi = Math.min(region.x1, centre + band);
  const span = hi - lo + 1;
  const rows = heightOf(region);
  const inkAt = (r: number, k: number) => region.mask[(region.y0 + r) * width + lo + k]!;
  const cost = new Float32Array(rows * span);
  const from = new Int8Array(rows * span);
  for (let r = 0; r < rows; r++) {
    for (let k = 0; k < span; k++) {
      const ink = inkAt(r, k);
      // A hair for straying from the centre, so that ties keep the seam straight.
      const stray = (0.01 * Math.abs(lo + k - centre)) / band;
      if (r === 0) {
        cost[k] = ink * (SEAM_ENTER + SEAM_INSIDE) + stray;
        continue;
      }
      let best = Infinity;
      for (let d = -1; d <= 1; d++) {
        const j = k + d;
        if (j < 0 || j >= span) continue;
        const c = cost[(r - 1) * span + j]! + ink * ((inkAt(r - 1, j) ? 0 : SEAM_ENTER) + SEAM_INSIDE);
        if (c < best) [best, from[r * span + k]] = [c, d];
      }
      cost[r * span + k] = best + stray;
    }
  }
  let end = 0;
  for (let k = 1; k < span; k++) if (cost[(rows - 1) * span + k]! < cost[(rows - 1) * span + end]!) end = k;
  const seam = new Int32Array(rows);
  for (let r = rows - 1, k = end; r >= 0; r--) {
    seam[r] = lo + k;
    k += from[r * span + k]!;
  }
  return { seam, cost: cost[(rows - 1) * span + end]! };
}

const SEAM_ENTER = 1;
/** Ink weighs little beside strokes entered: a seam down the ink's small copy (at most SEGMENTATION.side = 64 rows)
 * keeps its ink under one stroke's cost, so two thick-penned digits touching over 30 rows are cut where they touch. */
const SEAM_INSIDE = 0.015;

/** How many strokes a seam enters from top to bottom, and on how many of its rows it runs in ink. */
function seamInk(region: Region, width: number, seam: Int32Array): { entered: number; inkRows: number } {
  let entered = 0;
  let inkRows = 0;
  let inside = false;
  for (let r = 0; r < seam.length; r++) {
    const ink = region.mask[(region.y0 + r) * width + seam[r]!] === 1;
    if (ink && !inside) entered++;
    if (ink) inkRows++;
    inside = ink;
  }
  return { entered, inkRows };
}

/** The region's ink left and right of a seam (its own pixels on neither side). */
function sidesOf(region: Region, width: number, seam: Int32Array): [Region, Region] {
  const masks = [new Uint8Array(region.mask.length), new Uint8Array(region.mask.length)];
  for (let y = region.y0; y <= region.y1; y++) {
    const at = seam[y - region.y0]!;
    for (let x = region.x0; x <= region.x1; x++) if (region.mask[y * width + x] && x !== at) masks[x < at ? 0 : 1]![y * width + x] = 1;
  }
  return [boundsOf(masks[0]!, width), boundsOf(masks[1]!, width)];
}

/** `mask` with the bounds of its ink (none: an empty region, 0 wide). */
function boundsOf(mask: Uint8Array, width: number): Region {
  const box = boundingBox({ data: mask, width, height: mask.length / width });
  return box ? { mask, x0: box.x, x1: box.x + box.width - 1, y0: box.y, y1: box.y + box.height - 1 } : { mask, x0: 0, x1: -1, y0: 0, y1: -1 };
}

function regionOf(group: Component, labels: Int32Array): Region {
  const mine = new Set(group.labels);
  const mask = new Uint8Array(labels.length);
  for (let i = 0; i < labels.length; i++) if (mine.has(labels[i]!)) mask[i] = 1;
  return { mask, x0: group.x0, x1: group.x1, y0: group.y0, y1: group.y1 };
}

/** The ink area-shrunk to at most SEGMENTATION.side pixels high, and how many picture pixels one of its pixels spans. */
function shrunk(ink: GrayImage<Uint8Array>, box: Box): { small: GrayImage<Float32Array>; factor: number } {
  const shrink = Math.max(1, ink.height / SEGMENTATION.side);
  const width = Math.max(1, Math.round(ink.width / shrink));
  const height = Math.max(1, Math.round(ink.height / shrink));
  const small = shrink > 1 ? resizeArea(ink, width, height) : { data: Float32Array.from(ink.data), width, height };
  return { small, factor: box.width / small.width };
}

/** Otsu's threshold over 0..255 levels: splits ink from background without assuming either's level. */
function otsuLevel(values: Float32Array): number {
  const histogram = new Float64Array(256);
  for (let i = 0; i < values.length; i++) histogram[Math.min(255, Math.max(0, Math.round(values[i]!)))]!++;
  const total = values.length;
  let sumAll = 0;
  for (let v = 0; v < 256; v++) sumAll += v * histogram[v]!;
  let below = 0;
  let sumBelow = 0;
  let best = 0;
  let level = 127;
  for (let v = 0; v < 255; v++) {
    below += histogram[v]!;
    sumBelow += v * histogram[v]!;
    const above = total - below;
    if (below === 0 || above === 0) continue;
    const gap = sumBelow / below - (sumAll - sumBelow) / above;
    const between = below * above * gap * gap;
    if (between > best) {
      best = between;
      level = v;
    }
  }
  return level;
}

/** Each labelled component's extent and area. */
function componentsOf(labels: Int32Array, areas: number[], width: number): Component[] {
  const components: Component[] = areas.map((area, i) => ({ x0: Infinity, x1: -1, y0: Infinity, y1: -1, area, labels: [i + 1] }));
  for (let i = 0; i < labels.length; i++) {
    const l = labels[i]!;
    if (l === 0) continue;
    const c = components[l - 1]!;
    const x = i % width;
    const y = (i - x) / width;
    if (x < c.x0) c.x0 = x;
    if (x > c.x1) c.x1 = x;
    if (y < c.y0) c.y0 = y;
    if (y > c.y1) c.y1 = y;
  }
  return components;
}

/** `components` without specks much smaller than the largest. */
function withoutSpecks(components: Component[]): Component[] {
  const largest = Math.max(0, ...components.map((c) => c.area));
  return components.filter((c) => c.area >= SEGMENTATION.minPieceFraction * largest);
}

/**
 * Components that share columns belong to one digit (a 5's detached bar, a 4 drawn in two strokes), and so do short
 * ones beside a tall one (a broken stroke): merged until every group stands on its own, left to right.
 */
function groupComponents(components: Component[]): Component[] {
  const groups = components.map((c) => ({ ...c, labels: [...c.labels] }));
  let merged = true;
  while (merged && groups.length > 1) {
    merged = false;
    groups.sort((a, b) => a.x0 - b.x0);
    const tallest = Math.max(...groups.map(heightOf));
    for (let i = 0; i + 1 < groups.length && !merged; i++) {
      const [a, b] = [groups[i]!, groups[i + 1]!];
      const overlap = Math.min(a.x1, b.x1) - Math.max(a.x0, b.x0) + 1;
      const narrower = Math.min(widthOf(a), widthOf(b));
      const short = Math.min(heightOf(a), heightOf(b)) < SEGMENTATION.minPieceHeight * tallest;
      if (overlap >= SEGMENTATION.mergeOverlap * narrower || (short && overlap > -SEGMENTATION.shortGap * tallest)) {
        groups.splice(i, 2, union(a, b));
        merged = true;
      }
    }
  }
  // A short piece with nothing near it (a dash, a dot) is no digit of its own: it joins its nearest neighbour.
  while (groups.length > 1) {
    const tallest = Math.max(...groups.map(heightOf));
    const i = groups.findIndex((g) => heightOf(g) < SEGMENTATION.minPieceHeight * tallest);
    if (i < 0) break;
    const j = i === 0 ? 1 : i === groups.length - 1 ? i - 1 : gapBetween(groups[i - 1]!, groups[i]!) < gapBetween(groups[i]!, groups[i + 1]!) ? i - 1 : i + 1;
    const [lo, hi] = [Math.min(i, j), Math.max(i, j)];
    groups.splice(lo, 2, union(groups[lo]!, groups[hi]!));
  }
  return groups;
}

const widthOf = (c: Component | Region) => c.x1 - c.x0 + 1;
const heightOf = (c: Component | Region) => c.y1 - c.y0 + 1;
const gapBetween = (left: Component, right: Component) => right.x0 - left.x1;
const union = (a: Component, b: Component): Component => ({
  x0: Math.min(a.x0, b.x0),
  x1: Math.max(a.x1, b.x1),
  y0: Math.min(a.y0, b.y0),
  y1: Math.max(a.y1, b.y1),
  area: a.area + b.area,
  labels: [...a.labels, ...b.labels],
});

/** A region's ink alone (grown by a pixel for the anti-aliased fringe), padded on a black square. */
function pieceOf(region: Region, { small, factor, box }: InkLayout): Piece {
  const { width: sw, height: sh, data } = small;
  const x0 = Math.max(0, region.x0 - 1);
  const x1 = Math.min(sw - 1, region.x1 + 1);
  const y0 = Math.max(0, region.y0 - 1);
  const y1 = Math.min(sh - 1, region.y1 + 1);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  // Padding keeps toMnistFormat's background removal (an opening wider than strokes) clear of the ink.
  const side = 2 * Math.max(w, h);
  const left = (side - w) >> 1;
  const top = (side - h) >> 1;
  const out = new Uint8Array(side * side);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!nearRegion(region.mask, sw, sh, x, y)) continue;
      out[(y - y0 + top) * side + x - x0 + left] = Math.min(255, Math.round(data[y * sw + x]!));
    }
  }
  const inPicture: Box = {
    x: box.x + Math.floor(region.x0 * factor),
    y: box.y + Math.floor(region.y0 * factor),
    width: Math.max(1, Math.round(widthOf(region) * factor)),
    height: Math.max(1, Math.round(heightOf(region) * factor)),
  };
  return { image: { data: out, width: side, height: side }, box: inPicture, region };
}

/** Whether (x, y) or one of its 8 neighbours is in the mask. */
function nearRegion(mask: Uint8Array, width: number, height: number, x: number, y: number): boolean {
  for (let dy = -1; dy <= 1; dy++) {
    const yy = y + dy;
    if (yy < 0 || yy >= height) continue;
    for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx;
      if (xx >= 0 && xx < width && mask[yy * width + xx]) return true;
    }
  }
  return false;
}
