import { decode } from 'fast-png';
import { describe, expect, it } from 'vitest';
import { DigitkitError } from '@digitkit/core';
import { createRaster, encodePng, fillRect, pngDataUri, toBase64 } from './raster.js';

describe('encodePng', () => {
  it('round-trips size and pixels through fast-png', () => {
    const image = createRaster(7, 5, [10, 20, 30]);
    fillRect(image, 2, 1, 3, 2, [200, 0, 100]);
    const decoded = decode(encodePng(image));
    expect([decoded.width, decoded.height, decoded.channels, decoded.depth]).toEqual([7, 5, 4, 8]);
    expect(Array.from(decoded.data)).toEqual(Array.from(image.rgba));
    const at = (x: number, y: number) => Array.from(decoded.data.slice((y * 7 + x) * 4, (y * 7 + x) * 4 + 4));
    expect(at(0, 0)).toEqual([10, 20, 30, 255]);
    expect(at(3, 2)).toEqual([200, 0, 100, 255]);
    expect(at(3, 3)).toEqual([10, 20, 30, 255]);
  });

  it('refuses a buffer that does not match the size', () => {
    const bad = { width: 4, height: 4, rgba: new Uint8ClampedArray(10) };
    expect(() => encodePng(bad)).toThrow(DigitkitError);
    expect(() => encodePng(bad)).toThrow(/4x4.*10 bytes|10 bytes for 4x4/);
  });
});

describe('toBase64', () => {
  it('matches Node for every tail length and for large input', () => {
    for (let n = 0; n < 12; n++) {
      const bytes = Uint8Array.from({ length: n }, (_, i) => (i * 97 + 13) & 255);
      expect(toBase64(bytes)).toBe(Buffer.from(bytes).toString('base64'));
    }
    const big = Uint8Array.from({ length: 200_003 }, (_, i) => (i * 31) & 255);
    expect(toBase64(big)).toBe(Buffer.from(big).toString('base64'));
  });

  it('makes data URIs that decode back to the PNG', () => {
    const uri = pngDataUri(createRaster(3, 2));
    expect(uri.startsWith('data:image/png;base64,')).toBe(true);
    const png = decode(Buffer.from(uri.slice('data:image/png;base64,'.length), 'base64'));
    expect([png.width, png.height]).toEqual([3, 2]);
  });
});
