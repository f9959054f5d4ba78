import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createInflate } from 'node:zlib';
import { convertIndexedToRgb, decode } from 'fast-png';
import exifReader from 'exif-reader';
import jpeg from 'jpeg-js';
import { DigitkitError } from '@digitkit/core';
import { applyExifOrientation } from '@digitkit/preprocess';
import { createRecognizer, MAX_PIXELS, type PixelImage, type Recognition, type ShippedModelName } from '@digitkit/recognizer';
import { classNamesOfModel } from '../classes.js';
import { count, percent, table } from '../format.js';
import { SHIPPED_HINT, ensureModelExists, loadData, printJson, startBackend } from '../runtime.js';

interface PredictFlags {
  index?: number[];
  modelDir: string;
  /** A shipped model instead of --model-dir (commander refuses both). */
  model?: ShippedModelName;
  /** The recognizer's minSureness instead of the model's default. */
  minSureness?: number;
  backend: string;
  data?: string;
  classes?: string[];
  json?: boolean;
}

/** One input's answer, as `--json` prints it. */
interface Answer {
  /** The file as given, or the 0-based test index. */
  input: { file: string } | { index: number };
  /** 'digit' with a label; anything else (e.g. 'empty') says why there is none. */
  verdict: string;
  label?: number;
  className?: string;
  confidence?: number;
  probabilities?: readonly number[];
  reason?: string;
  trueLabel?: number;
  trueClassName?: string;
}

export async function predictCommand(images: string[], flags: PredictFlags): Promise<void> {
  const indices = flags.index ?? [];
  if (images.length === 0 && indices.length === 0) {
    throw new DigitkitError('BAD_ARGUMENTS', 'Give one or more PNG or JPEG files, or --index <n...> (0-based test-set indices), or both.');
  }
  // A shipped model answers with its full verdicts (stroke views and the other shipped model's second opinion).
  const modelPath = flags.model ?? (await ensureModelExists(flags.modelDir, SHIPPED_HINT));
  // Every picture is read (and size-checked) before the model loads: a bad file fails fast.
  const pictures = [];
  for (const image of images) pictures.push(await readPicture(image));
  // The CLI's backend wiring (with tfjs-node resolved from here) starts it; the recognizer then uses it as it is.
  await startBackend(flags.backend);
  const recognizer = await createRecognizer({ model: modelPath, ...(flags.minSureness === undefined ? {} : { verdicts: { minSureness: flags.minSureness } }) });
  const { names: classNames } = await classNamesOfModel(recognizer.model, flags);
  const answer = (input: Answer['input'], recognition: Recognition, trueLabel?: number): Answer => {
    const truth = trueLabel !== undefined ? { trueLabel, trueClassName: classNames[trueLabel] } : {};
    if (recognition.verdict === 'digits') return { input, verdict: 'digits', reason: `several digits: the number ${recognition.digits.join('')} (${recognition.pieces.map((p) => `${p.label} ${percent(p.confidence, 1)}`).join(', ')})`, ...truth };
    if (recognition.verdict === 'unsure') {
      // Not sure is still an answer: the best guess, marked, with the reason (a model of your own is often unsure).
      const { label } = recognition.guesses[0]!;
      const { probabilities, reason } = recognition;
      return { input, verdict: 'unsure', reason, label, className: classNames[label], confidence: probabilities[label], probabilities, ...truth };
    }
    if (recognition.verdict === 'empty') return { input, verdict: 'empty', reason: recognition.reason, ...truth };
    const { label, confidence, probabilities } = recognition;
    return { input, verdict: 'digit', label, className: classNames[label], confidence, probabilities, ...truth };
  };

  const answers: Answer[] = pictures.map((picture) => answer({ file: picture.file }, recognizer.recognize(picture.image)));
  if (indices.length > 0) {
    const { test } = await loadData(flags.data);
    const size = test.height * test.width;
    for (const index of indices) {
      if (index >= test.count) throw new DigitkitError('BAD_INDEX', `--index ${index} is out of range: the test set has ${count(test.count)} images (0-${test.count - 1}).`);
      answers.push(answer({ index }, recognizer.recognizeMnist(test.images.subarray(index * size, (index + 1) * size)), test.labels[index]));
    }
  }
  recognizer.dispose();
  // Only a picture with no ink at all has no answer; 'unsure' and 'digits' are answers.
  const unanswered = answers.filter((a) => a.verdict === 'empty');
  if (flags.json) printJson({ model: modelPath, classNames, predictions: answers });
  else printAnswers(answers, classNames);
  if (unanswered.length > 0) {
    throw new DigitkitError(
      answers.length === 1 && unanswered[0]!.verdict === 'empty' ? 'EMPTY_IMAGE' : 'NO_DIGIT',
      unanswered.map((a) => `${inputName(a.input)} holds no ${classNames.length === 10 && classNames[0] === '0' ? 'digit' : 'answer'} (${a.reason}).`).join(' '),
    );
  }
}

