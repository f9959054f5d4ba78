import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DigitkitError } from '@digitkit/core';
import { gzipSync } from 'fflate';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readIdx, readIdxFile, writeIdx, writeIdxFile, type IdxArray } from './index.js';

const samples: IdxArray[] = [
  { dtype: 'uint8', shape: [2, 3, 2], data: Uint8Array.from([0, 1, 2, 127, 128, 255, 9, 8, 7, 6, 5, 4]) },
  { dtype: 'int8', shape: [5], data: Int8Array.from([-128, -1, 0, 1, 127]) },
  { dtype: 'int16', shape: [2, 3], data: Int16Array.from([-32768, -256, -1, 0, 258, 32767]) },
  { dtype: 'int32', shape: [4], data: Int32Array.from([-2147483648, -65536, 16909060, 2147483647]) },
  { dtype: 'float32', shape: [2, 2], data: Float32Array.from([-1.5, 0, 3.14159, Number.POSITIVE_INFINITY]) },
  { dtype: 'float64', shape: [1, 1, 3], data: Float64Array.from([Math.PI, -Number.MAX_VALUE, Number.MIN_VALUE]) },
  { dtype: 'uint8', shape: [0, 28, 28], data: new Uint8Array(0) },
];

function expectSame(actual: IdxArray, expected: IdxArray) {
  expect(actual.dtype).toBe(expected.dtype);
  expect(actual.shape).toEqual(expected.shape);
  expect(actual.data.constructor).toBe(expected.data.constructor);
  expect(Array.from(actual.data)).toEqual(Array.from(expected.data));
}

/** Expects `fn` to throw a DigitkitError with `code` whose message contains every one of `words`. */
function expectError(fn: () => unknown, code: string, ...words: string[]) {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  expect(caught).toBeInstanceOf(DigitkitError);
  expect((caught as DigitkitError).code).toBe(code);
  for (const word of words) expect((caught as DigitkitError).message).toContain(word);
}

describe('writeIdx / readIdx', () => {
  it.each(samples.map((s) => [`${s.dtype} [${s.shape}]`, s] as const))('round-trips %s', (_, sample) => {
    expectSame(readIdx(writeIdx(sample)), sample);
    expectSame(readIdx(gzipSync(writeIdx(sample))), sample);
  });

  it('writes the IDX layout: magic, type code, big-endian dims and data', () => {
    const bytes = writeIdx({ dtype: 'int16', shape: [2], data: Int16Array.from([1, -2]) });
    expect(Array.from(bytes)).toEqual([0, 0, 0x0b, 1, 0, 0, 0, 2, 0, 1, 0xff, 0xfe]);
  });

  it('reads the header of a real MNIST file layout', () => {
    const bytes = Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 3, 5, 0, 4]);
    expectSame(readIdx(bytes), { dtype: 'uint8', shape: [3], data: Uint8Array.from([5, 0, 4]) });
  });

  it('returns data that does not share memory with its input', () => {
    const bytes = writeIdx(samples[0]!);
    const array = readIdx(bytes);
    bytes.fill(0);
    expectSame(array, samples[0]!);
  });

  it('copies out of a Node Buffer too (whose slice() would share memory)', () => {
    for (const sample of [samples[0]!, samples[1]!]) {
      const buffer = Buffer.from(writeIdx(sample));
      const array = readIdx(buffer);
      expect(array.data.constructor).toBe(sample.data.constructor);
      buffer.fill(0);
      expectSame(array, sample);
    }
  });

  it('reads from a Uint8Array view with an offset', () => {
    const raw = writeIdx(samples[3]!);
    const padded = new Uint8Array(raw.length + 3);
    padded.set(raw, 3);
    expectSame(readIdx(padded.subarray(3)), samples[3]!);
  });

  it('rejects arrays whose shape, dtype and data disagree', () => {
    expectError(() => writeIdx({ dtype: 'uint8', shape: [3], data: new Uint8Array(2) }), 'INVALID_ARGUMENT', '3 elements');
    expectError(() => writeIdx({ dtype: 'int16', shape: [2], data: new Uint8Array(2) }), 'INVALID_ARGUMENT', 'Int16Array');
    expectError(() => writeIdx({ dtype: 'uint8', shape: [], data: new Uint8Array(1) }), 'INVALID_ARGUMENT', 'shape');
    expectError(() => writeIdx({ dtype: 'uint8', shape: [1.5], data: new Uint8Array(1) }), 'INVALID_ARGUMENT', 'integer');
    expectError(() => writeIdx({ dtype: 'uint16' as never, shape: [1], data: new Uint8Array(1) }), 'INVALID_ARGUMENT', 'uint16');
  });
});

