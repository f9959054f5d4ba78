// Digits photographed on paper people write on, in the light they have: squared, graph and dot-grid paper, pencil,
// coloured ink and paper, and shadows across the page (a hand's or a phone's). MNIST test digits drawn 3x on the page,
// RGB; the plain preprocessing and toMnistFormat straight to the model, then `recognize` with its verdicts, per shipped
// model. Which families were tuned on and which held out is said beside each.
// Usage: paper-and-light.ts [count] [family,...|all] [path/to/a/copy/of/preprocess/index.ts]
import type { Rng } from '@digitkit/core';
import { toMnistFormat as shippedToMnistFormat } from '@digitkit/preprocess';
import type { Raster } from '@digitkit/testkit';
import { linesPlane, type Plane, sample } from '../corruptions/planes.js';
import { type Family, readThreeWays } from './three-ways.js';

const [countArg = '300', only, copy] = process.argv.slice(2);
const count = Number(countArg);
const toMnistFormat: typeof shippedToMnistFormat = copy ? (await import(copy)).toMnistFormat : shippedToMnistFormat;

type Rgb = readonly [number, number, number];
interface Page {
  /** The paper's colour in full light; channels past 255 are clipped, as an overexposed camera does. */
  paper: Rgb;
  ink: Rgb;
  /** How far the ink goes to its colour at full coverage (pencil: less than 1). */
  inkStrength?: number;
  /** Printed lines or dots on the paper (a plane the page's size), their colour and strength. */
  lines?: Plane;
  line?: Rgb;
  lineStrength?: number;
  /** The light at (x, y) in 0..1 of the page: 1 lit, less in shadow; it multiplies paper, lines and ink alike. */
  light?: (x: number, y: number) => number;
  /** Camera grain: uniform noise of this many gray levels, peak to peak. */
  grain?: number;
  /** Colour grain: uniform noise of this many levels peak to peak in each channel on its own (a camera's chroma noise). */
  chroma?: number;
  /** How many page pixels one MNIST pixel takes. */
  scale?: number;
}

/** The digit (1 = ink) drawn on a page as described, as an RGB picture. */
function page(digit: Plane, rng: Rng, look: Page): Raster {
  const scale = look.scale ?? 3;
  const side = digit.width * scale;
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = y * side + x;
      const ink = Math.min(1, Math.max(0, sample(digit, (x + 0.5) / scale - 0.5, (y + 0.5) / scale - 0.5))) * (look.inkStrength ?? 1);
      const light = look.light ? look.light(x / side, y / side) : 1;
      const grain = look.grain ? (rng.next() - 0.5) * look.grain : 0;
      for (let c = 0; c < 3; c++) {
        let v = look.paper[c]!;
        if (look.lines) v += (look.line![c]! - v) * (look.lineStrength ?? 0.8) * look.lines.data[i]!;
        v += (look.ink[c]! - v) * ink;
        const tint = look.chroma ? (rng.next() - 0.5) * look.chroma : 0;
        data[i * 3 + c] = Math.max(0, Math.min(255, Math.round(v * light + grain + tint)));
      }
    }
  }
  return { data, width: side, height: side, channels: 3 };
}

/** A point (x, y) turned `angle` radians about (mid, mid), as [x, y]. */
function turnedAbout(mid: number, angle: number): (x: number, y: number) => number[] {
  const [c, s] = [Math.cos(angle), Math.sin(angle)];
  return (x, y) => [mid + (x - mid) * c - (y - mid) * s, mid + (x - mid) * s + (y - mid) * c];
}

/** Squared paper: lines every `gap` pixels both ways (or only across), at a random phase, turned `tilt` radians. */
function squares(side: number, gap: number, rng: Rng, pen = 1.2, upright = true, tilt = 0): Plane {
  const segments: number[] = [];
  const [px, py] = [rng.next() * gap, rng.next() * gap];
  // Drawn over twice the page round its centre, then turned, so tilted lines still reach every edge.
  const turned = turnedAbout(side / 2, tilt);
  const [from, to] = tilt === 0 ? [0, side] : [-side / 2, 1.5 * side];
  for (let y = from + py; y < to; y += gap) segments.push(...turned(from, y), ...turned(to, y));
  if (upright) for (let x = from + px; x < to; x += gap) segments.push(...turned(x, from), ...turned(x, to));
  return linesPlane(segments, side, side, pen);
}

