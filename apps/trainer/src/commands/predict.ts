import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { convertIndexedToRgb, decode } from 'fast-png';
import { DigitkitError } from '@digitkit/core';
import { createRecognizer, MAX_PIXELS, type PixelImage, type Recognition } from '@digitkit/recognizer';
import { ensureModelExists, loadData, percent, startBackend } from '../runtime.js';

interface PredictFlags {
  index?: number;
  modelDir: string;
  backend: string;
  data?: string;
  json?: boolean;
}

export async function predictCommand(image: string | undefined, flags: PredictFlags): Promise<void> {
  if ((image === undefined) === (flags.index === undefined)) {
    throw new DigitkitError('BAD_ARGUMENTS', 'Give either a PNG file or --index <n> (a test image), not both and not neither.');
  }
  const modelPath = await ensureModelExists(flags.modelDir);
  const picture = image !== undefined ? await readDigitPng(image) : undefined;
  // The CLI's backend wiring (with tfjs-node resolved from here) starts it; the recognizer then uses it as it is.
  await startBackend(flags.backend);
  const recognizer = await createRecognizer({ model: modelPath });

  let recognition: Recognition;
  let trueLabel: number | undefined;
  if (picture) {
    recognition = recognizer.recognize(picture.image);
    if (recognition.verdict === 'empty') throw new DigitkitError('EMPTY_IMAGE', `${picture.path} holds no digit (${recognition.reason}).`);
  } else {
    const { test } = await loadData(flags.data);
    const index = flags.index as number;
    if (index >= test.count) throw new DigitkitError('BAD_INDEX', `--index ${index} is out of range: the test set has ${test.count} images (0-${test.count - 1}).`);
    const size = test.height * test.width;
    recognition = recognizer.recognizeMnist(test.images.subarray(index * size, (index + 1) * size));
    trueLabel = test.labels[index];
  }
  recognizer.dispose();
  if (recognition.verdict === 'digits' || recognition.verdict === 'unsure') return void console.log(flags.json ? JSON.stringify(recognition.verdict === 'digits' ? { verdict: 'digits', digits: recognition.digits, confidences: recognition.pieces.map((p) => p.confidence) } : { verdict: 'unsure', reason: recognition.reason, guesses: recognition.guesses }) : recognition.verdict === 'digits' ? `predicted: the number ${recognition.digits.join('')} (${recognition.pieces.map((p) => `${p.label} ${percent(p.confidence, 1)}`).join(', ')})` : `not sure this is one digit: ${recognition.reason}`);
  if (recognition.verdict !== 'digit') throw new DigitkitError('NO_DIGIT', `The recognizer found no digit (${recognition.verdict}).`);
  const { label, probabilities } = recognition;
  if (flags.json) {
    console.log(JSON.stringify({ label, probabilities, ...(trueLabel !== undefined && { trueLabel }) }));
    return;
  }
  console.log(`predicted: ${label}${trueLabel !== undefined ? ` (true label: ${trueLabel})` : ''}`);
  probabilities.forEach((p, digit) => {
    console.log(`  ${digit}  ${'█'.repeat(Math.round(p * 40)).padEnd(40, '·')} ${percent(p, 1).padStart(6)}`);
  });
}

/** Width, height, bit depth and color type from a PNG's IHDR chunk, or undefined when the file does not start like a PNG. */
function pngHeader(bytes: Uint8Array): { width: number; height: number; depth: number; colorType: number } | undefined {
  const signature = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];
  if (bytes.length < 26 || signature.some((b, i) => bytes[i] !== b) || String.fromCharCode(...bytes.subarray(12, 16)) !== 'IHDR') return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, 26);
  return { width: view.getUint32(16), height: view.getUint32(20), depth: bytes[24]!, colorType: bytes[25]! };
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

/** Reads a PNG of a digit (any size, any polarity, any bit depth or palette) as 8-bit gray, RGB or RGBA pixels. */
async function readDigitPng(file: string): Promise<{ path: string; image: PixelImage }> {
  const path = resolve(file);
  let png: ReturnType<typeof decode>;
  try {
    const bytes = await readFile(path);
    // The header says how big the decoded picture will be: refuse a huge one before decoding allocates it.
    checkPngSize(path, bytes);
    png = decode(bytes);
  } catch (error) {
    if (error instanceof DigitkitError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code ? code : `not a readable PNG: ${(error as Error).message}`;
    throw new DigitkitError('BAD_IMAGE', `Cannot read ${path} (${why}).`, { cause: error });
  }
  if (png.palette) {
    const rgb = convertIndexedToRgb(png);
    return { path, image: { data: rgb, width: png.width, height: png.height, channels: (rgb.length / (png.width * png.height)) as 3 | 4 } };
  }
  if (png.depth < 8) throw new DigitkitError('BAD_IMAGE', `${path} is a ${png.depth}-bit PNG; save it with 8 bits per channel.`);
  const bytes = png.depth === 16 ? highBytes(png.data as Uint16Array) : (png.data as Uint8Array);
  // Gray + alpha is no layout the recognizer takes: spread it to RGBA.
  const data = png.channels === 2 ? grayAlphaToRgba(bytes) : bytes;
  const channels = (png.channels === 2 ? 4 : png.channels) as 1 | 3 | 4;
  return { path, image: { data, width: png.width, height: png.height, channels } };
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
