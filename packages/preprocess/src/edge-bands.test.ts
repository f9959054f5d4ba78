import {
  digitImages,
  createRng,
  drawStrokes,
  median,
  mnistSlice,
  PEN_DIGITS,
  pearson,
  redrawOnCanvas,
  resizeBilinear,
  simulatePhoto,
} from '@digitkit/testkit';
import { describe, expect, it } from 'vitest';
import { type MnistFormatResult, toMnistFormat } from './index.js';

const digits = digitImages(await mnistSlice({ split: 'test', count: 100 }));

function digitOf(result: MnistFormatResult): Extract<MnistFormatResult, { empty: false }> {
  if (result.empty) throw new Error(`expected a digit, got empty: ${result.reason}`);
  return result;
}
const gray = (data: Uint8Array, width: number, height: number) => ({ data, width, height });
const inverse = (data: Uint8Array) => data.map((v) => 255 - v);

/** MNIST-C's stripe (Mu & Gilmer 2019): the left and right 7-column quarters of a 28x28 digit inverted, two white bands. */
const striped = (digit: Uint8Array) => digit.map((v, i) => (i % 28 < 7 || i % 28 >= 21 ? 255 - v : v));

/** A 280x280 white-on-black drawing of a pen digit in `box`, as toMnistFormat sees it without anything round it. */
const pen = (name: string, box: { left: number; top: number; width: number; height: number }, width: number) =>
  drawStrokes(PEN_DIGITS[name]!, 280, 280, box, width);

describe('toMnistFormat drops solid bands and frames along the picture\'s edges', () => {
  // Measured on the first 100 test digits: 91 read light on dark, median r 0.85 against the clean digit's result (the
  // strokes inside the bands go with them; 9 fray into the bands and are left alone). Without the band stage most are
  // read as dark ink.
  it('MNIST-C stripe: keeps white-on-black and gives back the digit between the bands (median r > 0.8)', () => {
    const results = digits.map((digit) => ({
      clean: digitOf(toMnistFormat(gray(digit, 28, 28))),
      striped: digitOf(toMnistFormat(gray(striped(digit), 28, 28))),
    }));
    expect(results.filter(({ striped }) => striped.inverted).length).toBeLessThanOrEqual(12);
    expect(median(results.map(({ clean, striped }) => pearson(clean.pixels, striped.pixels)))).toBeGreaterThan(0.8);
    const between = results.filter(({ striped }) => !striped.inverted);
    for (const { striped } of between) expect(striped.box.x).toBeGreaterThanOrEqual(7);
  });

  it('a phone photo whose left side shows the dark table: the box stays on the sheet, the digit comes back', () => {
    const next = createRng(11).next;
    const [sheet, table, width, height] = [360, 60, 420, 270];
    const r = digits.slice(0, 20).map((digit, i) => {
      const photo = simulatePhoto(redrawOnCanvas(digit, 8, sheet, height, i), sheet, height, next);
      const data = new Uint8Array(width * height * 3);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < table; x++) data.set([52, 40, 34], (y * width + x) * 3);
        data.set(photo.subarray(y * sheet * 3, (y + 1) * sheet * 3), (y * width + table) * 3);
      }
      const result = digitOf(toMnistFormat({ data, width, height }));
      expect(result.inverted).toBe(true);
      expect(result.box.x).toBeGreaterThanOrEqual(table);
      return pearson(result.pixels, digit);
    });
    // Measured: median 0.98, as on the photos without the table. (The photo path's edge-piece rule already dropped a
    // table apart from the digit; this guards that the band stage does not cut into the sheet.)
    expect(median(r)).toBeGreaterThan(0.94);
  });

  it('a drawing in a black frame (a card\'s border, a form\'s box): the same result as without the frame', () => {
    for (const name of Object.keys(PEN_DIGITS)) {
      const drawing = inverse(pen(name, { left: 80, top: 50, width: name === '1' ? 60 : 120, height: 180 }, 14));
      const framed = drawing.map((v, i) => {
        const [x, y] = [i % 280, Math.floor(i / 280)];
        return Math.min(x, y, 279 - x, 279 - y) < 8 ? 0 : v;
      });
      const plain = digitOf(toMnistFormat(gray(drawing, 280, 280)));
      const result = digitOf(toMnistFormat(gray(framed, 280, 280)));
      expect(result.box, `digit ${name}`).toEqual(plain.box);
      expect(pearson(result.pixels, plain.pixels), `digit ${name}`).toBeGreaterThan(0.99);
    }
  });
});

