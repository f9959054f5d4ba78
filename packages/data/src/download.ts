// Downloading an MNIST-format data set once into a cache directory, verified before it is kept.
import { DigitkitError } from '@digitkit/core';
import { type LoadedFile, MNIST_FILES, MNIST_SHA256, type LoadMnistOptions } from './mnist-files.js';
import { decodeOwnedIdx, nodeFs, readFileBytes, writeFileAtomic } from './node-files.js';

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

/** Fetches `<base><name>.gz`, or `<base><name>` when the server has no .gz (404/403/410). */
async function fetchEither(baseUrl: string, name: string, fetchFn: typeof fetch): Promise<Fetched> {
  const failures: string[] = [];
  for (const fileName of [`${name}.gz`, name]) {
    const url = new URL(fileName, baseUrl).href;
    let response: Response;
    try {
      response = await fetchFn(url);
    } catch (error) {
      throw new DigitkitError(
        'DATA_DOWNLOAD_FAILED',
        `Could not download ${url}: ${(error as Error).message}. Check the network, or use the embedded MNIST ` +
          '(loadMnist() without source) or a directory source.',
        { cause: error },
      );
    }
    if (response.ok) return { url, fileName, bytes: new Uint8Array(await response.arrayBuffer()) };
    failures.push(`${url} -> HTTP ${response.status}`);
    await response.body?.cancel().catch(() => undefined);
    if (![403, 404, 410].includes(response.status)) break;
  }
  throw new DigitkitError(
    'DATA_DOWNLOAD_FAILED',
    `Could not download ${name} from ${baseUrl} (${failures.join('; ')}). The base URL should hold ` +
      `${MNIST_FILES.join(', ')} (each optionally .gz).`,
  );
}

/**
 * Loads the four files from an http(s) base URL through a cache directory. A file is kept in the cache only
 * after its checksum (when known) and its IDX structure check out; a cached file failing its checksum is fetched again.
 */
export async function loadUrl(source: string, options: LoadMnistOptions): Promise<LoadedFile[]> {
  const baseUrl = source.endsWith('/') ? source : `${source}/`;
  const fetchFn = options.fetch ?? globalThis.fetch;
  if (typeof fetchFn !== 'function') {
    throw new DigitkitError('INVALID_ARGUMENT', 'loadMnist: no fetch available; pass options.fetch or use Node >= 18.');
  }
  const checksums: Record<string, string> = {
    ...(isClassicMnistUrl(baseUrl) ? MNIST_SHA256 : {}),
    ...options.checksums,
  };
  const expectedSha = (fileName: string) =>
    (checksums[new URL(fileName, baseUrl).href] ?? checksums[fileName])?.toLowerCase();
  const cacheDir = options.cacheDir ?? (await defaultCacheDir(baseUrl));
  const fs = await nodeFs();
  const { join } = await import('node:path');

  // Settle every file before reporting, so the error names the first bad file in a fixed order and no download
  // is still writing to the cache when loadMnist rejects.
  const settled = await Promise.allSettled(
    MNIST_FILES.map(async (name): Promise<LoadedFile> => {
      for (const fileName of [`${name}.gz`, name]) {
        const path = join(cacheDir, fileName);
        const cached = await readFileBytes(path).catch(() => undefined);
        if (!cached) continue;
        const expected = expectedSha(fileName);
        if (expected && (await sha256Hex(cached)) !== expected) {
          await fs.rm(path, { force: true });
          continue;
        }
        return { name: path, array: await decodeOwnedIdx(cached, path) };
      }
      const { url, fileName, bytes } = await fetchEither(baseUrl, name, fetchFn);
      const expected = expectedSha(fileName);
      if (expected) {
        const actual = await sha256Hex(bytes);
        if (actual !== expected) {
          throw new DigitkitError(
            'DATA_CHECKSUM_MISMATCH',
            `${url} has SHA-256 ${actual}, expected ${expected}; the download was not kept. The mirror may ` +
              'serve a different or damaged file: try again, another mirror, or pass the right `checksums`.',
          );
        }
      }
      const array = await decodeOwnedIdx(bytes, url);
      await fs.mkdir(cacheDir, { recursive: true });
      await writeFileAtomic(join(cacheDir, fileName), bytes);
      return { name: url, array };
    }),
  );
  const failed = settled.find((result) => result.status === 'rejected');
  if (failed) throw failed.reason;
  return settled.map((result) => (result as PromiseFulfilledResult<LoadedFile>).value);
}
