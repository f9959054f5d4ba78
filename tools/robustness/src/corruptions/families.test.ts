// Each corruption family does what its name says, measured on real MNIST test digits.
import { createRng } from '@digitkit/core';
import { blockCounts, median, mnistSlice, normalizedBitmap, pearson, uciFormat, uciPicture } from '@digitkit/testkit';
import { describe, expect, it } from 'vitest';
import { blurPlane } from './planes.js';
import { corruptFamily, FAMILIES, type Family } from './families.js';
import { jpegEncode, jpegRoundTrip, thumbnail } from './digital.js';
import { rotate, shear } from './geometry.js';
import { planeOf, type Plane } from './planes.js';
import { plainMnist } from './plain.js';

const test = await mnistSlice({ split: 'test', count: 60 });
const N = 30;
const family = (name: string): Family => FAMILIES.find((f) => f.name === name)!;
const digitAt = (source: number) => test.images.subarray(source * 784, (source + 1) * 784);
const pictures = (name: string) => corruptFamily(family(name), test, N, 3);

/** Total ink, centroid and second moments of a gray image (values as weights). */
function moments(data: ArrayLike<number>, width = 28) {
  let m = 0;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < data.length; i++) {
    m += data[i]!;
    sx += (i % width) * data[i]!;
    sy += Math.floor(i / width) * data[i]!;
  }
  const [cx, cy] = [sx / m, sy / m];
  let xx = 0;
  let yy = 0;
  let xy = 0;
  for (let i = 0; i < data.length; i++) {
    const [dx, dy] = [(i % width) - cx, Math.floor(i / width) - cy];
    xx += dx * dx * data[i]!;
    yy += dy * dy * data[i]!;
    xy += dx * dy * data[i]!;
  }
  return { mass: m, cx, cy, xx: xx / m, yy: yy / m, xy: xy / m };
}

/** A plane holding one bright dot at (x, y). */
function dot(x: number, y: number): Plane {
  const data = new Float32Array(784);
  data[y * 28 + x] = 1;
  return { data, width: 28, height: 28 };
}
const brightest = (p: Plane): [number, number] => {
  const i = p.data.indexOf(Math.max(...p.data));
  return [i % 28, Math.floor(i / 28)];
};

describe('corruptFamily', () => {
  it('is seeded and paired: the same pictures for the same seed, the same digits in every family, whatever the count', () => {
    for (const f of FAMILIES) {
      const a = corruptFamily(f, test, 3, 5);
      const b = corruptFamily(f, test, 2, 5);
      expect(b.pictures[1]!.data, f.name).toEqual(a.pictures[1]!.data);
      expect(a.labels[0]).toBe(test.labels[a.sources[0]!]);
      const { width, height, channels, data } = a.pictures[0]!;
      expect(data.length).toBe(width * height * channels);
    }
    expect(corruptFamily(FAMILIES[0]!, test, 3, 5).sources).toEqual(corruptFamily(FAMILIES[5]!, test, 3, 5).sources);
    expect(corruptFamily(FAMILIES[0]!, test, 3, 6).pictures[0]!.data).not.toEqual(corruptFamily(FAMILIES[0]!, test, 3, 5).pictures[0]!.data);
    expect(() => corruptFamily(FAMILIES[0]!, test, 0)).toThrow(/count/);
  });

  it('has MNIST-C\'s 15 families and 7 more, split into tuning and held-out families', () => {
    expect(FAMILIES).toHaveLength(22);
    expect(new Set(FAMILIES.map((f) => f.name)).size).toBe(22);
    expect(FAMILIES.filter((f) => f.split === 'tune')).toHaveLength(15);
  });
});

describe('noise', () => {
  it('shot noise leaves the black background black and counts ink in thirds (3 photons), clipped at full ink', () => {
    const set = pictures('shot-noise');
    let before = 0;
    let after = 0;
    set.pictures.forEach((p, i) => {
      const digit = digitAt(set.sources[i]!);
      p.data.forEach((v, j) => {
        if (digit[j] === 0) expect(v).toBe(0);
        expect([0, 85, 170, 255]).toContain(v);
      });
      before += moments(digit).mass;
      after += moments(p.data).mass;
    });
    // Full ink keeps E[min(Poisson(3) / 3, 1)] = 0.78 of itself; fainter ink, whose counts are rarely clipped, more.
    expect(after / before).toBeGreaterThan(0.75);
    expect(after / before).toBeLessThan(0.9);
  });

  it('impulse noise sets about 17% of pixels to black or white, half of them of each', () => {
    const set = pictures('impulse-noise');
    let changedToWhite = 0;
    set.pictures.forEach((p, i) => {
      const digit = digitAt(set.sources[i]!);
      p.data.forEach((v, j) => {
        if (v !== digit[j]) expect([0, 255]).toContain(v);
        if (v === 255 && digit[j] !== 255) changedToWhite++;
      });
    });
    // White salt on 8.5% of pixels, less those that were already white.
    expect(changedToWhite / (N * 784)).toBeGreaterThan(0.065);
    expect(changedToWhite / (N * 784)).toBeLessThan(0.095);
  });
});

