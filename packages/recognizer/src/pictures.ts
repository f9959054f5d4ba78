// PNG and JPEG files read as the pixels recognize takes, with every size checked before memory is taken for it: a 2 MB file
// may claim or inflate to gigabytes. fast-png and jpeg-js decode (pure JS, no native build); the checks are ours.
import { DigitkitError } from '@digitkit/core';
import { applyExifOrientation } from '@digitkit/preprocess';
import { MAX_PIXELS } from './input.js';

/** fast-png, jpeg-js, exif-reader and fflate's streaming inflater: what decodePicture reads files with. */
interface Decoders {
  png: typeof import('fast-png');
  jpeg: typeof import('jpeg-js');
  exifReader: typeof import('exif-reader');
  Unzlib: typeof import('fflate').Unzlib;
}
let loaded: Promise<Decoders> | undefined;

/**
 * The decoders, imported on first use: an app that never decodes a file never loads them, and a bundler puts them in a
 * chunk of their own (jpeg-js and exif-reader are CommonJS, which bundlers keep whole once imported at the top).
 */
function decoders(): Promise<Decoders> {
  loaded ??= Promise.all([import('fast-png'), import('jpeg-js'), import('exif-reader'), import('fflate')]).then(([png, jpeg, exif, fflate]) => ({
    png,
    jpeg: jpeg.default,
    exifReader: exif.default,
    Unzlib: fflate.Unzlib,
  }));
  return loaded;
}

/** A decoded picture: 8-bit gray, RGB or RGBA rows, upright; what `recognize` takes. */
export interface Picture {
  readonly data: Uint8Array;
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3 | 4;
}

export interface DecodePictureOptions {
  /** What to call the picture in errors (a file's path). Default "the picture". */
  name?: string;
  /** The most pixels a picture may have; larger ones are refused from their header. Default MAX_PIXELS (50 megapixels, the most `recognize` takes). */
  maxPixels?: number;
}

/**
 * Decodes a PNG (any bit depth, palette, alpha) or a JPEG (turned upright by its EXIF orientation, as browsers show
 * it) into 8-bit pixels. Refuses, with a DigitkitError that says what to do, anything else, a picture over
 * `maxPixels` (from its header, before decoding), a PNG whose pixel data inflates past what its header declares
 * (a decompression bomb), counted as it inflates, and a JPEG too short for its header's size or too large to decode
 * within a memory bound that grows with the file (checkJpegFrame).
 */
export async function decodePicture(file: Uint8Array | ArrayBuffer, options: DecodePictureOptions = {}): Promise<Picture> {
  const name = options.name ?? 'the picture';
  const maxPixels = checkedMaxPixels(options.maxPixels);
  if (!(file instanceof Uint8Array || file instanceof ArrayBuffer)) {
    throw new DigitkitError('BAD_IMAGE', `decodePicture takes a PNG or JPEG file's bytes, a Uint8Array (a Buffer is one) or an ArrayBuffer; got ${file === null ? 'null' : typeof file}.`);
  }
  const bytes = file instanceof ArrayBuffer ? new Uint8Array(file) : file;
  const format = FORMATS.find(({ magic }) => magic.every((b, i) => bytes[i] === b));
  if (!format) throw new DigitkitError('BAD_IMAGE', `${name} is neither a PNG nor a JPEG file. Save the picture as PNG or JPEG.`);
  const using = await decoders();
  try {
    return format.read(using, bytes, name, maxPixels);
  } catch (error) {
    if (error instanceof DigitkitError) throw error;
    // The decoders' own words, without the dangling colon some of them end on.
    const said = (error as Error).message.replace(/[\s:]+$/, '');
    throw new DigitkitError('BAD_IMAGE', `Cannot read ${name} (not a readable ${format.name}: ${said}).`, { cause: error });
  }
}

