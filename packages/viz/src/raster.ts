// RGBA pixel buffers, the few drawing operations the pictures need, and PNG encoding.
import { encode } from 'fast-png';
import { DigitkitError } from '@digitkit/core';

/** An RGBA picture: `width * height * 4` bytes, row-major, 8 bits per channel. */
export interface RasterImage {
  readonly width: number;
  readonly height: number;
  readonly rgba: Uint8ClampedArray;
}

/** A colour as [red, green, blue], each 0-255. */
export type Rgb = readonly [number, number, number];

/** A blank picture filled with one colour (opaque). */
export function createRaster(width: number, height: number, background: Rgb = [255, 255, 255]): RasterImage {
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1) {
    throw new DigitkitError('INVALID_ARGUMENT', `A picture needs a positive integer size, got ${width}x${height}.`);
  }
  const rgba = new Uint8ClampedArray(width * height * 4);
  const [r, g, b] = background;
  for (let i = 0; i < rgba.length; i += 4) {
    rgba[i] = r;
    rgba[i + 1] = g;
    rgba[i + 2] = b;
    rgba[i + 3] = 255;
  }
  return { width, height, rgba };
}

/** Fills a rectangle, clipped to the picture. */
export function fillRect(image: RasterImage, x: number, y: number, w: number, h: number, color: Rgb): void {
  const x0 = Math.max(0, Math.floor(x));
  const y0 = Math.max(0, Math.floor(y));
  const x1 = Math.min(image.width, Math.floor(x + w));
  const y1 = Math.min(image.height, Math.floor(y + h));
  const [r, g, b] = color;
  const { rgba, width } = image;
  for (let yy = y0; yy < y1; yy++) {
    let i = (yy * width + x0) * 4;
    for (let xx = x0; xx < x1; xx++, i += 4) {
      rgba[i] = r;
      rgba[i + 1] = g;
      rgba[i + 2] = b;
      rgba[i + 3] = 255;
    }
  }
}

/** Draws a frame `thickness` pixels wide just outside the rectangle (x, y, w, h). */
export function strokeRectOutside(image: RasterImage, x: number, y: number, w: number, h: number, thickness: number, color: Rgb): void {
  fillRect(image, x - thickness, y - thickness, w + 2 * thickness, thickness, color);
  fillRect(image, x - thickness, y + h, w + 2 * thickness, thickness, color);
  fillRect(image, x - thickness, y, thickness, h, color);
  fillRect(image, x + w, y, thickness, h, color);
}

/**
 * Copies a grayscale image (`pixels[offset ..]`, `srcWidth x srcHeight` bytes) into the picture at
 * (x, y), each source pixel becoming a `scale x scale` square (nearest neighbour keeps digits crisp).
 */
export function drawGray(
  image: RasterImage,
  pixels: Uint8Array,
  offset: number,
  srcWidth: number,
  srcHeight: number,
  x: number,
  y: number,
  scale: number,
): void {
  const { rgba, width } = image;
  for (let sy = 0; sy < srcHeight; sy++) {
    for (let dy = 0; dy < scale; dy++) {
      const ty = y + sy * scale + dy;
      if (ty < 0 || ty >= image.height) continue;
      let i = (ty * width + x) * 4;
      const rowStart = offset + sy * srcWidth;
      for (let sx = 0; sx < srcWidth; sx++) {
        const v = pixels[rowStart + sx]!;
        for (let dx = 0; dx < scale; dx++, i += 4) {
          rgba[i] = v;
          rgba[i + 1] = v;
          rgba[i + 2] = v;
          rgba[i + 3] = 255;
        }
      }
    }
  }
}

/** Encodes a picture as PNG bytes (8-bit RGBA). */
export function encodePng(image: RasterImage): Uint8Array {
  const { width, height, rgba } = image;
  if (!Number.isInteger(width) || !Number.isInteger(height) || width < 1 || height < 1 || rgba?.length !== width * height * 4) {
    throw new DigitkitError(
      'BAD_IMAGE',
      `encodePng needs width * height * 4 RGBA bytes; got ${rgba?.length ?? 'no'} bytes for ${width}x${height}.`,
    );
  }
  // fast-png takes any typed array of bytes; a Uint8Array view avoids copying.
  return encode({ width, height, data: new Uint8Array(rgba.buffer, rgba.byteOffset, rgba.length), channels: 4, depth: 8 });
}

const BASE64_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 of some bytes; the same code in Node and the browser (no Buffer, no btoa). */
export function toBase64(bytes: Uint8Array): string {
  const parts: string[] = [];
  let chunk = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    chunk +=
      BASE64_ALPHABET[n >>> 18]! + BASE64_ALPHABET[(n >>> 12) & 63]! + BASE64_ALPHABET[(n >>> 6) & 63]! + BASE64_ALPHABET[n & 63]!;
    // Flush in pieces so very large images do not build one huge rope string.
    if (chunk.length >= 65536) {
      parts.push(chunk);
      chunk = '';
    }
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    chunk += BASE64_ALPHABET[n >>> 18]! + BASE64_ALPHABET[(n >>> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    chunk += BASE64_ALPHABET[n >>> 18]! + BASE64_ALPHABET[(n >>> 12) & 63]! + BASE64_ALPHABET[(n >>> 6) & 63]! + '=';
  }
  parts.push(chunk);
  return parts.join('');
}

/** A `data:image/png;base64,…` URI for a picture, for <img src> and SVG <image href>. */
export function pngDataUri(image: RasterImage): string {
  return `data:image/png;base64,${toBase64(encodePng(image))}`;
}
