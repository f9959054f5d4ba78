import { DigitkitError } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { beforeAll, describe, expect, it } from 'vitest';
import { centerOfMass, createAugmenter, normalize } from './index.js';
import { digitImages, pearson, sumOf } from '@digitkit/testkit';

let digits: Uint8Array[] = [];
beforeAll(async () => {
  const { test } = await loadMnist();
  digits = digitImages(test).slice(0, 500);
});

const sum = sumOf;
const com = (a: ArrayLike<number>) => centerOfMass({ data: a, width: 28, height: 28 })!;

describe('createAugmenter (shift only, the fast path)', () => {
  it('gives the same sequence for the same seed and another for another seed', () => {
    const run = (seed: number) => {
      const augment = createAugmenter({ seed });
      return digits.slice(0, 20).map((d) => {
        const out = new Float32Array(784);
        augment(d, out);
        return Array.from(out);
      });
    };
    expect(run(7)).toEqual(run(7));
    expect(run(7)).not.toEqual(run(8));
  });

  it('with maxShift 0 writes exactly normalize(src)', () => {
    const augment = createAugmenter({ seed: 1, maxShift: 0 });
    const out = new Float32Array(784);
    augment(digits[0]!, out);
    expect(Array.from(out)).toEqual(Array.from(normalize(digits[0]!)));
  });

  it('moves the centre of mass by whole pixels in -2..2, every one of the 25 shifts turning up', () => {
    const augment = createAugmenter({ seed: 3, maxShift: 2 });
    const out = new Float32Array(784);
    const seen = new Set<string>();
    let unclipped = 0;
    for (let round = 0; round < 4; round++) {
      for (const d of digits) {
        augment(d, out);
        // Only images whose ink all stayed in the frame keep their centre of mass exactly shifted.
        if (Math.abs(sum(out) - sum(d) / 255) > 1e-3) continue;
        unclipped++;
        const before = com(d);
        const after = com(out);
        const dx = after.x - before.x;
        const dy = after.y - before.y;
        expect(Math.abs(dx - Math.round(dx))).toBeLessThan(1e-4);
        expect(Math.abs(dy - Math.round(dy))).toBeLessThan(1e-4);
        expect(Math.abs(Math.round(dx))).toBeLessThanOrEqual(2);
        expect(Math.abs(Math.round(dy))).toBeLessThanOrEqual(2);
        seen.add(`${Math.round(dx)},${Math.round(dy)}`);
      }
    }
    expect(unclipped).toBeGreaterThan(1900);
    expect(seen.size).toBe(25);
  });

  it('shifts larger than the frame leave an all-zero image, not garbage', () => {
    const augment = createAugmenter({ seed: 4, maxShift: 40 });
    const out = new Float32Array(784);
    let blank = 0;
    for (const d of digits.slice(0, 200)) {
      augment(d, out);
      expect(out.every((v) => v >= 0 && v <= 1)).toBe(true);
      if (sum(out) === 0) blank++;
    }
    expect(blank).toBeGreaterThan(100);
  });

  it('refuses bad options and wrong-sized images with a message naming them', () => {
    expect(() => createAugmenter({ seed: 1, maxShift: 1.5 })).toThrow(/maxShift must be a whole number/);
    expect(() => createAugmenter({ seed: 1, scale: [1.2, 0.8] })).toThrow(/0 < min <= max/);
    expect(() => createAugmenter({ seed: 1, maxRotation: -5 })).toThrow(DigitkitError);
    const augment = createAugmenter({ seed: 1 });
    expect(() => augment(new Uint8Array(100), new Float32Array(784))).toThrow(/expected a 28x28 image \(784 bytes\)/);
  });
});

