// The IDX file format (LeCun's MNIST format): a 4-byte magic number (0x00 0x00, a type code, the number of
// dimensions), then each dimension as a big-endian uint32, then the data, big-endian, row-major.
import { DigitkitError } from '@digitkit/core';
import { gunzipBounded, isGzip } from './gzip.js';

/** The element types an IDX file can hold. */
export type IdxDType = 'uint8' | 'int8' | 'int16' | 'int32' | 'float32' | 'float64';

/** An n-dimensional array as stored in an IDX file. `data` holds `product(shape)` elements, row-major. */
export interface IdxArray {
  dtype: IdxDType;
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

interface DTypeInfo {
  readonly dtype: IdxDType;
  readonly code: number;
  readonly bytes: number;
}

const DTYPES: readonly DTypeInfo[] = [
  { dtype: 'uint8', code: 0x08, bytes: 1 },
  { dtype: 'int8', code: 0x09, bytes: 1 },
  { dtype: 'int16', code: 0x0b, bytes: 2 },
  { dtype: 'int32', code: 0x0c, bytes: 4 },
  { dtype: 'float32', code: 0x0d, bytes: 4 },
  { dtype: 'float64', code: 0x0e, bytes: 8 },
];

const byCode = new Map(DTYPES.map((d) => [d.code, d]));
const byName = new Map(DTYPES.map((d) => [d.dtype, d]));

/** The largest data section we accept (typed arrays and Buffers stop around here anyway). */
const MAX_DATA_BYTES = 2 ** 32;

const littleEndian = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

/**
 * Copies `from` to `to` converting between big-endian and the platform's order, element by element.
 * Swapping bytes (rather than going through DataView floats) keeps every bit, NaN payloads included.
 */
function copyBigEndian(from: Uint8Array, to: Uint8Array, width: number): void {
  const length = to.length;
  if (!littleEndian) {
    to.set(from.subarray(0, length));
    return;
  }
  if (width === 2) {
    for (let i = 0; i < length; i += 2) {
      to[i] = from[i + 1]!;
      to[i + 1] = from[i]!;
    }
  } else if (width === 4) {
    for (let i = 0; i < length; i += 4) {
      to[i] = from[i + 3]!;
      to[i + 1] = from[i + 2]!;
      to[i + 2] = from[i + 1]!;
      to[i + 3] = from[i]!;
    }
  } else {
    for (let i = 0; i < length; i += 8) {
      for (let k = 0; k < 8; k++) to[i + k] = from[i + 7 - k]!;
    }
  }
}

const hex = (n: number, width = 2) => `0x${n.toString(16).padStart(width, '0')}`;

/** What the header of an IDX file says, before any data is read. */
export interface IdxHeader {
  readonly type: DTypeInfo;
  readonly shape: number[];
  readonly headerBytes: number;
  readonly dataBytes: number;
}

/**
 * Parses the header from the first bytes of an IDX file. Returns undefined when more bytes are needed.
 * Throws for a wrong magic number, an unknown type code or an impossibly large size.
 */
export function parseIdxHeader(bytes: Uint8Array, name: string): IdxHeader | undefined {
  if (bytes.length >= 2 && (bytes[0] !== 0 || bytes[1] !== 0)) {
    throw new DigitkitError(
      'IDX_BAD_MAGIC',
      `${name} is not an IDX file: it starts with ${hex(bytes[0]!)} ${hex(bytes[1]!)} where an IDX file starts ` +
        `with 0x00 0x00 (magic number 0x0000 + type code + number of dimensions). Check that this is an ` +
        `MNIST-format file (e.g. train-images-idx3-ubyte), not an HTML error page or another format.`,
    );
  }
  if (bytes.length < 4) return undefined;
  const code = bytes[2]!;
  const type = byCode.get(code);
  if (!type) {
    throw new DigitkitError(
      'IDX_UNKNOWN_TYPE',
      `${name} has the unknown IDX type code ${hex(code)} (expected one of ` +
        `${DTYPES.map((d) => `${hex(d.code)} ${d.dtype}`).join(', ')}). The file is damaged or not an IDX file.`,
    );
  }
  const ndims = bytes[3]!;
  if (ndims === 0) {
    throw new DigitkitError(
      'IDX_BAD_HEADER',
      `${name} declares 0 dimensions; an IDX file needs at least one (MNIST images have 3, labels 1).`,
    );
  }
  const headerBytes = 4 + 4 * ndims;
  if (bytes.length < headerBytes) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, headerBytes);
  const shape: number[] = [];
  let elements = 1;
  for (let i = 0; i < ndims; i++) {
    const dim = view.getUint32(4 + 4 * i, false);
    shape.push(dim);
    elements *= dim;
  }
  const dataBytes = elements * type.bytes;
  if (dataBytes > MAX_DATA_BYTES) {
    throw new DigitkitError(
      'IDX_TOO_LARGE',
      `${name} declares shape [${shape.join(', ')}] of ${type.dtype} (${dataBytes} bytes of data), more than ` +
        `the ${MAX_DATA_BYTES} bytes this reader supports. The header is probably damaged.`,
    );
  }
  return { type, shape, headerBytes, dataBytes };
}

