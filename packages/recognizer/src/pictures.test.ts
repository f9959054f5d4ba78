import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { DigitkitError } from '@digitkit/core';
import { encode } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { withExifOrientation } from '@digitkit/testkit';
import { decodePicture, MAX_PIXELS, readPictureFile } from './index.js';

/** A 6x4 picture whose every pixel differs: a turn or a mix-up of channels shows. */
const [W, H] = [6, 4];
const gray = Uint8Array.from({ length: W * H }, (_, i) => i * 10);
const rgba = Uint8Array.from({ length: W * H * 4 }, (_, i) => (i % 4 === 3 ? 255 : (i * 7) % 256));

/** A PNG of the given chunks (each CRC computed), after the signature. */
function png(chunks: [string, Uint8Array][]): Uint8Array {
  const parts = chunks.map(([type, data]) => {
    const out = new Uint8Array(12 + data.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, data.length);
    out.set(Buffer.from(type, 'latin1'), 4);
    out.set(data, 8);
    view.setUint32(8 + data.length, crc32(Buffer.concat([Buffer.from(type, 'latin1'), data])));
    return out;
  });
  return Buffer.concat([Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), ...parts]);
}

/** An 8-bit gray PNG header of `width` x `height` and pixel data that inflates to `inflated` zero bytes. */
function grayPng(width: number, height: number, inflated: number): Uint8Array {
  const ihdr = new Uint8Array(13);
  const view = new DataView(ihdr.buffer);
  view.setUint32(0, width);
  view.setUint32(4, height);
  ihdr[8] = 8;
  return png([['IHDR', ihdr], ['IDAT', deflateSync(new Uint8Array(inflated), { level: 9 })], ['IEND', new Uint8Array(0)]]);
}

/** `file` (a JPEG) with the size in its frame header replaced: what a damaged or hostile file may claim. */
function withJpegSize(file: Uint8Array, width: number, height: number): Uint8Array {
  const out = Uint8Array.from(file);
  const at = out.findIndex((b, i) => b === 0xff && out[i + 1] === 0xc0);
  new DataView(out.buffer).setUint16(at + 5, height);
  new DataView(out.buffer).setUint16(at + 7, width);
  return out;
}

const refusal = async (bytes: Uint8Array, options = {}) => {
  try {
    await decodePicture(bytes, options);
  } catch (error) {
    expect(error).toBeInstanceOf(DigitkitError);
    return error as DigitkitError;
  }
  throw new Error('decodePicture read what it should refuse');
};