/** Reads and decodes a PNG or JPEG file (see decodePicture). Node only: node:fs is imported when it is called. */
export async function readPictureFile(path: string, options: Omit<DecodePictureOptions, 'name'> = {}): Promise<Picture> {
  let bytes: Uint8Array;
  try {
    bytes = await (await import('node:fs/promises')).readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a picture file' : (code ?? String(error));
    throw new DigitkitError('BAD_IMAGE', `Cannot read ${path} (${why}).`, { cause: error });
  }
  return decodePicture(bytes, { ...options, name: path });
}

function checkedMaxPixels(value: number | undefined): number {
  if (value === undefined) return MAX_PIXELS;
  if (!Number.isInteger(value) || value < 1) throw new DigitkitError('BAD_OPTION', `maxPixels must be a positive integer, got ${String(value)}.`);
  return value;
}

/** The picture formats read, by their first bytes. */
const FORMATS: readonly { name: string; magic: readonly number[]; read: (using: Decoders, bytes: Uint8Array, name: string, maxPixels: number) => Picture }[] = [
  { name: 'PNG', magic: [0x89, 0x50, 0x4e, 0x47], read: readPng },
  { name: 'JPEG', magic: [0xff, 0xd8, 0xff], read: readJpeg },
];

interface PngHeader {
  width: number;
  height: number;
  depth: number;
  colorType: number;
  interlaced: boolean;
}

/** Width, height, bit depth, color type and interlacing from a PNG's IHDR chunk, or undefined when it has none. */
function pngHeader(bytes: Uint8Array): PngHeader | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 29 || signature.some((b, i) => bytes[i] !== b) || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 29);
  return { width: view.getUint32(16), height: view.getUint32(20), depth: bytes[24]!, colorType: bytes[25]!, interlaced: bytes[28] === 1 };
}

/** Bytes per pixel at the largest stage of reading, per PNG color type (palette and gray+alpha are spread to RGBA). */
const BYTES_PER_PIXEL: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 4, 4: 4, 6: 4 };
/** Samples per pixel in a PNG's scanlines, per color type (gray, RGB, palette index, gray+alpha, RGBA). */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
/** Compressed bytes handed to the inflater at a time: at most ~1,032x that (1 MB) comes out before the count is checked. */
const INFLATE_STEP = 1024;

/** The most bytes one decoded picture may take: `maxPixels` of 8-bit RGBA. */
const maxDecodedBytes = (maxPixels: number) => maxPixels * 4;

/** Refuses, from the header alone, a PNG too large to decode (pixels, or bytes once decoded). */
function checkPngSize({ width, height, depth, colorType }: PngHeader, name: string, maxPixels: number): void {
  const maxBytes = maxDecodedBytes(maxPixels);
  const decoded = width * height * (BYTES_PER_PIXEL[colorType] ?? 4) * (depth === 16 ? 2 : 1);
  checkPixels(width, height, name, maxPixels);
  if (decoded <= maxBytes) return;
  throw tooLarge(name, width, height, `${depth}-bit, ${Math.round(decoded / 1e6)} MB once decoded; at most ${maxBytes / 1e6} MB are read`, ', or save it with 8 bits per channel');
}

/** Refuses a picture of more than `maxPixels` (from its header). */
function checkPixels(width: number, height: number, name: string, maxPixels: number): void {
  const pixels = width * height;
  if (pixels > maxPixels) throw tooLarge(name, width, height, `${(pixels / 1e6).toFixed(1)} megapixels; at most ${maxPixels / 1e6} are read`);
}

function tooLarge(name: string, width: number, height: number, why: string, otherFix = ''): DigitkitError {
  return new DigitkitError(
    'IMAGE_TOO_LARGE',
    `${name} is ${width}x${height} pixels (${why}) and was not decoded. Scale the picture down first${otherFix} (a digit needs far fewer pixels).`,
  );
}

/**
 * Refuses a PNG whose pixel data inflates to more than its header's size allows (a decompression bomb: 2 MB that
 * inflate to gigabytes). The decoder would inflate all of it before looking; this counts the inflated bytes a few
 * kilobytes of input at a time, keeping none, and stops at the limit.
 */