/**
 * Squared paper photographed from below its middle: the columns converge towards the top (their spacing `spread` less
 * there, as much more at the bottom), rows as drawn (unless `rows` is false: ruled paper); all turned `turn` radians.
 */
function keystone(side: number, gap: number, spread: number, turn: number, rng: Rng, rows = true, pen = 1.2): Plane {
  const segments: number[] = [];
  const [mid, turned] = [side / 2, turnedAbout(side / 2, turn)];
  const phase = rng.next() * gap;
  if (rows) for (let y = -side / 2 + phase; y < 1.5 * side; y += gap) segments.push(...turned(-side / 2, y), ...turned(1.5 * side, y));
  for (let k = -Math.ceil(side / gap); k <= Math.ceil(side / gap); k++) {
    const x = (k + phase / gap) * gap;
    const at = (y: number) => mid + x * (1 - spread + (2 * spread * y) / side);
    segments.push(...turned(at(-side / 2), -side / 2), ...turned(at(1.5 * side), 1.5 * side));
  }
  return linesPlane(segments, side, side, pen);
}

/** Dot-grid paper: a dot every `gap` pixels. */
function dotGrid(side: number, gap: number, rng: Rng): Plane {
  const segments: number[] = [];
  const [px, py] = [rng.next() * gap, rng.next() * gap];
  for (let y = py; y < side; y += gap) for (let x = px; x < side; x += gap) segments.push(x, y, x + 0.01, y);
  return linesPlane(segments, side, side, 2.2);
}

/** How far into a shadow a point `inside` (page widths past its edge) lies, 0..1, its edge `soft` wide (0: sharp). */
const softStep = (inside: number, soft: number) => (soft > 0 ? Math.min(1, Math.max(0, inside / soft + 0.5)) : inside > 0 ? 1 : 0);

/** A shadow's edge: a straight line at a random angle `offset` from the centre, `soft` wide (0: sharp), `depth` dark. */
function shadowEdge(rng: Rng, offset: number, depth: number, soft = 0) {
  const angle = rng.next() * 2 * Math.PI;
  const [cx, cy] = [Math.cos(angle), Math.sin(angle)];
  return (x: number, y: number) => {
    return 1 - depth * softStep((x - 0.5) * cx + (y - 0.5) * cy - offset, soft);
  };
}

/** A narrow shadow across the page (a pen's, a ruler's): `width` (a range, of the page) wide, `depth` dark, `soft` edges. */
function shadowBand(rng: Rng, [narrowest, widest]: [number, number], depth: number, soft = 0) {
  const [angle, offset, width] = [rng.next() * Math.PI, (rng.next() - 0.5) * 0.4, narrowest + (widest - narrowest) * rng.next()];
  const [nx, ny] = [Math.cos(angle), Math.sin(angle)];
  return (x: number, y: number) => {
    return 1 - depth * softStep(width / 2 - Math.abs((x - 0.5) * nx + (y - 0.5) * ny - offset), soft);
  };
}

/** A tilt of 4-20 degrees either way, in radians. */
const tilt = (rng: Rng) => (rng.next() < 0.5 ? -1 : 1) * (4 + 16 * rng.next()) * (Math.PI / 180);

const WHITE: Rgb = [246, 244, 238];
const BLUE_INK: Rgb = [28, 32, 90];
const BLUE_RULE: Rgb = [150, 180, 220];

