// Splits the ink of a picture into digit-sized pieces, left to right, on a small copy of the ink's box: cheap enough
// to run on every stroke (well under a millisecond for a pad drawing).
import { type Box, connectedComponents, type GrayImage, resizeArea } from '@digitkit/preprocess';
import { SEGMENTATION } from './verdicts.js';

/** One piece: a light-on-black gray image of its ink alone (padded), and its box in the picture's pixels. */
export interface Piece {
  readonly image: GrayImage<Uint8Array>;
  readonly box: Box;
}

interface Component {
  x0: number;
  x1: number;
  y0: number;
  y1: number;
  area: number;
  labels: number[];
}

/**
 * The digit-sized pieces of `ink` (toMnistFormat's: light on black, ruled lines already left out) covering `box` of the
 * picture, ordered left to right. One piece (or none) means the picture holds one thing; then no piece images are made.
 */
export function splitPieces(ink: GrayImage<Uint8Array>, box: Box): Piece[] {
  const { small, factor } = shrunk(ink, box);
  const mask = new Uint8Array(small.data.length);
  const level = otsuLevel(small.data);
  for (let i = 0; i < mask.length; i++) mask[i] = small.data[i]! > level ? 1 : 0;
  const { labels, areas } = connectedComponents(mask, small.width, small.height);
  const groups = groupComponents(componentsOf(labels, areas, small.width));
  if (groups.length < 2) return [];
  return groups.map((group) => pieceOf(group, labels, small, factor, box));
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

/** Each labelled component's extent and area (specks much smaller than the largest dropped). */
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
  const largest = Math.max(0, ...areas);
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

const widthOf = (c: Component) => c.x1 - c.x0 + 1;
const heightOf = (c: Component) => c.y1 - c.y0 + 1;
const gapBetween = (left: Component, right: Component) => right.x0 - left.x1;
const union = (a: Component, b: Component): Component => ({
  x0: Math.min(a.x0, b.x0),
  x1: Math.max(a.x1, b.x1),
  y0: Math.min(a.y0, b.y0),
  y1: Math.max(a.y1, b.y1),
  area: a.area + b.area,
  labels: [...a.labels, ...b.labels],
});

/** A group's ink alone (its components grown by a pixel for the anti-aliased fringe), padded on a black square. */
function pieceOf(group: Component, labels: Int32Array, small: GrayImage<Float32Array>, factor: number, box: Box): Piece {
  const { width: sw, height: sh, data } = small;
  const mine = new Set(group.labels);
  const x0 = Math.max(0, group.x0 - 1);
  const x1 = Math.min(sw - 1, group.x1 + 1);
  const y0 = Math.max(0, group.y0 - 1);
  const y1 = Math.min(sh - 1, group.y1 + 1);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  // Padding keeps toMnistFormat's background removal (an opening wider than strokes) clear of the ink.
  const side = 2 * Math.max(w, h);
  const left = (side - w) >> 1;
  const top = (side - h) >> 1;
  const out = new Uint8Array(side * side);
  for (let y = y0; y <= y1; y++) {
    for (let x = x0; x <= x1; x++) {
      if (!nearLabel(labels, sw, sh, x, y, mine)) continue;
      out[(y - y0 + top) * side + x - x0 + left] = Math.min(255, Math.round(data[y * sw + x]!));
    }
  }
  const inPicture: Box = {
    x: box.x + Math.floor(group.x0 * factor),
    y: box.y + Math.floor(group.y0 * factor),
    width: Math.max(1, Math.round(widthOf(group) * factor)),
    height: Math.max(1, Math.round(heightOf(group) * factor)),
  };
  return { image: { data: out, width: side, height: side }, box: inPicture };
}

/** Whether (x, y) or one of its 8 neighbours belongs to the group. */
function nearLabel(labels: Int32Array, width: number, height: number, x: number, y: number, mine: Set<number>): boolean {
  for (let dy = -1; dy <= 1; dy++) {
    const yy = y + dy;
    if (yy < 0 || yy >= height) continue;
    for (let dx = -1; dx <= 1; dx++) {
      const xx = x + dx;
      if (xx >= 0 && xx < width && mine.has(labels[yy * width + xx]!)) return true;
    }
  }
  return false;
}
