// Property tests: whatever bytes readIdx gets, it returns a consistent IdxArray or throws a DigitkitError.
import { DigitkitError } from '@digitkit/core';
import fc from 'fast-check';
import { gzipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { readIdx, writeIdx, type IdxArray, type IdxDType } from './index.js';
import { decodeOwnedIdx } from './node-files.js';

const BYTES_PER: Record<IdxDType, number> = { uint8: 1, int8: 1, int16: 2, int32: 4, float32: 4, float64: 8 };

function checkOutcome(bytes: Uint8Array): 'ok' | 'error' {
  let array: IdxArray;
  try {
    array = readIdx(bytes, 'fuzz.idx');
  } catch (error) {
    return checkError(error);
  }
  return checkArray(array);
}

/** The same for the Node file path, which inflates gzip with native zlib. */
async function checkOutcomeNative(bytes: Uint8Array): Promise<'ok' | 'error'> {
  let array: IdxArray;
  try {
    array = await decodeOwnedIdx(bytes.slice(), 'fuzz.idx');
  } catch (error) {
    return checkError(error);
  }
  return checkArray(array);
}

function checkError(error: unknown): 'error' {
  if (!(error instanceof DigitkitError)) throw error;
  expect(error.message).toContain('fuzz.idx');
  return 'error';
}

function checkArray(array: IdxArray): 'ok' {
  const elements = array.shape.reduce((a, b) => a * b, 1);
  expect(array.shape.length).toBeGreaterThan(0);
  expect(array.data.length).toBe(elements);
  expect(array.data.BYTES_PER_ELEMENT).toBe(BYTES_PER[array.dtype]);
  return 'ok';
}

const dtypes: IdxDType[] = ['uint8', 'int8', 'int16', 'int32', 'float32', 'float64'];
const ctors = { uint8: Uint8Array, int8: Int8Array, int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array };

/** A small valid IDX array of any dtype (raw bytes for the data, so every bit pattern appears). */
const idxArray = fc
  .record({
    dtype: fc.constantFrom(...dtypes),
    shape: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
    seed: fc.uint8Array({ minLength: 0, maxLength: 64 }),
  })
  .map(({ dtype, shape, seed }): IdxArray => {
    const elements = shape.reduce((a, b) => a * b, 1);
    const raw = new Uint8Array(elements * BYTES_PER[dtype]);
    for (let i = 0; i < raw.length; i++) raw[i] = seed.length ? seed[i % seed.length]! ^ i : i;
    return { dtype, shape, data: new ctors[dtype](raw.buffer) };
  });

/** Mutations of valid bytes: flip, overwrite, cut, append, splice. */
const mutated = (source: fc.Arbitrary<Uint8Array>) =>
  fc
    .tuple(
      source,
      fc.array(
        fc.record({
          kind: fc.constantFrom('flip', 'set', 'cut', 'append', 'insert'),
          at: fc.nat(),
          value: fc.integer({ min: 0, max: 255 }),
        }),
        { minLength: 1, maxLength: 4 },
      ),
    )
    .map(([bytes, edits]) => {
      let out = bytes.slice();
      for (const { kind, at, value } of edits) {
        const pos = out.length ? at % out.length : 0;
        if (kind === 'flip' && out.length) out[pos]! ^= 1 << (value % 8);
        else if (kind === 'set' && out.length) out[pos] = value;
        else if (kind === 'cut') out = out.slice(0, pos);
        else if (kind === 'append') out = Uint8Array.from([...out, value]);
        else if (kind === 'insert') out = Uint8Array.from([...out.slice(0, pos), value, ...out.slice(pos)]);
      }
      return out;
    });

describe('readIdx properties', () => {
  it('round-trips any array through writeIdx (plain and gzipped)', () => {
    fc.assert(
      fc.property(idxArray, (array) => {
        const back = readIdx(writeIdx(array));
        expect(back.dtype).toBe(array.dtype);
        expect(back.shape).toEqual(array.shape);
        expect(new Uint8Array(back.data.buffer, back.data.byteOffset, back.data.byteLength)).toEqual(
          new Uint8Array(array.data.buffer, array.data.byteOffset, array.data.byteLength),
        );
        expect(readIdx(gzipSync(writeIdx(array))).shape).toEqual(array.shape);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes give an IdxArray or a DigitkitError', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => void checkOutcome(bytes)), { numRuns: 2000 });
  });

  it('random bytes behind a plausible header give an IdxArray or a DigitkitError', () => {
    const withHeader = fc
      .tuple(fc.constantFrom(0x08, 0x09, 0x0b, 0x0c, 0x0d, 0x0e, 0x0a, 0xff), fc.integer({ min: 0, max: 6 }), fc.uint8Array({ maxLength: 120 }))
      .map(([code, ndims, rest]) => Uint8Array.from([0, 0, code, ndims, ...rest]));
    fc.assert(fc.property(withHeader, (bytes) => void checkOutcome(bytes)), { numRuns: 2000 });
  });

  it('mutated IDX files give an IdxArray or a DigitkitError', () => {
    fc.assert(fc.property(mutated(idxArray.map(writeIdx)), (bytes) => void checkOutcome(bytes)), { numRuns: 2000 });
  });

  it('mutated gzipped IDX files give an IdxArray or a DigitkitError', () => {
    const gz = idxArray.map((array) => gzipSync(writeIdx(array)));
    fc.assert(fc.property(mutated(gz), (bytes) => void checkOutcome(bytes)), { numRuns: 2000 });
  });

  it('random bytes after a gzip header give an IdxArray or a DigitkitError', () => {
    const gzipish = fc.uint8Array({ maxLength: 200 }).map((rest) => Uint8Array.from([0x1f, 0x8b, ...rest]));
    fc.assert(fc.property(gzipish, (bytes) => void checkOutcome(bytes)), { numRuns: 2000 });
  });

  it('the Node decoder (native zlib) also gives an IdxArray or a DigitkitError', async () => {
    const gz = idxArray.map((array) => gzipSync(writeIdx(array)));
    await fc.assert(fc.asyncProperty(mutated(gz), async (bytes) => void (await checkOutcomeNative(bytes))), { numRuns: 1000 });
    await fc.assert(fc.asyncProperty(mutated(idxArray.map(writeIdx)), async (bytes) => void (await checkOutcomeNative(bytes))), { numRuns: 500 });
  });

  it('both decoders agree on valid gzipped files', async () => {
    await fc.assert(
      fc.asyncProperty(idxArray, async (array) => {
        const gz = gzipSync(writeIdx(array));
        expect(await decodeOwnedIdx(gz, 'a.gz')).toEqual(readIdx(gz, 'a.gz'));
      }),
      { numRuns: 200 },
    );
  });
});
