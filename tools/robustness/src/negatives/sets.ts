// The verdict benchmark's sets: things that are not one digit (scribbles, letters, symbols), numbers of two and three
// digits, the single digits of the drawn and photographed conditions, and soft pictures of both (a thumbnail, a photo out
// of focus); each split into a tuning and a held-out half.
import { createRng, type ImageSet, type Rng } from '@digitkit/core';
import { toMnistFormat } from '@digitkit/preprocess';
import type { Raster } from '@digitkit/testkit';
import { CONDITIONS, drawCondition } from '../conditions.js';
import { FAMILIES } from '../corruptions/families.js';
import { GLYPH_FONTS, LETTERS, SYMBOLS, glyph } from './glyphs.js';
import { drawNumber, sourceRange } from './numbers.js';
import { HALVES, type Half, pick, renderShape } from './scene.js';
import { scribble } from './scribbles.js';

/** What a picture holds: `digits` for one digit (length 1) or a number, `null` for something that is no digit. */
export interface VerdictSample {
  readonly image: Raster;
  readonly digits: readonly number[] | null;
  /** A short name of the content (the glyph, the scribble), for listing misses. */
  readonly what: string;
  /** The strokes that drew it, passed to `recognize` as a drawing pad would (the sets "with strokes"). */
  readonly strokes?: [number, number][][];
}

export interface VerdictSet {
  readonly name: string;
  readonly kind: 'not-a-digit' | 'number' | 'digit';
  readonly description: string;
  /** `count` pictures of one half; the halves never share a seed (nor, for MNIST, a test image). */
  readonly draw: (test: ImageSet, half: Half, count: number) => VerdictSample[];
}

const seedOf = (name: string, half: Half) => [...`${name}/${half}`].reduce((h, c) => Math.imul(h ^ c.charCodeAt(0), 0x01000193) >>> 0, 0x811c9dc5);

/** The tuning half draws glyphs in the sans and script faces; the held-out half adds the alternative script too. */
function glyphSet(name: string, characters: readonly string[], description: string): VerdictSet {
  return {
    name,
    kind: 'not-a-digit',
    description,
    draw: (_test, half, count) => {
      const rng = createRng(seedOf(name, half));
      const fonts = half === 'tune' ? GLYPH_FONTS.slice(0, 2) : GLYPH_FONTS;
      return Array.from({ length: count }, () => {
        const character = pick(rng, characters);
        const font = pick(rng, fonts);
        return { image: renderShape(glyph(character, font), rng), digits: null, what: `${character} (${font})` };
      });
    },
  };
}

const numberSet = (length: number, touching = false, withStrokes = false): VerdictSet => ({
  name: `${touching ? 'touching ' : ''}${length === 2 ? 'pairs' : 'triples'}${withStrokes ? ', strokes' : ''}`,
  kind: 'number',
  description: touching
    ? `${length} MNIST test digits written in one flow: their extents overlapping by up to 15% of the height, so most touch; sizes, baselines, tilt${withStrokes ? '; the same pictures, read with the strokes that drew them (the skeletons as strokes; none for photos)' : ''}`
    : `${length} MNIST test digits side by side: sizes 85-115%, baselines, gaps 5-60% of the height, tilt`,
  draw: (test, half, count) => {
    const rng = createRng(seedOf(`${touching ? 'touching' : 'number'}${length}`, half));
    return Array.from({ length: count }, () => {
      const { image, digits, strokes } = drawNumber(test, half, length, rng, touching ? [-0.15, 0] : undefined, withStrokes);
      return { image, digits, what: digits.join(''), ...(strokes && { strokes }) };
    });
  },
});

/** Single digits: the drawn and photographed conditions (not the raw 28x28 reference), split by test image. */
const singleSet: VerdictSet = {
  name: 'single digits',
  kind: 'digit',
  description: "the robustness bench's drawn and photographed conditions, an equal share of each",
  draw: (test, half, count) => {
    const conditions = CONDITIONS.filter((c) => !c.raw);
    const each = Math.max(1, Math.round(count / conditions.length));
    const [from, to] = sourceRange(half, test);
    // A seed per condition: the bench's conditions share their digits (paired), which here would make a few digits count many times.
    return conditions.flatMap((condition, k) =>
      drawCondition(condition, test, 4 * each + 8, 101 + k)
        .filter((d) => d.source >= from && d.source < to)
        .slice(0, each)
        .map((d) => ({ image: d.image, digits: [d.label], what: `${condition.name} #${d.source}` })),
    );
  },
};

