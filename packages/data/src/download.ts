// Downloading an MNIST-format data set once into a cache directory, verified before it is kept.
import { DigitkitError } from '@digitkit/core';
import { type LoadedFile, MNIST_FILES, MNIST_SHA256, type LoadMnistOptions } from './mnist-files.js';
import { checkPairedCounts, decodeOwnedIdx, nodeFs, readFileBytes, writeFileAtomic } from './node-files.js';

async function sha256Hex(bytes: Uint8Array): Promise<string> {
  const { createHash } = await import('node:crypto');
  return createHash('sha256').update(bytes).digest('hex');
}

/** The classic MNIST checksums apply to base URLs ending in `/mnist/` (not `/fashion-mnist/`, `/kmnist/`). */
export function isClassicMnistUrl(baseUrl: string): boolean {
  const segments = new URL(baseUrl).pathname.split('/').filter(Boolean);
  return segments.at(-1)?.toLowerCase() === 'mnist';
}

/** `$XDG_CACHE_HOME/digitkit/<host>-<hash>` (or `~/.cache/...`, `%LOCALAPPDATA%\digitkit\...` on Windows). */
export async function defaultCacheDir(baseUrl: string): Promise<string> {
  const { homedir } = await import('node:os');
  const { join } = await import('node:path');
  const root =
    process.env.XDG_CACHE_HOME ||
    (process.platform === 'win32' && process.env.LOCALAPPDATA ? process.env.LOCALAPPDATA : join(homedir(), '.cache'));
  const host = new URL(baseUrl).host.replace(/[^a-zA-Z0-9.-]/g, '_');
  return join(root, 'digitkit', `${host}-${(await sha256Hex(new TextEncoder().encode(baseUrl))).slice(0, 12)}`);
}

interface Fetched {
  readonly url: string;
  readonly fileName: string;
  readonly bytes: Uint8Array;
}

/** Without a byte for this long, a download is abandoned (a stalled server otherwise hangs for minutes). */
export const DEFAULT_DOWNLOAD_TIMEOUT_MS = 30_000;
/** No MNIST-format file comes near this; a server streaming more is refused before it fills the memory. */
const MAX_DOWNLOAD_BYTES = 1 << 30;

interface Download {
  readonly fetchFn: typeof fetch;
  readonly timeoutMs: number;
}

const seconds = (ms: number) => `${(ms / 1000).toLocaleString('en')} s`;
const stalled = (url: string, ms: number, cause?: unknown) =>
  new DigitkitError(
    'DATA_DOWNLOAD_TIMEOUT',
    `${url} sent nothing for ${seconds(ms)}, so the download was abandoned. Try again later or another mirror, or ` +
      'allow a slower server more time (loadMnist `downloadTimeoutMs`, digitkit `--download-timeout <seconds>`).',
    cause === undefined ? undefined : { cause },
  );

/**
 * Fetches one URL, abandoning it when no byte arrives for `timeoutMs` (a timer re-armed by every chunk) and
 * turning a body cut short into a DigitkitError. An HTTP error gives its status instead of bytes.
 */
async function fetchBytes(url: string, { fetchFn, timeoutMs }: Download): Promise<{ bytes: Uint8Array } | { status: number }> {
  const controller = new AbortController();
  let timer: ReturnType<typeof setTimeout> | undefined;
  const rearm = () => {
    clearTimeout(timer);
    timer = setTimeout(() => controller.abort(), timeoutMs);
  };
  rearm();
  try {
    let response: Response;
    try {
      response = await fetchFn(url, { signal: controller.signal });
    } catch (error) {
      if (controller.signal.aborted) throw stalled(url, timeoutMs, error);
      throw new DigitkitError(
        'DATA_DOWNLOAD_FAILED',
        `Could not download ${url}: ${(error as Error).message}. Check the network, or use the embedded MNIST ` +
          '(loadMnist() without source) or a directory source.',
        { cause: error },
      );
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      return { status: response.status };
    }
    const chunks: Uint8Array[] = [];
    let total = 0;
    try {
      const reader = response.body?.getReader();
      for (let next = await reader?.read(); next && !next.done; next = await reader?.read()) {
        rearm();
        chunks.push(next.value);
        total += next.value.length;
        if (total > MAX_DOWNLOAD_BYTES) {
          await reader?.cancel().catch(() => undefined);
          throw new DigitkitError(
            'DATA_DOWNLOAD_TOO_LARGE',
            `${url} sent more than ${MAX_DOWNLOAD_BYTES} bytes, far more than any MNIST-format file; the download was abandoned. Check the URL.`,
          );
        }
      }
    } catch (error) {
      if (error instanceof DigitkitError) throw error;
      if (controller.signal.aborted) throw stalled(url, timeoutMs, error);
      throw new DigitkitError(
        'DATA_DOWNLOAD_FAILED',
        `The download of ${url} was cut off after ${total} bytes (${(error as Error).message}); nothing was kept. ` +
          'Try again, or use another mirror.',
        { cause: error },
      );
    }
    const bytes = new Uint8Array(total);
    let offset = 0;
    for (const chunk of chunks) {
      bytes.set(chunk, offset);
      offset += chunk.length;
    }
    return { bytes };
  } finally {
    clearTimeout(timer);
  }
}

/** Fetches `<base><name>.gz`, or `<base><name>` when the server has no .gz (404/403/410). */
async function fetchEither(baseUrl: string, name: string, download: Download): Promise<Fetched> {
  const failures: string[] = [];
  for (const fileName of [`${name}.gz`, name]) {
    const url = new URL(fileName, baseUrl).href;
    const result = await fetchBytes(url, download);
    if ('bytes' in result) return { url, fileName, bytes: result.bytes };
    failures.push(`${url} -> HTTP ${result.status}`);
    if (![403, 404, 410].includes(result.status)) break;
  }
  throw new DigitkitError(
    'DATA_DOWNLOAD_FAILED',
    `Could not download ${name} from ${baseUrl} (${failures.join('; ')}). The base URL should hold ` +
      `${MNIST_FILES.join(', ')} (each optionally .gz).`,
  );
}