const FAMILIES: Record<string, Family> = {
  // Papers and inks, run before any change (all read as well as MNIST's own digits; nothing tuned on them).
  'squared-5mm': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(84, 12 + rng.next() * 6, rng), line: BLUE_RULE, ink: BLUE_INK }),
  'squared-gray-dense': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(84, 8 + rng.next() * 4, rng), line: [160, 160, 160], ink: [20, 20, 20] }),
  'squared-small': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(56, 6 + rng.next() * 3, rng), line: BLUE_RULE, ink: BLUE_INK, scale: 2 }),
  'graph-green': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(84, 10 + rng.next() * 6, rng, 1.5), line: [120, 190, 140], lineStrength: 0.9, ink: [30, 30, 30] }),
  'dot-grid': (p, rng) => page(p, rng, { paper: WHITE, lines: dotGrid(84, 10 + rng.next() * 6, rng), line: [120, 120, 130], ink: BLUE_INK }),
  pencil: (p, rng) => page(p, rng, { paper: [240, 238, 232], ink: [110, 110, 115], inkStrength: 0.85, grain: 24 }),
  'red-ink': (p, rng) => page(p, rng, { paper: WHITE, ink: [200, 30, 40] }),
  'yellow-paper': (p, rng) => page(p, rng, { paper: [250, 240, 90], ink: BLUE_INK }),
  // Paper lines held out: written after the paper-line stage was tuned on the squared papers above, run once.
  'squared-photo': (p, rng) => page(p, rng, { paper: [232, 230, 222], lines: squares(280, 40 + rng.next() * 20, rng, 3), line: [140, 165, 210], ink: BLUE_INK, grain: 10, scale: 10 }),
  'ruled-narrow': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(84, 8 + rng.next() * 3, rng, 1, false), line: [150, 150, 150], ink: [25, 25, 25] }),
  'squared-dark-lines': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(84, 12 + rng.next() * 6, rng, 1.2), line: [110, 120, 140], lineStrength: 0.9, ink: BLUE_INK, grain: 6 }),
  'engineering-paper': (p, rng) => {
    const [minor, major] = [squares(84, 6, rng, 0.8), squares(84, 30, rng, 1.6)];
    const lines = { ...minor, data: minor.data.map((v, i) => Math.max(0.5 * v, major.data[i]!)) };
    return page(p, rng, { paper: [240, 246, 236], lines, line: [90, 160, 110], ink: [20, 20, 20], grain: 6 });
  },
  // Paper photographed at a tilt (4-20 degrees either way): lines no longer run along rows and columns.
  'squared-tilted': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(84, 12 + rng.next() * 6, rng, 1.2, true, tilt(rng)), line: BLUE_RULE, ink: BLUE_INK, grain: 6 }),
  'ruled-tilted': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(84, 8 + rng.next() * 3, rng, 1, false, tilt(rng)), line: [150, 150, 150], ink: [25, 25, 25] }),
  'squared-dark-tilted': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(84, 12 + rng.next() * 6, rng, 1.2, true, tilt(rng)), line: [110, 120, 140], lineStrength: 0.9, ink: BLUE_INK, grain: 6 }),
  'graph-green-tilted': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(84, 10 + rng.next() * 6, rng, 1.5, true, tilt(rng)), line: [120, 190, 140], lineStrength: 0.9, ink: [30, 30, 30] }),
  // Tilted paper held out: squared-photo-tilted written with the four above but not looked at while tuning, the others
  // after the tilted-line stage was tuned on those four (stop 38); run once on the stage as shipped. (Changes tried
  // after on squared-small-tilted's two digits called empty were not shipped: see RESULTS.md.)
  'squared-photo-tilted': (p, rng) => page(p, rng, { paper: [232, 230, 222], lines: squares(280, 40 + rng.next() * 20, rng, 3, true, tilt(rng)), line: [140, 165, 210], ink: BLUE_INK, grain: 10, scale: 10 }),
  'engineering-tilted': (p, rng) => {
    const turn = tilt(rng);
    const [minor, major] = [squares(84, 6, rng, 0.8, true, turn), squares(84, 30, rng, 1.6, true, turn)];
    const lines = { ...minor, data: minor.data.map((v, i) => Math.max(0.5 * v, major.data[i]!)) };
    return page(p, rng, { paper: [240, 246, 236], lines, line: [90, 160, 110], ink: [20, 20, 20], grain: 6 });
  },
  'squared-small-tilted': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(56, 6 + rng.next() * 3, rng, 1.2, true, tilt(rng)), line: BLUE_RULE, ink: BLUE_INK, scale: 2 }),
  'ruled-pencil-tilted': (p, rng) => page(p, rng, { paper: [240, 238, 232], lines: squares(84, 9 + rng.next() * 4, rng, 1, false, tilt(rng)), line: [150, 170, 200], ink: [110, 110, 115], inkStrength: 0.85, grain: 16 }),
  // (squared-keystone, held out at stop 38, became the tuning set of the faint-band stage's width test for thin lines
  // at stop 39.)
  'squared-keystone': (p, rng) => page(p, rng, { paper: WHITE, lines: keystone(84, 12 + rng.next() * 6, 0.1 + 0.15 * rng.next(), tilt(rng) / 4, rng), line: [110, 120, 140], lineStrength: 0.9, ink: BLUE_INK, grain: 6 }),
  // Paper in perspective held out: written after the faint-band stage was tuned on squared-keystone (stop 39), run once.
  'ruled-perspective': (p, rng) => page(p, rng, { paper: WHITE, lines: keystone(84, 9 + rng.next() * 4, 0.1 + 0.15 * rng.next(), Math.PI / 2 + tilt(rng) / 4, rng, false, 1), line: [150, 150, 150], ink: [25, 25, 25], grain: 8 }),
  'graph-green-keystone': (p, rng) => page(p, rng, { paper: WHITE, lines: keystone(84, 10 + rng.next() * 6, 0.1 + 0.15 * rng.next(), Math.PI / 2 + tilt(rng) / 4, rng, true, 1.5), line: [120, 190, 140], lineStrength: 0.9, ink: [30, 30, 30], grain: 6 }),
  // Shadows, tuned on (stop 37: the paper's level divided out, polarity from a narrower median).
  'shadow-half': (p, rng) => page(p, rng, { paper: WHITE, ink: BLUE_INK, light: shadowEdge(rng, 0.05, 0.55) }),
  'shadow-half-grain': (p, rng) => page(p, rng, { paper: WHITE, ink: BLUE_INK, grain: 12, light: shadowEdge(rng, 0.05, 0.55) }),
  'shadow-soft-grain': (p, rng) => page(p, rng, { paper: WHITE, ink: BLUE_INK, grain: 12, light: shadowEdge(rng, 0.05, 0.55, 0.15) }),
  'shadow-corner-grain': (p, rng) => page(p, rng, { paper: WHITE, ink: BLUE_INK, grain: 12, light: shadowEdge(rng, 0.3, 0.5) }),
  // Shadows held out: written before the change was measured on anything but the four above, run once after it
  // (shadow-large became the tuning set of polarity's narrower median at stop 39).
  'shadow-disc': (p, rng) => {
    const [cx, cy, r, depth] = [rng.next(), rng.next(), 0.3 + 0.3 * rng.next(), 0.35 + 0.25 * rng.next()];
    return page(p, rng, { paper: WHITE, ink: BLUE_INK, grain: 10, light: (x, y) => 1 - depth * softStep(r - Math.hypot(x - cx, y - cy), 0.08) });
  },
  'shadow-band': (p, rng) => page(p, rng, { paper: WHITE, ink: BLUE_INK, grain: 10, light: shadowBand(rng, [0.08, 0.15], 0.5) }),
  vignette: (p, rng) => {
    const [cx, cy] = [0.2 + 0.6 * rng.next(), 0.2 + 0.6 * rng.next()];
    return page(p, rng, { paper: WHITE, ink: BLUE_INK, grain: 10, light: (x, y) => Math.max(0.35, 1 - 0.9 * Math.hypot(x - cx, y - cy)) });
  },
  'shadow-on-squared': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(84, 12 + rng.next() * 6, rng), line: BLUE_RULE, ink: BLUE_INK, grain: 10, light: shadowEdge(rng, 0, 0.5, 0.1) }),
  'shadow-pencil': (p, rng) => page(p, rng, { paper: [240, 238, 232], ink: [110, 110, 115], inkStrength: 0.85, grain: 16, light: shadowEdge(rng, 0.1, 0.45, 0.05) }),
  'shadow-large': (p, rng) => page(p, rng, { paper: WHITE, ink: BLUE_INK, grain: 14, scale: 10, light: shadowEdge(rng, -0.1, 0.6, 0.03) }),
  'shadow-deep': (p, rng) => page(p, rng, { paper: WHITE, ink: BLUE_INK, grain: 8, light: shadowEdge(rng, 0.1, 0.7, 0.05) }),
  // Large shadows held out: written after polarity's median was narrowed on shadow-large (stop 39), run once.
  'shadow-large-pencil': (p, rng) => page(p, rng, { paper: [240, 238, 232], ink: [110, 110, 115], inkStrength: 0.85, grain: 16, scale: 10, light: shadowEdge(rng, -0.15, 0.55, 0.04) }),
  'shadow-large-corner': (p, rng) => page(p, rng, { paper: WHITE, ink: BLUE_INK, grain: 12, scale: 7, light: shadowEdge(rng, -0.3, 0.55, 0.02) }),
  'dim-room': (p, rng) => page(p, rng, { paper: [200, 196, 190], ink: [40, 40, 50], grain: 18, scale: 6, light: shadowEdge(rng, -0.05, 0.5, 0.06) }),
  // Faint bands held out: written after the faint-band stage was tuned on shadow-band (stop 39), run once.
  'pen-shadow': (p, rng) => page(p, rng, { paper: WHITE, ink: BLUE_INK, grain: 10, light: shadowBand(rng, [0.03, 0.06], 0.35, 0.01) }),
  'shadow-band-soft': (p, rng) => page(p, rng, { paper: [240, 238, 232], ink: [40, 40, 45], grain: 12, light: shadowBand(rng, [0.06, 0.12], 0.45, 0.03) }),
  'shadow-band-photo': (p, rng) => page(p, rng, { paper: [232, 230, 222], ink: BLUE_INK, grain: 14, scale: 10, light: shadowBand(rng, [0.08, 0.15], 0.45) }),
  'two-shadow-bands': (p, rng) => {
    const [one, two] = [shadowBand(rng, [0.05, 0.1], 0.4), shadowBand(rng, [0.05, 0.1], 0.4)];
    return page(p, rng, { paper: WHITE, ink: BLUE_INK, grain: 10, light: (x, y) => one(x, y) * two(x, y) });
  },
  'margin-line': (p, rng) => {
    const x = 8 + rng.next() * 20;
    const lean = tilt(rng) * 20;
    return page(p, rng, { paper: WHITE, lines: linesPlane([x, 0, x + lean, 84], 84, 84, 2.5), line: [220, 90, 90], lineStrength: 0.8, ink: BLUE_INK, grain: 6 });
  },
  // Light-coloured ink, tuned on (stop 40: a colour picture read from the channel its marks stand out of most).
  'yellow-marker': (p, rng) => page(p, rng, { paper: WHITE, ink: [250, 210, 20], grain: 10, light: shadowEdge(rng, 0.1, 0.4, 0.1) }),
  'light-blue-ink': (p, rng) => page(p, rng, { paper: WHITE, ink: [90, 175, 250], grain: 10, light: shadowEdge(rng, 0.05, 0.45, 0.05) }),
  'pink-marker': (p, rng) => page(p, rng, { paper: WHITE, ink: [250, 90, 170], grain: 12 }),
  // Coloured ink held out: written with the three above, before the change was run on anything but them, run once.
  'orange-on-squared': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(84, 12 + rng.next() * 6, rng), line: BLUE_RULE, ink: [250, 140, 10], grain: 8 }),
  'green-ink-shadow': (p, rng) => page(p, rng, { paper: WHITE, ink: [40, 170, 80], grain: 12, light: shadowEdge(rng, 0, 0.5, 0.1) }),
  'highlighter-ruled': (p, rng) => page(p, rng, { paper: WHITE, lines: squares(84, 8 + rng.next() * 3, rng, 1, false), line: [150, 150, 150], ink: [235, 245, 80], grain: 6 }),
  'yellow-on-cream': (p, rng) => page(p, rng, { paper: [245, 236, 200], ink: [245, 195, 20], grain: 10, chroma: 8 }),
  'blue-on-sticky-note': (p, rng) => page(p, rng, { paper: [250, 232, 110], ink: [70, 100, 220], grain: 12, chroma: 6 }),
  'purple-crayon': (p, rng) => page(p, rng, { paper: WHITE, ink: [150, 80, 190], inkStrength: 0.7, grain: 20, chroma: 10 }),
  'cyan-marker-photo': (p, rng) => page(p, rng, { paper: [232, 230, 222], ink: [0, 190, 225], grain: 14, chroma: 8, scale: 10 }),
  // A second background level where the noise measures 0, tuned on (stop 41: a wide second level is no flat background):
  // a shadow across a page with no grain at all, and across paper the camera clipped at white in the light (its
  // channels past 255), where only the shadow holds grain.
  'clean-shadow': (p, rng) => page(p, rng, { paper: WHITE, ink: BLUE_INK, light: shadowEdge(rng, 0.05, 0.5, 0.05) }),
  'clean-shadow-pencil': (p, rng) => page(p, rng, { paper: [240, 238, 232], ink: [110, 110, 115], inkStrength: 0.85, light: shadowEdge(rng, 0.1, 0.45, 0.05) }),
  'overexposed-shadow': (p, rng) => page(p, rng, { paper: [268, 268, 268], ink: BLUE_INK, grain: 12, light: shadowEdge(rng, 0.05, 0.5, 0.05) }),
  'overexposed-pencil': (p, rng) => page(p, rng, { paper: [268, 268, 268], ink: [110, 110, 115], inkStrength: 0.85, grain: 12, light: shadowEdge(rng, 0.1, 0.45, 0.05) }),
  // Held out: written before the change was run on anything, run once on it as shipped.
  'overexposed-soft-shadow': (p, rng) => page(p, rng, { paper: [268, 268, 268], ink: BLUE_INK, grain: 8, light: shadowEdge(rng, 0.05, 0.4, 0.15) }),
  'overexposed-pen-shadow': (p, rng) => page(p, rng, { paper: [270, 270, 270], ink: BLUE_INK, grain: 10, light: shadowBand(rng, [0.08, 0.15], 0.5, 0.01) }),
  'overexposed-corner': (p, rng) => page(p, rng, { paper: [268, 268, 268], ink: [30, 30, 30], grain: 10, light: shadowEdge(rng, 0.3, 0.5, 0.02) }),
  'screenshot-panel': (p, rng) => page(p, rng, { paper: [255, 255, 255], ink: [17, 24, 39], light: shadowEdge(rng, 0.25, 0.15, 0) }),
  'overexposed-pencil-large': (p, rng) => page(p, rng, { paper: [266, 266, 266], ink: [110, 110, 115], inkStrength: 0.85, grain: 14, scale: 10, light: shadowEdge(rng, 0, 0.5, 0.03) }),
  'clean-gradient': (p, rng) => page(p, rng, { paper: WHITE, ink: BLUE_INK, light: shadowEdge(rng, 0, 0.5, 1) }),
  'overexposed-two-shadows': (p, rng) => {
    const [one, two] = [shadowEdge(rng, 0.15, 0.35, 0.04), shadowEdge(rng, 0.2, 0.35, 0.04)];
    return page(p, rng, { paper: [268, 268, 268], ink: BLUE_INK, grain: 10, light: (x, y) => one(x, y) * two(x, y) });
  },
};

await readThreeWays(FAMILIES, { count, seed: 91, toMnistFormat, only: only && only !== 'all' ? only.split(',') : undefined });