describe('decodePicture', () => {
  it('reads 8-bit gray, RGB and RGBA PNGs pixel for pixel', async () => {
    expect(await decodePicture(encode({ width: W, height: H, data: gray, channels: 1 }))).toEqual({ data: gray, width: W, height: H, channels: 1 });
    const rgb = rgba.filter((_, i) => i % 4 !== 3);
    expect(await decodePicture(encode({ width: W, height: H, data: rgb, channels: 3 }))).toEqual({ data: rgb, width: W, height: H, channels: 3 });
    expect(await decodePicture(encode({ width: W, height: H, data: rgba, channels: 4 }))).toEqual({ data: rgba, width: W, height: H, channels: 4 });
    // As fetch's or a File's arrayBuffer() gives it.
    const bytes = encode({ width: W, height: H, data: gray, channels: 1 });
    expect((await decodePicture(bytes.slice().buffer)).data).toEqual(gray);
  });

  it('reads 16-bit, gray + alpha, packed 1-bit and palette PNGs as 8-bit gray, RGB or RGBA', async () => {
    const deep = await decodePicture(encode({ width: W, height: H, data: Uint16Array.from(gray, (v) => v * 257), depth: 16, channels: 1 }));
    expect(deep).toEqual({ data: gray, width: W, height: H, channels: 1 });
    const withAlpha = await decodePicture(encode({ width: W, height: H, data: Uint8Array.from({ length: W * H * 2 }, (_, i) => (i % 2 ? 200 : gray[i / 2]!)), channels: 2 }));
    expect(withAlpha.channels).toBe(4);
    expect([...withAlpha.data.subarray(4, 8)]).toEqual([10, 10, 10, 200]);
    // 1-bit rows start on a whole byte: 6 pixels 101100 in one byte per row.
    const packed = await decodePicture(encode({ width: W, height: H, data: new Uint8Array(H).fill(0b10110000), depth: 1, channels: 1 }));
    expect([...packed.data.subarray(0, W)]).toEqual([255, 0, 255, 255, 0, 0]);
    const palette: [number, number, number][] = [[255, 0, 0], [0, 0, 255]];
    const indexed = await decodePicture(encode({ width: 2, height: 1, data: Uint8Array.of(1, 0), channels: 1, palette }));
    expect(indexed).toEqual({ data: Uint8Array.of(0, 0, 255, 255, 0, 0), width: 2, height: 1, channels: 3 });
  });

  it('turns a JPEG upright by its EXIF orientation, as browsers show it', async () => {
    // Stored on its side (orientation 6: the viewer turns it 90 degrees clockwise), a bright left column becomes the top row.
    const [w, h] = [16, 32];
    const stored = new Uint8Array(w * h * 4).fill(255);
    for (let y = 0; y < h; y++) stored.fill(0, (y * w + 4) * 4, (y * w + w) * 4);
    for (let i = 3; i < stored.length; i += 4) stored[i] = 255;
    const file = jpeg.encode({ data: stored, width: w, height: h }, 95).data;
    const plain = await decodePicture(file);
    expect([plain.width, plain.height]).toEqual([w, h]);
    const turned = await decodePicture(withExifOrientation(file, 6));
    expect([turned.width, turned.height]).toEqual([h, w]);
    const rowMean = (y: number) => turned.data.subarray(y * h * 4, (y + 1) * h * 4).filter((_, i) => i % 4 === 0).reduce((a, b) => a + b, 0) / h;
    expect(rowMean(0)).toBeGreaterThan(200);
    expect(rowMean(w - 1)).toBeLessThan(50);
  });

  it('refuses a picture over maxPixels from its header, before decoding', async () => {
    // 60,000 x 1,000 claimed in the header, pixel data of one row: a decoder would allocate 60 MB first.
    const claimed = grayPng(60_000, 1_000, 60_001);
    const error = await refusal(claimed);
    expect(error.code).toBe('IMAGE_TOO_LARGE');
    expect(error.message).toMatch(/the picture is 60000x1000 pixels \(60\.0 megapixels; at most 50 are read\) and was not decoded\. Scale the picture down first/);
    expect(MAX_PIXELS).toBe(50_000_000);
    const small = encode({ width: W, height: H, data: gray, channels: 1 });
    expect((await refusal(small, { maxPixels: 20, name: 'six.png' })).message).toMatch(/^six\.png is 6x4 pixels/);
    expect((await decodePicture(small, { maxPixels: 24 })).width).toBe(W);
    const photo = jpeg.encode({ data: new Uint8Array(64 * 64 * 4).fill(255), width: 64, height: 64 }, 90).data;
    expect((await refusal(photo, { maxPixels: 1000 })).message).toMatch(/is 64x64 pixels \(0\.0 megapixels; at most 0\.001 are read\)/);
    // The size a JPEG's frame header gives, as it is, not a decoder's estimate.
    const claims60 = await refusal(withJpegSize(photo, 10_000, 6_000));
    expect(claims60.code).toBe('IMAGE_TOO_LARGE');
    expect(claims60.message).toMatch(/is 10000x6000 pixels \(60\.0 megapixels; at most 50 are read\)/);
    await expect(decodePicture(small, { maxPixels: 0 })).rejects.toThrow(/maxPixels must be a positive integer, got 0/);
  });

  it('reads a camera-size JPEG whole: 13 megapixels at full colour resolution (4:4:4)', async () => {
    // jpeg-js takes ~22 bytes a pixel for such a file; a fixed 264 MB limit refused it as "more than 50 megapixels".
    const [w, h] = [4200, 3100];
    const stored = new Uint8Array(w * h * 4);
    for (let i = 0; i < stored.length; i++) stored[i] = i % 4 === 3 ? 255 : ((i * 2654435761) >>> 24) & 0xff;
    const file = jpeg.encode({ data: stored, width: w, height: h }, 80).data;
    const picture = await decodePicture(file);
    expect([picture.width, picture.height, picture.channels]).toEqual([w, h, 4]);
  });

  it('refuses a small JPEG whose header claims a large frame, before decoding it', async () => {
    const photo = jpeg.encode({ data: new Uint8Array(64 * 64 * 4).fill(200), width: 64, height: 64 }, 90).data;
    const before = process.memoryUsage().arrayBuffers;
    const error = await refusal(withJpegSize(photo, 5_000, 5_000), { name: 'claims.jpg' });
    expect(error.code).toBe('BAD_IMAGE');
    expect(error.message).toMatch(/^claims\.jpg says it is 5000x5000 pixels, but a JPEG that size takes at least 48,829 bytes and it has \d{3}: it is damaged or cut short/);
    // jpeg-js alone took some 460 MB for these 700 bytes.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(20_000_000);
    // Where a file is large enough for its frame but not for what decoding it takes, it says how much.
    const flat = jpeg.encode({ data: new Uint8Array(4000 * 3000 * 4).fill(255), width: 4000, height: 3000 }, 90).data;
    const heavy = await refusal(flat, { maxPixels: 20_000_000 });
    expect(heavy.code).toBe('IMAGE_TOO_LARGE');
    expect(heavy.message).toMatch(/is 4000x3000 pixels \(about 2\d\d MB to decode; at most 1\d\d MB are taken for a 0\.\d MB file\)/);
  });

  it('stops inflating a PNG at the size its header declares (a decompression bomb)', async () => {
    // 100x100 gray needs 10,100 bytes; this inflates to 50 MB (from about 50 KB).
    const bomb = grayPng(100, 100, 50_000_000);
    expect(bomb.length).toBeLessThan(100_000);
    const before = process.memoryUsage().arrayBuffers;
    const error = await refusal(bomb);
    expect(error.code).toBe('BAD_IMAGE');
    expect(error.message).toMatch(/says it is 100x100 pixels, but its pixel data inflates to more than the 12,524 bytes that size needs/);
    // Inflated a kilobyte of input at a time and counted, never kept: a few MB at most, not 50.
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(10_000_000);
    // The same header with the pixel data it declares reads.
    expect((await decodePicture(grayPng(100, 100, 100 * 101))).data.length).toBe(10_000);
  });

  it('says what is wrong with a file that is no PNG or JPEG, or a damaged one', async () => {
    expect((await refusal(Buffer.from('GIF89a......'))).message).toBe('the picture is neither a PNG nor a JPEG file. Save the picture as PNG or JPEG.');
    expect((await refusal('digit.png' as unknown as Uint8Array)).message).toMatch(/takes a PNG or JPEG file's bytes, a Uint8Array .* or an ArrayBuffer; got string/);
    const whole = encode({ width: W, height: H, data: gray, channels: 1 });
    const cut = await refusal(whole.subarray(0, 40), { name: 'cut.png' });
    expect(cut.message).toMatch(/^Cannot read cut\.png \(not a readable PNG: .+\)\.$/);
    const interlaced = png([['IHDR', Uint8Array.of(0, 0, 0, 8, 0, 0, 0, 8, 1, 0, 0, 0, 1)], ['IEND', new Uint8Array(0)]]);
    expect((await refusal(interlaced)).message).toMatch(/is an interlaced 1-bit PNG, which cannot be read\. Save it again without interlacing/);
  });
});

describe('readPictureFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'digitkit-pictures-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('reads a file, and names a missing file or a directory', async () => {
    await writeFile(join(dir, 'gray.png'), encode({ width: W, height: H, data: gray, channels: 1 }));
    expect((await readPictureFile(join(dir, 'gray.png'))).data).toEqual(gray);
    await expect(readPictureFile(join(dir, 'none.png'))).rejects.toThrow(/Cannot read .*none\.png \(no such file\)/);
    await expect(readPictureFile(dir)).rejects.toThrow(/\(a directory, not a picture file\)/);
    await writeFile(join(dir, 'big.png'), grayPng(60_000, 1_000, 60_001));
    await expect(readPictureFile(join(dir, 'big.png'))).rejects.toThrow(/big\.png is 60000x1000 pixels/);
  });
});

