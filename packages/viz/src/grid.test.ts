import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { DigitkitError, type ImageSet } from '@digitkit/core';
import { digitGrid, digitGridSvg, misclassifiedGallery, type GridCell } from './grid.js';
import { encodePng, type RasterImage } from './raster.js';
import { mnistSlice } from '@digitkit/testkit';
import { fakeEvaluation } from './test-helpers.js';

const set = await mnistSlice({ split: 'test' });
const RED = [207, 34, 46];
const GREEN = [26, 127, 55];
const INK = [34, 34, 34];

function pixel(image: { width: number; data?: ArrayLike<number>; rgba?: ArrayLike<number> }, x: number, y: number): number[] {
  const data = image.data ?? image.rgba!;
  const i = (y * image.width + x) * 4;
  return [data[i]!, data[i + 1]!, data[i + 2]!];
}

/** Colours present in a rectangle of a picture, as "r,g,b" strings. */
function colorsIn(image: RasterImage, x: number, y: number, w: number, h: number): Set<string> {
  const seen = new Set<string>();
  for (let yy = y; yy < y + h; yy++) for (let xx = x; xx < x + w; xx++) seen.add(pixel(image, xx, yy).join(','));
  return seen;
}

describe('digitGrid', () => {
  it('puts the pixels of image #0 unchanged in the first cell at scale 1 (checked on the decoded PNG)', () => {
    const grid = digitGrid(set, { first: 100, scale: 1 });
    const png = decode(encodePng(grid));
    expect([png.width, png.height]).toEqual([grid.width, grid.height]);
    const cell = grid.cells[0]!;
    expect(cell).toMatchObject({ index: 0, width: 28, height: 28, label: 7 });
    for (let y = 0; y < 28; y++) {
      for (let x = 0; x < 28; x++) {
        const v = set.images[y * 28 + x]!;
        expect(pixel(png, cell.x + x, cell.y + y)).toEqual([v, v, v]);
      }
    }
    // Exactly there: the row above and the column left of the cell are page background.
    for (let x = 0; x < 28; x++) expect(pixel(png, cell.x + x, cell.y - 1)).toEqual([255, 255, 255]);
    for (let y = 0; y < 28; y++) expect(pixel(png, cell.x - 1, cell.y + y)).toEqual([255, 255, 255]);
  });

  it('lays 100 digits out as 10 rows of 10 with even spacing', () => {
    const grid = digitGrid(set, { first: 100, scale: 1 });
    // At scale 1: an 11 px margin, 7 px between cells, an 11 px label strip under every image.
    expect(grid.cells.slice(0, 2).map(({ x, y }) => [x, y])).toEqual([[11, 11], [46, 11]]);
    expect([grid.cells[10]!.x, grid.cells[10]!.y]).toEqual([11, 57]);
    expect([grid.width, grid.height]).toEqual([11 + 10 * 28 + 9 * 7 + 11, 11 + 10 * (28 + 11) + 9 * 7 + 11]);
    expect(grid.cells.map((c) => c.index)).toEqual(Array.from({ length: 100 }, (_, i) => i));
    const [c0, c1, c2, c10, c20] = [0, 1, 2, 10, 20].map((i) => grid.cells[i]!) as [GridCell, GridCell, GridCell, GridCell, GridCell];
    expect(c1.y).toBe(c0.y);
    expect(c2.x - c1.x).toBe(c1.x - c0.x);
    expect(c1.x - c0.x).toBeGreaterThan(28);
    expect(c10.x).toBe(c0.x);
    expect(c20.y - c10.y).toBe(c10.y - c0.y);
    expect(c10.y - c0.y).toBeGreaterThan(28 + 7); // room for the label strip
    const last = grid.cells[99]!;
    expect(last.x + last.width).toBeLessThan(grid.width);
    expect(last.y + last.height).toBeLessThan(grid.height);
  });

  it('scales each pixel to a square block', () => {
    const grid = digitGrid(set, { indices: [57], scale: 3 });
    const cell = grid.cells[0]!;
    expect([cell.width, cell.height]).toEqual([84, 84]);
    const offset = 57 * 784;
    for (const [sx, sy] of [[14, 14], [10, 20], [5, 3], [27, 27]] as const) {
      const v = set.images[offset + sy * 28 + sx]!;
      for (let dy = 0; dy < 3; dy++) for (let dx = 0; dx < 3; dx++) expect(pixel(grid, cell.x + sx * 3 + dx, cell.y + sy * 3 + dy)).toEqual([v, v, v]);
    }
  });

  it('draws the label under each cell in dark ink, and predictions in green or red', () => {
    const evaluation = fakeEvaluation(set, 2); // even indices wrong, odd ones right
    const grid = digitGrid(set, { indices: [0, 1], predicted: evaluation.predicted, scale: 2 });
    const [wrong, right] = grid.cells;
    expect(wrong).toMatchObject({ index: 0, label: 7, predicted: 8 });
    expect(right).toMatchObject({ index: 1, label: 2, predicted: 2 });
    const strip = (c: typeof wrong) => colorsIn(grid, c!.x, c!.y + c!.height + 2, c!.width, 16);
    expect(strip(wrong).has(INK.join(','))).toBe(true);
    expect(strip(wrong).has(RED.join(','))).toBe(true);
    expect(strip(right).has(GREEN.join(','))).toBe(true);
    expect(strip(right).has(RED.join(','))).toBe(false);
    // A wrong cell is framed in red just outside the image; a right one is not.
    expect(pixel(grid, wrong!.x - 1, wrong!.y + 10)).toEqual(RED);
    expect(pixel(grid, right!.x - 1, right!.y + 10)).toEqual([255, 255, 255]);
  });

  it('without predictions draws only the true label', () => {
    const grid = digitGrid(set, { indices: [0], scale: 2 });
    const c = grid.cells[0]!;
    const colors = colorsIn(grid, 0, c.y + c.height, grid.width, grid.height - c.y - c.height);
    expect(colors.has(INK.join(','))).toBe(true);
    expect(colors.has(RED.join(',')) || colors.has(GREEN.join(','))).toBe(false);
  });

  it('picks perClass images of every class, one row per class', () => {
    const grid = digitGrid(set, { perClass: 3 });
    expect(grid.cells.map((c) => c.label)).toEqual([0, 0, 0, 1, 1, 1, 2, 2, 2, 3, 3, 3, 4, 4, 4, 5, 5, 5, 6, 6, 6, 7, 7, 7, 8, 8, 8, 9, 9, 9]);
    for (const c of grid.cells) expect(set.labels[c.index]).toBe(c.label);
    expect(grid.cells[3]!.x).toBe(grid.cells[0]!.x);
    expect(grid.cells[3]!.y).toBeGreaterThan(grid.cells[0]!.y);
  });

  it('draws a title above the grid when asked', () => {
    const plain = digitGrid(set, { first: 10 });
    const titled = digitGrid(set, { first: 10, title: 'Test samples' });
    expect(titled.height).toBeGreaterThan(plain.height);
    expect(titled.cells[0]!.y).toBeGreaterThan(plain.cells[0]!.y);
    expect(colorsIn(titled, 0, 0, titled.width, titled.cells[0]!.y).has(INK.join(','))).toBe(true);
  });

  it('says clearly what is wrong with bad input', () => {
    const broken: ImageSet = { ...set, width: 27 };
    expect(() => digitGrid(broken)).toThrow(DigitkitError);
    expect(() => digitGrid(broken)).toThrow(/10000 images of 27x28.*7840000 bytes/);
    expect(() => digitGrid(set, { indices: [0, 10000] })).toThrow(/indices\[1\] = 10000 is not an image of this set \(valid: 0 to 9999\)/);
    expect(() => digitGrid(set, { scale: 1.5 })).toThrow(/scale must be an integer/);
    expect(() => digitGrid(set, { first: 5, perClass: 2 })).toThrow(/only one of/);
    expect(() => digitGrid(set, { predicted: new Uint8Array(5) })).toThrow(/one label per image of the set \(10000\), got 5/);
    expect(() => digitGrid({ ...set, labels: set.labels.subarray(0, 9) })).toThrow(/10000 images but 9 labels/);
  });
});

