// Gzip decoding with a size limit and an integrity check: fflate inflates, we parse the gzip wrapper
// ourselves so the declared size is never trusted for allocation and the CRC-32 is always verified.
import { DigitkitError } from '@digitkit/core';
import { Inflate } from 'fflate';

/** True when `bytes` starts with the gzip magic bytes 1f 8b. */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

const FHCRC = 2;
const FEXTRA = 4;
const FNAME = 8;
const FCOMMENT = 16;
/** Compressed input handed to the inflater at a time, so the output limit is checked as it grows. */
const PUSH_BYTES = 1 << 16;

export function corrupt(name: string, what: string, cause?: unknown): DigitkitError {
  return new DigitkitError(
    'IDX_BAD_GZIP',
    `${name} is a corrupt gzip file: ${what}. Download or copy the file again (or gunzip it yourself to see the error).`,
    cause === undefined ? undefined : { cause },
  );
}

/** Offset of the deflate data after the gzip member header (RFC 1952). */
function gzipBodyStart(bytes: Uint8Array, name: string): number {
  if (bytes.length < 18) throw corrupt(name, `only ${bytes.length} bytes, shorter than any gzip file (18)`);
  if (bytes[2] !== 8) throw corrupt(name, `unknown compression method ${bytes[2]} (gzip uses 8, deflate)`);
  const flags = bytes[3]!;
  if (flags & 0xe0) throw corrupt(name, `reserved header flags are set (${flags})`);
  let pos = 10;
  if (flags & FEXTRA) pos += 2 + (bytes[pos]! | (bytes[pos + 1]! << 8));
  if (flags & FNAME) {
    while (pos < bytes.length && bytes[pos] !== 0) pos++;
    pos++;
  }
  if (flags & FCOMMENT) {
    while (pos < bytes.length && bytes[pos] !== 0) pos++;
    pos++;
  }
  if (flags & FHCRC) pos += 2;
  if (pos > bytes.length - 8) throw corrupt(name, 'the header runs past the end of the file');
  return pos;
}

/**
 * Inflates just the start of a gzip file (up to about `bytes` output bytes) to peek at what it holds.
 * Returns undefined when the start cannot be inflated; the full decoder then reports why.
 */
export function gunzipHead(gz: Uint8Array, bytes = 1024): Uint8Array | undefined {
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    const start = gzipBodyStart(gz, 'gzip data');
    const inflater = new Inflate((chunk) => {
      chunks.push(chunk);
      total += chunk.length;
    });
    for (let pos = start; pos < gz.length - 8 && total < bytes; pos += 256) {
      inflater.push(gz.subarray(pos, Math.min(gz.length - 8, pos + 256)), false);
    }
  } catch {
    return undefined;
  }
  const head = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    head.set(chunk, offset);
    offset += chunk.length;
  }
  return head;
}

let crcTable: Uint32Array | undefined;

/** CRC-32 (IEEE 802.3), the checksum in a gzip trailer. */
export function crc32(bytes: Uint8Array): number {
  if (!crcTable) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  const table = crcTable;
  let crc = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) crc = table[(crc ^ bytes[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}

/**
 * Inflates one gzip member. `limitFor` sees the output so far and returns the most bytes the output may have
 * (or undefined while it cannot tell yet); going past it throws IDX_TRAILING_BYTES before inflating more.
 */
export function gunzipBounded(
  bytes: Uint8Array,
  name: string,
  limitFor: (head: Uint8Array) => number | undefined,
): Uint8Array {
  const start = gzipBodyStart(bytes, name);
  const end = bytes.length - 8;
  const chunks: Uint8Array[] = [];
  let total = 0;
  let limit: number | undefined;
  let head = new Uint8Array(0);
  const inflater = new Inflate((chunk) => {
    if (chunk.length === 0) return;
    chunks.push(chunk);
    total += chunk.length;
    if (limit === undefined && head.length < 1024) {
      const grown = new Uint8Array(Math.min(1024, head.length + chunk.length));
      grown.set(head);
      grown.set(chunk.subarray(0, grown.length - head.length), head.length);
      head = grown;
      limit = limitFor(head);
    }
    if (limit !== undefined && total >= limit) {
      throw new DigitkitError(
        'IDX_TRAILING_BYTES',
        `${name} inflates to more bytes than its IDX header declares (${limit - 1}). ` +
          'The file is damaged or two files were joined: download or copy it again.',
      );
    }
  });
  try {
    for (let pos = start; pos < end; pos += PUSH_BYTES) {
      const next = Math.min(end, pos + PUSH_BYTES);
      inflater.push(bytes.subarray(pos, next), next === end);
    }
    if (start === end) inflater.push(new Uint8Array(0), true);
  } catch (error) {
    if (error instanceof DigitkitError) throw error;
    throw corrupt(name, error instanceof Error ? error.message : String(error), error);
  }
  const out = chunks.length === 1 ? chunks[0]! : new Uint8Array(total);
  if (chunks.length !== 1) {
    let offset = 0;
    for (const chunk of chunks) {
      out.set(chunk, offset);
      offset += chunk.length;
    }
  }
  const trailer = new DataView(bytes.buffer, bytes.byteOffset + end, 8);
  const expectedCrc = trailer.getUint32(0, true);
  const expectedSize = trailer.getUint32(4, true);
  if (expectedSize !== total % 2 ** 32) {
    throw corrupt(name, `it inflated to ${total} bytes but its trailer says ${expectedSize}`);
  }
  if (crc32(out) !== expectedCrc) throw corrupt(name, 'the CRC-32 checksum of the inflated data does not match');
  return out;
}