describe('blur', () => {
  it('glass blur, motion blur and defocus keep the ink (within 15%) but spread it: lower peaks, wider moments', () => {
    for (const name of ['glass-blur', 'motion-blur', 'defocus']) {
      const set = pictures(name);
      let spread = 0;
      set.pictures.forEach((p, i) => {
        const [a, b] = [moments(digitAt(set.sources[i]!)), moments(p.data)];
        expect(b.mass / a.mass, name).toBeGreaterThan(0.85);
        expect(b.mass / a.mass, name).toBeLessThan(1.15);
        if (b.xx + b.yy > a.xx + a.yy) spread++;
      });
      expect(spread, name).toBeGreaterThanOrEqual(N - 1);
    }
  });

  it('motion blur smears along one line: a dot becomes a streak within 45 degrees of horizontal', () => {
    const set = corruptFamily({ ...family('motion-blur'), corrupt: (_, rng) => family('motion-blur').corrupt(dotBytes(14, 14), rng) }, test, 10, 1);
    for (const p of set.pictures) {
      const m = moments(p.data);
      // A half Gaussian (sigma 3) along the line has variance 9 (1 - 2/pi) = 3.3; a dot has none.
      expect(m.xx).toBeGreaterThanOrEqual(m.yy);
      expect(m.xx + m.yy).toBeGreaterThan(2.5);
      expect(m.xx + m.yy).toBeLessThan(4.5);
    }
  });
});

function dotBytes(x: number, y: number): Uint8Array {
  const d = new Uint8Array(784);
  d[y * 28 + x] = 255;
  return d;
}

describe('affine', () => {
  it('rotate turns about the centre by 0.4 rad either way: a dot 6 px right of it lands 6 px away at ±23 degrees', () => {
    const signs = new Set<number>();
    for (let seed = 0; seed < 8; seed++) {
      const [x, y] = brightest(rotate(dot(20, 14), createRng(seed)));
      // The dot at (20, 14) is 6.5 px right of the centre (13.5, 13.5) and 0.5 below it.
      const angle = Math.atan2(y - 13.5, x - 13.5) - Math.atan2(0.5, 6.5);
      expect(Math.abs(Math.abs(angle) - 0.4)).toBeLessThan(0.2);
      expect(Math.hypot(x - 13.5, y - 13.5)).toBeCloseTo(Math.hypot(6.5, 0.5), 0);
      signs.add(Math.sign(angle));
    }
    expect(signs.size).toBe(2);
  });

  it('shear moves rows sideways in proportion to their height above the centre, and leaves the centre row', () => {
    const rng = createRng(1);
    const low = brightest(shear(dot(14, 24), rng));
    expect(Math.abs(low[0] - 14)).toBeGreaterThanOrEqual(3);
    const middle = brightest(shear(dot(14, 14), createRng(1)));
    expect(Math.abs(middle[0] - 14)).toBeLessThanOrEqual(1);
  });

  it('scale shrinks the digit to 0.7 about the centre (second moments x 0.49), translate moves it 3 px on each axis', () => {
    const scaled = pictures('scale');
    const moved = pictures('translate');
    const ratios = scaled.pictures.map((p, i) => {
      const [a, b] = [moments(digitAt(scaled.sources[i]!)), moments(p.data)];
      return (b.xx + b.yy) / (a.xx + a.yy);
    });
    // Point sampling a shrunk thin stroke aliases a little, digit by digit.
    expect(median(ratios)).toBeCloseTo(0.49, 1);
    for (const r of ratios) expect(r).toBeLessThan(0.75);
    const shifts = moved.pictures.flatMap((p, i) => {
      const [a, b] = [moments(digitAt(moved.sources[i]!)), moments(p.data)];
      return [Math.abs(b.cx - a.cx), Math.abs(b.cy - a.cy)];
    });
    // Whole-pixel shifts; where ink is pushed past the edge, the centroid moves less.
    expect(median(shifts)).toBeCloseTo(3, 1);
    for (const shift of shifts) expect(shift).toBeGreaterThan(2);
  });
});

