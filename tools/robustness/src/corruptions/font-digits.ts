// Digits in handwriting fonts from Debian's font packages: other people's hands (the Because We Had To project's six
// writers, Daniel Kahn Gillmor, Breip, Femke Klaver, ...), drawn crisp on a canvas or photographed, as the web app's users
// give them. Like UCI's digits, a set nobody here made and never tuned on. Fonts are read with opentype.js (the glyph
// outlines) and filled here: one scanline fill is smaller than a canvas library with native binaries.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DigitkitError, type Rng, createRng } from '@digitkit/core';
import { type PhotoLook, type Raster, toPhoto, toSurface } from '@digitkit/testkit';
import opentype from 'opentype.js';

/** The Debian packages the fonts come from. */
export const HANDWRITING_FONT_PACKAGES = [
  'fonts-bwht',
  'fonts-dkg-handwriting',
  'fonts-breip',
  'fonts-femkeklaver',
  'fonts-humor-sans',
  'fonts-dancingscript',
  'fonts-ecolier-court',
  'fonts-comic-neue',
] as const;

/** How to get them without installing anything. */
export const FONT_DIGITS_HOWTO = `apt-get download ${HANDWRITING_FONT_PACKAGES.join(' ')} && for f in fonts-*.deb; do dpkg -x "$f" fonts; done && export DIGITKIT_FONT_DIR=$PWD/fonts`;

/** Where the packages put their fonts under /usr/share/fonts (a directory per package). */
const INSTALLED = /\/(bwht|fifthhorseman|breip|femkeklaver|humor-sans|dancingscript|ecolier-court|comic-neue)\/[^/]+\.(ttf|otf)$/i;

/** Every .ttf/.otf under DIGITKIT_FONT_DIR, else the installed fonts of HANDWRITING_FONT_PACKAGES; sorted. */
export function findHandwritingFonts(env: Record<string, string | undefined> = process.env): string[] {
  const named = env.DIGITKIT_FONT_DIR;
  const root = named ?? '/usr/share/fonts';
  if (!existsSync(root)) return [];
  const files = (readdirSync(root, { recursive: true }) as string[]).filter((f) => /\.(ttf|otf)$/i.test(f)).map((f) => join(root, f));
  return (named ? files : files.filter((f) => INSTALLED.test(f))).sort();
}

/** One picture of a font's digit. */
export interface FontDigit {
  readonly image: Raster;
  readonly label: number;
  /** The font file's name and how it was drawn, for listing misses. */
  readonly what: string;
}

/** The look of a phone photo of the printed digit: off-white paper, some shade, slight blur, JPEG. */
const PHOTO: PhotoLook = { paper: [236, 232, 222], ink: [35, 35, 45], gradient: 0.15, gradientAngle: 0.6, vignette: 0.1, blur: 0.8, noise: 4, jpegQuality: 80 };

/**
 * `perDigit` pictures of each digit 0-9 of each font: the glyph 45-75% of a 280x280 canvas high (or wide, if wider),
 * anywhere on it, turned up to 8 degrees; every other one photographed, the rest black on white or white on black as a
 * canvas gives them.
 */
export function drawFontDigits(fontPaths: readonly string[], perDigit = 2, seed = 1): FontDigit[] {
  const rng = createRng(seed);
  const side = 280;
  return fontPaths.flatMap((path) => {
    const font = readFont(path);
    // A digit the font has no glyph for would be drawn as its empty box (.notdef): left out.
    const labels = Array.from({ length: 10 }, (_, label) => label).filter((label) => font.charToGlyph(String(label)).index !== 0);
    return labels.map((label) =>
      Array.from({ length: perDigit }, (_, k) => {
        const cover = fillGlyph(font, String(label), side, rng);
        const photographed = k % 2 === 1;
        const surface = rng.next() < 0.7 ? 'black-on-white' : 'white-on-black';
        const image = photographed ? toPhoto(cover, side, side, PHOTO, rng) : toSurface(cover, side, side, surface);
        return { image, label, what: `${basename(path)} ${label} (${photographed ? 'photo' : surface})` };
      }),
    ).flat();
  });
}

function readFont(path: string): opentype.Font {
  try {
    return opentype.loadSync(path);
  } catch (error) {
    throw new DigitkitError('BAD_DATA', `${path} is no font opentype.js can read (${error instanceof Error ? error.message : String(error)}); DIGITKIT_FONT_DIR should hold only the packages' .ttf and .otf files`);
  }
}

