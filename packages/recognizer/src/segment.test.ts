// Drawing helpers shared with the other packages' tests (not part of any published surface).
import { drawStrokes } from '@digitkit/testkit';
import { describe, expect, it } from 'vitest';
import { layoutInk, splitPieces, strokeParts, touchingCuts, wholeRegion } from './segment.js';
import type { Stroke } from './types.js';

const [W, H] = [140, 64];

/**
 * Light-on-black ink on a W x H canvas: rings (cx, cy, radius, or radii across and down) and bars [x0, y0, x1, y1],
 * strokes about 5 px wide.
 */
function ink(rings: ([number, number, number] | [number, number, number, number])[], bars: [number, number, number, number][] = []) {
  const data = new Uint8Array(W * H);
  for (let y = 0; y < H; y++) {
    for (let x = 0; x < W; x++) {
      const onRing = rings.some(([cx, cy, rx, ry = rx]) => Math.abs(Math.hypot((x - cx) / rx, (y - cy) / ry) - 1) * Math.min(rx, ry) <= 2.5);
      const onBar = bars.some(([x0, y0, x1, y1]) => x >= x0 && x <= x1 && y >= y0 && y <= y1);
      if (onRing || onBar) data[y * W + x] = 255;
    }
  }
  return layoutInk({ data, width: W, height: H }, { x: 0, y: 0, width: W, height: H });
}

/** The columns a piece's box spans, in the picture's pixels. */
const span = (box: { x: number; width: number }) => [box.x, box.x + box.width - 1];

/** A cut whose left side starts by `leftFrom` and ends within `leftEnd`, its right side starting within `rightStart`
 * and reaching `rightTo`: the ink parted where the two shapes meet, each whole on its side. */
function expectParted(
  cut: readonly [{ box: { x: number; width: number } }, { box: { x: number; width: number } }] | undefined,
  at: { leftFrom: number; leftEnd: [number, number]; rightStart: [number, number]; rightTo: number },
) {
  expect(cut).toBeDefined();
  const [left, right] = cut!.map((side) => span(side.box)) as [number[], number[]];
  expect(left[0]).toBeLessThanOrEqual(at.leftFrom);
  expect(left[1]).toBeGreaterThanOrEqual(at.leftEnd[0]);
  expect(left[1]).toBeLessThanOrEqual(at.leftEnd[1]);
  expect(right[0]).toBeGreaterThanOrEqual(at.rightStart[0]);
  expect(right[0]).toBeLessThanOrEqual(at.rightStart[1]);
  expect(right[1]).toBeGreaterThanOrEqual(at.rightTo);
}

describe('touchingCuts', () => {
  it('cuts two rings that touch where they touch: each side one ring, the cheapest cut first', () => {
    // Rings of radius 26 centred 56 px apart: their strokes meet around (50, 32), over a few rows.
    const layout = ink([[22, 32, 26], [78, 32, 26]]);
    expect(splitPieces(layout)).toEqual([]); // one piece of ink: nothing to split by components
    const [first] = touchingCuts(layout, wholeRegion(layout));
    expectParted(first, { leftFrom: 0, leftEnd: [46, 52], rightStart: [48, 54], rightTo: 102 });
    // Both sides are padded squares of light ink on black, ready for toMnistFormat.
    for (const side of first!) {
      expect(side.image.width).toBe(side.image.height);
      expect(side.image.data.some((v) => v > 0)).toBe(true);
    }
  });

  it('cuts two tall rings whose strokes run together over many rows down that contact, not through a ring', () => {
    // Ovals 40 px wide and 56 high, centred 40 px apart: their strokes are one band of ink for about 25 rows, as two 0s
    // drawn side by side with a thick pen are. Costing that band's pixels like strokes sent the seam across a ring.
    const layout = ink([[22, 32, 20, 28], [62, 32, 20, 28]]);
    const [first] = touchingCuts(layout, wholeRegion(layout));
    expectParted(first, { leftFrom: 2, leftEnd: [38, 46], rightStart: [38, 46], rightTo: 82 });
  });

  it('winds round a bar that reaches over the next digit instead of slicing it off', () => {
    // A 7-like left digit (a bar along the top to x = 66, a stem down at x = 40) and a ring below the bar's end starting at x = 60.
    const layout = ink([[86, 44, 18]], [[10, 2, 66, 6], [38, 2, 43, 62]]);
    const region = wholeRegion(layout);
    // Not one component (the bar and the ring do not touch): the test is about the seam's path, on the whole ink.
    const [first] = touchingCuts(layout, region);
    const [left, right] = first!;
    expect(span(left.box)).toEqual([10, 66]); // the whole bar stays with its stem
    expect(span(right.box)[0]).toBeGreaterThanOrEqual(64); // the ring alone on the right
  });

  it('offers no cut of ink too narrow to hold two digits, nor one leaving a sliver', () => {
    const narrow = ink([], [[60, 4, 70, 60]]);
    expect([...touchingCuts(narrow, wholeRegion(narrow))]).toEqual([]);
    // A ring with a short tick on its right: no cut keeps the tick alone as a digit.
    const ticked = ink([[40, 32, 26]], [[66, 30, 74, 34]]);
    for (const [left, right] of touchingCuts(ticked, wholeRegion(ticked))) {
      expect(right.box.height).toBeGreaterThan(20);
      expect(left.box.height).toBeGreaterThan(20);
    }
  });
});