describe('readIdx on bad input', () => {
  const good = writeIdx({ dtype: 'uint8', shape: [2, 2], data: Uint8Array.from([1, 2, 3, 4]) });

  it('names the file and the wrong magic number', () => {
    expectError(() => readIdx(new TextEncoder().encode('<html>404</html>'), 'train-images-idx3-ubyte'), 'IDX_BAD_MAGIC', 'train-images-idx3-ubyte', '0x3c');
  });

  it('rejects an unknown type code', () => {
    const bytes = good.slice();
    bytes[2] = 0x0a;
    expectError(() => readIdx(bytes, 'x.idx'), 'IDX_UNKNOWN_TYPE', 'x.idx', '0x0a');
  });

  it('rejects truncated data and headers', () => {
    expectError(() => readIdx(good.subarray(0, good.length - 1), 'x.idx'), 'IDX_TRUNCATED', 'x.idx', '3 bytes');
    expectError(() => readIdx(good.subarray(0, 6), 'x.idx'), 'IDX_TRUNCATED', 'x.idx');
    expectError(() => readIdx(new Uint8Array(0), 'x.idx'), 'IDX_TRUNCATED', 'x.idx');
  });

  it('rejects trailing bytes', () => {
    const bytes = new Uint8Array(good.length + 2);
    bytes.set(good);
    expectError(() => readIdx(bytes, 'x.idx'), 'IDX_TRAILING_BYTES', 'x.idx', '2 unexpected bytes');
  });

  it('rejects zero dimensions', () => {
    expectError(() => readIdx(Uint8Array.from([0, 0, 8, 0]), 'x.idx'), 'IDX_BAD_HEADER', 'x.idx');
  });

  it('checks the size a header declares before allocating anything', () => {
    // 255 dimensions of 0xffffffff: an absurd size that must fail fast, not allocate or hang.
    const bytes = new Uint8Array(4 + 4 * 255).fill(0xff);
    bytes.set([0, 0, 8, 255]);
    expectError(() => readIdx(bytes, 'huge.idx'), 'IDX_TOO_LARGE', 'huge.idx');
    const big = Uint8Array.from([0, 0, 0x0e, 2, 0, 0, 0x10, 0, 0, 0, 0x10, 0]); // 4096x4096 float64, no data
    expectError(() => readIdx(big, 'big.idx'), 'IDX_TRUNCATED', 'big.idx', '134217728 bytes');
  });

  it('rejects a corrupt gzip file', () => {
    const gz = gzipSync(writeIdx({ dtype: 'uint8', shape: [1000], data: new Uint8Array(1000).map((_, i) => i % 7) }));
    expectError(() => readIdx(gz.subarray(0, gz.length - 5), 'a.gz'), 'IDX_BAD_GZIP', 'a.gz');
    const flipped = gz.slice();
    flipped[Math.floor(gz.length / 2)]! ^= 0x55;
    expectError(() => readIdx(flipped, 'b.gz'), 'IDX_BAD_GZIP', 'b.gz');
    const badCrc = gz.slice();
    badCrc[badCrc.length - 8]! ^= 1;
    expectError(() => readIdx(badCrc, 'c.gz'), 'IDX_BAD_GZIP', 'c.gz', 'CRC-32');
    expectError(() => readIdx(Uint8Array.from([0x1f, 0x8b, 8]), 'd.gz'), 'IDX_BAD_GZIP', 'd.gz');
  });

  it('stops inflating a gzip file that holds more than its IDX header declares', () => {
    // A 4 MiB body behind a header declaring 4 bytes: rejected without inflating it all.
    const bomb = new Uint8Array(8 + 4 * 1024 * 1024);
    bomb.set([0, 0, 8, 1, 0, 0, 0, 4]);
    expectError(() => readIdx(gzipSync(bomb), 'bomb.gz'), 'IDX_TRAILING_BYTES', 'bomb.gz');
  });

  it('rejects input that is not a Uint8Array', () => {
    expectError(() => readIdx('0000' as never), 'INVALID_ARGUMENT');
  });
});

