// End-to-end: the built CLI, run as a user runs it, on a small slice of the real MNIST.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { MODEL_KINDS, MODELS } from '@digitkit/model';

const BIN = fileURLToPath(new URL('../bin/digitkit.js', import.meta.url));

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function digitkit(args: string[], options: { cwd?: string; onStderr?: (text: string, child: ReturnType<typeof spawn>) => void } = {}): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd ?? work, env: { ...process.env, FORCE_COLOR: '0' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
      options.onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let work: string;
// A quick run: 3,000 training images, 500 held out, 2 epochs.
const QUICK = ['--limit', '3000', '--validation', '500', '--epochs', '2', '--backend', 'wasm'];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'digitkit-cli-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('digitkit train', () => {
  let trained: Run;
  beforeAll(async () => {
    trained = await digitkit(['train', ...QUICK, '--out', 'run']);
  });

  it('trains, says which backend runs, and prints the test accuracy', () => {
    expect(trained.stderr).toMatch(/using the WASM/);
    expect(trained.stderr).toMatch(/epoch 2\/2: loss \d/);
    const accuracy = Number(/test accuracy: ([\d.]+)%/.exec(trained.stdout)?.[1]);
    expect(trained.code).toBe(0);
    // 2,500 images and 2 epochs already give a usable model; chance is 10%.
    expect(accuracy).toBeGreaterThan(70);
  });

  it('writes the model, the metrics and the report', async () => {
    const modelJson = JSON.parse(await readFile(join(work, 'run/model/model.json'), 'utf8'));
    // The original network in the standard TF.js layers format, with its six weight tensors.
    expect(modelJson.modelTopology.config.layers.map((l: { config: { name: string } }) => l.config.name)).toEqual(['dense_1', 'dense_2', 'output']);
    expect(modelJson.weightsManifest[0].weights.map((w: { shape: number[] }) => w.shape)).toEqual([[784, 128], [128], [128, 64], [64], [64, 10], [10]]);
    const metrics = JSON.parse(await readFile(join(work, 'run/metrics.json'), 'utf8'));
    expect(metrics.model).toBe('mlp');
    expect(metrics.history).toHaveLength(2);
    expect(metrics.test.count).toBe(10_000);
    expect(metrics.test.confusion.flat().reduce((a: number, b: number) => a + b, 0)).toBe(10_000);
    const report = await readFile(join(work, 'run/report/report.html'), 'utf8');
    expect(report).toContain((metrics.test.accuracy * 100).toFixed(2));
    expect(report).not.toMatch(/<(script|link|img)[^>]+(src|href)="https?:/);
  });

  it('evaluates the saved model to the same accuracy', async () => {
    const metrics = JSON.parse(await readFile(join(work, 'run/metrics.json'), 'utf8'));
    const run = await digitkit(['evaluate', '--model-dir', 'run/model', '--backend', 'wasm', '--json']);
    expect(run.code).toBe(0);
    expect(JSON.parse(run.stdout).accuracy).toBeCloseTo(metrics.test.accuracy, 4);
  });

  it('predicts a test image by index with ten probabilities', async () => {
    const run = await digitkit(['predict', '--index', '0', '--model-dir', 'run/model', '--backend', 'wasm', '--json']);
    expect(run.code).toBe(0);
    const answer = JSON.parse(run.stdout);
    expect(answer.trueLabel).toBe(7);
    expect(answer.probabilities).toHaveLength(10);
    expect(answer.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
    expect(answer.label).toBe(7);
  });

  it('predicts a PNG of a digit drawn large and off-center, dark on light', async () => {
    const { test } = await loadMnist();
    const png = join(work, 'seven.png');
    await writeFile(png, encode(redrawLarge(test.images.subarray(0, 784))));
    const run = await digitkit(['predict', png, '--model-dir', 'run/model', '--backend', 'wasm', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout).label).toBe(7);
  });

  it('makes a sample grid on demand', async () => {
    const run = await digitkit(['show', 'samples', '--count', '20', '--out', 'pictures']);
    expect(run.code, run.stderr).toBe(0);
    const png = await readFile(join(work, 'pictures/samples.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });
});

describe('digitkit train --help', () => {
  it('lists every model of the model table with its description, and every backend of the backend table', async () => {
    const run = await digitkit(['train', '--help']);
    expect(run.code).toBe(0);
    const help = run.stdout.replace(/\s+/g, ' ');
    for (const kind of MODEL_KINDS) expect(help).toContain(`${kind} (${MODELS[kind].description})`);
    expect(help).toContain(`(default: "${MODEL_KINDS[0]}")`);
    for (const name of BACKEND_NAMES) expect(help).toMatch(new RegExp(`--backend <name>.*\\b${name}\\b`));
  });
});

describe('bad input fails early with a clear message and exit code', () => {
  it('rejects an unknown model name before loading anything', async () => {
    const run = await digitkit(['train', '--model', 'resnet', '--out', 'bad']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/resnet.*mlp.*cnn/s);
    expect(run.stderr).not.toMatch(/loaded .* images/);
  });

  it('rejects a batch size of 0 and an unknown backend as usage errors', async () => {
    const batch = await digitkit(['train', '--batch-size', '0']);
    expect(batch.code).toBe(2);
    expect(batch.stderr).toMatch(/--batch-size.*at least 1/);
    const backend = await digitkit(['train', '--backend', 'gpu']);
    expect(backend.code).toBe(2);
    expect(backend.stderr).toMatch(/Unknown backend "gpu"/);
  });

  it('rejects an output directory that cannot be written', async () => {
    const locked = join(work, 'locked');
    await mkdir(locked);
    await writeFile(join(locked, 'file'), 'not a directory');
    const run = await digitkit(['train', '--out', join(locked, 'file', 'sub')]);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/Cannot write to the output directory .*file\/sub/);
  });

  it('says where it looked when the model is missing', async () => {
    const run = await digitkit(['evaluate', '--model-dir', 'nowhere']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/No saved model at .*nowhere\/model.json/);
  });

  it('reports a corrupt model file instead of crashing', async () => {
    await mkdir(join(work, 'corrupt'), { recursive: true });
    await writeFile(join(work, 'corrupt/model.json'), '{"modelTopology": ');
    const run = await digitkit(['evaluate', '--model-dir', 'corrupt', '--backend', 'wasm']);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/corrupt.*model\.json/);
    expect(run.stderr).not.toMatch(/unexpected error/);
  });

  it('refuses to resume a checkpoint of another model', async () => {
    const run = await digitkit(['train', '--model', 'cnn', '--resume', ...QUICK, '--out', 'run']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/checkpoint/i);
    expect(run.stderr).toMatch(/mlp/);
  });
});

describe('interrupting a run', () => {
  it('saves a checkpoint on Ctrl-C, keeps the old model, and resumes to the end', async () => {
    const out = join(work, 'interrupted');
    let sent = false;
    const run = await digitkit(['train', ...QUICK, '--epochs', '3', '--out', out, '--no-report'], {
      onStderr: (text, child) => {
        if (!sent && /epoch 1\/3:/.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/checkpoint saved/);
    await expect(stat(join(out, 'model'))).rejects.toThrow();
    expect((await readdir(join(out, 'checkpoint'))).length).toBeGreaterThan(0);

    const resumed = await digitkit(['train', ...QUICK, '--epochs', '3', '--out', out, '--no-report', '--resume']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).not.toMatch(/epoch 1\/3:/);
    expect(resumed.stderr).toMatch(/epoch 3\/3:/);
    const metrics = JSON.parse(await readFile(join(out, 'metrics.json'), 'utf8'));
    expect(metrics.history.map((m: { epoch: number }) => m.epoch)).toEqual([1, 2, 3]);
  });
});

/** An MNIST digit drawn 9x larger, off-center, dark ink on a white 280x280 page, as RGBA. */
function redrawLarge(digit: Uint8Array) {
  const size = 280;
  const scale = 9;
  const [left, top] = [20, 12];
  const data = new Uint8Array(size * size * 4).fill(255);
  for (let y = 0; y < 28 * scale; y++) {
    for (let x = 0; x < 28 * scale; x++) {
      const ink = bilinear(digit, x / scale - 0.5, y / scale - 0.5);
      const i = ((top + y) * size + left + x) * 4;
      if (top + y >= size || left + x >= size) continue;
      data[i] = data[i + 1] = data[i + 2] = 255 - ink;
    }
  }
  return { width: size, height: size, data, channels: 4 };
}

function bilinear(img: Uint8Array, x: number, y: number): number {
  const x0 = Math.floor(x);
  const y0 = Math.floor(y);
  const at = (xx: number, yy: number) => (xx < 0 || yy < 0 || xx > 27 || yy > 27 ? 0 : (img[yy * 28 + xx] ?? 0));
  const fx = x - x0;
  const fy = y - y0;
  return (
    at(x0, y0) * (1 - fx) * (1 - fy) + at(x0 + 1, y0) * fx * (1 - fy) + at(x0, y0 + 1) * (1 - fx) * fy + at(x0 + 1, y0 + 1) * fx * fy
  );
}