describe('createAugmenter (rotation and zoom)', () => {
  it('writes the same bytes for an image on a 32-bit word boundary (its ink found 4 pixels a read) as for one off it', () => {
    const run = (images: Uint8Array[]) => {
      const augment = createAugmenter({ seed: 11, maxShift: 2, maxRotation: 20, scale: [0.9, 1.1], shear: 0.2, elastic: 0.5 });
      return images.map((image) => {
        const out = new Float32Array(784);
        augment(image, out);
        return out;
      });
    };
    const aligned = digits.slice(0, 60);
    const offWord = aligned.map((image) => {
      const copy = new Uint8Array(image.length + 1);
      copy.set(image, 1);
      return copy.subarray(1);
    });
    expect(aligned.every((image) => image.byteOffset % 4 === 0)).toBe(true);
    expect(offWord[0]!.byteOffset % 4).toBe(1);
    expect(run(offWord)).toEqual(run(aligned));
  });

  it('is deterministic per seed and changes the image', () => {
    const run = (seed: number) => {
      const augment = createAugmenter({ seed, maxRotation: 15, scale: [0.9, 1.1] });
      const out = new Float32Array(784);
      augment(digits[1]!, out);
      return Array.from(out);
    };
    expect(run(5)).toEqual(run(5));
    expect(run(5)).not.toEqual(Array.from(normalize(digits[1]!)));
  });

  it('rotating about (14, 14), where MNIST puts the centre of mass, keeps the ink and its centre', () => {
    const augment = createAugmenter({ seed: 11, maxShift: 0, maxRotation: 20 });
    const out = new Float32Array(784);
    for (const d of digits.slice(0, 100)) {
      augment(d, out);
      const inkBefore = sum(d) / 255;
      expect(Math.abs(sum(out) - inkBefore) / inkBefore).toBeLessThan(0.05);
      const before = com(d);
      const after = com(out);
      expect(Math.hypot(after.x - 14, after.y - 14)).toBeLessThan(Math.hypot(before.x - 14, before.y - 14) + 0.3);
    }
  });

  it('zooming by k scales the ink area by about k squared', () => {
    const augment = createAugmenter({ seed: 2, maxShift: 0, scale: [1.2, 1.2] });
    const out = new Float32Array(784);
    const ratios = digits.slice(0, 100).map((d) => {
      augment(d, out);
      return sum(out) / (sum(d) / 255);
    });
    const mean = ratios.reduce((a, b) => a + b, 0) / ratios.length;
    expect(mean).toBeGreaterThan(1.3);
    expect(mean).toBeLessThan(1.5);
  });
});

/** Mean absolute gradient: falls when an image gets softer (blur, low resolution), rises with noise. */
const sharpness = (a: ArrayLike<number>) => {
  let total = 0;
  for (let y = 0; y < 28; y++) for (let x = 0; x < 27; x++) total += Math.abs(a[y * 28 + x + 1]! - a[y * 28 + x]!);
  for (let y = 0; y < 27; y++) for (let x = 0; x < 28; x++) total += Math.abs(a[(y + 1) * 28 + x]! - a[y * 28 + x]!);
  return total / (2 * 27 * 28);
};
/** cov(x, y) / var(y) of the ink: the slant that a horizontal shear s adds s to. */
const slant = (a: ArrayLike<number>) => {
  let m = 0;
  let mx = 0;
  let my = 0;
  for (let i = 0; i < 784; i++) {
    m += a[i]!;
    mx += a[i]! * (i % 28);
    my += a[i]! * Math.floor(i / 28);
  }
  mx /= m;
  my /= m;
  let cov = 0;
  let vy = 0;
  for (let i = 0; i < 784; i++) {
    const dy = Math.floor(i / 28) - my;
    cov += a[i]! * ((i % 28) - mx) * dy;
    vy += a[i]! * dy * dy;
  }
  return cov / vy;
};

