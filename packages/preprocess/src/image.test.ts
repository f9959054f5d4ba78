import { createRng, DigitkitError } from '@digitkit/core';
import { describe, expect, it } from 'vitest';
import { applyExifOrientation, boundingBox, centerOfMass, resizeArea, strokeWidth, toGrayscale } from './index.js';
import { inkStatistics, localMedian, resampleArea, resampleMax, smoothLight } from './image.js';
import { drawStrokes, sumOf } from '@digitkit/testkit';

const rgba = (...pixels: number[][]) => Uint8Array.from(pixels.flat());

describe('applyExifOrientation', () => {
  // Stored 3 wide and 2 high:  1 2 3 / 4 5 6. Each orientation as the EXIF specification draws it, row by row.
  const stored = { data: Uint8Array.of(1, 2, 3, 4, 5, 6), width: 3, height: 2 };
  const upright: Record<number, number[][]> = {
    1: [[1, 2, 3], [4, 5, 6]],
    2: [[3, 2, 1], [6, 5, 4]],
    3: [[6, 5, 4], [3, 2, 1]],
    4: [[4, 5, 6], [1, 2, 3]],
    5: [[1, 4], [2, 5], [3, 6]],
    6: [[4, 1], [5, 2], [6, 3]],
    7: [[6, 3], [5, 2], [4, 1]],
    8: [[3, 6], [2, 5], [1, 4]],
  };
  it.each(Object.entries(upright))('turns orientation %s upright', (orientation, rows) => {
    const { data, width, height } = applyExifOrientation(stored, Number(orientation));
    expect([width, height]).toEqual([rows[0]!.length, rows.length]);
    expect(Array.from(data)).toEqual(rows.flat());
  });
  it('moves every channel of a pixel together', () => {
    const image = { data: rgba([10, 11, 12, 255], [20, 21, 22, 128]), width: 2, height: 1 };
    const turned = applyExifOrientation(image, 6);
    expect([turned.width, turned.height, turned.channels]).toEqual([1, 2, 4]);
    expect(Array.from(turned.data)).toEqual([10, 11, 12, 255, 20, 21, 22, 128]);
  });
  it('refuses what is no EXIF orientation, and a picture of the wrong size', () => {
    for (const bad of [0, 9, 1.5, Number.NaN]) expect(() => applyExifOrientation(stored, bad)).toThrow(/orientation must be an EXIF orientation, 1 to 8, got/);
    expect(() => applyExifOrientation({ data: new Uint8Array(5), width: 3, height: 2 }, 6)).toThrow(DigitkitError);
  });
});

describe('toGrayscale', () => {
  it('weighs RGB as Rec. 601 luma', () => {
    const { data } = toGrayscale({ data: Uint8Array.of(255, 0, 0, 0, 255, 0, 0, 0, 255, 200, 200, 200), width: 4, height: 1 });
    expect(Array.from(data)).toEqual([77, 149, 29, 200]);
  });
  it('flattens black strokes on a transparent canvas over white', () => {
    const { data } = toGrayscale({ data: rgba([0, 0, 0, 0], [0, 0, 0, 255], [0, 0, 0, 128]), width: 3, height: 1 });
    expect(Array.from(data)).toEqual([255, 0, 127]);
  });
  it('flattens white strokes on a transparent canvas over black (auto), or as asked', () => {
    const image = { data: rgba([0, 0, 0, 0], [255, 255, 255, 255], [255, 255, 255, 128]), width: 3, height: 1 };
    expect(Array.from(toGrayscale(image).data)).toEqual([0, 255, 128]);
    expect(Array.from(toGrayscale(image, { background: 'white' }).data)).toEqual([255, 255, 255]);
  });
  it('leaves opaque RGBA alone: white strokes on black stay white on black', () => {
    const { data } = toGrayscale({ data: rgba([0, 0, 0, 255], [255, 255, 255, 255]), width: 2, height: 1 });
    expect(Array.from(data)).toEqual([0, 255]);
  });
  it('says what size the data should have had', () => {
    expect(() => toGrayscale({ data: new Uint8Array(10), width: 2, height: 2 })).toThrow(
      /needs 4 \(gray\), 12 \(RGB\) or 16 \(RGBA\) bytes, got 10/,
    );
    expect(() => toGrayscale({ data: new Uint8Array(12), width: 2, height: 2, channels: 4 })).toThrow(DigitkitError);
    expect(() => toGrayscale({ data: new Uint8Array(0), width: 0, height: 2 })).toThrow(/positive integers/);
  });
});

