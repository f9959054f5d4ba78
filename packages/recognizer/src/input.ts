// Checks a picture's size fields before anything is allocated, and reads browser pictures through a 2D canvas.
import { DigitkitError } from '@digitkit/core';
import type { PixelImage, RecognizeInput } from './types.js';

/** Pictures larger than this are refused: toMnistFormat's working copies of 50 megapixels already take ~0.5 GB. */
export const MAX_PIXELS = 50_000_000;
/** The most points `recognize`'s `strokes` may hold in all (each ink pixel is measured against every point). */
export const MAX_STROKE_POINTS = 10_000;
const CHANNELS = [1, 3, 4] as const;

const ACCEPTED =
  'recognize takes { data, width, height, channels? } (gray, RGB or RGBA bytes in a Uint8Array or Uint8ClampedArray; ImageData is one) ' +
  'or, in a browser, an HTMLCanvasElement, OffscreenCanvas or ImageBitmap';

/** The picture as checked pixel bytes with a known channel count. */
export function readPicture(image: RecognizeInput): Required<PixelImage> {
  if (image === null || typeof image !== 'object' || Array.isArray(image)) {
    throw new DigitkitError('BAD_IMAGE', `${ACCEPTED}; got ${describe(image)}.`);
  }
  // Encoded file bytes (a PNG or JPEG read from disk) are no picture yet.
  if (ArrayBuffer.isView(image) || image instanceof ArrayBuffer) {
    throw new DigitkitError('BAD_IMAGE', `${ACCEPTED}; got ${describe(image)} of ${image.byteLength} bytes. Decode a PNG or JPEG file to pixels first: readPictureFile(path) or decodePicture(bytes) from @digitkit/recognizer (sizes checked, phone photos turned upright).`);
  }
  const { width, height } = image;
  checkSize(width, height);
  if (image.data === undefined) return readDrawable(image, width, height);
  const { data } = image;
  if (!(data instanceof Uint8Array || data instanceof Uint8ClampedArray)) {
    throw new DigitkitError('BAD_IMAGE', `${ACCEPTED}; got data of type ${describe(data)}.`);
  }
  const pixels = width * height;
  const given = (image as PixelImage).channels;
  if (given !== undefined && !(CHANNELS as readonly unknown[]).includes(given)) {
    throw new DigitkitError('BAD_IMAGE', `channels must be 1 (gray), 3 (RGB) or 4 (RGBA), got ${describe(given)}.`);
  }
  const channels = given ?? (data.length / pixels as 1 | 3 | 4);
  if (data.length !== pixels * channels || !(CHANNELS as readonly number[]).includes(channels)) {
    const expected = given !== undefined ? `${pixels * given} bytes (channels=${given})` : CHANNELS.map((c) => pixels * c).join(', ') + ' bytes (gray, RGB, RGBA)';
    throw new DigitkitError('BAD_IMAGE', `A ${width}x${height} picture needs ${expected}, but data holds ${data.length}.`);
  }
  return { data, width, height, channels };
}

function checkSize(width: unknown, height: unknown): asserts width is number {
  if (!Number.isInteger(width) || !Number.isInteger(height) || (width as number) < 1 || (height as number) < 1) {
    throw new DigitkitError('BAD_IMAGE', `width and height must be positive integers, got ${describe(width)}x${describe(height)}.`);
  }
  const pixels = (width as number) * (height as number);
  if (pixels > MAX_PIXELS) {
    throw new DigitkitError(
      'IMAGE_TOO_LARGE',
      `A ${width}x${height} picture has ${pixels.toLocaleString('en')} pixels; recognize takes at most ${MAX_PIXELS.toLocaleString('en')} (${MAX_PIXELS / 1e6} megapixels). Scale it down first (a digit needs far fewer).`,
    );
  }
}

/** Browser picture kinds a 2D canvas can draw, by the global that names them (absent in Node). */
const DRAWABLE_KINDS = ['HTMLCanvasElement', 'OffscreenCanvas', 'ImageBitmap'] as const;

function readDrawable(image: object, width: number, height: number): Required<PixelImage> {
  const kind = DRAWABLE_KINDS.find((name) => {
    const type = (globalThis as Record<string, unknown>)[name];
    return typeof type === 'function' && image instanceof type;
  });
  if (!kind) throw new DigitkitError('BAD_IMAGE', `${ACCEPTED}; got ${describe(image)} without data.`);
  const canvas = scratchCanvas(width, height);
  const context = canvas.getContext('2d', { willReadFrequently: true }) as CanvasRenderingContext2D | OffscreenCanvasRenderingContext2D | null;
  if (!context) throw new DigitkitError('NO_CANVAS', 'recognize could not get a 2D canvas context to read the picture from.');
  context.clearRect(0, 0, width, height);
  context.drawImage(image as CanvasImageSource, 0, 0);
  const { data } = context.getImageData(0, 0, width, height);
  return { data, width, height, channels: 4 };
}

function scratchCanvas(width: number, height: number): OffscreenCanvas | HTMLCanvasElement {
  if (typeof OffscreenCanvas === 'function') return new OffscreenCanvas(width, height);
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  return canvas;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  if (Array.isArray(value)) return 'an array';
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return `a ${value.constructor.name}`;
  if (typeof value === 'object') return value.constructor === Object || !value.constructor ? 'a plain object' : `a ${value.constructor.name} object`;
  return typeof value;
}