/** Runs one family alone (probability 1, no shift) over the first `n` digits: [before, after] pairs in [0, 1]. */
function only(family: Record<string, unknown>, n = 200, seed = 21): [Float32Array, Float32Array][] {
  const augment = createAugmenter({ seed, maxShift: 0, ...family });
  return digits.slice(0, n).map((d) => {
    const out = new Float32Array(784);
    augment(d, out);
    return [normalize(d), out];
  });
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** Background pixels (< 0.4 of the peak) of a 28x28 image that no 4-connected path of background joins to the border. */
function enclosedBackground(image: Float32Array): number {
  const peak = Math.max(...image);
  const reached = new Uint8Array(784);
  const stack: number[] = [];
  for (let i = 0; i < 784; i++) {
    const [x, y] = [i % 28, Math.floor(i / 28)];
    if ((x === 0 || y === 0 || x === 27 || y === 27) && image[i]! < 0.4 * peak) [reached[i], stack[stack.length]] = [1, i];
  }
  while (stack.length > 0) {
    const i = stack.pop()!;
    const [x, y] = [i % 28, Math.floor(i / 28)];
    for (const [nx, ny] of [[x - 1, y], [x + 1, y], [x, y - 1], [x, y + 1]] as const) {
      const j = ny * 28 + nx;
      if (nx < 0 || ny < 0 || nx > 27 || ny > 27 || reached[j] || image[j]! >= 0.4 * peak) continue;
      reached[j] = 1;
      stack.push(j);
    }
  }
  let enclosed = 0;
  for (let i = 0; i < 784; i++) if (!reached[i] && image[i]! < 0.4 * peak) enclosed++;
  return enclosed;
}

describe('createAugmenter: the families, each alone on real MNIST digits', () => {
  const families = {
    elastic: { elastic: 1 },
    shear: { shear: 0.3 },
    strokeWidth: { strokeWidth: 1 },
    outline: { outline: 1 },
    lowResolution: { lowResolution: 1 },
    blur: { blur: 1 },
    clutter: { clutter: 1 },
    stains: { stains: 1 },
    contrast: { contrast: 1 },
    noise: { noise: 1 },
  };

  it.each(Object.entries(families))('%s: the same seed gives the same images, another seed others, all in [0, 1]', (_, options) => {
    const a = only(options, 50, 5).map(([, out]) => Array.from(out));
    const b = only(options, 50, 5).map(([, out]) => Array.from(out));
    const c = only(options, 50, 6).map(([, out]) => Array.from(out));
    expect(a).toEqual(b);
    expect(a).not.toEqual(c);
    for (const image of a) expect(image.every((v) => v >= 0 && v <= 1)).toBe(true);
  });

  it('each family at probability 0 (the default) leaves the image exactly normalized', () => {
    const off = Object.fromEntries(Object.keys(families).map((k) => [k, 0]));
    for (const [before, after] of only(off, 50)) expect(Array.from(after)).toEqual(Array.from(before));
  });

  it('elastic: moves ink by about a pixel, keeping the amount of ink and where it is centred', () => {
    const moved: number[] = [];
    for (const [before, after] of only(families.elastic)) {
      moved.push(meanAbs(before, after));
      expect(Math.abs(sum(after) - sum(before)) / sum(before)).toBeLessThan(0.25);
      const c0 = com(before);
      const c1 = com(after);
      // The smooth field carries a slow drift too: no more than the ±2 px shift that training also draws.
      expect(Math.hypot(c1.x - c0.x, c1.y - c0.y)).toBeLessThan(2.5);
      expect(pearson(before, after)).toBeGreaterThan(0.3);
    }
    expect(median(moved)).toBeGreaterThan(0.03);
  });

  it('shear: adds a slant of at most 0.3 either way, both ways turning up, ink kept', () => {
    const added = only(families.shear).map(([before, after]) => {
      expect(Math.abs(sum(after) - sum(before)) / sum(before)).toBeLessThan(0.08);
      return slant(after) - slant(before);
    });
    for (const s of added) expect(Math.abs(s)).toBeLessThan(0.33);
    expect(Math.min(...added)).toBeLessThan(-0.2);
    expect(Math.max(...added)).toBeGreaterThan(0.2);
  });

  it('strokeWidth: thickens (more ink) or thins (less), never erasing the digit', () => {
    let thicker = 0;
    let thinner = 0;
    for (const [before, after] of only(families.strokeWidth)) {
      const ratio = sum(after) / sum(before);
      if (ratio > 1.15) thicker++;
      if (ratio < 0.9) thinner++;
      expect(ratio).toBeGreaterThan(0.44);
      expect(ratio).toBeLessThan(2.6);
      expect(pearson(before, after)).toBeGreaterThan(0.6);
    }
    expect(thicker).toBeGreaterThan(60);
    expect(thinner).toBeGreaterThan(30);
  });

  it('lowResolution and blur: softer edges, the same ink in the same place', () => {
    for (const family of [families.lowResolution, families.blur]) {
      const softer: number[] = [];
      for (const [before, after] of only(family)) {
        softer.push(sharpness(after) / sharpness(before));
        const c0 = com(before);
        const c1 = com(after);
        expect(Math.hypot(c1.x - c0.x, c1.y - c0.y)).toBeLessThan(0.6);
        expect(pearson(before, after)).toBeGreaterThan(0.6);
      }
      // The gentlest draws (16 px, sigma 0.5) barely soften a digit; the typical one does clearly.
      expect(Math.max(...softer)).toBeLessThan(1.1);
      expect(median(softer)).toBeLessThan(0.9);
    }
  });

  it('blur keeps the brightest ink as bright (a soft photo, not a faint one)', () => {
    for (const [before, after] of only(families.blur)) expect(Math.max(...after)).toBeCloseTo(Math.max(...before), 5);
  });

  it('clutter: draws over the digit, then fits all the ink into 20x20 with its mass centred, as toMnistFormat does', () => {
    let changed = 0;
    let grown = 0;
    const offCentre: number[] = [];
    for (const [before, after] of only(families.clutter)) {
      const peak = Math.max(...after);
      let [x0, x1, y0, y1] = [28, -1, 28, -1];
      after.forEach((v, i) => {
        if (v < 0.4 * peak) return;
        [x0, x1, y0, y1] = [Math.min(x0, i % 28), Math.max(x1, i % 28), Math.min(y0, Math.floor(i / 28)), Math.max(y1, Math.floor(i / 28))];
      });
      // A line across the picture would leave a box 28 wide; the fit keeps every box within MNIST's 20.
      expect(Math.max(x1 - x0, y1 - y0) + 1).toBeLessThanOrEqual(20);
      const c = com(after);
      offCentre.push(Math.hypot(c.x - 14, c.y - 14));
      if (meanAbs(before, after) > 0.01) changed++;
      // The clutter reached beyond the digit's box, so the digit was shrunk to fit both.
      if (sum(after) < 0.9 * sum(before)) grown++;
    }
    expect(median(offCentre)).toBeLessThan(0.5);
    expect(changed).toBeGreaterThan(150);
    expect(grown).toBeGreaterThan(20);
  });

  it('stains: gray patches over strokes and background alike (a covered stroke turns gray), fitted into 20x20', () => {
    const count = (image: Float32Array, from: number, to: number) => image.filter((v) => v >= from && v < to).length;
    const grayAdded: number[] = [];
    let strokesCovered = 0;
    for (const [before, after] of only(families.stains)) {
      const peak = Math.max(...after);
      // The stains are gray (15-50%): the digit's full-strength ink stays the brightest thing in the picture.
      expect(peak).toBeGreaterThan(0.6);
      grayAdded.push(count(after, 0.12, 0.55) - count(before, 0.12, 0.55));
      // Full-strength ink lost beyond what the refit's resampling takes: a stain lay on a stroke.
      if (count(after, 0.9, 2) < 0.8 * count(before, 0.9, 2)) strokesCovered++;
      const c = com(after);
      expect(Math.hypot(c.x - 14, c.y - 14)).toBeLessThan(1.5);
    }
    expect(median(grayAdded)).toBeGreaterThan(15);
    expect(strokesCovered).toBeGreaterThan(50);
  });

  it('outline: hollow strokes (background enclosed inside them), fitted into 20x20 with its mass centred', () => {
    let hollowed = 0;
    for (const [before, after] of only(families.outline)) {
      const peak = Math.max(...after);
      const ink = after.map((v) => (v >= 0.4 * peak ? 1 : 0));
      const xs = [...ink.keys()].filter((i) => ink[i]).map((i) => i % 28);
      const ys = [...ink.keys()].filter((i) => ink[i]).map((i) => Math.floor(i / 28));
      expect(Math.max(Math.max(...xs) - Math.min(...xs), Math.max(...ys) - Math.min(...ys)) + 1).toBeLessThanOrEqual(20);
      const c = com(after);
      expect(Math.hypot(c.x - 14, c.y - 14)).toBeLessThan(1);
      // Every stroke becomes a loop round its old middle: far more background enclosed than the digit's own holes.
      if (enclosedBackground(after) > enclosedBackground(before) + 10) hollowed++;
    }
    expect(hollowed).toBeGreaterThan(140);
  });

  it('contrast: a lifted background and dimmer ink, the order of the pixels kept', () => {
    for (const [before, after] of only(families.contrast)) {
      const background = after[0]!;
      expect(background).toBeGreaterThanOrEqual(0);
      expect(background).toBeLessThanOrEqual(0.4);
      expect(Math.max(...after) - background).toBeGreaterThanOrEqual(0.35 - 1e-6);
      expect(pearson(before, after)).toBeCloseTo(1, 5);
    }
  });

  it('noise: changes pixels everywhere yet leaves the digit recognizable by correlation', () => {
    for (const [before, after] of only(families.noise)) {
      expect(sharpness(after)).toBeGreaterThan(sharpness(before));
      expect(pearson(before, after)).toBeGreaterThan(0.4);
    }
  });

  it('probabilities apply per image: 0.3 changes about 30% of the images', () => {
    const changed = only({ contrast: 0.3 }, 500).filter(([before, after]) => meanAbs(before, after) > 0).length;
    expect(changed).toBeGreaterThan(110);
    expect(changed).toBeLessThan(190);
  });

  it('refuses a probability outside 0..1 and a shear above 1, naming them', () => {
    expect(() => createAugmenter({ seed: 1, blur: 1.5 })).toThrow(/blur is a probability per image and must be in 0\.\.1, got 1\.5/);
    expect(() => createAugmenter({ seed: 1, noise: -0.1 })).toThrow(DigitkitError);
    expect(() => createAugmenter({ seed: 1, shear: 2 })).toThrow(/shear must be in 0\.\.1/);
  });
});

const meanAbs = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let total = 0;
  for (let i = 0; i < a.length; i++) total += Math.abs(a[i]! - b[i]!);
  return total / a.length;
};