/** Ink coverage (0..1 per pixel) of one glyph, filled with the non-zero rule at 4x4 samples a pixel. */
function fillGlyph(font: opentype.Font, character: string, side: number, rng: Rng): Float32Array {
  const path = font.getPath(character, 0, 0, 1000);
  const box = path.getBoundingBox();
  // 45-75% of the canvas high; a glyph wider than high is kept as wide at most, so it never runs off the canvas.
  const longest = (0.45 + 0.3 * rng.next()) * side;
  const scale = longest / Math.max(1, box.y2 - box.y1, box.x2 - box.x1);
  const [width, height] = [(box.x2 - box.x1) * scale, (box.y2 - box.y1) * scale];
  const angle = ((rng.next() * 2 - 1) * 8 * Math.PI) / 180;
  // The glyph's centre goes anywhere that keeps its turned box on the canvas.
  const reach = (Math.max(width, height) * (Math.abs(Math.cos(angle)) + Math.abs(Math.sin(angle)))) / 2;
  const cx = reach + rng.next() * Math.max(0, side - 2 * reach);
  const cy = reach + rng.next() * Math.max(0, side - 2 * reach);
  const [cos, sin] = [Math.cos(angle), Math.sin(angle)];
  const place = (x: number, y: number): [number, number] => {
    const [u, v] = [(x - (box.x1 + box.x2) / 2) * scale, (y - (box.y1 + box.y2) / 2) * scale];
    return [cx + u * cos - v * sin, cy + u * sin + v * cos];
  };
  return fillContours(contoursOf(path.commands, place), side, side);
}

export type Point = [number, number];

/** The path's contours as polylines in canvas pixels (curves cut into 12 straight pieces). */
function contoursOf(commands: readonly opentype.PathCommand[], place: (x: number, y: number) => Point): Point[][] {
  const contours: Point[][] = [];
  let current: Point[] = [];
  let [px, py] = [0, 0];
  for (const c of commands) {
    if (c.type === 'M') {
      if (current.length > 1) contours.push(current);
      current = [place(c.x, c.y)];
      [px, py] = [c.x, c.y];
    } else if (c.type === 'L') {
      current.push(place(c.x, c.y));
      [px, py] = [c.x, c.y];
    } else if (c.type === 'Q' || c.type === 'C') {
      for (let i = 1; i <= 12; i++) {
        const t = i / 12;
        const s = 1 - t;
        const [x, y] =
          c.type === 'Q'
            ? [s * s * px + 2 * s * t * c.x1 + t * t * c.x, s * s * py + 2 * s * t * c.y1 + t * t * c.y]
            : [
                s * s * s * px + 3 * s * s * t * c.x1 + 3 * s * t * t * c.x2 + t * t * t * c.x,
                s * s * s * py + 3 * s * s * t * c.y1 + 3 * s * t * t * c.y2 + t * t * t * c.y,
              ];
        current.push(place(x, y));
      }
      [px, py] = [c.x, c.y];
    } else if (c.type === 'Z') {
      if (current.length > 1) contours.push(current);
      current = [];
    }
  }
  if (current.length > 1) contours.push(current);
  return contours;
}

const SAMPLES = 4;

/** Coverage of closed polygons by the non-zero winding rule: each sample row's crossings, sorted, walked left to right. */
export function fillContours(contours: readonly Point[][], width: number, height: number): Float32Array {
  const cover = new Float32Array(width * height);
  const crossings: [number, number][] = [];
  for (let sy = 0; sy < height * SAMPLES; sy++) {
    const y = (sy + 0.5) / SAMPLES;
    crossings.length = 0;
    for (const contour of contours) {
      for (let i = 0; i < contour.length; i++) {
        const [x0, y0] = contour[i]!;
        const [x1, y1] = contour[(i + 1) % contour.length]!;
        if (y0 <= y === y1 <= y) continue;
        crossings.push([x0 + ((y - y0) / (y1 - y0)) * (x1 - x0), y1 > y0 ? 1 : -1]);
      }
    }
    crossings.sort((a, b) => a[0] - b[0]);
    let winding = 0;
    const row = Math.floor(sy / SAMPLES) * width;
    for (let i = 0; i < crossings.length - 1; i++) {
      winding += crossings[i]![1];
      if (winding === 0) continue;
      // Samples at (sx + 0.5) / SAMPLES between this crossing and the next are inside.
      const from = Math.max(0, Math.ceil(crossings[i]![0] * SAMPLES - 0.5));
      const to = Math.min(width * SAMPLES - 1, Math.floor(crossings[i + 1]![0] * SAMPLES - 0.5));
      for (let sx = from; sx <= to; sx++) cover[row + Math.floor(sx / SAMPLES)]! += 1 / (SAMPLES * SAMPLES);
    }
  }
  return cover;
}