describe('clutter', () => {
  it('brightness lifts every pixel by half (to mid-gray at least), stripe inverts the outer quarters', () => {
    const bright = pictures('brightness');
    bright.pictures.forEach((p, i) => {
      const digit = digitAt(bright.sources[i]!);
      p.data.forEach((v, j) => expect(Math.abs(v - Math.min(255, digit[j]! + 127.5))).toBeLessThanOrEqual(1));
    });
    const striped = pictures('stripe');
    striped.pictures.forEach((p, i) => {
      const digit = digitAt(striped.sources[i]!);
      for (let y = 0; y < 28; y++) {
        expect(p.data[y * 28]).toBe(255 - digit[y * 28]!);
        expect(p.data[y * 28 + 27]).toBe(255 - digit[y * 28 + 27]!);
        expect(p.data[y * 28 + 14]).toBe(digit[y * 28 + 14]);
      }
    });
  });

  it('fog raises an uneven background under the digit and leaves the ink brightest', () => {
    const set = pictures('fog');
    set.pictures.forEach((p, i) => {
      const digit = digitAt(set.sources[i]!);
      const background = [...p.data].filter((_, j) => digit[j] === 0);
      const ink = [...p.data].filter((_, j) => digit[j]! >= 200);
      const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
      expect(Math.max(...background) - Math.min(...background)).toBeGreaterThan(20);
      expect(mean(ink)).toBeGreaterThan(mean(background) + 30);
    });
  });

  it('spatter covers some pixels with gray mud (never brighter than the ink it covers)', () => {
    const set = corruptFamily(family('spatter'), test, 60, 3);
    let muddy = 0;
    set.pictures.forEach((p, i) => {
      const digit = digitAt(set.sources[i]!);
      p.data.forEach((v, j) => {
        if (digit[j] === 0 && v > 0) {
          muddy++;
          expect(v).toBeLessThanOrEqual(64);
        }
      });
    });
    expect(muddy).toBeGreaterThan(0);
  });

  it('dotted line and zigzag only add ink: a dashed line across the image, a zigzag between columns 2 and 26', () => {
    for (const name of ['dotted-line', 'zigzag']) {
      const set = pictures(name);
      set.pictures.forEach((p, i) => {
        const digit = digitAt(set.sources[i]!);
        const added = new Set<number>();
        p.data.forEach((v, j) => {
          expect(v).toBeGreaterThanOrEqual(digit[j]!);
          if (v > digit[j]! + 64) added.add(j % 28);
        });
        if (name === 'dotted-line') {
          // Dashes: ink in columns 2-3, 6-7, ..., none in 0-1, 4-5, ...
          for (const x of added) expect(Math.floor(x / 2) % 2, `column ${x}`).toBe(1);
          expect(added.size).toBeGreaterThan(6);
        } else {
          for (const x of added) expect(x).toBeGreaterThanOrEqual(1);
          for (const x of added) expect(x).toBeLessThanOrEqual(26);
        }
      });
    }
  });
});

describe("UCI's format", () => {
  it('counts on-pixels of a box-filling 32x32 bitmap in 4x4 blocks and shows the 8x8 counts as the UCI bench does', () => {
    const set = pictures('uci-format');
    set.pictures.forEach((p, i) => {
      const digit = digitAt(set.sources[i]!);
      const bitmap = normalizedBitmap(digit);
      const counts = blockCounts(bitmap);
      expect(p.data).toEqual(uciFormat(digit).data);
      expect(p.data).toEqual(uciPicture(counts).data);
      expect([p.width, p.height, p.channels]).toEqual([32, 32, 1]);
      expect(counts.reduce((a, b) => a + b, 0)).toBe(bitmap.reduce((a, b) => a + b, 0));
      expect(Math.max(...counts)).toBeLessThanOrEqual(16);
      // The ink box fills the bitmap along its longer side: ink in the first and the last row, or column.
      const on = (x: number, y: number) => bitmap[y * 32 + x] === 1;
      const rows = (y: number) => Array.from({ length: 32 }, (_, x) => on(x, y)).some(Boolean);
      const cols = (x: number) => Array.from({ length: 32 }, (_, y) => on(x, y)).some(Boolean);
      expect((rows(0) && rows(31)) || (cols(0) && cols(31))).toBe(true);
      // Scaled up about 1.6x, the binarized ink covers about 1.6^2 as many pixels as MNIST's pixels at half or more.
      const inkPixels = digit.filter((v) => v >= 128).length;
      const ratio = bitmap.reduce((a, b) => a + b, 0) / inkPixels;
      expect(ratio).toBeGreaterThan(1.5);
      expect(ratio).toBeLessThan(8);
    });
  });
});

