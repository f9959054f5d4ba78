import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { toGrayscale } from '@digitkit/preprocess';
import opentype from 'opentype.js';
import { describe, expect, it } from 'vitest';
import { drawFontDigits, fillContours, findHandwritingFonts } from './font-digits.js';

/** A font of our own: each of `digits` a box 500 units wide and 700 high with a hole in it. */
function writeBoxFont(dir: string, digits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]): string {
  const glyphs = [new opentype.Glyph({ name: '.notdef', unicode: 0, advanceWidth: 600, path: new opentype.Path() })];
  for (const d of digits) {
    const path = new opentype.Path();
    // Outer box clockwise, the hole counter-clockwise: the hole stays empty under the non-zero rule.
    path.moveTo(50, 0);
    path.lineTo(50, 700);
    path.lineTo(550, 700);
    path.lineTo(550, 0);
    path.close();
    path.moveTo(150, 100);
    path.lineTo(450, 100);
    path.lineTo(450, 600);
    path.lineTo(150, 600);
    path.close();
    glyphs.push(new opentype.Glyph({ name: `d${d}`, unicode: 48 + d, advanceWidth: 600, path }));
  }
  const font = new opentype.Font({ familyName: 'Box', styleName: 'Regular', unitsPerEm: 1000, ascender: 800, descender: -200, glyphs });
  const file = join(dir, `box-${digits.join('')}.otf`);
  writeFileSync(file, Buffer.from(font.toArrayBuffer()));
  return file;
}

describe('font digits', () => {
  it('fills polygons by the non-zero rule, with anti-aliased edges', () => {
    const square: [number, number][] = [[2, 2], [8, 2], [8, 8], [2, 8]];
    const hole: [number, number][] = [[4, 4], [4, 6], [6, 6], [6, 4]];
    const filled = fillContours([square], 10, 10);
    expect(filled[5 * 10 + 5]).toBeCloseTo(1, 6);
    expect(filled[0]).toBe(0);
    expect(filled.reduce((a, b) => a + b, 0)).toBeCloseTo(36, 3);
    const ring = fillContours([square, hole], 10, 10);
    expect(ring[5 * 10 + 5]).toBe(0);
    expect(ring.reduce((a, b) => a + b, 0)).toBeCloseTo(32, 3);
    // Half a pixel covered: the edge at x = 2.5.
    expect(fillContours([[[2.5, 2], [8, 2], [8, 8], [2.5, 8]]], 10, 10)[5 * 10 + 2]).toBeCloseTo(0.5, 6);
  });

  it('draws every digit of a font file, the glyph 45-75% of the canvas high, the same for the same seed', () => {
    const dir = mkdtempSync(join(tmpdir(), 'font-digits-'));
    const file = writeBoxFont(dir);
    expect(findHandwritingFonts({ DIGITKIT_FONT_DIR: dir })).toEqual([file]);
    const digits = drawFontDigits([file], 2, 7);
    expect(digits.map((d) => d.label)).toEqual([0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9]);
    expect(digits.filter((d) => d.what.includes('photo'))).toHaveLength(10);
    for (const d of digits) {
      const gray = toGrayscale(d.image);
      const border = gray.data[0]!;
      // Rows with ink: anything far from the paper's level.
      const rows = Array.from({ length: gray.height }, (_, y) => gray.data.subarray(y * gray.width, (y + 1) * gray.width).some((v) => Math.abs(v - border) > 100));
      const high = rows.lastIndexOf(true) - rows.indexOf(true) + 1;
      expect(high / gray.height).toBeGreaterThan(0.4);
      expect(high / gray.height).toBeLessThan(0.8);
    }
    const again = drawFontDigits([file], 2, 7);
    expect(again.every((d, i) => Buffer.from(d.image.data).equals(Buffer.from(digits[i]!.image.data)))).toBe(true);
    expect(findHandwritingFonts({ DIGITKIT_FONT_DIR: join(dir, 'missing') })).toEqual([]);
  });

  it('leaves out digits a font lacks, and names a file that is no font', () => {
    const dir = mkdtempSync(join(tmpdir(), 'font-digits-'));
    const file = writeBoxFont(dir, [0, 1, 7]);
    expect(drawFontDigits([file], 1).map((d) => d.label)).toEqual([0, 1, 7]);
    const broken = join(dir, 'broken.ttf');
    writeFileSync(broken, 'not a font');
    expect(() => drawFontDigits([broken], 1)).toThrow(/broken\.ttf is no font opentype\.js can read .*DIGITKIT_FONT_DIR/);
  });
});