describe('strokeParts', () => {
  const PEN = 6;
  /** An ellipse's line (cx, cy, radii) as one stroke, in pixels. */
  const ring = (cx: number, cy: number, rx: number, ry: number): Stroke => Array.from({ length: 49 }, (_, k) => [cx + rx * Math.sin((k * Math.PI) / 24), cy - ry * Math.cos((k * Math.PI) / 24)] as [number, number]);
  const bar = (x0: number, y0: number, x1: number, y1: number): Stroke => Array.from({ length: 13 }, (_, k) => [x0 + ((x1 - x0) * k) / 12, y0 + ((y1 - y0) * k) / 12] as [number, number]);
  /** The strokes drawn light on black with a PEN-px pen, laid out with them (or without, `given` false). */
  function drawnLayout(strokes: Stroke[], given = true) {
    const unit = strokes.map((s) => s.map(([x, y]) => [x / W, y / H] as [number, number]));
    const data = drawStrokes(unit, W, H, { left: 0, top: 0, width: W, height: H }, PEN);
    return layoutInk({ data, width: W, height: H }, { x: 0, y: 0, width: W, height: H }, { strokes: given ? strokes : [] });
  }

  it('parts ink that touches by the strokes that drew it, and says their lines stay apart', () => {
    // Two rings whose lines pass 4 px apart: their 6-px ink overlaps, one piece of ink.
    const layout = drawnLayout([ring(40, 32, 18, 26), ring(80, 32, 18, 26)]);
    expect(splitPieces(layout)).toEqual([]);
    const parts = strokeParts(layout, wholeRegion(layout));
    expect(parts?.apart).toBe(true);
    const [left, right] = parts!.pieces.map((p) => span(p.box)) as [number[], number[]];
    expect(left[0]).toBeLessThanOrEqual(22);
    expect(left[1]).toBeGreaterThanOrEqual(58);
    expect(left[1]).toBeLessThanOrEqual(62);
    expect(right[0]).toBeGreaterThanOrEqual(58);
    expect(right[1]).toBeGreaterThanOrEqual(98);
    // The same picture without its strokes has nothing to part.
    const inkOnly = drawnLayout([ring(40, 32, 18, 26), ring(80, 32, 18, 26)], false);
    expect(strokeParts(inkOnly, wholeRegion(inkOnly))).toBeNull();
  });

  it('says when the parts\' lines meet: rings whose lines cross, a bar ending on a ring', () => {
    const crossing = drawnLayout([ring(40, 32, 18, 26), ring(72, 32, 18, 26)]);
    expect(strokeParts(crossing, wholeRegion(crossing))).toMatchObject({ apart: false, pieces: [expect.anything(), expect.anything()] });
    const ending = drawnLayout([ring(40, 32, 18, 26), bar(100, 4, 60, 32)]);
    expect(strokeParts(ending, wholeRegion(ending))).toMatchObject({ apart: false, pieces: [expect.anything(), expect.anything()] });
  });

  it('takes lines that only touch, neither crossing nor ending on the other, for apart: rings side by side', () => {
    const touching = drawnLayout([ring(40, 32, 18, 26), ring(76, 32, 18, 26)]);
    expect(strokeParts(touching, wholeRegion(touching))).toMatchObject({ apart: true, pieces: [expect.anything(), expect.anything()] });
  });

  it('keeps strokes that share columns together: a bar across an upright (a 4\'s), a bar over a body (a 5\'s)', () => {
    const cross = drawnLayout([bar(70, 6, 70, 58), bar(40, 34, 92, 34)]);
    expect(strokeParts(cross, wholeRegion(cross))).toBeNull();
    const capped = drawnLayout([bar(56, 8, 86, 8), ring(66, 36, 16, 18)]);
    expect(strokeParts(capped, wholeRegion(capped))).toBeNull();
  });
});
describe('layoutInk under a wash', () => {
  /** A slanted bar, 5 px wide, its middle under a flat patch of gray 63 that hides the stroke (spatter's mud). */
  function barUnderMud(): { data: Uint8Array; width: number; height: number } {
    const data = new Uint8Array(W * H);
    for (let y = 4; y < 60; y++) {
      const x = Math.round(100 - ((y - 4) * 30) / 56);
      data.fill(255, y * W + x - 2, y * W + x + 3);
    }
    for (let y = 25; y < 39; y++) data.fill(63, y * W + 77, y * W + 93);
    return { data, width: W, height: H };
  }
  const layout = (washed: boolean) => layoutInk(barUnderMud(), { x: 0, y: 0, width: W, height: H }, { washed });

  it('takes the stroke the mud cuts in two for one piece when told of the wash, two pieces side by side otherwise', () => {
    expect(layout(false).groups).toHaveLength(2);
    expect(splitPieces(layout(false))).toHaveLength(2);
    expect(layout(true).groups).toHaveLength(1);
    expect(splitPieces(layout(true))).toEqual([]);
  });
  it('leaves two rings side by side two when a stain joins them: their union is wider than a digit', () => {
    const data = new Uint8Array(W * H);
    for (let y = 0; y < H; y++) {
      for (let x = 0; x < W; x++) {
        const onRing = [38, 102].some((cx) => Math.abs(Math.hypot(x - cx, y - 32) - 24) <= 2.5);
        const stain = ((x - 70) / 40) ** 2 + ((y - 32) / 10) ** 2 <= 1;
        data[y * W + x] = onRing ? 255 : stain ? 63 : 0;
      }
    }
    const stained = layoutInk({ data, width: W, height: H }, { x: 0, y: 0, width: W, height: H }, { washed: true });
    // The stain holds both rings in one piece of kept ink: joined whatever their width, they were one group (checked).
    expect(stained.groups).toHaveLength(2);
  });
});
