import { describe, expect, it } from 'vitest';
import { glyphNotAOne, isBracket, isDottedBar } from './shapes.js';

/** A 28x28 with the given [x0, y0, x1, y1] rectangles inked (inclusive). */
function inked(...rects: [number, number, number, number][]): Uint8Array {
  const pixels = new Uint8Array(784);
  for (const [x0, y0, x1, y1] of rects) for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) pixels[y * 28 + x] = 255;
  return pixels;
}
const BAR: [number, number, number, number] = [13, 4, 14, 18];

describe('isDottedBar', () => {
  it('finds a dot below (!) or above (i) a bar, in line with it', () => {
    expect(isDottedBar(inked(BAR, [13, 21, 14, 22]))).toBe(true);
    expect(isDottedBar(inked([13, 9, 14, 23], [13, 5, 14, 6]))).toBe(true);
    expect(glyphNotAOne(inked(BAR, [13, 21, 14, 22]))).toMatch(/like ! or i/);
  });

  it('is not fooled by a bar alone, a dot off to the side, a dot touching the bar, a bar broken in two, or a speck', () => {
    expect(isDottedBar(inked(BAR))).toBe(false);
    expect(isDottedBar(inked(BAR, [18, 21, 19, 22]))).toBe(false);
    expect(isDottedBar(inked(BAR, [13, 19, 14, 20]))).toBe(false);
    expect(isDottedBar(inked([13, 4, 14, 14], [13, 17, 14, 23]))).toBe(false);
    expect(isDottedBar(inked(BAR, [13, 21, 13, 21]))).toBe(false);
  });
});

describe('isBracket', () => {
  it('finds [ and ]: both ends turned the same way', () => {
    expect(isBracket(inked([10, 4, 11, 23], [10, 4, 17, 5], [10, 22, 17, 23]))).toBe(true);
    expect(isBracket(inked([16, 4, 17, 23], [10, 4, 17, 5], [10, 22, 17, 23]))).toBe(true);
  });

  it('leaves a 1 with a base on both sides, with a flag, a plain bar, and an L', () => {
    expect(isBracket(inked([13, 4, 14, 23], [10, 22, 17, 23]))).toBe(false);
    expect(isBracket(inked([13, 4, 14, 23], [10, 4, 14, 5], [10, 22, 17, 23]))).toBe(false);
    expect(isBracket(inked(BAR))).toBe(false);
    expect(isBracket(inked([10, 4, 11, 23], [10, 22, 17, 23]))).toBe(false);
    expect(isBracket(new Uint8Array(784))).toBe(false);
  });
});