describe('boundingBox and centerOfMass', () => {
  const image = { data: Uint8Array.from({ length: 30 }, (_, i) => (i === 7 || i === 14 ? 200 : i === 22 ? 10 : 0)), width: 6, height: 5 };
  it('boundingBox holds every pixel above the threshold', () => {
    expect(boundingBox(image)).toEqual({ x: 1, y: 1, width: 4, height: 3 });
    expect(boundingBox(image, 50)).toEqual({ x: 1, y: 1, width: 2, height: 2 });
    expect(boundingBox({ data: new Uint8Array(4), width: 2, height: 2 })).toBeNull();
  });
  it('centerOfMass weighs pixels by intensity, in pixel-index coordinates', () => {
    const c = centerOfMass(image)!;
    expect(c.x).toBeCloseTo((200 * 1 + 200 * 2 + 10 * 4) / 410, 10);
    expect(c.y).toBeCloseTo((200 * 1 + 200 * 2 + 10 * 3) / 410, 10);
    expect(centerOfMass({ data: new Uint8Array(4), width: 2, height: 2 })).toBeNull();
  });
});

describe('resizeArea', () => {
  it('averages whole blocks exactly when shrinking by a whole factor', () => {
    const data = Uint8Array.of(0, 100, 50, 50, 200, 100, 50, 50);
    const out = resizeArea({ data, width: 4, height: 2 }, 2, 1);
    expect(Array.from(out.data)).toEqual([100, 50]);
  });
  it('keeps the mean intensity at any scale (it is anti-aliased, not sampled)', () => {
    const canvas = drawStrokes([[[0.1, 0.1], [0.9, 0.8]]], 280, 200, { left: 0, top: 0, width: 280, height: 200 }, 3);
    const mean = (a: ArrayLike<number>) => sumOf(a) / a.length;
    for (const [w, h] of [[28, 20], [17, 23], [100, 3]] as const) {
      const out = resizeArea({ data: canvas, width: 280, height: 200 }, w, h);
      expect(Math.abs(mean(out.data) - mean(canvas)) / mean(canvas)).toBeLessThan(1e-4);
    }
  });
});

describe('strokeWidth', () => {
  it('measures drawn lines at their width, within 6%', () => {
    for (const width of [3, 6, 12]) {
      // An odd width is centred on a pixel row, an even one on the boundary between two: either way whole pixels.
      const top = width % 2 ? 0.5 : 0;
      const canvas = drawStrokes([[[0.1, 0.5], [0.9, 0.5]]], 300, 100, { left: 0, top, width: 300, height: 100 }, width);
      // The line's two ends add to the perimeter, so a short thick line measures a little thin.
      const measured = strokeWidth({ data: canvas, width: 300, height: 100 }, 128);
      expect(Math.abs(measured - width) / width).toBeLessThan(0.06);
    }
  });
});