describe('toMnistFormat keeps digits drawn up to the edge (a stroke is not a band)', () => {
  it.each([
    // A '1' whose stem runs down the left edge, top to bottom, with a 24 px pen.
    ['1 down the left edge', '1', { left: -45, top: 0, width: 100, height: 280 }],
    // A '7' whose bar runs along the top edge, edge to edge.
    ['7 along the top edge', '7', { left: -35, top: 0, width: 350, height: 280 }],
    // A '0' touching all four sides.
    ['0 touching every side', '0', { left: -28, top: 0, width: 336, height: 280 }],
    ['4 with its bar across the picture', '4', { left: -14, top: 10, width: 308, height: 270 }],
  ])('%s: the box holds all of the ink, light on dark and dark on light', (_, name, box) => {
    const drawing = pen(name, box, 24);
    for (const image of [drawing, inverse(drawing)]) {
      const result = digitOf(toMnistFormat(gray(image, 280, 280)));
      const ink = inkBox(drawing);
      expect(result.box).toEqual(ink);
    }
  });

  // Narrow digits (a '1') stand between two blank margins as wide as a stripe's bands: those must stay background.
  it('soft thumbnails filling the picture (UCI-style 8x8 scaled up): light ink, and the box spans most of the picture', () => {
    const results = digits.map((digit) => toMnistFormat(thumbnailFilling(digit)));
    const found = results.filter((result) => !result.empty);
    for (const result of found) {
      expect(result.inverted).toBe(false);
      // The box is the ink at 40% of its contrast: a soft block's fading edge may fall short of the picture's.
      expect(Math.max(result.box.width, result.box.height)).toBeGreaterThanOrEqual(24);
    }
    // 8 of these 100 come out empty with or without the band stage: ink over most of the picture reads as background.
    expect(found.length).toBeGreaterThanOrEqual(90);
  });
});

/**
 * A digit made the way UCI's 8x8 digits were (Alpaydin & Kaynak): binarized, fitted into a 32x32 bitmap (aspect kept,
 * so it touches two opposite sides), 4x4 blocks counted, and the 8x8 counts enlarged 4x: soft, and edge to edge.
 */
function thumbnailFilling(digit: Uint8Array) {
  let [x0, y0, x1, y1] = [28, 28, -1, -1];
  digit.forEach((v, i) => {
    if (v < 128) return;
    const [x, y] = [i % 28, Math.floor(i / 28)];
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  });
  const [w, h] = [x1 - x0 + 1, y1 - y0 + 1];
  const [bw, bh] = [Math.max(1, Math.round((32 * w) / Math.max(w, h))), Math.max(1, Math.round((32 * h) / Math.max(w, h)))];
  const [ox, oy] = [(32 - bw) >> 1, (32 - bh) >> 1];
  const counts = new Array<number>(64).fill(0);
  for (let y = 0; y < bh; y++) {
    for (let x = 0; x < bw; x++) {
      const source = (y0 + Math.floor(((y + 0.5) * h) / bh)) * 28 + x0 + Math.floor(((x + 0.5) * w) / bw);
      if (digit[source]! >= 128) counts[((y + oy) >> 2) * 8 + ((x + ox) >> 2)]! += 255 / 16;
    }
  }
  const up = resizeBilinear(counts, 8, 8, 4);
  return gray(Uint8Array.from(up.data, Math.round), up.width, up.height);
}

/** The box of every pixel of a white-on-black drawing at or above 40% (toMnistFormat's crop level). */
function inkBox(drawing: Uint8Array) {
  let [x0, y0, x1, y1] = [280, 280, -1, -1];
  drawing.forEach((v, i) => {
    if (v < 0.4 * 255) return;
    const [x, y] = [i % 280, Math.floor(i / 280)];
    [x0, y0, x1, y1] = [Math.min(x0, x), Math.min(y0, y), Math.max(x1, x), Math.max(y1, y)];
  });
  return { x: x0, y: y0, width: x1 - x0 + 1, height: y1 - y0 + 1 };
}
