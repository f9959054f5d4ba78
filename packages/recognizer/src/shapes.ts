// Glyphs the models read as a 1 though no 1 is drawn so: `!` and `i` (a bar and a dot), `[` and `]` (a bar whose ends
// both turn the same way). The models never saw them (MNIST has digits only), so their shape, not a confidence, tells.
// Measured on the 28x28s toMnistFormat makes, with `src/experiments/one-like-glyphs.ts` in tools/robustness: the
// symbol set's `!`, `[` and `]` against MNIST's 10,000 test digits and the bench's drawn and photographed single digits.
import { boundingBox, connectedComponents } from '@digitkit/preprocess';

const SIDE = 28;
/** Ink is a pixel at or above this level (of 255): the stroke, not its anti-aliased fringe. */
const INK_LEVEL = 77;

/**
 * A bar with a dot beyond one end. Every `!` of the symbol set: bar elongation 3.5-8, dot elongation 1.0-1.3, gap
 * 0.14-0.38 of the bar, off its axis by under 0.04 of it; no MNIST test digit comes near (the nearest, a 1 broken in
 * two, has a piece of elongation 2.4).
 */
export const DOTTED_BAR = Object.freeze({
  /** The bar's long axis is at least this many times its short one (standard deviations along and across). */
  minBarElongation: 3.5,
  /** The dot is compact: its axes differ by at most this factor (a dab of the pen may be a short dash; the broken-off
   * piece of the broken 1 above is longer). */
  maxDotElongation: 2,
  /** The dot is at most this fraction of the bar's length along the bar, and this fraction of its ink. */
  maxDotLength: 0.45,
  maxDotArea: 0.5,
  /** The gap between the bar's end and the dot, along the bar, as a fraction of the bar's length. */
  minGap: 0.08,
  maxGap: 0.6,
  /** The dot's centre lies within this fraction of the bar's length of the bar's axis. */
  maxOffAxis: 0.12,
});

/**
 * Ink open on one side: at the top and at the bottom it reaches across its box, in the middle it stays on the other
 * side. The symbol set's `[` and `]` that the CNN calls 1 reach 0.5-0.67 of the box's width further at both ends (one
 * of 62 only 0.33); MNIST's 1,135 test 1s through the pipeline at most 0.40, a 1 bowed like a `)` (test #2027; a flag
 * and a base turn opposite ways, or only one end turns). The threshold lies between the two.
 */
export const BRACKET = Object.freeze({
  /** The rows compared, as fractions of the ink's height from the top: the ends, and the middle. */
  top: [0, 0.15],
  middle: [0.25, 0.75],
  bottom: [0.85, 1],
  /** How much further (in widths of the ink's box) the top and bottom both reach than the middle, to one side. */
  minReach: 0.45,
} as const);

/** What a 28x28 that a model reads as a 1 is instead ("a bar with a dot…"), or null when it may be a 1. */
export function glyphNotAOne(pixels: Uint8Array): string | null {
  if (isDottedBar(pixels)) return 'a bar with a dot beyond its end, like ! or i';
  if (isBracket(pixels)) return 'a bar with both ends turned the same way, like [ or ]';
  return null;
}

interface Blob {
  readonly xs: number[];
  readonly ys: number[];
}

/** A blob's centre and long axis (from its second moments), and how many times longer than wide it is. */
function principalAxes({ xs, ys }: Blob) {
  const n = xs.length;
  const cx = xs.reduce((a, x) => a + x, 0) / n;
  const cy = ys.reduce((a, y) => a + y, 0) / n;
  let [sxx, syy, sxy] = [0, 0, 0];
  for (let k = 0; k < n; k++) {
    const [dx, dy] = [xs[k]! - cx, ys[k]! - cy];
    sxx += dx * dx;
    syy += dy * dy;
    sxy += dx * dy;
  }
  const mean = (sxx + syy) / (2 * n);
  const spread = Math.hypot((sxx - syy) / (2 * n), sxy / n);
  const angle = 0.5 * Math.atan2(2 * sxy, sxx - syy);
  // A one-pixel-wide line still has a pixel's own spread (1/12) across it.
  return { cx, cy, ux: Math.cos(angle), uy: Math.sin(angle), elongation: Math.sqrt((mean + spread) / Math.max(mean - spread, 1 / 12)) };
}