function checkPngInflates({ Unzlib }: Decoders, { width, height, depth, colorType }: PngHeader, bytes: Uint8Array, name: string): void {
  // One filter byte per row; Adam7's seven passes add at most a filter byte and a partial byte per row each.
  const rowBytes = Math.ceil((width * (PNG_CHANNELS[colorType] ?? 4) * depth) / 8);
  const limit = height * (rowBytes + 1) + 14 * height + 1024;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let inflated = 0;
  const inflater = new Unzlib((chunk) => {
    inflated += chunk.length;
  });
  try {
    for (let at = 8; at + 8 <= bytes.length && inflated <= limit; ) {
      const length = view.getUint32(at);
      const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
      if (type === 'IEND') break;
      if (type === 'IDAT') {
        const end = Math.min(bytes.length, at + 8 + length);
        for (let from = at + 8; from < end && inflated <= limit; from += INFLATE_STEP) inflater.push(bytes.subarray(from, Math.min(end, from + INFLATE_STEP)));
      }
      at += 12 + length;
    }
  } catch {
    // A corrupt stream is the decoder's to report, in its words.
  }
  if (inflated <= limit) return;
  throw new DigitkitError(
    'BAD_IMAGE',
    `${name} says it is ${width}x${height} pixels, but its pixel data inflates to more than the ${limit.toLocaleString('en')} bytes that size needs, and was not decoded. Save the picture again with an image editor.`,
  );
}

/** Reads a PNG (any bit depth or palette) once its layout is readable and its size and pixel data within bounds. */
function readPng(using: Decoders, bytes: Uint8Array, name: string, maxPixels: number): Picture {
  const { decode, convertIndexedToRgb } = using.png;
  const header = pngHeader(bytes);
  if (header) {
    // fast-png reads packed (1-4 bit) interlaced rows scrambled: Adam7 passes a byte per pixel.
    if (header.depth < 8 && header.interlaced) {
      throw new DigitkitError('BAD_IMAGE', `${name} is an interlaced ${header.depth}-bit PNG, which cannot be read. Save it again without interlacing, or with 8 bits per channel.`);
    }
    checkPngSize(header, name, maxPixels);
    checkPngInflates(using, header, bytes, name);
  }
  const png = decode(bytes);
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    return { data: rgb, width: png.width, height: png.height, channels: (rgb.length / (png.width * png.height)) as 3 | 4 };
  }
  const samples = png.depth === 16 ? highBytes(png.data as Uint16Array) : png.depth < 8 ? unpackedGray(png.data as Uint8Array, png.width, png.height, png.depth) : (png.data as Uint8Array);
  // Gray + alpha is no layout the recognizer takes: spread it to RGBA.
  const data = png.channels === 2 ? grayAlphaToRgba(samples) : samples;
  return { data, width: png.width, height: png.height, channels: (png.channels === 2 ? 4 : png.channels) as 1 | 3 | 4 };
}

/**
 * A 1-, 2- or 4-bit gray PNG (a scanner's black-and-white page) as 8-bit gray: fast-png hands such rows over packed,
 * several pixels to a byte, each row starting on a whole byte. Levels spread over 0-255 (1-bit: 0 and 255).
 */
function unpackedGray(packed: Uint8Array, width: number, height: number, depth: number): Uint8Array {
  const [rowBytes, perByte, top] = [Math.ceil((width * depth) / 8), 8 / depth, (1 << depth) - 1];
  const out = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const byte = packed[y * rowBytes + Math.floor(x / perByte)]!;
      const shift = 8 - depth * ((x % perByte) + 1);
      out[y * width + x] = Math.round((((byte >> shift) & top) * 255) / top);
    }
  }
  return out;
}

// A plain loop: Uint8Array.from with a map function over 100M+ samples ran out of heap.
function highBytes(samples: Uint16Array): Uint8Array {
  const out = new Uint8Array(samples.length);
  for (let i = 0; i < samples.length; i++) out[i] = samples[i]! >> 8;
  return out;
}