const scribbleSet: VerdictSet = {
  name: 'scribbles',
  kind: 'not-a-digit',
  description: 'random pen strokes: tangles, zigzags, coils (loops drifting along), two or three unrelated strokes',
  draw: (_test, half, count) => {
    const rng = createRng(seedOf('scribbles', half));
    return Array.from({ length: count }, (_, i) => ({ image: renderShape(scribble(rng), rng), digits: null, what: `scribble ${i}` }));
  },
};
const letterSet = glyphSet('letters', LETTERS, 'Latin letters from Hershey stroke fonts, without the digit-like ones');
const symbolSet = glyphSet('symbols', SYMBOLS, `symbols from Hershey stroke fonts (${SYMBOLS.join(' ')})`);

/** The corruption families (corruptions/families.ts) that make a picture soft: a thumbnail scaled up, UCI's format, defocus. */
const SOFT_FAMILIES = ['lowres-8', 'uci-format', 'defocus'].map((name) => FAMILIES.find((f) => f.name === name)!);

/** A 28x28 as one soft family (picked by `rng`) leaves it, named for listing misses. */
function soften(pixels: Uint8Array, rng: Rng): { image: Raster; family: string } {
  const family = pick(rng, SOFT_FAMILIES);
  return { image: family.corrupt(pixels, rng), family: family.name };
}

/** Scribbles, letters and symbols, a third each, fitted into MNIST's format and then made soft as the digit families are. */
const softNonDigitSet: VerdictSet = {
  name: 'soft non-digits',
  kind: 'not-a-digit',
  description: 'scribbles, letters and symbols (a third each) in MNIST format, then a thumbnail (8x8, UCI format) or out of focus',
  draw: (test, half, count) => {
    const rng = createRng(seedOf('soft non-digits', half));
    const third = Math.ceil(count / 3);
    const drawn = [scribbleSet, letterSet, symbolSet].flatMap((set) => set.draw(test, half, third));
    return drawn.flatMap((sample) => {
      const fit = toMnistFormat(sample.image);
      if (fit.empty) return [];
      const { image, family } = soften(fit.pixels, rng);
      return [{ image, digits: null, what: `${sample.what}, ${family}` }];
    }).slice(0, count);
  },
};

/** MNIST test digits of the half, made soft as the digit families are. */
const softDigitSet: VerdictSet = {
  name: 'soft digits',
  kind: 'digit',
  description: 'MNIST test digits as a thumbnail (8x8, UCI format) or out of focus: the soft corruption families',
  draw: (test, half, count) => {
    const rng = createRng(seedOf('soft digits', half));
    const [from, to] = sourceRange(half, test);
    const size = test.width * test.height;
    return Array.from({ length: count }, () => {
      const source = from + rng.int(to - from);
      const { image, family } = soften(test.images.subarray(source * size, (source + 1) * size), rng);
      return { image, digits: [test.labels[source]!], what: `${family} #${source}` };
    });
  },
};

export const VERDICT_SETS: readonly VerdictSet[] = [scribbleSet, letterSet, symbolSet, numberSet(2), numberSet(3), numberSet(2, true), numberSet(3, true), numberSet(2, true, true), numberSet(3, true, true), singleSet, softNonDigitSet, softDigitSet];

/** `count` pictures of each half of the named set, the tuning half first (for experiments that look at both). */
export function drawBothHalves(name: string, test: ImageSet, count: number): VerdictSample[] {
  const set = VERDICT_SETS.find((s) => s.name === name);
  if (!set) throw new Error(`no verdict set ${name}; the sets are ${VERDICT_SETS.map((s) => s.name).join(', ')}`);
  return HALVES.flatMap((half) => set.draw(test, half, count));
}
