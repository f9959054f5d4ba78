// loadMnist from a directory and from an http(s) URL (a local node:http server on 127.0.0.1), plus imageSetFromIdx.
import { createHash } from 'node:crypto';
import { once } from 'node:events';
import { createServer, type Server, type ServerResponse } from 'node:http';
import { mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { DigitkitError } from '@digitkit/core';
import { gzipSync } from 'fflate';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { imageSetFromIdx, loadMnist, MNIST_FILES, MNIST_SHA256, writeIdx, writeIdxFile, type IdxArray } from './index.js';

const images = (count: number, fill = 0): IdxArray => ({
  dtype: 'uint8',
  shape: [count, 4, 3],
  data: new Uint8Array(count * 12).map((_, i) => (i + fill) % 256),
});
const labels = (count: number, offset = 0): IdxArray => ({
  dtype: 'uint8',
  shape: [count],
  data: new Uint8Array(count).map((_, i) => (i + offset) % 10),
});
/** A tiny MNIST-format data set: 30 training and 12 test images of 4x3. */
const tinyFiles = (): IdxArray[] => [images(30), labels(30), images(12, 7), labels(12, 3)];
const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'digitkit-sources-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

async function expectRejects(promise: Promise<unknown>, code: string, ...words: string[]): Promise<DigitkitError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DigitkitError);
  expect((error as DigitkitError).code).toBe(code);
  for (const word of words) expect((error as DigitkitError).message).toContain(word);
  return error as DigitkitError;
}

describe('imageSetFromIdx', () => {
  const names = { images: 'imgs.idx3', labels: 'lbls.idx1' };

  it('pairs images with labels without copying', () => {
    const im = images(5);
    const set = imageSetFromIdx(im, labels(5), names);
    expect([set.count, set.height, set.width, set.numClasses]).toEqual([5, 4, 3, 10]);
    expect(set.images).toBe(im.data);
  });

  it('names both files when counts differ', () => {
    expect(() => imageSetFromIdx(images(5), labels(4), names)).toThrow(/imgs\.idx3 holds 5 images but lbls\.idx1 holds 4 labels/);
  });

  it('names the labels file and position of a label outside 0-9', () => {
    const bad = labels(5);
    bad.data[3] = 10;
    expect(() => imageSetFromIdx(images(5), bad, names)).toThrow(/lbls\.idx1 has label 10 at position 3/);
  });

  it('rejects swapped or non-uint8 files', () => {
    expect(() => imageSetFromIdx(labels(5), images(5), names)).toThrow(/imgs\.idx3 should hold uint8 images/);
    expect(() => imageSetFromIdx(images(5), { dtype: 'int8', shape: [5], data: new Int8Array(5) }, names)).toThrow(/lbls\.idx1 should hold uint8 labels/);
  });
});