/** Checks that `bytes` is exactly one IDX file and decodes it; `copy: false` lets uint8/int8 data share `bytes`' memory. */
export function decodeIdx(bytes: Uint8Array, name: string, copy: boolean): IdxArray {
  const header = parseIdxHeader(bytes, name);
  if (!header) {
    throw new DigitkitError(
      'IDX_TRUNCATED',
      `${name} is truncated: ${bytes.length} bytes is shorter than its IDX header` +
        (bytes.length >= 4 ? ` (${4 + 4 * bytes[3]!} bytes for ${bytes[3]} dimensions).` : ' (at least 4 bytes).') +
        ' Download or copy the file again.',
    );
  }
  const { type, shape, headerBytes, dataBytes } = header;
  const available = bytes.length - headerBytes;
  const describe = `shape [${shape.join(', ')}] of ${type.dtype} (${dataBytes} bytes of data)`;
  if (available < dataBytes) {
    throw new DigitkitError(
      'IDX_TRUNCATED',
      `${name} is truncated: its header declares ${describe} but only ${available} bytes follow the header. ` +
        'Download or copy the file again.',
    );
  }
  if (available > dataBytes) {
    throw new DigitkitError(
      'IDX_TRAILING_BYTES',
      `${name} has ${available - dataBytes} unexpected bytes after the data: its header declares ${describe}. ` +
        'The file is damaged or two files were joined: download or copy it again.',
    );
  }
  const count = dataBytes / type.bytes;
  const offset = bytes.byteOffset + headerBytes;
  let data: IdxArray['data'];
  switch (type.dtype) {
    case 'uint8':
    case 'int8': {
      // Copy with set(), not slice(): a Node Buffer's slice() is a view, not a copy.
      const buffer = copy ? new Uint8Array(count) : new Uint8Array(bytes.buffer, offset, count);
      if (copy) buffer.set(bytes.subarray(headerBytes));
      data = type.dtype === 'uint8' ? buffer : new Int8Array(buffer.buffer, buffer.byteOffset, count);
      break;
    }
    default: {
      const raw = new Uint8Array(dataBytes);
      copyBigEndian(bytes.subarray(headerBytes), raw, type.bytes);
      const Ctor = { int16: Int16Array, int32: Int32Array, float32: Float32Array, float64: Float64Array }[type.dtype];
      data = new Ctor(raw.buffer);
    }
  }
  return { dtype: type.dtype, shape, data };
}

/**
 * Reads an IDX file from its bytes. Gzip-compressed input (starting 1f 8b) is inflated first.
 * `name` (a file name or URL) appears in error messages. Throws DigitkitError for any malformed input.
 * The returned array never shares memory with `bytes`.
 */
export function readIdx(bytes: Uint8Array, name = 'IDX data'): IdxArray {
  if (!(bytes instanceof Uint8Array)) {
    throw new DigitkitError('INVALID_ARGUMENT', `readIdx expects a Uint8Array for ${name}, got ${typeof bytes}.`);
  }
  if (isGzip(bytes)) return decodeIdx(inflateIdx(bytes, name), name, false);
  return decodeIdx(bytes, name, true);
}

/** Inflates a gzipped IDX file, refusing to inflate more than its (inflated) header declares. */
export function inflateIdx(bytes: Uint8Array, name: string): Uint8Array {
  return gunzipBounded(bytes, name, (head) => {
    const header = parseIdxHeader(head, name);
    // One byte past the declared size is enough to report trailing bytes without inflating a gzip bomb.
    return header ? header.headerBytes + header.dataBytes + 1 : undefined;
  });
}

/** Encodes an array as an (uncompressed) IDX file. Throws DigitkitError when shape, dtype and data disagree. */
export function writeIdx(array: IdxArray): Uint8Array {
  const type = byName.get(array?.dtype);
  if (!type) {
    throw new DigitkitError(
      'INVALID_ARGUMENT',
      `writeIdx: unknown dtype ${JSON.stringify(array?.dtype)} (expected ${DTYPES.map((d) => d.dtype).join(', ')}).`,
    );
  }
  const { shape, data } = array;
  if (!Array.isArray(shape) || shape.length < 1 || shape.length > 255) {
    throw new DigitkitError('INVALID_ARGUMENT', 'writeIdx: shape must be an array of 1 to 255 dimensions.');
  }
  let elements = 1;
  for (const dim of shape) {
    if (!Number.isInteger(dim) || dim < 0 || dim > 0xffffffff) {
      throw new DigitkitError(
        'INVALID_ARGUMENT',
        `writeIdx: shape [${shape.join(', ')}] has a dimension that is not an integer in 0 .. 4294967295.`,
      );
    }
    elements *= dim;
  }
  const expectedCtor = {
    uint8: Uint8Array,
    int8: Int8Array,
    int16: Int16Array,
    int32: Int32Array,
    float32: Float32Array,
    float64: Float64Array,
  }[type.dtype];
  if (!(data instanceof expectedCtor)) {
    throw new DigitkitError(
      'INVALID_ARGUMENT',
      `writeIdx: dtype ${type.dtype} needs its data in a ${expectedCtor.name}, got ${data?.constructor?.name ?? typeof data}.`,
    );
  }
  if (data.length !== elements) {
    throw new DigitkitError(
      'INVALID_ARGUMENT',
      `writeIdx: shape [${shape.join(', ')}] holds ${elements} elements but data has ${data.length}.`,
    );
  }
  const headerBytes = 4 + 4 * shape.length;
  const out = new Uint8Array(headerBytes + elements * type.bytes);
  const view = new DataView(out.buffer);
  out[2] = type.code;
  out[3] = shape.length;
  shape.forEach((dim, i) => view.setUint32(4 + 4 * i, dim, false));
  const raw = new Uint8Array(data.buffer, data.byteOffset, elements * type.bytes);
  if (type.bytes === 1) out.set(raw, headerBytes);
  else copyBigEndian(raw, out.subarray(headerBytes), type.bytes);
  return out;
}