function inputName(input: Answer['input']): string {
  return 'file' in input ? input.file : `test image ${input.index}`;
}

/** One input: its probabilities as bars. Several: one row each. */
function printAnswers(answers: readonly Answer[], classNames: readonly string[]): void {
  if (answers.length === 1 && answers[0]!.probabilities) {
    const [only] = answers as [Answer];
    const truth = only.trueLabel !== undefined ? ` (true label: ${only.trueClassName})` : '';
    const unsure = only.verdict === 'unsure' ? ` (not sure: ${only.reason})` : '';
    console.log(`predicted: ${only.className}${unsure}${truth}`);
    const width = Math.max(...classNames.map((name) => name.length));
    only.probabilities!.forEach((p, c) => {
      console.log(`  ${(classNames[c] ?? String(c)).padEnd(width)}  ${'█'.repeat(Math.round(p * 40)).padEnd(40, '·')} ${percent(p, 1).padStart(6)}`);
    });
    return;
  }
  const rows = answers.map((a) => [
    inputName(a.input),
    a.verdict === 'unsure' ? `${a.className} (not sure)` : (a.className ?? `(${a.verdict})`),
    a.confidence !== undefined ? percent(a.confidence, 1) : '',
    a.trueClassName ?? '',
    a.trueLabel === undefined || a.label === undefined ? '' : a.trueLabel === a.label ? 'right' : 'WRONG',
  ]);
  console.log(table(['input', 'predicted', 'confidence', 'true', ''], rows, ['left', 'left', 'right', 'left', 'left']));
}

/** Width, height, bit depth, color type and interlacing from a PNG's IHDR chunk, or undefined when the file does not start like a PNG. */
function pngHeader(bytes: Uint8Array): { width: number; height: number; depth: number; colorType: number; interlaced: boolean } | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 26 || signature.some((b, i) => bytes[i] !== b) || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 26);
  return { width: view.getUint32(16), height: view.getUint32(20), depth: bytes[24]!, colorType: bytes[25]!, interlaced: bytes[28] === 1 };
}

/** Bytes per pixel at the largest stage of reading, per PNG color type (palette and gray+alpha are spread to RGBA). */
const BYTES_PER_PIXEL: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 4, 4: 4, 6: 4 };
/** The most memory one decoded picture may take: MAX_PIXELS of 8-bit RGBA. */
const MAX_DECODED_BYTES = MAX_PIXELS * 4;

/** Refuses, from the header alone, a PNG too large to decode (pixels, or bytes once decoded). */
function checkPngSize(path: string, bytes: Uint8Array): void {
  const header = pngHeader(bytes);
  if (!header) return;
  const { width, height, depth, colorType } = header;
  const pixels = width * height;
  const decoded = pixels * (BYTES_PER_PIXEL[colorType] ?? 4) * (depth === 16 ? 2 : 1);
  if (pixels <= MAX_PIXELS && decoded <= MAX_DECODED_BYTES) return;
  const why =
    pixels > MAX_PIXELS
      ? `${(pixels / 1e6).toFixed(1)} megapixels; digitkit predict takes at most ${MAX_PIXELS / 1e6}`
      : `${depth}-bit, ${Math.round(decoded / 1e6)} MB once decoded; digitkit predict takes at most ${MAX_DECODED_BYTES / 1e6} MB`;
  throw new DigitkitError(
    'IMAGE_TOO_LARGE',
    `${path} is ${width}x${height} pixels (${why}) and was not decoded. Scale the picture down first, or save it ` +
      'with 8 bits per channel (a digit needs far fewer pixels).',
  );
}