describe('loadMnist({ source: directory })', () => {
  it('reads plain and .gz files (as Fashion-MNIST / KMNIST directories hold them)', async () => {
    const dir = join(root, 'mixed');
    await mkdir(dir);
    const files = tinyFiles();
    await writeIdxFile(join(dir, `${MNIST_FILES[0]}.gz`), files[0]!, { gzip: true });
    await writeIdxFile(join(dir, MNIST_FILES[1]), files[1]!);
    await writeIdxFile(join(dir, `${MNIST_FILES[2]}.gz`), files[2]!, { gzip: true });
    await writeIdxFile(join(dir, `${MNIST_FILES[3]}.gz`), files[3]!, { gzip: true });
    const split = await loadMnist({ source: dir });
    expect(split.source).toBe(dir);
    expect([split.train.count, split.train.height, split.train.width]).toEqual([30, 4, 3]);
    expect(split.test.count).toBe(12);
    expect(split.train.images).toEqual(files[0]!.data);
    expect(split.test.labels).toEqual(files[3]!.data);
    expect((await loadMnist({ source: pathToFileURL(dir).href })).test.count).toBe(12);
  });

  it('says which files were expected when some are missing', async () => {
    const dir = join(root, 'partial');
    await mkdir(dir);
    await writeIdxFile(join(dir, MNIST_FILES[0]), tinyFiles()[0]!);
    await expectRejects(loadMnist({ source: dir }), 'DATA_NOT_FOUND', dir, 'train-labels-idx1-ubyte(.gz)', 't10k-images-idx3-ubyte(.gz)');
  });

  it('says so when the directory does not exist', async () => {
    const dir = join(root, 'nowhere');
    await expectRejects(loadMnist({ source: dir }), 'DATA_NOT_FOUND', dir, 'train-images-idx3-ubyte');
  });

  it('names the bad file, and changes nothing on disk', async () => {
    const dir = join(root, 'bad');
    await mkdir(dir);
    const files = tinyFiles();
    for (const [i, name] of MNIST_FILES.entries()) await writeIdxFile(join(dir, name), files[i]!);
    await writeIdxFile(join(dir, MNIST_FILES[3]), labels(11)); // 12 test images, 11 labels
    const before = await readdir(dir);
    await expectRejects(loadMnist({ source: dir }), 'DATA_COUNT_MISMATCH', join(dir, MNIST_FILES[2]), join(dir, MNIST_FILES[3]));
    await writeFile(join(dir, MNIST_FILES[3]), new Uint8Array([8, 0, 0, 0]));
    await expectRejects(loadMnist({ source: dir }), 'IDX_BAD_MAGIC', join(dir, MNIST_FILES[3]));
    expect(await readdir(dir)).toEqual(before);
  });

  it('refuses a gzip bomb whose header promises more images than there are labels, before inflating it', async () => {
    const dir = join(root, 'bomb-dir');
    await mkdir(dir);
    const files = tinyFiles();
    for (const [i, name] of MNIST_FILES.entries()) await writeIdxFile(join(dir, name), files[i]!);
    // A header promising 1,000,000 images of 28x28 (784 MB), then 64 MB of zeros: about 64 KB gzipped.
    const header = new Uint8Array([0, 0, 8, 3, 0, 0x0f, 0x42, 0x40, 0, 0, 0, 28, 0, 0, 0, 28]);
    const inflated = new Uint8Array(16 + 64 * 1024 * 1024);
    inflated.set(header);
    const bomb = gzipSync(inflated);
    await writeFile(join(dir, `${MNIST_FILES[0]}.gz`), bomb);
    await rm(join(dir, MNIST_FILES[0]));
    const before = process.memoryUsage().rss;
    await expectRejects(loadMnist({ source: dir }), 'DATA_COUNT_MISMATCH', '1000000 images', '30 labels', 'Nothing was inflated');
    expect(process.memoryUsage().rss - before).toBeLessThan(32 * 1024 * 1024);
  });

  it('rejects an unsupported source', async () => {
    await expectRejects(loadMnist({ source: 'ftp://example.invalid/mnist/' }), 'INVALID_ARGUMENT', 'ftp://');
    await expectRejects(loadMnist({ source: '' }), 'INVALID_ARGUMENT');
  });

  it('rejects an http(s) source that is no URL, naming it, before anything is fetched or cached', async () => {
    for (const source of ['http://[bad', 'http://', 'https://exa mple/']) {
      await expectRejects(loadMnist({ source, fetch: () => Promise.reject(new Error('fetched')) }), 'INVALID_ARGUMENT', `${JSON.stringify(source)} is not a valid URL`);
    }
  });
});