function grayAlphaToRgba(bytes: Uint8Array): Uint8Array {
  const rgba = new Uint8Array((bytes.length / 2) * 4);
  for (let i = 0, j = 0; i < bytes.length; i += 2, j += 4) {
    rgba[j] = rgba[j + 1] = rgba[j + 2] = bytes[i] as number;
    rgba[j + 3] = bytes[i + 1] as number;
  }
  return rgba;
}

/**
 * Reads a JPEG as RGBA, upright (see exifOrientation), once its frame header passes checkJpegFrame; jpeg-js's own
 * memory limit, set to the same bound, backs the check up.
 */
function readJpeg({ jpeg, exifReader }: Decoders, bytes: Uint8Array, name: string, maxPixels: number): Picture {
  const frame = jpegFrame(bytes);
  const memoryLimit = jpegMemoryLimit(bytes.length, maxPixels);
  if (frame) checkJpegFrame(frame, bytes.length, name, maxPixels, memoryLimit);
  let decoded: { width: number; height: number; data: Uint8Array; exifBuffer?: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: maxPixels / 1e6, maxMemoryUsageInMB: memoryLimit / MB });
  } catch (error) {
    // Reached only where checkJpegFrame could not read the frame header and jpeg-js could.
    if (/maxResolutionInMP|maxMemoryUsageInMB/.test((error as Error).message)) {
      throw new DigitkitError('IMAGE_TOO_LARGE', `${name} is a JPEG too large to decode (over ${maxPixels / 1e6} megapixels, or ${Math.round(memoryLimit / MB)} MB) and was not decoded. Scale the picture down first (a digit needs far fewer pixels).`);
    }
    throw error;
  }
  const stored = { data: decoded.data, width: decoded.width, height: decoded.height, channels: 4 as const };
  return applyExifOrientation(stored, exifOrientation(exifReader, decoded.exifBuffer)) as Picture;
}

/** jpeg-js counts memory in these. */
const MB = 1024 * 1024;

/**
 * The most memory jpeg-js may take for one file: what `maxPixels` of RGBA take plus 64 MB, or 256 bytes per byte of the
 * file when that is more. jpeg-js holds every 8x8 block's coefficients as 32-bit numbers, about 20 bytes a pixel in all:
 * a 24-megapixel phone photo (3 MB or more) needs some 350 MB, while a small file that claims a large frame stays bounded.
 */
const jpegMemoryLimit = (fileBytes: number, maxPixels: number) => Math.max(maxDecodedBytes(maxPixels) + 64 * MB, 256 * fileBytes);

interface JpegFrame {
  width: number;
  height: number;
  /** Each component's horizontal and vertical sampling factors. */
  sampling: { h: number; v: number }[];
  /** Huffman-coded (every block takes a bit at least), not arithmetic-coded. */
  huffman: boolean;
}

/** Start-of-frame markers (every coding process; 0xc4, 0xc8 and 0xcc are other segments). */
const JPEG_FRAME_MARKERS = new Set([0xc0, 0xc1, 0xc2, 0xc3, 0xc5, 0xc6, 0xc7, 0xc9, 0xca, 0xcb, 0xcd, 0xce, 0xcf]);

/** A JPEG's frame header (size and sampling), or undefined when the segments before the first scan hold none readable. */
function jpegFrame(bytes: Uint8Array): JpegFrame | undefined {
  let at = 2;
  while (at + 4 <= bytes.length && bytes[at] === 0xff) {
    const marker = bytes[at + 1]!;
    // Fill bytes, and markers without a length (restart markers, a second SOI).
    if (marker === 0xff) at += 1;
    else if ((marker >= 0xd0 && marker <= 0xd8) || marker === 0x01) at += 2;
    else if (marker === 0xda || marker === 0xd9) return undefined;
    else if (JPEG_FRAME_MARKERS.has(marker)) {
      const count = bytes[at + 9] ?? 0;
      if (at + 10 + 3 * count > bytes.length) return undefined;
      const sampling = Array.from({ length: count }, (_, k) => ({ h: bytes[at + 11 + 3 * k]! >> 4, v: bytes[at + 11 + 3 * k]! & 15 }));
      return { height: (bytes[at + 5]! << 8) | bytes[at + 6]!, width: (bytes[at + 7]! << 8) | bytes[at + 8]!, sampling, huffman: marker < 0xc8 };
    } else at += 2 + ((bytes[at + 2]! << 8) | bytes[at + 3]!);
  }
  return undefined;
}

