// Node-only file access. node:* modules are imported lazily so the rest of the package runs in browsers.
import { DigitkitError, faultPause, isProcessAlive } from '@digitkit/core';
import { gzipSync } from 'fflate';
import { corrupt, gunzipHead, isGzip } from './gzip.js';
import { decodeIdx, inflateIdx, parseIdxHeader, writeIdx, type IdxArray, type IdxHeader } from './idx.js';

type Fs = typeof import('node:fs/promises');
let fsPromise: Promise<Fs> | undefined;
export const nodeFs = (): Promise<Fs> => (fsPromise ??= import('node:fs/promises'));

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** Reads a whole file, turning "not found" into a DigitkitError naming it. */
export async function readFileBytes(path: string): Promise<Uint8Array> {
  const fs = await nodeFs();
  let buffer: Buffer;
  try {
    buffer = await fs.readFile(path);
  } catch (error) {
    const code = errorCode(error);
    if (code === 'ENOENT') throw new DigitkitError('DATA_NOT_FOUND', `${path} does not exist.`, { cause: error });
    if (code === 'EISDIR') throw new DigitkitError('DATA_NOT_FOUND', `${path} is a directory, not an IDX file.`, { cause: error });
    throw new DigitkitError('DATA_READ_FAILED', `Could not read ${path}: ${(error as Error).message}`, { cause: error });
  }
  // A fresh, unshared buffer can be viewed in place; anything else (a pooled slice) is copied.
  if (buffer.byteOffset === 0 && buffer.buffer.byteLength === buffer.length) {
    return new Uint8Array(buffer.buffer, 0, buffer.length);
  }
  return new Uint8Array(buffer);
}

/**
 * Decodes bytes we own (no copy of uint8 data). Gzip is detected by its header and inflated by Node's native
 * zlib (about 3x faster than fflate, off the main thread), never past the size the IDX header declares.
 */
export async function decodeOwnedIdx(bytes: Uint8Array, name: string): Promise<IdxArray> {
  if (!isGzip(bytes)) return decodeIdx(bytes, name, false);
  const head = gunzipHead(bytes);
  const header = head && parseIdxHeader(head, name);
  // Too short or broken to peek into: the portable decoder gives the precise error (or the tiny result).
  if (!header) return decodeIdx(inflateIdx(bytes, name), name, false);
  const zlib = await import('node:zlib');
  const { constants } = await import('node:buffer');
  const declared = header.headerBytes + header.dataBytes;
  let inflated: Buffer;
  try {
    inflated = await new Promise<Buffer>((resolve, reject) =>
      zlib.gunzip(bytes, { maxOutputLength: Math.max(1, Math.min(declared, constants.MAX_LENGTH)) }, (error, out) =>
        error ? reject(error) : resolve(out),
      ),
    );
  } catch (error) {
    if (errorCode(error) === 'ERR_BUFFER_TOO_LARGE' && declared <= constants.MAX_LENGTH) {
      throw new DigitkitError(
        'IDX_TRAILING_BYTES',
        `${name} inflates to more bytes than its IDX header declares (${declared}). ` +
          'The file is damaged or two files were joined: download or copy it again.',
        { cause: error },
      );
    }
    throw corrupt(name, (error as Error).message, error);
  }
  return decodeIdx(new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length), name, false);
}

/** The header of an IDX file (gzipped or not) from its first bytes, or undefined when they cannot tell it yet. */
export function peekIdxHeader(bytes: Uint8Array, name: string): IdxHeader | undefined {
  if (!isGzip(bytes)) return parseIdxHeader(bytes, name);
  const head = gunzipHead(bytes);
  return head && parseIdxHeader(head, name);
}

/**
 * Checks from the headers alone that images and labels come in pairs of equal count, so a file whose header
 * promises gigabytes is refused before it is inflated. `files` holds the raw (maybe gzipped) bytes in MNIST_FILES order.
 */
