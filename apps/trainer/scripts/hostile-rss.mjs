// Peak memory of the CLI on hostile files: makes each file, runs the built CLI under GNU time (`-f %M`, KB),
// prints a Markdown table. Run after a build: `node apps/trainer/scripts/hostile-rss.mjs` (about 1-2 minutes).
import { spawn } from 'node:child_process';
import { cp, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveHostile, tinyMnist, writeDataDir, writeHugePng, writeIdxBomb } from '../test/hostile-files.mjs';

const BIN = fileURLToPath(new URL('../bin/digitkit.js', import.meta.url));
const work = await mkdtemp(join(tmpdir(), 'digitkit-hostile-'));
const GiB = 2 ** 30;

/** Runs `digitkit args` under /usr/bin/time; resolves exit code, peak RSS in KB and the last line the CLI printed. */
function measure(args, env = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/time', ['-f', 'peak-rss-kb %M', process.execPath, BIN, ...args], {
      cwd: work,
      env: { ...process.env, FORCE_COLOR: '0', XDG_CACHE_HOME: join(work, 'cache'), ...env },
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    child.on('error', reject);
    const started = performance.now();
    child.on('close', (code) => {
      const kb = Number(/peak-rss-kb (\d+)/.exec(output)?.[1]);
      const lines = output.split('\n').filter((l) => l.trim() && !l.startsWith('peak-rss-kb') && !/using the|loaded [\d,]+ training/.test(l));
      const said = lines.find((l) => l.startsWith('digitkit:') || l.startsWith('error:')) ?? lines[0] ?? '';
      resolve({ code, kb, seconds: (performance.now() - started) / 1000, said: said.trim() });
    });
  });
}

console.error('making a small model and the hostile files...');
const trained = await measure(['train', '--limit', '2000', '--validation', '200', '--epochs', '1', '--no-report', '--backend', 'wasm', '--out', 'run']);
if (trained.code !== 0) throw new Error(`training the small model failed: ${trained.said}`);
const model = join(work, 'run/model');
const editModel = async (name, edit) => {
  const dir = join(work, name);
  await cp(model, dir, { recursive: true });
  await edit(dir);
  return dir;
};
const units = await editModel('units-1e6', async (dir) => {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  json.modelTopology.config.layers[0].config.units = 1_000_000;
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
});
const nan = await editModel('nan-weights', async (dir) => {
  const size = (await readFile(join(dir, 'weights.bin'))).length;
  await writeFile(join(dir, 'weights.bin'), new Uint8Array(new Float32Array(size / 4).fill(Number.NaN).buffer));
});
const logits = await editModel('no-softmax', async (dir) => {
  const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
  json.modelTopology.config.layers.at(-1).config.activation = 'linear';
  await writeFile(join(dir, 'model.json'), JSON.stringify(json));
});

const tiny = tinyMnist(30, 12);
// 2 GiB of zeros behind a header promising 30 images (small header), or honestly 2 GiB of 28x28 images (big header).
await writeDataDir(join(work, 'bomb-small-header'), tiny);
await writeIdxBomb(join(work, 'bomb-small-header', 'train-images-idx3-ubyte.gz'), [30, 28, 28], 2 * GiB);
await writeDataDir(join(work, 'bomb-big-header'), tiny);
await writeIdxBomb(join(work, 'bomb-big-header', 'train-images-idx3-ubyte.gz'), [Math.floor((2 * GiB) / 784), 28, 28], 2 * GiB);
await writeHugePng(join(work, 'huge.png'), 20_000, 20_000, 3);
await writeHugePng(join(work, 'deep.png'), 6000, 6000, 4, 16);
await writeHugePng(join(work, 'largest.png'), 5000, 5000, 4, 16);
await writeHugePng(join(work, 'png-bomb.png'), 1, 1, 4, 8, 2 * GiB);
const size = async (path) => `${((await readFile(path)).length / 1e6).toFixed(1)} MB`;

const server = await serveHostile(tiny);
await writeFile(join(work, 'cache-is-a-file'), 'not a directory');