const cacheFailed = (where: string, error: unknown) =>
  new DigitkitError(
    'DATA_CACHE_FAILED',
    `Cannot use ${where} as the download cache (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}). ` +
      'Pass a writable directory as `cacheDir` (digitkit: set XDG_CACHE_HOME), or remove what is in the way.',
    { cause: error },
  );

/**
 * Loads the four files from an http(s) base URL through a cache directory. A file is kept in the cache only
 * after its checksum (when known) and its IDX structure check out. A cached file failing its checksum, or
 * failing to parse when no checksum is known, is fetched again once.
 */
export async function loadUrl(source: string, options: LoadMnistOptions): Promise<LoadedFile[]> {
  const baseUrl = source.endsWith('/') ? source : `${source}/`;
  if (!URL.canParse(baseUrl)) {
    throw new DigitkitError('INVALID_ARGUMENT', `loadMnist: ${JSON.stringify(source)} is not a valid URL. Give an http(s) URL of the directory holding the four files, or a local directory.`);
  }
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') {
    throw new DigitkitError('INVALID_ARGUMENT', 'loadMnist: no fetch available; pass options.fetch or use Node >= 18.');
  }
  const timeoutMs = options.downloadTimeoutMs ?? DEFAULT_DOWNLOAD_TIMEOUT_MS;
  if (!(timeoutMs > 0)) {
    throw new DigitkitError('INVALID_ARGUMENT', `loadMnist: downloadTimeoutMs must be a positive number of ms, got ${String(timeoutMs)}.`);
  }
  const download: Download = { fetchFn, timeoutMs };
  const checksums: Record<string, string> = {
    ...(isClassicMnistUrl(baseUrl) ? MNIST_SHA256 : {}),
    ...options.checksums,
  };
  const expectedSha = (fileName: string) =>
    (checksums[new URL(fileName, baseUrl).href] ?? checksums[fileName])?.toLowerCase();
  const cacheDir = options.cacheDir ?? (await defaultCacheDir(baseUrl));
  const fs = await nodeFs();
  const { join } = await import('node:path');
  // A cache that cannot be made fails before anything is downloaded.
  await fs.mkdir(cacheDir, { recursive: true }).catch((error: unknown) => {
    throw cacheFailed(cacheDir, error);
  });

  /** The bytes from the cache (checksum verified when known), or undefined when the cache has no usable copy. */
  const fromCache = async (name: string): Promise<{ name: string; bytes: Uint8Array; fileName: string } | undefined> => {
    for (const fileName of [`${name}.gz`, name]) {
      const path = join(cacheDir, fileName);
      const cached = await readFileBytes(path).catch(() => undefined);
      if (!cached) continue;
      const expected = expectedSha(fileName);
      if (expected && (await sha256Hex(cached)) !== expected) {
        await fs.rm(path, { force: true });
        continue;
      }
      return { name: path, bytes: cached, fileName };
    }
    return undefined;
  };
  const fetchVerified = async (name: string): Promise<Fetched> => {
    const fetched = await fetchEither(baseUrl, name, download);
    const expected = expectedSha(fetched.fileName);
    if (expected) {
      const actual = await sha256Hex(fetched.bytes);
      if (actual !== expected) {
        throw new DigitkitError(
          'DATA_CHECKSUM_MISMATCH',
          `${fetched.url} has SHA-256 ${actual}, expected ${expected}; the download was not kept. The mirror may ` +
            'serve a different or damaged file: try again, another mirror, or pass the right `checksums`.',
        );
      }
    }
    return fetched;
  };

  // Settle every file before reporting, so the error names the first bad file in a fixed order and no download
  // is still writing to the cache when loadMnist rejects.
  const settled = await Promise.allSettled(
    MNIST_FILES.map(async (name) => {
      const cached = await fromCache(name);
      if (cached) return { ...cached, fresh: false };
      const { url, fileName, bytes } = await fetchVerified(name);
      return { name: url, bytes, fileName, fresh: true };
    }),
  );
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  const raw = settled.map((result) => (result as PromiseFulfilledResult<{ name: string; bytes: Uint8Array; fileName: string; fresh: boolean }>).value);

  const decode = async (file: (typeof raw)[number], index: number): Promise<LoadedFile> => {
    try {
      return { name: file.name, array: await decodeOwnedIdx(file.bytes, file.name) };
    } catch (error) {
      // A damaged cached copy nobody can verify is downloaded again, once; a fresh download that fails is reported.
      if (file.fresh || expectedSha(file.fileName)) throw error;
      await fs.rm(file.name, { force: true });
      const fetched = await fetchVerified(MNIST_FILES[index]!);
      raw[index] = { name: fetched.url, bytes: fetched.bytes, fileName: fetched.fileName, fresh: true };
      return decode(raw[index]!, index);
    }
  };
  checkPairedCounts(raw);
  const files: LoadedFile[] = [];
  for (const [index, file] of raw.entries()) {
    const loaded = await decode(file, index);
    const current = raw[index]!;
    if (current.fresh) {
      await writeFileAtomic(join(cacheDir, current.fileName), current.bytes).catch((error: unknown) => {
        throw cacheFailed(join(cacheDir, current.fileName), (error as Error).cause ?? error);
      });
    }
    files.push(loaded);
  }
  return files;
}
