// Letters and symbols as a pen draws them: the Hershey stroke fonts (npm `hersheytext`, public-domain glyph data as
// polylines), so they go through the same pen drawer as the digits instead of being filled outlines of a typeface.
import { createRequire } from 'node:module';
import { type Shape, normalizeShape } from './scene.js';

interface HersheyFont {
  readonly name: string;
  /** One glyph per ASCII code from 33 ('!'): `d` is SVG path data of M and L commands only. */
  readonly chars: readonly { readonly d: string }[];
}

/** Single-stroke faces, the closest to handwriting: sans, script, and the alternative script. */
export const GLYPH_FONTS = ['futural', 'scripts', 'cursive'] as const;
export type GlyphFont = (typeof GLYPH_FONTS)[number];

/**
 * Letters that people write the same way as a digit (O and 0, l and 1, S and 5, Z and 2, B and 8, b and 6, g and 9,
 * ...): a recognizer that reads them as that digit is right to, so they are left out of the negatives.
 */
export const DIGIT_LIKE_LETTERS = 'OoQDIlijJSsZzBbGgqT';
export const LETTERS = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz'].filter((c) => !DIGIT_LIKE_LETTERS.includes(c));
/** Symbols a pad gets; the ones that are a single bar or dot (| / \ . , ' : ;) are strokes of a 1 or specks. */
export const SYMBOLS = [...'+=#@&%$?!*<>~^[]{}-_'];

const fonts = createRequire(import.meta.url)('hersheytext/hersheytext.min.json') as Record<GlyphFont, HersheyFont>;

/** A character of a Hershey font as pen strokes in a unit-high box. */
export function glyph(character: string, font: GlyphFont): Shape {
  const data = fonts[font]?.chars[character.charCodeAt(0) - 33];
  if (!data) throw new Error(`no glyph for ${JSON.stringify(character)} in the Hershey font ${font}`);
  const segments: number[] = [];
  for (const command of data.d.match(/[ML][^ML]*/g) ?? []) {
    const points = command
      .slice(1)
      .trim()
      .split(/\s+/)
      .map((pair) => pair.split(',').map(Number) as [number, number]);
    // An L continues from the last point of the previous command.
    if (command[0] === 'L' && segments.length >= 2) points.unshift([segments[segments.length - 2]!, segments[segments.length - 1]!]);
    else if (points.length === 1) segments.push(points[0]![0], points[0]![1], points[0]![0], points[0]![1]);
    for (let i = 1; i < points.length; i++) segments.push(...points[i - 1]!, ...points[i]!);
  }
  return normalizeShape(segments);
}