describe('loadMnist({ source: url })', () => {
  let server: Server;
  let base: string;
  /** path -> body served; anything else is a 404. */
  const served = new Map<string, Uint8Array>();
  const requests: string[] = [];
  const stalledResponses: ServerResponse[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      requests.push(req.url ?? '');
      const body = served.get(req.url ?? '');
      if (req.url?.startsWith('/broken/')) {
        res.writeHead(500).end('oops');
      } else if (req.url?.startsWith('/stall/')) {
        // Headers and a few bytes, then silence: the client must give up by itself.
        res.writeHead(200, { 'content-length': '1000' }).write(new Uint8Array(10));
        stalledResponses.push(res);
      } else if (body && req.url?.startsWith('/cut/')) {
        // Half the body, then the connection drops (a download cut mid-body).
        res.writeHead(200, { 'content-length': String(body.length) });
        res.write(body.subarray(0, body.length >> 1), () => res.destroy());
      } else if (body) {
        res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body);
      } else {
        res.writeHead(404).end('not found');
      }
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    for (const res of stalledResponses) res.destroy();
    server.close();
    await once(server, 'close');
  });
  beforeEach(() => {
    requests.length = 0;
  });

  /** Serves the tiny set under `prefix` (gzipped unless listed in `plain`), returns the bytes by file name. */
  function serve(prefix: string, plain: readonly string[] = []): Record<string, Uint8Array> {
    const bodies: Record<string, Uint8Array> = {};
    tinyFiles().forEach((array, i) => {
      const name = MNIST_FILES[i]!;
      const isPlain = plain.includes(name);
      const fileName = isPlain ? name : `${name}.gz`;
      bodies[fileName] = isPlain ? writeIdx(array) : gzipSync(writeIdx(array));
      served.set(`${prefix}${fileName}`, bodies[fileName]);
    });
    return bodies;
  }

  it('downloads once into the cache, verifying checksums, then reads the cache', async () => {
    const bodies = serve('/fashion/', [MNIST_FILES[1]]);
    const cacheDir = join(root, 'cache-ok');
    const checksums = Object.fromEntries(Object.entries(bodies).map(([name, bytes]) => [name, sha256(bytes)]));
    const first = await loadMnist({ source: `${base}/fashion/`, cacheDir, checksums });
    expect([first.train.count, first.test.count, first.source]).toEqual([30, 12, `${base}/fashion/`]);
    expect(requests.sort()).toEqual(
      ['/fashion/t10k-images-idx3-ubyte.gz', '/fashion/t10k-labels-idx1-ubyte.gz', '/fashion/train-images-idx3-ubyte.gz', '/fashion/train-labels-idx1-ubyte', '/fashion/train-labels-idx1-ubyte.gz'].sort(),
    );
    expect((await readdir(cacheDir)).sort()).toEqual(Object.keys(bodies).sort());
    for (const [name, bytes] of Object.entries(bodies)) expect(new Uint8Array(await readFile(join(cacheDir, name)))).toEqual(bytes);

    requests.length = 0;
    const second = await loadMnist({ source: `${base}/fashion`, cacheDir, checksums });
    expect(requests).toEqual([]);
    expect(second.train.images).toEqual(first.train.images);
  });

  it('refuses a download whose SHA-256 does not match, and keeps nothing', async () => {
    serve('/tampered/');
    const cacheDir = join(root, 'cache-bad');
    const checksums = { 'train-images-idx3-ubyte.gz': '0'.repeat(64) };
    const error = await expectRejects(
      loadMnist({ source: `${base}/tampered/`, cacheDir, checksums }),
      'DATA_CHECKSUM_MISMATCH',
      `${base}/tampered/train-images-idx3-ubyte.gz`,
      '0'.repeat(64),
      'not kept',
    );
    expect(error.message).toMatch(/has SHA-256 [0-9a-f]{64}/);
    const kept = await readdir(cacheDir).catch(() => [] as string[]);
    expect(kept).not.toContain('train-images-idx3-ubyte.gz');
    expect(kept.filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('applies the classic MNIST checksums to a .../mnist/ URL', async () => {
    serve('/mirror/mnist/');
    const cacheDir = join(root, 'cache-classic');
    await expectRejects(
      loadMnist({ source: `${base}/mirror/mnist/`, cacheDir }),
      'DATA_CHECKSUM_MISMATCH',
      `${base}/mirror/mnist/train-images-idx3-ubyte.gz`,
      MNIST_SHA256['train-images-idx3-ubyte.gz']!,
    );
    expect(await readdir(cacheDir).catch(() => [] as string[])).toEqual([]);
  });

  it('fetches again a cached file that fails its checksum', async () => {
    const bodies = serve('/recache/');
    const cacheDir = join(root, 'cache-re');
    const checksums = Object.fromEntries(Object.entries(bodies).map(([name, bytes]) => [name, sha256(bytes)]));
    await loadMnist({ source: `${base}/recache/`, cacheDir, checksums });
    await writeFile(join(cacheDir, 't10k-labels-idx1-ubyte.gz'), gzipSync(writeIdx(labels(12, 5))));
    requests.length = 0;
    const split = await loadMnist({ source: `${base}/recache/`, cacheDir, checksums });
    expect(requests).toEqual(['/recache/t10k-labels-idx1-ubyte.gz']);
    expect(split.test.labels).toEqual(tinyFiles()[3]!.data);
  });

  it('keeps no file that is not valid IDX', async () => {
    serve('/html/');
    served.set('/html/t10k-images-idx3-ubyte.gz', new TextEncoder().encode('<html>moved</html>'));
    const cacheDir = join(root, 'cache-html');
    await expectRejects(loadMnist({ source: `${base}/html/`, cacheDir }), 'IDX_BAD_MAGIC', `${base}/html/t10k-images-idx3-ubyte.gz`);
    expect(await readdir(cacheDir).catch(() => [] as string[])).not.toContain('t10k-images-idx3-ubyte.gz');
  });

  it('names the URLs it tried when the server does not have the files', async () => {
    await expectRejects(
      loadMnist({ source: `${base}/empty/`, cacheDir: join(root, 'cache-empty') }),
      'DATA_DOWNLOAD_FAILED',
      `${base}/empty/train-images-idx3-ubyte.gz -> HTTP 404`,
      `${base}/empty/train-images-idx3-ubyte -> HTTP 404`,
    );
    await expectRejects(loadMnist({ source: `${base}/broken/`, cacheDir: join(root, 'cache-broken') }), 'DATA_DOWNLOAD_FAILED', 'HTTP 500');
  });

  it('uses the fetch it is given, and reports network errors', async () => {
    const failing = (async () => {
      throw new TypeError('fetch failed');
    }) as typeof fetch;
    await expectRejects(loadMnist({ source: `${base}/x/`, cacheDir: join(root, 'cache-net'), fetch: failing }), 'DATA_DOWNLOAD_FAILED', 'fetch failed');
  });

  it('caches under $XDG_CACHE_HOME/digitkit by default', async () => {
    serve('/default/');
    const previous = process.env.XDG_CACHE_HOME;
    process.env.XDG_CACHE_HOME = join(root, 'xdg');
    try {
      await loadMnist({ source: `${base}/default/` });
      const [dir, ...others] = await readdir(join(root, 'xdg', 'digitkit'));
      expect(others).toEqual([]);
      expect(dir).toMatch(/^127\.0\.0\.1_\d+-[0-9a-f]{12}$/);
      expect((await readdir(join(root, 'xdg', 'digitkit', dir!))).length).toBe(4);
    } finally {
      if (previous === undefined) delete process.env.XDG_CACHE_HOME;
      else process.env.XDG_CACHE_HOME = previous;
    }
  });

  it('abandons a stalled download after the timeout, naming the URL and the option', async () => {
    serve('/stall/');
    const started = performance.now();
    const error = await expectRejects(
      loadMnist({ source: `${base}/stall/`, cacheDir: join(root, 'cache-stall'), downloadTimeoutMs: 300 }),
      'DATA_DOWNLOAD_TIMEOUT',
      `${base}/stall/train-images-idx3-ubyte.gz`,
      '--download-timeout',
    );
    expect(error.message).toContain('0.3 s');
    expect(performance.now() - started).toBeLessThan(5000);
    expect(await readdir(join(root, 'cache-stall'))).toEqual([]);
  });

  it('reports a download cut mid-body and keeps nothing', async () => {
    serve('/cut/');
    await expectRejects(
      loadMnist({ source: `${base}/cut/`, cacheDir: join(root, 'cache-cut') }),
      'DATA_DOWNLOAD_FAILED',
      `${base}/cut/train-images-idx3-ubyte.gz`,
      'cut off',
    );
    expect(await readdir(join(root, 'cache-cut'))).toEqual([]);
  });

  it('says so when the cache directory is a file, before downloading', async () => {
    serve('/cachefile/');
    const cacheDir = join(root, 'cache-is-a-file');
    await writeFile(cacheDir, 'not a directory');
    await expectRejects(loadMnist({ source: `${base}/cachefile/`, cacheDir }), 'DATA_CACHE_FAILED', cacheDir, 'cacheDir');
    await expectRejects(loadMnist({ source: `${base}/cachefile/`, cacheDir: join(cacheDir, 'sub') }), 'DATA_CACHE_FAILED', 'ENOTDIR');
    expect(requests).toEqual([]);
  });

  it('says so when a download cannot be written into the cache', async () => {
    serve('/unwritable/');
    const cacheDir = join(root, 'cache-unwritable');
    // A directory where the file should go: renaming onto it fails even for root (who ignores read-only modes).
    await mkdir(join(cacheDir, 'train-images-idx3-ubyte.gz', 'x'), { recursive: true });
    await expectRejects(
      loadMnist({ source: `${base}/unwritable/`, cacheDir }),
      'DATA_CACHE_FAILED',
      join(cacheDir, 'train-images-idx3-ubyte.gz'),
      'writable directory',
    );
  });

  it('downloads again, once, a cached file that fails to parse and has no checksum', async () => {
    serve('/reparse/');
    const cacheDir = join(root, 'cache-reparse');
    await loadMnist({ source: `${base}/reparse/`, cacheDir });
    await writeFile(join(cacheDir, 't10k-images-idx3-ubyte.gz'), new TextEncoder().encode('<html>half a file</html>'));
    requests.length = 0;
    const split = await loadMnist({ source: `${base}/reparse/`, cacheDir });
    expect(requests).toEqual(['/reparse/t10k-images-idx3-ubyte.gz']);
    expect(split.test.count).toBe(12);
    // The server now serves a damaged file too: one more try, then the error names the download.
    await writeFile(join(cacheDir, 't10k-images-idx3-ubyte.gz'), new TextEncoder().encode('<html>again</html>'));
    served.set('/reparse/t10k-images-idx3-ubyte.gz', new TextEncoder().encode('<html>bad mirror</html>'));
    requests.length = 0;
    await expectRejects(loadMnist({ source: `${base}/reparse/`, cacheDir }), 'IDX_BAD_MAGIC', `${base}/reparse/t10k-images-idx3-ubyte.gz`);
    expect(requests).toEqual(['/reparse/t10k-images-idx3-ubyte.gz']);
  });
});