describe('digitGridSvg', () => {
  it('embeds the digits as a PNG and writes the labels as text', () => {
    const evaluation = fakeEvaluation(set, 2);
    const svg = digitGridSvg(set, { indices: [0, 1], predicted: evaluation.predicted });
    const href = /<image[^>]* href="data:image\/png;base64,([^"]+)"/.exec(svg);
    expect(href).not.toBeNull();
    const png = decode(Buffer.from(href![1]!, 'base64'));
    expect(svg).toContain(`width="${png.width}" height="${png.height}"`);
    expect(svg).toMatch(/>7<\/text>/);
    expect(svg).toMatch(/fill="rgb\(207,34,46\)"[^>]*>8<\/text>/);
    expect(svg).toMatch(/fill="rgb\(26,127,55\)"[^>]*>2<\/text>/);
  });
});

describe('misclassifiedGallery', () => {
  it('shows the misclassified images (first `limit`) with their true and predicted labels', () => {
    const evaluation = fakeEvaluation(set, 100);
    const gallery = misclassifiedGallery(set, evaluation, { limit: 12 });
    expect(gallery.cells.map((c) => c.index)).toEqual(evaluation.misclassified.slice(0, 12));
    for (const c of gallery.cells) {
      expect(c.predicted).toBe((c.label + 1) % 10);
      expect(pixel(gallery, c.x - 1, c.y + 5)).toEqual(RED);
    }
    expect(decode(encodePng(gallery)).width).toBe(gallery.width);
  });

  it('gives a small picture saying so when nothing was wrong', () => {
    const gallery = misclassifiedGallery(set, { misclassified: [], predicted: set.labels });
    expect(gallery.cells).toEqual([]);
    expect(gallery.width).toBeGreaterThan(50);
    expect(colorsIn(gallery, 0, 0, gallery.width, gallery.height).size).toBeGreaterThan(1);
  });
});
