// The benchmark's conditions: how people really draw and photograph digits, each a seeded recipe that turns a held-out
// MNIST test digit into the picture the web app would receive.
import { createRng, type ImageSet, type Rng, shuffleInPlace } from '@digitkit/core';
import {
  type Affine,
  type PhotoLook,
  type Raster,
  type Skeleton,
  type Surface,
  digitSkeleton,
  drawSkeleton,
  skeletonBounds,
  toPhoto,
  toSurface,
} from '@digitkit/testkit';

type Range = readonly [number, number];

/** A way of drawing: canvas, digit size and place, pen, surface; or a photo of paper. */
export interface Condition {
  /** Short name for tables. */
  readonly name: string;
  /** What it stands for, in words. */
  readonly description: string;
  /** Canvas sizes [width, height] to pick from. */
  readonly canvases: readonly (readonly [number, number])[];
  /** The digit's longer side (pen included) as a fraction of the canvas's shorter side. */
  readonly size: Range;
  /** Pen width in canvas pixels. */
  readonly pen: Range;
  /** Where the digit goes: near the middle, anywhere it fits, or tucked into a corner. */
  readonly placement: 'center' | 'anywhere' | 'corner';
  /** Largest rotation either way, degrees. */
  readonly rotation: number;
  /** Width/height stretch range (people draw narrower or wider than MNIST writers). Default [1, 1]. */
  readonly stretch?: Range;
  /** Surfaces to pick from; `photo` makes a photo of paper instead of a canvas. */
  readonly surfaces: readonly (Surface | 'photo')[];
  /** Ranges of the photo look, when `photo` is among the surfaces. */
  readonly photo?: PhotoRanges;
  /** The raw 28x28 MNIST image itself, as the reference (no drawing at all). */
  readonly raw?: boolean;
}

/** Ranges for {@link PhotoLook}. */
export interface PhotoRanges {
  gradient: Range;
  vignette: Range;
  blur: Range;
  noise: Range;
  jpegQuality: Range;
}

const PAD: readonly (readonly [number, number])[] = [[280, 280]];
const PADS: readonly (readonly [number, number])[] = [
  [280, 280],
  [400, 300],
  [300, 400],
];
const PHOTOS: readonly (readonly [number, number])[] = [
  [320, 240],
  [400, 400],
  [480, 360],
];
export const EASY_PHOTO: PhotoRanges = { gradient: [0.05, 0.35], vignette: [0, 0.2], blur: [0.5, 1.5], noise: [2, 8], jpegQuality: [50, 90] };
const HARD_PHOTO: PhotoRanges = { gradient: [0.3, 0.55], vignette: [0.15, 0.4], blur: [1, 2.2], noise: [8, 16], jpegQuality: [25, 60] };