/** Samples per pixel in a PNG's scanlines, per color type (gray, RGB, palette index, gray+alpha, RGBA). */
const PNG_CHANNELS: Readonly<Record<number, number>> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/**
 * Refuses a PNG whose pixel data inflates to more than its header's size allows (a decompression bomb: 2 MB that
 * inflate to gigabytes). The decoder would inflate all of it before looking; this counts the inflated bytes as they
 * stream past, keeping none, and stops at the limit.
 */
async function checkPngInflates(path: string, bytes: Uint8Array): Promise<void> {
  const header = pngHeader(bytes);
  if (!header) return;
  const { width, height, depth, colorType } = header;
  // One filter byte per row; Adam7's seven passes add at most a filter byte and a partial byte per row each.
  const rowBytes = Math.ceil((width * (PNG_CHANNELS[colorType] ?? 4) * depth) / 8);
  const limit = height * (rowBytes + 1) + 14 * height + 1024;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const parts: Uint8Array[] = [];
  for (let at = 8; at + 8 <= bytes.length; ) {
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (type === 'IDAT') parts.push(bytes.subarray(at + 8, Math.min(bytes.length, at + 8 + length)));
    if (type === 'IEND') break;
    at += 12 + length;
  }
  let inflated = 0;
  const count = new Writable({
    write(chunk: Buffer, _encoding, done) {
      inflated += chunk.length;
      done(inflated > limit ? new Error('over the limit') : null);
    },
  });
  // A corrupt stream is the decoder's to report, in its words.
  await pipeline(Readable.from(parts), createInflate(), count).catch(() => undefined);
  if (inflated <= limit) return;
  throw new DigitkitError(
    'BAD_IMAGE',
    `${path} says it is ${width}x${height} pixels, but its pixel data inflates to more than the ${limit.toLocaleString('en')} bytes that size needs, and was not decoded. Save the picture again with an image editor.`,
  );
}

/** Refuses, from the header alone, a PNG fast-png would read scrambled: packed pixels (1-4 bits), interlaced (it reads
 * Adam7 passes a byte per pixel). */
function checkPngLayout(path: string, bytes: Uint8Array): void {
  const header = pngHeader(bytes);
  if (!header || header.depth >= 8 || !header.interlaced) return;
  throw new DigitkitError('BAD_IMAGE', `${path} is an interlaced ${header.depth}-bit PNG, which digitkit predict cannot read. Save it again without interlacing, or with 8 bits per channel.`);
}

/** A PNG's layout and size from its header, then what its pixel data inflates to: all before anything is decoded. */
async function checkPng(path: string, bytes: Uint8Array): Promise<void> {
  checkPngLayout(path, bytes);
  checkPngSize(path, bytes);
  await checkPngInflates(path, bytes);
}

/** The picture formats predict reads, by their first bytes. */
const FORMATS: readonly {
  name: string;
  magic: readonly number[];
  /** Checks that need to stream (before read, which decodes at once). */
  check?: (path: string, bytes: Uint8Array) => Promise<void>;
  read: (path: string, bytes: Uint8Array) => PixelImage;
}[] = [
  { name: 'PNG', magic: [0x89, 0x50, 0x4e, 0x47], check: checkPng, read: readPng },
  { name: 'JPEG', magic: [0xff, 0xd8, 0xff], read: readJpeg },
];