/**
 * Refuses, from the frame header, a JPEG over `maxPixels`, one shorter than its size allows (each 8x8 block of a
 * Huffman-coded picture takes at least one bit: a 700-byte file that says 5000x5000 is damaged or hostile, and jpeg-js would take
 * 400 MB for it), and one that jpeg-js would need more than `memoryLimit` bytes to decode.
 */
function checkJpegFrame({ width, height, sampling, huffman }: JpegFrame, fileBytes: number, name: string, maxPixels: number, memoryLimit: number): void {
  // Sampling factors outside 1-4, or a zero size: the decoder's to report.
  if (width === 0 || height === 0 || sampling.length === 0 || sampling.some(({ h, v }) => h < 1 || h > 4 || v < 1 || v > 4)) return;
  checkPixels(width, height, name, maxPixels);
  const [columns, rows] = [Math.ceil(width / 8), Math.ceil(height / 8)];
  if (huffman && columns * rows > 8 * fileBytes) {
    throw new DigitkitError(
      'BAD_IMAGE',
      `${name} says it is ${width}x${height} pixels, but a JPEG that size takes at least ${Math.ceil((columns * rows) / 8).toLocaleString('en')} bytes and it has ${fileBytes.toLocaleString('en')}: it is damaged or cut short, and was not decoded. Save the picture again.`,
    );
  }
  // jpeg-js's own count: the 8x8 blocks of whole MCUs at 256 bytes each, every component's samples, all of them again, RGBA.
  const [maxH, maxV] = [Math.max(...sampling.map((s) => s.h)), Math.max(...sampling.map((s) => s.v))];
  const wholeMcuBlocks = sampling.reduce((sum, { h, v }) => sum + Math.ceil(columns / maxH) * h * Math.ceil(rows / maxV) * v, 0);
  const pictureBlocks = sampling.reduce((sum, { h, v }) => sum + Math.ceil((columns * h) / maxH) * Math.ceil((rows * v) / maxV), 0);
  const needed = wholeMcuBlocks * 256 + pictureBlocks * 64 + width * height * (sampling.length + 4) + MB + fileBytes;
  if (needed <= memoryLimit) return;
  throw tooLarge(name, width, height, `about ${Math.round(needed / MB)} MB to decode; at most ${Math.round(memoryLimit / MB)} MB are taken for a ${(fileBytes / MB).toFixed(1)} MB file`);
}

/**
 * The EXIF orientation (1-8) a JPEG's APP1 segment gives, 1 when it has none or it cannot be read: a phone stores a
 * photo taken upright on its side and says so there, and a sideways 7 is no 7. Read with exif-reader (small, kept up,
 * both byte orders) rather than a TIFF walker of our own; it reads a Node Buffer, so in a browser (whose own decoders
 * turn photos upright) the orientation is not read. jpeg-js hands over the segment from its sixth byte, the padding
 * byte after "Exif".
 */
function exifOrientation(exifReader: Decoders['exifReader'], segment: Uint8Array | undefined): number {
  const NodeBuffer = (globalThis as { Buffer?: typeof Buffer }).Buffer;
  if (!segment || segment.length < 2 || !NodeBuffer) return 1;
  try {
    const orientation = exifReader(NodeBuffer.from(segment.buffer, segment.byteOffset + 1, segment.length - 1)).Image?.Orientation;
    return Number.isInteger(orientation) && orientation! >= 1 && orientation! <= 8 ? orientation! : 1;
  } catch {
    // Damaged metadata over good pixels: show them as stored, as browsers do.
    return 1;
  }
}