/** The benchmark's conditions, in table order. */
export const CONDITIONS: readonly Condition[] = [
  { name: 'mnist-raw', description: 'MNIST test images as they are (no drawing, no preprocessing): the reference', canvases: [[28, 28]], size: [1, 1], pen: [0, 0], placement: 'center', rotation: 0, surfaces: ['gray-white-on-black'], raw: true },
  { name: 'mnist-pipeline', description: 'MNIST test images through toMnistFormat (should change nothing)', canvases: [[28, 28]], size: [1, 1], pen: [0, 0], placement: 'center', rotation: 0, surfaces: ['gray-white-on-black'] },
  { name: 'pad-medium', description: '280x280 pad, black on white, 12-20 px pen, 60-85% size, near the middle', canvases: PAD, size: [0.6, 0.85], pen: [12, 20], placement: 'center', rotation: 0, surfaces: ['black-on-white'] },
  { name: 'pad-thin', description: '280x280 pad, thin mouse pen 2-3.5 px, 50-90% size, anywhere', canvases: PAD, size: [0.5, 0.9], pen: [2, 3.5], placement: 'anywhere', rotation: 0, surfaces: ['black-on-white'] },
  { name: 'pad-thick', description: '280x280 pad, finger-thick 30-45 px pen, 60-95% size', canvases: PAD, size: [0.6, 0.95], pen: [30, 45], placement: 'anywhere', rotation: 0, surfaces: ['black-on-white'] },
  { name: 'pad-small', description: '280x280 pad, small digit (22-35% of the pad), 6-14 px pen, anywhere', canvases: PAD, size: [0.22, 0.35], pen: [6, 14], placement: 'anywhere', rotation: 0, surfaces: ['black-on-white'] },
  { name: 'pad-large', description: '280x280 pad, digit filling the pad (92-100%), 12-24 px pen', canvases: PAD, size: [0.92, 1], pen: [12, 24], placement: 'anywhere', rotation: 0, surfaces: ['black-on-white'] },
  { name: 'pad-corner', description: '280x280 pad, 30-50% digit tucked into a corner (0-8 px from the edges)', canvases: PAD, size: [0.3, 0.5], pen: [8, 20], placement: 'corner', rotation: 0, surfaces: ['black-on-white'] },
  { name: 'pad-400x300', description: '400x300 / 300x400 pads, 8-24 px pen, 40-90% size, anywhere', canvases: [[400, 300], [300, 400]], size: [0.4, 0.9], pen: [8, 24], placement: 'anywhere', rotation: 0, surfaces: ['black-on-white'] },
  { name: 'transparent', description: 'transparent RGBA canvas (black ink only sets alpha), mixed pads and pens', canvases: PADS, size: [0.4, 0.9], pen: [6, 24], placement: 'anywhere', rotation: 0, surfaces: ['transparent-black'] },
  { name: 'inverted', description: 'white ink on black (opaque RGBA, gray, or transparent canvas), mixed pads and pens', canvases: PADS, size: [0.4, 0.9], pen: [6, 24], placement: 'anywhere', rotation: 0, surfaces: ['white-on-black', 'gray-white-on-black', 'transparent-white'] },
  { name: 'web-pad', description: "the web app's 112x112 ink canvas, its 8-36 px slider (3.2-14.4 px at 112)", canvases: [[112, 112]], size: [0.5, 0.9], pen: [3.2, 14.4], placement: 'anywhere', rotation: 0, surfaces: ['black-on-white'] },
  { name: 'tilted', description: 'pads, drawn tilted (up to 15 degrees) and narrower/wider (0.8-1.2)', canvases: PADS, size: [0.45, 0.9], pen: [8, 24], placement: 'anywhere', rotation: 15, stretch: [0.8, 1.2], surfaces: ['black-on-white'] },
  { name: 'photo', description: 'photo of ink on off-white paper: light gradient, blur, noise, JPEG 50-90, up to 8 degrees', canvases: PHOTOS, size: [0.35, 0.8], pen: [5, 14], placement: 'anywhere', rotation: 8, surfaces: ['photo'], photo: EASY_PHOTO },
  { name: 'photo-hard', description: 'hard photo: strong shading and vignette, more noise/blur, JPEG 25-60, thin pen, small digit, 15 degrees', canvases: PHOTOS, size: [0.25, 0.5], pen: [3, 8], placement: 'anywhere', rotation: 15, surfaces: ['photo'], photo: HARD_PHOTO },
  { name: 'mixed', description: 'everything at random: any pad or photo, size, place, pen, polarity, tilt', canvases: PADS, size: [0.25, 1], pen: [2, 40], placement: 'anywhere', rotation: 12, stretch: [0.85, 1.15], surfaces: ['black-on-white', 'transparent-black', 'white-on-black', 'transparent-white', 'gray-white-on-black', 'photo'], photo: EASY_PHOTO },
];

/** One benchmark picture: what the recognizer receives, and the truth. */
export interface DrawnDigit {
  readonly image: Raster;
  readonly label: number;
  /** Index of the MNIST test image it was drawn from. */
  readonly source: number;
  /** The pen width used, in canvas pixels (0 for raw images). */
  readonly pen: number;
}

/** Skeletons are the slow part of drawing: computed once per test image. */
const skeletonCache = new WeakMap<ImageSet, Map<number, Skeleton>>();

function skeletonOf(test: ImageSet, index: number): Skeleton {
  let cache = skeletonCache.get(test);
  if (!cache) skeletonCache.set(test, (cache = new Map()));
  let skeleton = cache.get(index);
  if (!skeleton) {
    const size = test.width * test.height;
    skeleton = digitSkeleton(test.images.subarray(index * size, (index + 1) * size), test.width);
    cache.set(index, skeleton);
  }
  return skeleton;
}

