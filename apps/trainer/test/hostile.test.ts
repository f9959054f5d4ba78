// Hostile files, run through the built CLI: each gives a clear error (or the right answer), never a stack or a
// silent wrong result. The files are made here, small versions of the bombs the peak-memory script measures.
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@digitkit/core';
import { mlp, saveModel } from '@digitkit/model';
import { serveHostile, tinyMnist, writeDataDir, writeHugePng, writeIdxBomb } from './hostile-files.mjs';
import { digitkit as run, expectClearError, type Run } from './cli-process.js';


function digitkit(args: string[], env: Record<string, string> = {}): Promise<Run> {
  return run(args, { cwd: work, env: { XDG_CACHE_HOME: join(work, 'cache'), ...env } });
}

let work: string;
let model: string;

/** A copy of the saved model, changed by `edit`. */
async function editedModel(name: string, edit: (dir: string) => Promise<void>): Promise<string> {
  const dir = join(work, name);
  await cp(model, dir, { recursive: true });
  await edit(dir);
  return dir;
}

async function editJson(dir: string, edit: (json: { modelTopology: { config: { layers: { config: Record<string, unknown> }[] } } }) => void) {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  edit(json);
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
}

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'digitkit-hostile-'));
  await useBackend('cpu', { log: null });
  model = join(work, 'model');
  await saveModel(mlp({ seed: 7 }), model);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('hostile files', () => {
  it('refuses a PNG over 50 megapixels, or over 200 MB once decoded, from its header, before decoding it', async () => {
    // 8000x8000 gray: 64 megapixels, 64 MB decoded, about 60 KB on disk.
    await writeHugePng(join(work, 'huge.png'), 8000, 8000, 1);
    const run = await digitkit(['predict', 'huge.png', '--model-dir', model, '--backend', 'cpu']);
    expectClearError(run, /huge\.png is 8000x8000 pixels \(64\.0 megapixels; at most 50 are read\) and was not decoded\. Scale the picture down/);
    // Under 50 megapixels but 16-bit RGBA: 288 MB once decoded (the decoder then needs twice that).
    await writeHugePng(join(work, 'deep.png'), 6000, 6000, 4, 16);
    const deep = await digitkit(['predict', 'deep.png', '--model-dir', model, '--backend', 'cpu']);
    expectClearError(deep, /deep\.png is 6000x6000 pixels \(16-bit, 288 MB once decoded; at most 200 MB are read\).*8 bits per channel/);
    // The same writer's smaller picture decodes (all black: no digit), so the size alone was refused above.
    await writeHugePng(join(work, 'black.png'), 2000, 2000, 1);
    const small = await digitkit(['predict', 'black.png', '--model-dir', model, '--backend', 'cpu']);
    expectClearError(small, /black\.png holds no digit/);
  });

  it('stops inflating a PNG at the size its header declares (a decompression bomb)', async () => {
    // 256 MB of pixel data (250 KB on disk) behind a header saying 1x1 RGBA: 5 bytes would do.
    await writeHugePng(join(work, 'bomb.png'), 1, 1, 4, 8, 256 * 2 ** 20);
    const run = await digitkit(['predict', 'bomb.png', '--model-dir', model, '--backend', 'cpu']);
    expectClearError(run, /bomb\.png says it is 1x1 pixels, but its pixel data inflates to more than the 1,043 bytes that size needs, and was not decoded/);
  });

  it('refuses a model.json whose layer size was changed, before building the layer', async () => {
    const dir = await editedModel('units', (d) => editJson(d, (json) => (json.modelTopology.config.layers[0]!.config.units = 1_000_000)));
    const run = await digitkit(['predict', '--index', '0', '--model-dir', dir, '--backend', 'cpu']);
    expectClearError(run, /units\/model\.json gives layer "dense_1" units 1000000, but its weights \(dense_1\/kernel\) have shape \[784, 128\].*save the model again/);
  });

  it('caps --count of show', async () => {
    const run = await digitkit(['show', 'samples', '--count', '1000000', '--out', 'pics']);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/--count.*at most 1,000, got "1000000"/);
  });

  it('stops inflating a gzip IDX at the size its header declares', async () => {
    const dir = join(work, 'bomb');
    await writeDataDir(dir, tinyMnist(30, 12));
    // The header says 30 images (23 KB); the file inflates to 256 MB.
    await writeIdxBomb(join(dir, 'train-images-idx3-ubyte.gz'), [30, 28, 28], 256 * 2 ** 20);
    const run = await digitkit(['show', 'samples', '--data', dir, '--out', 'pics']);
    expectClearError(run, /bomb\/train-images-idx3-ubyte\.gz inflates to more bytes than its IDX header declares \(23536\)/);
  });

  it('refuses an IDX header that promises more images than there are labels, before inflating', async () => {
    const dir = join(work, 'big-header');
    await writeDataDir(dir, tinyMnist(30, 12));
    await writeIdxBomb(join(dir, 'train-images-idx3-ubyte.gz'), [300_000, 28, 28], 300_000 * 784 + 16);
    const run = await digitkit(['show', 'samples', '--data', dir, '--out', 'pics']);
    expectClearError(run, /holds 300000 images but .*train-labels-idx1-ubyte\.gz holds 30 labels.*Nothing was inflated/);
  });
});