describe('in a browser bundle', () => {
  // What the README promises: an app that only recognizes (the web app) carries no PNG or JPEG decoder.
  async function bundle(source: string): Promise<string> {
    const { build } = await import('vite');
    const dir = await mkdtemp(join(tmpdir(), 'digitkit-bundle-'));
    try {
      const entry = join(dir, 'entry.js');
      await writeFile(entry, source.replace('RECOGNIZER', new URL('../dist/index.js', import.meta.url).pathname));
      const result = await build({
        root: dir,
        logLevel: 'silent',
        configFile: false,
        build: { write: false, minify: false, lib: { entry, formats: ['es'], fileName: 'app' }, rollupOptions: { external: [/^@tensorflow\//, /^node:/] } },
      });
      const outputs = (Array.isArray(result) ? result : [result]) as { output: { type: string; code?: string }[] }[];
      return outputs.flatMap((r) => r.output.map((o) => o.code ?? '')).join('\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
  const DECODERS = /maxResolutionInMP|convertIndexedToRgb|Invalid EXIF data/;

  it('leaves the decoders out of an app that does not call them, and puts them in one that does', async () => {
    const recognizing = await bundle("import { createRecognizer } from 'RECOGNIZER';\nexport const start = () => createRecognizer();\n");
    expect(recognizing).toContain('createRecognizer');
    expect(recognizing).not.toMatch(DECODERS);
    const decoding = await bundle("import { decodePicture } from 'RECOGNIZER';\nexport const read = (bytes) => decodePicture(bytes);\n");
    expect(decoding).toMatch(DECODERS);
  }, 60_000);
});