describe('the resamplers toMnistFormat fits with', () => {
  // A 1 px vertical hairline at x = 5 of a 16x16 image, shrunk 4x: it falls in output column 1.
  const hairline = new Float32Array(256);
  for (let y = 0; y < 16; y++) hairline[y * 16 + 5] = 1;
  const whole = { x: 0, y: 0, width: 16, height: 16 };
  it('resampleArea averages the area each output pixel covers (a hairline fades to a quarter)', () => {
    const out = resampleArea({ data: hairline, width: 16, height: 16 }, whole, 0.25, 0.25, 4, 4);
    for (let y = 0; y < 4; y++) expect(Array.from(out.subarray(y * 4, y * 4 + 4))).toEqual([0, 0.25, 0, 0]);
  });
  it('resampleMax keeps the full intensity of what an output pixel covers (a hairline stays at 1)', () => {
    const out = resampleMax({ data: hairline, width: 16, height: 16 }, whole, 0.25, 4, 4);
    for (let y = 0; y < 4; y++) expect(Array.from(out.subarray(y * 4, y * 4 + 4))).toEqual([0, 1, 0, 0]);
  });
  it('a region reaching past the image reads zeros there', () => {
    const ones = { data: new Float32Array(16).fill(1), width: 4, height: 4 };
    const out = resampleArea(ones, { x: -2, y: 0, width: 8, height: 4 }, 0.5, 0.5, 4, 2);
    expect(Array.from(out)).toEqual([0, 1, 1, 0, 0, 1, 1, 0]);
  });
});

describe('the statistics toMnistFormat finds ink with', () => {
  it('localMedian removes a lone speck and keeps a wide patch', () => {
    const data = new Float32Array(10 * 10).fill(20);
    data[2 * 10 + 2] = 250;
    for (let y = 4; y < 10; y++) for (let x = 4; x < 10; x++) data[y * 10 + x] = 200;
    const median = localMedian({ data, width: 10, height: 10 }, 1);
    expect(median[2 * 10 + 2]).toBe(20);
    expect(median[8 * 10 + 8]).toBe(200);
  });
  it('inkStatistics: the background, no noise on a flat one, and the strong ink level', () => {
    const values = new Float32Array(1000).fill(10);
    for (let i = 0; i < 50; i++) values[i] = 180 + (i % 5);
    expect(inkStatistics(values, 4)).toEqual({ background: 10.125, sigma: 0, strong: 184.125 });
    expect(inkStatistics(new Float32Array(1000), 4)).toEqual({ background: 0, sigma: 0, strong: null });
  });
  it('inkStatistics finds the level and noise of a noisy background with ink on a tenth of it', () => {
    const rng = createRng(3);
    const grain = () => 10 * (rng.next() + rng.next() + rng.next() - 1.5);
    const noisy = Float32Array.from({ length: 20000 }, (_, i) => (i % 10 === 0 ? 150 : 0) + 40 + grain());
    const { background, sigma, strong } = inkStatistics(noisy, 4);
    expect(background).toBeCloseTo(40, 0);
    // 10x (the sum of three uniforms - 1.5): standard deviation 10 * 0.5 = 5.
    expect(sigma).toBeGreaterThan(4);
    expect(sigma).toBeLessThan(6);
    expect(strong).toBeGreaterThan(190);
  });
  it('inkStatistics finds the strong ink of a small digit outnumbered by faint residue above the noise', () => {
    // A photo's worth of background (noise 1), faint shading left on a twentieth of it, 400 pixels of strokes.
    const rng = createRng(4);
    const values = Float32Array.from({ length: 300_000 }, (_, i) => 20 + (rng.next() - 0.5) * 3.4 + (i % 20 === 0 ? 15 : 0));
    for (let i = 0; i < 400; i++) values[1001 + 37 * i] = 150 + (i % 10);
    const { background, strong } = inkStatistics(values, 4);
    expect(background).toBeCloseTo(20, 0);
    // Without the peak check this is the residue's level (36.4, measured).
    expect(strong).toBeGreaterThan(150);
  });
});

describe('smoothLight', () => {
  it('finds the light of a sheet (slope and vignette) under dark strokes over a tenth of it, to within a gray level', () => {
    const [width, height] = [40, 30];
    const light = (x: number, y: number) => 200 - 60 * (x / width) - 80 * ((x / width - 0.5) ** 2 + (y / height - 0.5) ** 2);
    const data = new Float32Array(width * height);
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) data[y * width + x] = light(x, y) - (x % 10 === 3 ? 120 : 0);
    const fit = smoothLight({ data, width, height });
    let worst = 0;
    for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) worst = Math.max(worst, Math.abs(fit[y * width + x]! - light(x, y)));
    expect(worst).toBeLessThan(1);
  });
});