const cases = [
  [`gzip IDX, header says 30 images, inflates to 2 GiB (${await size(join(work, 'bomb-small-header/train-images-idx3-ubyte.gz'))})`, ['show', 'samples', '--data', 'bomb-small-header', '--out', 'pics']],
  [`gzip IDX, header says ${Math.floor((2 * GiB) / 784).toLocaleString('en')} images (2 GiB), labels 30`, ['show', 'samples', '--data', 'bomb-big-header', '--out', 'pics']],
  [`PNG 20000x20000 RGB (${await size(join(work, 'huge.png'))})`, ['predict', 'huge.png', '--model-dir', model, '--backend', 'wasm']],
  [`PNG 6000x6000 RGBA 16-bit, 288 MB decoded (${await size(join(work, 'deep.png'))})`, ['predict', 'deep.png', '--model-dir', model, '--backend', 'wasm']],
  [`PNG 5000x5000 RGBA 16-bit, the largest accepted (${await size(join(work, 'largest.png'))}, all black)`, ['predict', 'largest.png', '--model-dir', model, '--backend', 'wasm']],
  [`PNG bomb: header 1x1 RGBA, pixel data inflates to 2 GiB (${await size(join(work, 'png-bomb.png'))})`, ['predict', 'png-bomb.png', '--model-dir', model, '--backend', 'wasm']],
  ['model.json with units 1e6', ['predict', '--index', '0', '--model-dir', units, '--backend', 'wasm']],
  ['show samples --count 1000000', ['show', 'samples', '--count', '1000000', '--out', 'pics']],
  ['show samples --count 1000 (the cap)', ['show', 'samples', '--count', '1000', '--out', 'pics']],
  ['all-NaN weights, predict', ['predict', '--index', '0', '--model-dir', nan, '--backend', 'wasm']],
  ['all-NaN weights, evaluate on WASM', ['evaluate', '--model-dir', nan, '--backend', 'wasm']],
  ['model without softmax, predict', ['predict', '--index', '0', '--model-dir', logits, '--backend', 'wasm', '--json']],
  ['download cut mid-body', ['show', 'samples', '--data', `${server.base}/cut/`, '--out', 'pics']],
  ['stalled server, --download-timeout 2', ['show', 'samples', '--data', `${server.base}/stall/`, '--out', 'pics', '--download-timeout', '2']],
  ['cache directory is a file (XDG_CACHE_HOME is a file)', ['show', 'samples', '--data', `${server.base}/ok/`, '--out', 'pics'], { XDG_CACHE_HOME: join(work, 'cache-is-a-file') }],
];

const rows = [];
for (const [what, args, env] of cases) {
  const result = await measure(args, env);
  rows.push({ what, args, ...result });
  console.error(`${what}: exit ${result.code}, ${result.kb} KB, ${result.seconds.toFixed(1)} s: ${result.said}`);
}

// A damaged cached file with no checksum: the first run fills the cache, then one file is spoiled.
const ownCache = { XDG_CACHE_HOME: join(work, 'cache-refetch') };
await measure(['show', 'samples', '--data', `${server.base}/ok/`, '--out', 'pics'], ownCache);
const [cacheDir] = await readdir(join(ownCache.XDG_CACHE_HOME, 'digitkit'));
await writeFile(join(ownCache.XDG_CACHE_HOME, 'digitkit', cacheDir, 't10k-images-idx3-ubyte.gz'), '<html>half a file</html>');
server.requests.length = 0;
const refetch = await measure(['show', 'samples', '--data', `${server.base}/ok/`, '--out', 'pics'], ownCache);
rows.push({ what: 'damaged cached file, no checksum', args: ['show', 'samples', '--data', `${server.base}/ok/`], ...refetch, said: `${refetch.said} (downloaded again: ${server.requests.join(', ')})` });

await server.close();
console.log('| case | command | exit | peak RSS (KB) | s | what it says |');
console.log('| --- | --- | --- | --- | --- | --- |');
const anonymous = (text) => text.replaceAll(work, '$W').replace(/127\.0\.0\.1(:|_)\d+/g, '127.0.0.1$1PORT').replace(/(\d\.\d{3})\d+/g, '$1');
const shown = (args) => `\`dk ${anonymous(args.join(' '))}\``;
for (const row of rows) {
  console.log(`| ${row.what} | ${shown(row.args)} | ${row.code} | ${row.kb} | ${row.seconds.toFixed(1)} | ${anonymous(row.said).replaceAll('|', '\\|')} |`);
}
await rm(work, { recursive: true, force: true });
