import { toGrayscale } from '@digitkit/preprocess';
import { createRng } from '@digitkit/core';
import { mnistSlice } from '@digitkit/testkit';
import { describe, expect, it } from 'vitest';
import { DIGIT_LIKE_LETTERS, GLYPH_FONTS, LETTERS, glyph } from './glyphs.js';
import { drawNumber, sourceRange } from './numbers.js';
import { renderShape } from './scene.js';
import { scribble } from './scribbles.js';
import { VERDICT_SETS } from './sets.js';

describe('the verdict sets', () => {
  it('read Hershey glyphs as pen strokes in a unit-high box, and leave the digit-like letters out', () => {
    for (const font of GLYPH_FONTS) {
      const k = glyph('K', font);
      expect(k.segments.length % 4).toBe(0);
      expect(k.segments.length).toBeGreaterThanOrEqual(12);
      const ys = k.segments.filter((_, i) => i % 2 === 1);
      expect(Math.min(...ys)).toBeCloseTo(0, 6);
      expect(Math.max(...ys)).toBeCloseTo(1, 6);
    }
    for (const c of 'OlSZBbg') expect(DIGIT_LIKE_LETTERS).toContain(c);
    expect(LETTERS.some((c) => DIGIT_LIKE_LETTERS.includes(c))).toBe(false);
    expect(() => glyph('\u00e9', 'futural')).toThrow(/no glyph/);
  });

  it('draw the same pictures for the same seed, with ink on the canvas', () => {
    const draw = (seed: number) => {
      const rng = createRng(seed);
      return renderShape(scribble(rng), rng);
    };
    const [a, b, c] = [draw(3), draw(3), draw(4)];
    expect(a.data).toEqual(b.data);
    expect(a.data).not.toEqual(c.data);
    expect(a.data.some((v) => v !== a.data[0])).toBe(true);
  });

  it('take the halves of a number set from disjoint MNIST test images, and name the digits drawn', async () => {
    const test = await mnistSlice({ split: 'test', count: 200 });
    const [tuneFrom, tuneTo] = sourceRange('tune', test);
    const [heldFrom, heldTo] = sourceRange('held-out', test);
    expect(tuneTo).toBeLessThanOrEqual(heldFrom);
    expect([tuneFrom, heldTo]).toEqual([0, test.count]);
    const drawn = drawNumber(test, 'held-out', 2, createRng(5));
    expect(drawn.digits).toHaveLength(2);
    expect(drawn.image.width * drawn.image.height).toBeGreaterThan(0);
    expect(VERDICT_SETS.map((s) => s.name)).toEqual(['scribbles', 'letters', 'symbols', 'pairs', 'triples', 'touching pairs', 'touching triples', 'touching pairs, strokes', 'touching triples, strokes', 'single digits', 'soft non-digits', 'soft digits']);
  });

  it("give the touching numbers' own pictures with the strokes that drew them, every point on the ink (none for photos)", async () => {
    const test = await mnistSlice({ split: 'test', count: 200 });
    const set = (name: string) => VERDICT_SETS.find((s) => s.name === name)!;
    const plain = set('touching pairs').draw(test, 'held-out', 12);
    const drawn = set('touching pairs, strokes').draw(test, 'held-out', 12);
    expect(drawn.map((d) => d.image)).toEqual(plain.map((d) => d.image));
    const withStrokes = drawn.filter((d) => d.strokes);
    expect(withStrokes.length).toBeGreaterThanOrEqual(6);
    for (const { image, strokes } of withStrokes) {
      const gray = toGrayscale(image);
      const paper = gray.data[0]!;
      const points = strokes!.flat();
      const onInk = points.filter(([x, y]) => Math.abs(gray.data[Math.round(y) * gray.width + Math.round(x)]! - paper) > 64);
      expect(onInk.length / points.length).toBeGreaterThan(0.95);
    }
  });

  it('make soft sets from the same halves: soft digits from the half of the MNIST test images, soft non-digits from the negative sets', async () => {
    const test = await mnistSlice({ split: 'test', count: 200 });
    const set = (name: string) => VERDICT_SETS.find((s) => s.name === name)!;
    for (const half of ['tune', 'held-out'] as const) {
      const [from, to] = sourceRange(half, test);
      const digits = set('soft digits').draw(test, half, 12);
      expect(digits).toHaveLength(12);
      for (const d of digits) {
        const source = Number(d.what.split('#')[1]);
        expect(source).toBeGreaterThanOrEqual(from);
        expect(source).toBeLessThan(to);
        expect(d.digits).toEqual([test.labels[source]]);
        // Made soft: not the test digit's own 28x28.
        const digit = test.images.subarray(source * 784, (source + 1) * 784);
        expect(d.image.data.length === 784 && d.image.data.every((v, i) => v === digit[i])).toBe(false);
        expect(d.what).toMatch(/^(lowres-8|uci-format|defocus) #/);
      }
      const others = set('soft non-digits').draw(test, half, 9);
      expect(others).toHaveLength(9);
      expect(new Set(others.map((o) => o.what.split(' ')[0]))).not.toEqual(new Set([others[0]!.what.split(' ')[0]]));
      for (const o of others) {
        expect(o.digits).toBeNull();
        expect(o.what).toMatch(/, (lowres-8|uci-format|defocus)$/);
      }
    }
    // The two halves never draw the same pictures.
    expect(set('soft digits').draw(test, 'tune', 5).map((d) => d.what)).not.toEqual(set('soft digits').draw(test, 'held-out', 5).map((d) => d.what));
  });
});