/** Seed of picture `i` of a condition: independent per condition, and the first n pictures never depend on n. */
function pictureSeed(seed: number, condition: string, i: number): number {
  let h = (seed ^ 0x9e3779b9) >>> 0;
  for (const ch of `${condition}#${i}`) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

const pick = <T>(rng: Rng, items: readonly T[]): T => items[rng.int(items.length)]!;
const within = (rng: Rng, [lo, hi]: Range): number => lo + rng.next() * (hi - lo);

/** A seeded order of the test set, shared by every condition so their pictures are of the same digits (paired). */
function sourceOrder(test: ImageSet, seed: number): Uint32Array {
  const order = Uint32Array.from({ length: test.count }, (_, i) => i);
  return shuffleInPlace(order, createRng(seed ^ 0x5bd1e995));
}

/**
 * Draws `count` pictures of a condition from the MNIST test set (held out: no model trained on it), the same ones for
 * the same seed on every machine. Picture i of every condition is drawn from the same test image (a seeded order).
 */
export function drawCondition(condition: Condition, test: ImageSet, count: number, seed = 1): DrawnDigit[] {
  return Array.from(drawWithCovers(condition, test, count, seed), ({ digit }) => digit);
}

/**
 * The pictures of {@link drawCondition} one at a time, each with its pen cover (0..1 per canvas pixel, null for the raw
 * MNIST conditions) and photo look (null off photos): the ink as drawn before any surface or photo, for experiments that
 * need to know where it truly is and how hard it was made to see.
 */
export function* drawWithCovers(
  condition: Condition,
  test: ImageSet,
  count: number,
  seed = 1,
): Generator<{ digit: DrawnDigit; cover: Float32Array | null; look: PhotoLook | null }> {
  const side = test.width;
  const order = sourceOrder(test, seed);
  for (let i = 0; i < count; i++) {
    const rng = createRng(pictureSeed(seed, condition.name, i));
    const source = order[i % order.length]!;
    const label = test.labels[source]!;
    const pixels = test.images.subarray(source * side * side, (source + 1) * side * side);
    if (condition.raw || condition.name === 'mnist-pipeline') {
      yield { digit: { image: { data: pixels.slice(), width: side, height: side, channels: 1 }, label, source, pen: 0 }, cover: null, look: null };
      continue;
    }
    const surface = pick(rng, condition.surfaces);
    const canvases = surface === 'photo' && condition.name === 'mixed' ? PHOTOS : condition.canvases;
    const [width, height] = pick(rng, canvases);
    const pen = within(rng, condition.pen);
    const transform = placeDigit(skeletonOf(test, source), condition, width, height, pen, rng);
    const cover = drawSkeleton(skeletonOf(test, source), transform, width, height, pen);
    const look = surface === 'photo' ? photoLook(condition.photo!, rng) : null;
    const image = surface === 'photo' ? toPhoto(cover, width, height, look!, rng) : toSurface(cover, width, height, surface);
    yield { digit: { image, label, source, pen }, cover, look };
  }
}

/** Where and how big the digit goes: scale, tilt and stretch about its centre, then a position the placement allows. */
function placeDigit(skeleton: Skeleton, condition: Condition, width: number, height: number, pen: number, rng: Rng): Affine {
  const [x0, y0, x1, y1] = skeletonBounds(skeleton);
  const cx = (x0 + x1) / 2;
  const cy = (y0 + y1) / 2;
  const angle = ((rng.next() * 2 - 1) * condition.rotation * Math.PI) / 180;
  const stretch = condition.stretch ? within(rng, condition.stretch) : 1;
  const target = within(rng, condition.size) * Math.min(width, height);
  // Rotated, stretched half-extents of the skeleton box per unit scale.
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const hw = ((x1 - x0) / 2) * stretch;
  const hh = (y1 - y0) / 2;
  const extentX = Math.abs(hw * cos) + Math.abs(hh * sin);
  const extentY = Math.abs(hw * sin) + Math.abs(hh * cos);
  // The drawn digit's longer side (pen included) is the target size; a pen too wide for it still leaves some skeleton.
  const scale = Math.max(0.3 * target, target - pen) / (2 * Math.max(extentX, extentY, 0.5));
  const halfX = extentX * scale + pen / 2;
  const halfY = extentY * scale + pen / 2;
  let centreX: number;
  let centreY: number;
  const slackX = Math.max(0, width - 2 * halfX);
  const slackY = Math.max(0, height - 2 * halfY);
  if (condition.placement === 'center') {
    centreX = width / 2 + (rng.next() - 0.5) * 0.2 * slackX;
    centreY = height / 2 + (rng.next() - 0.5) * 0.2 * slackY;
  } else if (condition.placement === 'anywhere') {
    centreX = halfX + rng.next() * slackX;
    centreY = halfY + rng.next() * slackY;
  } else {
    const gapX = Math.min(slackX, rng.next() * 8);
    const gapY = Math.min(slackY, rng.next() * 8);
    centreX = rng.next() < 0.5 ? halfX + gapX : width - halfX - gapX;
    centreY = rng.next() < 0.5 ? halfY + gapY : height - halfY - gapY;
  }
  // x' = R * S * (x - c) * scale + centre, with S stretching x.
  const a = cos * stretch * scale;
  const b = -sin * scale;
  const c = sin * stretch * scale;
  const d = cos * scale;
  return { a, b, c, d, tx: centreX - a * cx - b * cy, ty: centreY - c * cx - d * cy };
}

/** A photo's look drawn from the ranges: paper and ink colours, light, blur, noise, JPEG quality. */
export function photoLook(ranges: PhotoRanges, rng: Rng): PhotoLook {
  const paperBase = 200 + rng.next() * 45;
  const warm = rng.next() * 18;
  const inkBase = 20 + rng.next() * 60;
  const blue = rng.next() < 0.4 ? 40 : 0;
  return {
    paper: [paperBase, paperBase - warm * 0.4, paperBase - warm],
    ink: [inkBase, inkBase, inkBase + blue],
    gradient: within(rng, ranges.gradient),
    gradientAngle: rng.next() * 2 * Math.PI,
    vignette: within(rng, ranges.vignette),
    blur: within(rng, ranges.blur),
    noise: within(rng, ranges.noise),
    jpegQuality: Math.round(within(rng, ranges.jpegQuality)),
  };
}