export function checkPairedCounts(files: readonly { name: string; bytes: Uint8Array }[]): void {
  const count = (file: { name: string; bytes: Uint8Array }) => {
    try {
      return peekIdxHeader(file.bytes, file.name)?.shape[0];
    } catch {
      return undefined;
    }
  };
  for (let i = 0; i + 1 < files.length; i += 2) {
    const [images, labels] = [files[i]!, files[i + 1]!];
    const [imageCount, labelCount] = [count(images), count(labels)];
    // An unreadable header is left to the full decoder, which says precisely what is wrong.
    if (imageCount === undefined || labelCount === undefined || imageCount === labelCount) continue;
    throw new DigitkitError(
      'DATA_COUNT_MISMATCH',
      `${images.name} holds ${imageCount} images but ${labels.name} holds ${labelCount} labels; ` +
        'they must come in pairs (train-images with train-labels, t10k-images with t10k-labels). Nothing was inflated.',
    );
  }
}

/** Reads an IDX file (optionally gzipped) from disk. Node only. */
export async function readIdxFile(path: string): Promise<IdxArray> {
  return decodeOwnedIdx(await readFileBytes(path), path);
}

/**
 * Writes `data` (bytes, or a string as UTF-8) to `path` atomically and durably: into a temporary file beside it,
 * flushed to disk (fsync), then renamed over `path`. Readers see the old file or the new one, never half of one; a
 * failure removes the temporary file and leaves whatever was there before. Node only.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  const fs = await nodeFs();
  const temp = `${path}.${process.pid}-${Math.random().toString(36).slice(2, 10)}.tmp`;
  await removeDeadTempFiles(path);
  try {
    const file = await fs.open(temp, 'wx');
    try {
      await file.writeFile(data);
      // Without the flush a crash right after the rename can leave an empty file under the new name.
      await file.sync();
    } finally {
      await file.close();
    }
    await faultPause(`file-before-rename:${path.split(/[\\/]/).pop()}`);
    await fs.rename(temp, path);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => undefined);
    throw new DigitkitError('DATA_WRITE_FAILED', `Could not write ${path}: ${(error as Error).message}`, { cause: error });
  }
}

/** A writer's temporary file: `<target>.<pid>-<random>.tmp` (writeFileAtomic) or `<target>.<pid>.tmp`. */
const TEMP_FILE = /^(.+)\.(\d+)(?:-[0-9a-z]*)?\.tmp$/;

/** Removes `path.<pid>-<random>.tmp` files that a killed writer left (its pid is dead); a live writer's stay. */
async function removeDeadTempFiles(path: string): Promise<void> {
  const fs = await nodeFs();
  const { basename, dirname, join } = await import('node:path');
  const entries = await fs.readdir(dirname(path)).catch(() => [] as string[]);
  for (const entry of entries) {
    const match = TEMP_FILE.exec(entry);
    if (match?.[1] === basename(path) && !isProcessAlive(Number(match[2]))) {
      await fs.rm(join(dirname(path), entry), { force: true }).catch(() => undefined);
    }
  }
}

/**
 * Removes every temporary file a killed writer left under `dir` and its subdirectories (`<name>.<pid>-<random>.tmp`
 * whose pid is not running), e.g. when a program starts in an output directory a killed run wrote to. Returns the
 * paths removed. Node only.
 */
export async function removeDeadTempFilesUnder(dir: string): Promise<string[]> {
  const fs = await nodeFs();
  const { join } = await import('node:path');
  const entries = await fs.readdir(dir, { recursive: true, withFileTypes: true }).catch(() => []);
  const removed: string[] = [];
  for (const entry of entries) {
    const match = entry.isFile() ? TEMP_FILE.exec(entry.name) : null;
    if (match && !isProcessAlive(Number(match[2]))) {
      const file = join(entry.parentPath, entry.name);
      await fs.rm(file, { force: true }).catch(() => undefined);
      removed.push(file);
    }
  }
  return removed;
}


/** Writes an IDX file (gzipped when `gzip` is true; name it `.gz` then). Atomic: temp file, then rename. Node only. */
export async function writeIdxFile(path: string, array: IdxArray, options: { gzip?: boolean } = {}): Promise<void> {
  const raw = writeIdx(array);
  await writeFileAtomic(path, options.gzip ? gzipSync(raw, { level: 6 }) : raw);
}