describe('edges, thumbnails, JPEG, paper', () => {
  it('canny edges keep only an outline: black or white pixels, none deep inside thick strokes', () => {
    const set = pictures('canny-edges');
    set.pictures.forEach((p, i) => {
      const digit = digitAt(set.sources[i]!);
      let inside = 0;
      let interior = 0;
      for (let y = 1; y < 27; y++) {
        for (let x = 1; x < 27; x++) {
          const j = y * 28 + x;
          expect([0, 255]).toContain(p.data[j]);
          if ([j - 29, j - 28, j - 27, j - 1, j, j + 1, j + 27, j + 28, j + 29].every((k) => digit[k]! >= 250)) {
            interior++;
            if (p.data[j] === 255) inside++;
          }
        }
      }
      expect(inside).toBeLessThanOrEqual(Math.max(1, interior * 0.2));
    });
  });

  it('a thumbnail holds no more detail than its side: shrinking and enlarging it again changes little', () => {
    for (const side of [8, 12, 16]) {
      const set = pictures(`lowres-${side}`);
      const change = (a: Plane, b: Plane) => a.data.reduce((s, v, j) => s + Math.abs(v - b.data[j]!), 0) / 784;
      set.pictures.forEach((p, i) => {
        const plane = planeOf(p.data);
        const digit = planeOf(digitAt(set.sources[i]!));
        // The digit changes when made that small; the thumbnail, made that small again, much less.
        expect(change(plane, thumbnail(side)(plane)), `lowres-${side}`).toBeLessThan(0.6 * change(digit, plane));
      });
    }
  });

  it('JPEG at quality 20 is lossy and smaller than at 95, yet still the digit', () => {
    for (let i = 0; i < 10; i++) {
      const plane = planeOf(digitAt(i));
      expect(jpegEncode(plane, 20).length).toBeLessThan(jpegEncode(plane, 95).length);
      const back = jpegRoundTrip(plane, 20);
      const diff = back.data.reduce((s, v, j) => s + Math.abs(v - plane.data[j]!), 0) / 784;
      expect(diff).toBeGreaterThan(0.01);
      expect(pearson(back.data, plane.data)).toBeGreaterThan(0.9);
    }
  });

  it('ruled paper: dark ink on light RGB paper with 3-6 ruled light-blue lines', () => {
    const set = pictures('ruled-paper');
    for (const p of set.pictures) {
      expect([p.width, p.height, p.channels]).toEqual([84, 84, 3]);
      // Along the left edge (clear of the digit, and of any margin line): rows bluer than the paper are the rules.
      let rules = 0;
      let inRule = false;
      for (let y = 0; y < 84; y++) {
        const k = (y * 84 + 1) * 3;
        const blue = p.data[k + 2]! - p.data[k]! > 30;
        if (blue && !inRule) rules++;
        inRule = blue;
      }
      expect(rules).toBeGreaterThanOrEqual(3);
      expect(rules).toBeLessThanOrEqual(6);
      expect(Math.min(...p.data)).toBeLessThan(80);
    }
  });
});

describe('plainMnist', () => {
  it('gives MNIST digits back nearly as they are, light on dark or dark on light', () => {
    for (let i = 0; i < 20; i++) {
      const digit = digitAt(i);
      const light = plainMnist({ data: digit, width: 28, height: 28, channels: 1 })!;
      const dark = plainMnist({ data: digit.map((v) => 255 - v), width: 28, height: 28, channels: 1 })!;
      expect(pearson(light, digit)).toBeGreaterThan(0.85);
      expect(dark).toEqual(light);
    }
    expect(plainMnist({ data: new Uint8Array(784), width: 28, height: 28, channels: 1 })).toBeNull();
  });

  it('does no stroke-width changes: a blurred digit stays as soft as it came', () => {
    const plane = planeOf(digitAt(0));
    const soft = blurPlane(plane, 1.5);
    const out = plainMnist({ data: Uint8Array.from(soft.data, (v) => Math.round(v * 255)), width: 28, height: 28, channels: 1 })!;
    const mid = [...out].filter((v) => v > 30 && v < 220).length;
    const full = [...out].filter((v) => v >= 220).length;
    expect(mid).toBeGreaterThan(full);
  });
});