describe('broken models never answer NaN', () => {
  let nan: string;
  beforeAll(async () => {
    nan = await editedModel('nan', async (dir) => {
      const size = (await readFile(join(dir, 'weights.bin'))).length;
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(new Float32Array(size / 4).fill(Number.NaN).buffer));
    });
  });

  it.each(['predict', 'evaluate'])('%s refuses all-NaN weights on WASM', async (command) => {
    const run = await digitkit([command, ...(command === 'predict' ? ['--index', '0'] : []), '--model-dir', nan, '--backend', 'wasm']);
    expectClearError(run, /nan\/model\.json: the weight dense_1\/kernel holds 100352 non-finite values.*train again/);
    expect(run.stdout).not.toMatch(/NaN|predicted|accuracy/);
  });

  it.each(['predict', 'evaluate'])('%s refuses finite weights whose outputs overflow to NaN on WASM', async (command) => {
    // Every weight 1e30: each finite, so loading passes, but the first layer already overflows to Infinity.
    const huge = await editedModel(`huge-${command}`, async (dir) => {
      const size = (await readFile(join(dir, 'weights.bin'))).length;
      await writeFile(join(dir, 'weights.bin'), new Uint8Array(new Float32Array(size / 4).fill(1e30).buffer));
    });
    const run = await digitkit([command, ...(command === 'predict' ? ['--index', '0'] : []), '--model-dir', huge, '--backend', 'wasm']);
    expectClearError(run, /non-finite output.*[Tt]rain it again/);
    expect(run.stdout).not.toMatch(/NaN|predicted|accuracy/);
  });

  it('predict gives probabilities for a model that ends in logits (no softmax)', async () => {
    const dir = await editedModel('logits', (d) => editJson(d, (json) => (json.modelTopology.config.layers.at(-1)!.config.activation = 'linear')));
    const run = await digitkit(['predict', '--index', '0', '--model-dir', dir, '--backend', 'wasm', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const { probabilities } = JSON.parse(run.stdout).predictions[0];
    expect(probabilities.every((p: number) => p >= 0 && p <= 1)).toBe(true);
    expect(probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
  });
});

describe('downloads from a hostile server (127.0.0.1)', () => {
  let server: Awaited<ReturnType<typeof serveHostile>>;
  beforeAll(async () => {
    server = await serveHostile(tinyMnist(30, 12));
  });
  afterAll(async () => {
    await server.close();
  });

  it('gives up on a stalled server after --download-timeout', async () => {
    const run = await digitkit(['show', 'samples', '--data', `${server.base}/stall/`, '--out', 'pics', '--download-timeout', '1']);
    expectClearError(run, /stall\/train-images-idx3-ubyte\.gz sent nothing for 1 s.*--download-timeout/);
    expect(run.seconds).toBeLessThan(15);
  });

  it('reports a download cut mid-body', async () => {
    const run = await digitkit(['show', 'samples', '--data', `${server.base}/cut/`, '--out', 'pics']);
    expectClearError(run, /The download of .*cut\/train-images-idx3-ubyte\.gz was cut off after \d+ bytes.*Try again/);
  });

  it('says what to do when the cache directory is a file', async () => {
    await writeFile(join(work, 'cache-file'), 'not a directory');
    const run = await digitkit(['show', 'samples', '--data', `${server.base}/ok/`, '--out', 'pics'], { XDG_CACHE_HOME: join(work, 'cache-file') });
    expectClearError(run, /Cannot use .*cache-file\/digitkit\/127\.0\.0\.1_\d+-\w+ as the download cache \(ENOTDIR\).*XDG_CACHE_HOME/);
  });

  it('downloads again a damaged cached file that has no checksum', async () => {
    // A cache of its own: the one directory in it is this source's.
    const env = { XDG_CACHE_HOME: join(work, 'cache-refetch') };
    const first = await digitkit(['show', 'samples', '--data', `${server.base}/ok/`, '--out', 'pics'], env);
    expect(first.code, first.stderr).toBe(0);
    const [dir] = await readdir(join(env.XDG_CACHE_HOME, 'digitkit'));
    await writeFile(join(env.XDG_CACHE_HOME, 'digitkit', dir!, 't10k-images-idx3-ubyte.gz'), '<html>half a file</html>');
    server.requests.length = 0;
    const second = await digitkit(['show', 'samples', '--data', `${server.base}/ok/`, '--out', 'pics'], env);
    expect(second.code, second.stderr).toBe(0);
    expect(server.requests).toEqual(['/ok/t10k-images-idx3-ubyte.gz']);
  });
});