/** Reads a PNG or JPEG of a digit (any size, any polarity) as 8-bit gray, RGB or RGBA pixels; `file` is kept as given. */
async function readPicture(file: string): Promise<{ file: string; image: PixelImage }> {
  const path = resolve(file);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'a directory, not a picture file' : (code ?? String(error));
    throw new DigitkitError('BAD_IMAGE', `Cannot read ${path} (${why}).`, { cause: error });
  }
  const format = FORMATS.find(({ magic }) => magic.every((b, i) => bytes[i] === b));
  if (!format) throw new DigitkitError('BAD_IMAGE', `${path} is neither a PNG nor a JPEG file. Save the picture as PNG or JPEG.`);
  try {
    await format.check?.(path, bytes);
    return { file, image: format.read(path, bytes) };
  } catch (error) {
    if (error instanceof DigitkitError) throw error;
    // The decoders' own words, without the dangling colon some of them end on.
    const said = (error as Error).message.replace(/[\s:]+$/, '');
    throw new DigitkitError('BAD_IMAGE', `Cannot read ${path} (not a readable ${format.name}: ${said}).`, { cause: error });
  }
}

/**
 * Reads a JPEG as RGBA, upright (see exifOrientation); jpeg-js refuses one over MAX_PIXELS from its frame header, before
 * it allocates the pixels.
 */
function readJpeg(path: string, bytes: Uint8Array): PixelImage {
  let decoded: { width: number; height: number; data: Uint8Array; exifBuffer?: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: true, maxResolutionInMP: MAX_PIXELS / 1e6, maxMemoryUsageInMB: MAX_DECODED_BYTES / 1e6 + 64 });
  } catch (error) {
    if (/maxResolutionInMP|maxMemoryUsageInMB/.test((error as Error).message)) {
      throw new DigitkitError(
        'IMAGE_TOO_LARGE',
        `${path} is a JPEG of more than ${MAX_PIXELS / 1e6} megapixels (the most digitkit predict takes) and was not decoded. Scale the picture down first (a digit needs far fewer pixels).`,
      );
    }
    throw error;
  }
  const stored = { data: decoded.data, width: decoded.width, height: decoded.height, channels: 4 as const };
  return applyExifOrientation(stored, exifOrientation(decoded.exifBuffer)) as PixelImage;
}

/**
 * The EXIF orientation (1-8) a JPEG's APP1 segment gives, 1 when it has none or it cannot be read: a phone stores a
 * photo taken upright on its side and says so there, and a sideways 7 is no 7. Read with exif-reader (small, kept up,
 * both byte orders) rather than a TIFF walker of our own. jpeg-js hands over the segment from its sixth byte, the
 * padding byte after "Exif".
 */
function exifOrientation(segment: Uint8Array | undefined): number {
  if (!segment || segment.length < 2) return 1;
  try {
    const orientation = exifReader(Buffer.from(segment.buffer, segment.byteOffset + 1, segment.length - 1)).Image?.Orientation;
    return Number.isInteger(orientation) && orientation! >= 1 && orientation! <= 8 ? orientation! : 1;
  } catch {
    // Damaged metadata over good pixels: show them as stored, as browsers do.
    return 1;
  }
}

/** Reads a PNG (any bit depth or palette), once checkPng has found its layout readable, its size and its pixel data within bounds. */
function readPng(path: string, bytes: Uint8Array): PixelImage {
  const png = decode(bytes);
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    return { data: rgb, width: png.width, height: png.height, channels: (rgb.length / (png.width * png.height)) as 3 | 4 };
  }
  const samples = png.depth === 16 ? highBytes(png.data as Uint16Array) : png.depth < 8 ? unpackedGray(png.data as Uint8Array, png.width, png.height, png.depth) : (png.data as Uint8Array);
  // Gray + alpha is no layout the recognizer takes: spread it to RGBA.
  const data = png.channels === 2 ? grayAlphaToRgba(samples) : samples;
  const channels = (png.channels === 2 ? 4 : png.channels) as 1 | 3 | 4;
  return { data, width: png.width, height: png.height, channels };
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