describe('readIdxFile / writeIdxFile', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'digitkit-idx-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('writes and reads plain and gzipped files', async () => {
    for (const sample of samples) {
      await writeIdxFile(join(dir, 'a.idx'), sample);
      expectSame(await readIdxFile(join(dir, 'a.idx')), sample);
      await writeIdxFile(join(dir, 'a.idx.gz'), sample, { gzip: true });
      const gz = await readFile(join(dir, 'a.idx.gz'));
      expect([gz[0], gz[1]]).toEqual([0x1f, 0x8b]);
      expectSame(await readIdxFile(join(dir, 'a.idx.gz')), sample);
    }
    expect((await readdir(dir)).sort()).toEqual(['a.idx', 'a.idx.gz']);
  });

  it('leaves the existing file untouched when the new array is invalid', async () => {
    const path = join(dir, 'keep.idx');
    await writeIdxFile(path, samples[1]!);
    const before = await readFile(path);
    await expect(writeIdxFile(path, { dtype: 'uint8', shape: [9], data: new Uint8Array(1) })).rejects.toThrow(DigitkitError);
    expect(await readFile(path)).toEqual(before);
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('fails with a DigitkitError naming the file when the directory is missing, and leaves no temp file', async () => {
    const path = join(dir, 'missing', 'x.idx');
    await expect(writeIdxFile(path, samples[0]!)).rejects.toMatchObject({ code: 'DATA_WRITE_FAILED', message: expect.stringContaining(path) });
    expect((await readdir(dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('rejects corrupt and oversized gzip files, naming them', async () => {
    const gz = gzipSync(writeIdx({ dtype: 'uint8', shape: [5000], data: new Uint8Array(5000).map((_, i) => (i * 31) % 251) }));
    const cases: Array<[string, Uint8Array, string]> = [
      ['truncated.gz', gz.subarray(0, gz.length - 20), 'IDX_BAD_GZIP'],
      ['crc.gz', gz.map((b, i) => (i === gz.length - 8 ? b ^ 1 : b)), 'IDX_BAD_GZIP'],
      ['flipped.gz', gz.map((b, i) => (i === 200 ? b ^ 0x55 : b)), 'IDX_BAD_GZIP'],
      ['tiny.gz', gz.subarray(0, 12), 'IDX_BAD_GZIP'],
    ];
    const bomb = new Uint8Array(8 + 4 * 1024 * 1024);
    bomb.set([0, 0, 8, 1, 0, 0, 0, 4]);
    cases.push(['bomb.gz', gzipSync(bomb), 'IDX_TRAILING_BYTES']);
    cases.push(['html.gz', gzipSync(new TextEncoder().encode('<html>'.repeat(100))), 'IDX_BAD_MAGIC']);
    for (const [name, bytes, code] of cases) {
      const path = join(dir, name);
      await writeFile(path, bytes);
      await expect(readIdxFile(path), name).rejects.toMatchObject({ code, message: expect.stringContaining(path) });
    }
  });

  it('names a missing or malformed file', async () => {
    const missing = join(dir, 'nope.idx');
    await expect(readIdxFile(missing)).rejects.toMatchObject({ code: 'DATA_NOT_FOUND', message: expect.stringContaining(missing) });
    const bad = join(dir, 'bad.idx');
    await writeFile(bad, Uint8Array.from([0, 0, 8, 1, 0, 0, 0, 9, 1]));
    await expect(readIdxFile(bad)).rejects.toMatchObject({ code: 'IDX_TRUNCATED', message: expect.stringContaining(bad) });
  });
});