/** Whether the ink is two marks (of 2 pixels or more), a bar and a dot beyond one of its ends (see {@link DOTTED_BAR}). */
export function isDottedBar(pixels: Uint8Array): boolean {
  const { labels, areas } = connectedComponents(
    pixels.map((v) => (v >= INK_LEVEL ? 1 : 0)),
    SIDE,
    SIDE,
  );
  // Single pixels are the fringe of a stroke, not marks.
  const marks = areas.map((area, i) => ({ area, label: i + 1 })).filter((c) => c.area >= 2);
  if (marks.length !== 2) return false;
  const [bar, dot] = marks
    .sort((a, b) => b.area - a.area)
    .map(({ label }) => {
      const blob: Blob = { xs: [], ys: [] };
      labels.forEach((l, i) => {
        if (l !== label) return;
        blob.xs.push(i % SIDE);
        blob.ys.push(Math.floor(i / SIDE));
      });
      return blob;
    }) as [Blob, Blob];
  const axis = principalAxes(bar);
  const dotAxes = principalAxes(dot);
  if (axis.elongation < DOTTED_BAR.minBarElongation || dotAxes.elongation > DOTTED_BAR.maxDotElongation) return false;
  if (dot.xs.length > DOTTED_BAR.maxDotArea * bar.xs.length) return false;
  // Extent along the bar's axis, from its centre.
  const extent = ({ xs, ys }: Blob) => {
    const along = xs.map((x, k) => (x - axis.cx) * axis.ux + (ys[k]! - axis.cy) * axis.uy);
    return [Math.min(...along), Math.max(...along)] as const;
  };
  const [barStart, barEnd] = extent(bar);
  const [dotStart, dotEnd] = extent(dot);
  const length = barEnd - barStart + 1;
  const gap = dotStart > barEnd ? dotStart - barEnd : barStart - dotEnd;
  const offAxis = Math.abs((dotAxes.cx - axis.cx) * axis.uy - (dotAxes.cy - axis.cy) * axis.ux);
  return (
    dotEnd - dotStart + 1 <= DOTTED_BAR.maxDotLength * length &&
    gap >= DOTTED_BAR.minGap * length &&
    gap <= DOTTED_BAR.maxGap * length &&
    offAxis <= DOTTED_BAR.maxOffAxis * length
  );
}

/** Whether the ink's ends reach across its box while its middle stays on the other side (see {@link BRACKET}). */
export function isBracket(pixels: Uint8Array): boolean {
  // boundingBox keeps levels above its threshold: INK_LEVEL and up.
  const box = boundingBox({ data: pixels, width: SIDE, height: SIDE }, INK_LEVEL - 1);
  if (!box) return false;
  const { x: x0, y: y0, width, height } = box;
  const x1 = x0 + width - 1;
  /** A band of rows' leftmost and rightmost ink, as fractions of the box's width (pixel centres). */
  const reach = ([from, to]: readonly [number, number]) => {
    let [left, right] = [1, 0];
    for (let y = y0 + Math.floor(from * height); y < y0 + Math.ceil(to * height); y++) {
      for (let x = x0; x <= x1; x++) {
        if (pixels[y * SIDE + x]! < INK_LEVEL) continue;
        left = Math.min(left, (x - x0 + 0.5) / width);
        right = Math.max(right, (x - x0 + 0.5) / width);
      }
    }
    return { left, right };
  };
  const [top, middle, bottom] = [reach(BRACKET.top), reach(BRACKET.middle), reach(BRACKET.bottom)];
  const openRight = Math.min(top.right, bottom.right) - middle.right;
  const openLeft = middle.left - Math.max(top.left, bottom.left);
  return Math.max(openRight, openLeft) >= BRACKET.minReach;
}
