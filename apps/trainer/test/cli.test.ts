// End-to-end: the built CLI, run as a user runs it, on a small slice of the real MNIST.
import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { encode } from 'fast-png';
import jpeg from 'jpeg-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKEND_NAMES } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { MODEL_KINDS, MODELS } from '@digitkit/model';
import { SHIPPED_MODELS } from '@digitkit/recognizer';
import { withExifOrientation } from '@digitkit/testkit';
import { collect, digitkit as run, type OnStderr, type Run } from './cli-process.js';


function digitkit(args: string[], options: { cwd?: string; onStderr?: OnStderr } = {}): Promise<Run> {
  return run(args, { cwd: options.cwd ?? work, onStderr: options.onStderr });
}

let work: string;
// A quick run: 3,000 training images, 500 more held out, 2 epochs.
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
    expect(trained.stderr).toMatch(/^Epoch 2\/2 - 24\/24 - \d+s \d+ms\/step - loss: \d/m);
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
    // The first mistakes, each captioned with its 0-based test index and the model's confidence in its answer.
    const captions = [...report.matchAll(/<figcaption>(.*?)<\/figcaption>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ''));
    expect(captions).toHaveLength(Math.min(60, metrics.test.misclassified.length));
    const { test } = await loadMnist();
    const first = metrics.test.misclassified[0] as number;
    expect(captions[0]).toMatch(new RegExp(`^${test.labels[first]} → \\d#${first} · `));
    for (const caption of captions) expect(caption).toMatch(/^\d → \d#\d+ · \d{1,3}\.\d%$/);
    expect(report).toContain(`${metrics.test.misclassified.length.toLocaleString('en-US')} test images the model got wrong`);
    // The file names `digitkit show` uses: one table for both.
    expect((await readdir(join(work, 'run/report'))).sort()).toEqual(['confusion.svg', 'curves.svg', 'learning-rate.svg', 'misclassified.png', 'predictions', 'report.html', 'samples.png']);
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
    const [answer] = JSON.parse(run.stdout).predictions;
    expect(answer.input).toEqual({ index: 0 });
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
    expect(JSON.parse(run.stdout).predictions[0]).toMatchObject({ input: { file: png }, label: 7, className: '7' });
  });

  it('predicts with a shipped model (--model), no training needed, with its verdicts', async () => {
    const png = join(work, 'seven.png');
    // From an empty directory: no out/model there, the shipped weights come from @digitkit/recognizer.
    const empty = await mkdtemp(join(tmpdir(), 'digitkit-shipped-'));
    const run = await digitkit(['predict', png, '--index', '1', '--model', 'cnn', '--backend', 'wasm', '--json'], { cwd: empty });
    await rm(empty, { recursive: true, force: true });
    expect(run.code, run.stderr).toBe(0);
    const { model, predictions } = JSON.parse(run.stdout);
    expect(model).toBe('cnn');
    expect(predictions.map((p: { verdict: string; label: number }) => [p.verdict, p.label])).toEqual([
      ['digit', 7],
      ['digit', 2],
    ]);
    // A long dash is no one digit: 'unsure', shown with the reason.
    const bar = new Uint8Array(120 * 120).fill(255);
    for (let y = 55; y < 65; y++) bar.fill(0, y * 120 + 10, y * 120 + 110);
    await writeFile(join(work, 'bar.png'), encode({ width: 120, height: 120, data: bar, channels: 1 }));
    const unsure = await digitkit(['predict', 'bar.png', '--model', 'cnn', '--backend', 'wasm']);
    expect(unsure.code, unsure.stderr).toBe(0);
    expect(unsure.stdout).toMatch(/not sure/);
    // --min-sureness moves the line: at 1 no digit is sure enough, and the reason says what was needed.
    const strict = await digitkit(['predict', png, '--model', 'cnn', '--min-sureness', '1', '--backend', 'wasm', '--json']);
    expect(strict.code, strict.stderr).toBe(0);
    expect(JSON.parse(strict.stdout).predictions[0]).toMatchObject({ verdict: 'unsure', label: 7, reason: expect.stringMatching(/need 100%/) });
  });

  it('turns a phone photo upright by its EXIF orientation, as a browser shows it', async () => {
    const { test } = await loadMnist();
    // 7, 2, 4, 9, 5: none reads as itself on its side or upside down.
    const indices = [0, 1, 4, 7, 8];
    const files: string[] = [];
    for (const index of indices) {
      const upright = redrawLarge(test.images.subarray(index * 784, (index + 1) * 784));
      for (const orientation of [3, 6, 8] as const) {
        const stored = jpeg.encode(asStored(upright, orientation), 90).data;
        await writeFile(join(work, `o${orientation}-${index}.jpg`), withExifOrientation(stored, orientation));
        await writeFile(join(work, `no-exif-o${orientation}-${index}.jpg`), stored);
        files.push(`o${orientation}-${index}.jpg`, `no-exif-o${orientation}-${index}.jpg`);
      }
    }
    const run = await digitkit(['predict', ...files, '--model', 'cnn', '--backend', 'wasm', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const truth = (file: string) => test.labels[Number(/-(\d+)\.jpg$/.exec(file)![1])];
    const answers: { input: { file: string }; verdict: string; label: number }[] = JSON.parse(run.stdout).predictions;
    const right = answers.map((a) => a.verdict === 'digit' && a.label === truth(a.input.file));
    const withExif = right.filter((_, i) => i % 2 === 0);
    const without = right.filter((_, i) => i % 2 === 1);
    expect(withExif).toEqual(withExif.map(() => true));
    // The same pixels without the tag are read as stored, turned: mostly not right (so the tag is what was read).
    expect(without.filter(Boolean).length).toBeLessThan(without.length / 3);
  });

  it("reads a scanner's 1-, 2- and 4-bit gray PNGs and a 2-bit palette PNG, and refuses packed interlaced ones clearly", async () => {
    const { test } = await loadMnist();
    // 7, 2, 4, 9, 5, each 277 px wide: rows end inside a byte, so the unpacking must start every row on a byte of its own.
    const indices = [0, 1, 4, 7, 8];
    const files: string[] = [];
    for (const index of indices) {
      const gray = grayOf(redrawLarge(test.images.subarray(index * 784, (index + 1) * 784)), 277);
      for (const depth of [1, 2, 4] as const) {
        const { data, levels } = packed(gray, depth);
        // Beside each, the same levels as an 8-bit PNG: the packed file must read exactly as it does.
        await writeFile(join(work, `scan-${depth}bit-${index}.png`), encode({ ...gray, data, depth, channels: 1 }));
        await writeFile(join(work, `scan-${depth}bit-as-8-${index}.png`), encode({ ...gray, data: levels, channels: 1 }));
        files.push(`scan-${depth}bit-${index}.png`, `scan-${depth}bit-as-8-${index}.png`);
      }
      // A palette of four blues, dark ink on pale paper.
      const palette: [number, number, number][] = [[20, 30, 90], [80, 100, 160], [160, 180, 220], [235, 240, 250]];
      const { data, levels } = packed(gray, 2);
      const rgb = new Uint8Array(levels.length * 3);
      levels.forEach((level, i) => rgb.set(palette[level / 85]!, i * 3));
      await writeFile(join(work, `scan-palette-${index}.png`), encode({ ...gray, data, depth: 2, channels: 1, palette }));
      await writeFile(join(work, `scan-palette-as-8-${index}.png`), encode({ ...gray, data: rgb, channels: 3 }));
      files.push(`scan-palette-${index}.png`, `scan-palette-as-8-${index}.png`);
    }
    const run = await digitkit(['predict', ...files, '--model', 'cnn', '--backend', 'wasm', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const answers: { input: { file: string }; label: number; probabilities: number[] }[] = JSON.parse(run.stdout).predictions;
    for (let i = 0; i < answers.length; i += 2) expect(answers[i]!.probabilities, files[i]).toEqual(answers[i + 1]!.probabilities);
    expect(answers.map((a) => [a.input.file, a.label])).toEqual(files.map((file) => [file, test.labels[Number(/-(\d+)\.png$/.exec(file)![1])]]));
    // The same 1-bit picture marked interlaced (Adam7): refused by name, with what to do, nothing decoded.
    const interlaced = Buffer.from(await readFile(join(work, 'scan-1bit-0.png')));
    interlaced[28] = 1;
    interlaced.writeUInt32BE(crc32(interlaced.subarray(12, 29)), 29);
    await writeFile(join(work, 'interlaced.png'), interlaced);
    const refused = await digitkit(['predict', 'interlaced.png', '--model', 'cnn', '--backend', 'wasm']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/interlaced\.png is an interlaced 1-bit PNG, which cannot be read\. Save it again without interlacing/);
    expect(refused.stderr).not.toMatch(/\n\s+at /);
  });

  it('makes a sample grid on demand', async () => {
    const run = await digitkit(['show', 'samples', '--count', '20', '--out', 'pictures']);
    expect(run.code, run.stderr).toBe(0);
    const png = await readFile(join(work, 'pictures/samples.png'));
    expect(png.subarray(1, 4).toString()).toBe('PNG');
  });

  it('writes prediction cards under the names the report gives them (0-based test index)', async () => {
    const run = await digitkit(['show', 'predictions', '--count', '3', '--model-dir', 'run/model', '--out', 'cards', '--backend', 'wasm']);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n').map((line) => line.split('  ')[0]!.slice(join(work, 'cards').length + 1))).toEqual(
      ['predictions/prediction-0.svg', 'predictions/prediction-1.svg', 'predictions/prediction-2.svg'],
    );
    // The report names its card of test image 0 the same way.
    expect(await readFile(join(work, 'run/report/predictions/prediction-0.svg'), 'utf8')).toMatch(/^<svg/);
  });
});

describe('digitkit train --model numbers (the number reader)', () => {
  let trained: Run;
  beforeAll(async () => {
    trained = await digitkit(['train', '--model', 'numbers', '--limit', '2000', '--validation', '300', '--epochs', '1', '--backend', 'wasm', '--out', 'numbers']);
  });

  it('trains on numbers made from the digits, named as numbers, and tests on numbers made from the 10,000 test digits', async () => {
    expect(trained.code, trained.stderr).toBe(0);
    expect(trained.stderr).toMatch(/model +numbers: the number reader/);
    expect(trained.stderr).toMatch(/classes +00, 01, 02, .* \(112\)/);
    const metrics = JSON.parse(await readFile(join(work, 'numbers/metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ model: 'numbers', test: { count: 10_000 } });
    expect(metrics.test.confusion).toHaveLength(112);
    // One epoch of 2,000 numbers: far from the shipped reader, far above chance (under 1% among 112 classes).
    expect(metrics.test.accuracy).toBeGreaterThan(0.1);
    const modelJson = JSON.parse(await readFile(join(work, 'numbers/model/model.json'), 'utf8'));
    expect(modelJson.modelTopology.config.layers[0].config.batch_input_shape).toEqual([null, 28, 56, 1]);
    expect(modelJson.userDefinedMetadata.classNames.slice(105, 112)).toEqual(['5', '6', '7', '8', '9', 'three or more', 'no digit']);
  });

  it('evaluates the saved reader on the same test numbers, to the same accuracy', async () => {
    const metrics = JSON.parse(await readFile(join(work, 'numbers/metrics.json'), 'utf8'));
    const run = await digitkit(['evaluate', '--model-dir', 'numbers/model', '--backend', 'wasm', '--json']);
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toMatchObject({ count: 10_000, accuracy: metrics.test.accuracy });
  });

  it('shows prediction cards of the test numbers, 56x28, named as numbers', async () => {
    const run = await digitkit(['show', 'predictions', '--count', '2', '--model-dir', 'numbers/model', '--out', 'number-cards', '--backend', 'wasm']);
    expect(run.code, run.stderr).toBe(0);
    const [, predicted, truth] = /test image 0: (.+) \(true: (\d\d|\d|three or more|no digit)\)/.exec(run.stdout) ?? [];
    expect(truth).toBeDefined();
    // The card says what the command said, in the reader's class names.
    const card = await readFile(join(work, 'number-cards/predictions/prediction-0.svg'), 'utf8');
    expect(card).toMatch(/^<svg/);
    expect(card).toContain(`Predicted ${predicted} (`);
    expect(card).toContain(`true label ${truth}`);
  });

  it('names the reader\'s classes by its kind when its model.json keeps no names, in show as in evaluate', async () => {
    const modelJson = JSON.parse(await readFile(join(work, 'numbers/model/model.json'), 'utf8'));
    delete modelJson.userDefinedMetadata.classNames;
    await mkdir(join(work, 'numbers-unnamed'), { recursive: true });
    await writeFile(join(work, 'numbers-unnamed/model.json'), JSON.stringify(modelJson));
    await writeFile(join(work, 'numbers-unnamed/weights.bin'), await readFile(join(work, 'numbers/model/weights.bin')));
    const show = (dir: string) => digitkit(['show', 'predictions', '--count', '20', '--model-dir', dir, '--out', 'number-cards', '--backend', 'wasm']);
    const [named, unnamed] = [await show('numbers/model'), await show('numbers-unnamed')];
    expect(unnamed.code, unnamed.stderr).toBe(0);
    // Among 20 test numbers some are a single digit ("7", not class number "107") or lead with 0 ("05", not "5").
    expect(named.stdout).toMatch(/\(true: (0\d|\d|three or more|no digit)\)/);
    expect(unnamed.stdout).toBe(named.stdout);
  });

  it('is described by info beside the digits it is made from: its own 112 classes, the data\'s 10', async () => {
    const run = await digitkit(['info', '--model-dir', 'numbers/model', '--backend', 'wasm', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const info = JSON.parse(run.stdout);
    expect(info.classNames).toEqual(['0', '1', '2', '3', '4', '5', '6', '7', '8', '9']);
    expect(info.model).toMatchObject({ kind: 'numbers', numClasses: 112 });
    expect(info.model.classNames.slice(108)).toEqual(['8', '9', 'three or more', 'no digit']);
  });

  it('is no digit model for predict: a clear error, no stack trace', async () => {
    const run = await digitkit(['predict', '--index', '0', '--model-dir', 'numbers/model', '--backend', 'wasm']);
    expect(run.code).not.toBe(0);
    expect(run.stderr).toMatch(/\[28, 56, 1\].*28x28/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('digitkit evaluate --model (a shipped model)', () => {
  it("gives the shipped MLP's test accuracy as the package's catalog records it, with no model trained", async () => {
    const run = await digitkit(['evaluate', '--model', 'mlp', '--backend', 'wasm', '--json']);
    expect(run.code, run.stderr).toBe(0);
    const result = JSON.parse(run.stdout);
    expect(result.count).toBe(10_000);
    expect(result.accuracy).toBeCloseTo(SHIPPED_MODELS.mlp.testAccuracy, 4);
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

  it('rejects --workers 0, negative or fractional with the accepted range (exit 2)', async () => {
    for (const value of ['--workers=0', '--workers=-1', '--workers=1.5', '--workers=many']) {
      const run = await digitkit(['train', value, '--out', 'bad-workers']);
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/--workers.*"auto" or a whole number from 1 to \d+/);
    }
  });

  it('--workers past the cores: a warning with the number used, then trains on the workers', async () => {
    const run = await digitkit(['train', ...QUICK, '--epochs', '1', '--workers', '999', '--out', 'many-workers', '--no-report']);
    expect(run.stderr).toMatch(/asked for 999 but this machine has (\d+) cores: using \1/);
    expect(run.code).toBe(0);
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
    // predict names the shipped models as the way to answer without training.
    const predict = await digitkit(['predict', '--index', '0', '--model-dir', 'nowhere', '--backend', 'wasm']);
    expect(predict.code).toBe(1);
    expect(predict.stderr).toMatch(/No saved model at .*nowhere\/model.json.*--model cnn for the model shipped inside @digitkit\/recognizer/);
  });

  it('refuses --model with --model-dir, and a model that is not shipped, as usage errors', async () => {
    const both = await digitkit(['predict', '--index', '0', '--model', 'cnn', '--model-dir', 'run/model']);
    expect(both.code).toBe(2);
    expect(both.stderr).toMatch(/'--model <name>' cannot be used with option '--model-dir <dir>'/);
    const unknown = await digitkit(['predict', '--index', '0', '--model', 'lenet']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/'lenet' is invalid. Allowed choices are cnn, mlp/);
    for (const value of ['1.5', '-0.1', 'sure']) {
      const sureness = await digitkit(['predict', '--index', '0', '--model', 'cnn', `--min-sureness=${value}`]);
      expect(sureness.code).toBe(2);
      expect(sureness.stderr).toMatch(/--min-sureness.*expected a fraction from 0 to 1/);
    }
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

describe('the resume contract', () => {
  const out = 'contract';
  const NAMES = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
  const latest = () => readFile(join(work, out, 'checkpoint/latest.json'), 'utf8');
  const history = async () =>
    JSON.parse(await readFile(join(work, out, 'metrics.json'), 'utf8')).history.map((m: { epoch: number }) => m.epoch);

  it('Ctrl-C, then the printed command, verbatim, continues exactly that run; other flags are refused', async () => {
    let sent = false;
    const run = await digitkit(['train', ...QUICK, '--epochs', '3', '--out', out, '--no-report', '--classes', NAMES.join(',')], {
      onStderr: (text, child) => {
        if (!sent && /^Epoch 1\/3 /m.test(text)) {
          sent = true;
          child.kill('SIGINT');
        }
      },
    });
    expect(run.code).toBe(130);
    expect(run.stderr).toMatch(/checkpoint saved/);
    await expect(stat(join(work, out, 'model'))).rejects.toThrow();
    const hint = /Continue with: (.+)$/m.exec(run.stderr)?.[1];
    expect(hint).toBe(`digitkit train --resume --out ${out}`);

    // Flags that would make it another run: refused with every difference, the checkpoint untouched.
    const before = await latest();
    const conflict = await digitkit(['train', '--resume', '--out', out, '--limit', '500', '--seed', '7', '--lr', '0.01', '--data', 'elsewhere']);
    expect(conflict.code).toBe(2);
    expect(conflict.stderr).toContain('--limit 500 (the run has 3000)');
    expect(conflict.stderr).toContain('--seed 7 (the run has 42)');
    expect(conflict.stderr).toMatch(/--lr 0\.01 \(the run has [\d.e-]+\)/);
    expect(conflict.stderr).toMatch(/--data .*elsewhere \(the run has \(not set\)\)/);
    expect(conflict.stderr).not.toMatch(/loaded .* images/);
    expect(await latest()).toBe(before);

    // The hint as a user types it: `digitkit` is the bin that pnpm links at the repository root.
    const resumed = await shell(hint!);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/resuming run [\w-]+ at epoch [23]/);
    expect(resumed.stderr).toContain('3,000 training / 500 validation / 10,000 test images');
    expect(resumed.stderr).not.toMatch(/^Epoch 1\/3 /m);
    expect(resumed.stderr).toMatch(/^Epoch 3\/3 /m);
    expect(await history()).toEqual([1, 2, 3]);
    const metrics = JSON.parse(await readFile(join(work, out, 'metrics.json'), 'utf8'));
    expect(metrics.config).toMatchObject({ limit: 3000, validation: 500, epochs: 3, seed: 42 });
    // The class names are part of the run: the verbatim resume keeps them.
    expect(metrics.config.classNames).toEqual(NAMES);
  });

  it('says a finished run is finished, lets --epochs grow (and says so), and refuses shrinking it', async () => {
    const model = await stat(join(work, out, 'model/weights.bin'));
    const finished = await digitkit(['train', '--resume', '--out', out, '--backend', 'wasm']);
    expect(finished.code, finished.stderr).toBe(0);
    expect(finished.stdout).toMatch(/is finished \(all 3 epochs trained\)/);
    expect(finished.stderr).not.toMatch(/Epoch \d/);
    expect((await stat(join(work, out, 'model/weights.bin'))).mtimeMs).toBe(model.mtimeMs);

    const shrink = await digitkit(['train', '--resume', '--out', out, '--epochs', '2']);
    expect(shrink.code).toBe(2);
    expect(shrink.stderr).toMatch(/--epochs 2 \(the run has 3\): --epochs may only grow on a resume \(3 of 3 epochs are trained\)/);

    const longer = await digitkit(['train', '--resume', '--out', out, '--epochs', '4', '--backend', 'wasm', '--no-report']);
    expect(longer.code, longer.stderr).toBe(0);
    expect(longer.stderr).toMatch(/resuming with a change: --epochs 4 \(the run has 3\)/);
    expect(longer.stderr).toMatch(/^Epoch 4\/4 /m);
    expect(longer.stderr).not.toMatch(/^Epoch 3\/4 /m);
    expect(await history()).toEqual([1, 2, 3, 4]);
  });

  it('never answers for a new run with an old run\'s checkpoint; a dead trainer\'s lock is taken over', async () => {
    const out = 'renewed';
    const old = await digitkit(['train', ...QUICK, '--epochs', '1', '--out', out, '--no-report']);
    expect(old.code, old.stderr).toBe(0);
    // A new run in the same directory, killed hard before its first checkpoint.
    let killed = false;
    const dead = await digitkit(['train', ...QUICK, '--epochs', '3', '--out', out, '--no-report'], {
      onStderr: (text, child) => {
        if (!killed && /training \/ 500 validation \/ 10,000 test images/.test(text)) {
          killed = true;
          child.kill('SIGKILL');
        }
      },
    });
    expect(dead.code).toBeNull();
    // It said what it removed, and how to have kept it.
    expect(dead.stderr).toMatch(/a new run in .*renewed: the checkpoint of the run there is removed \(to continue that run instead: digitkit train --resume --out renewed\)/);
    const resume = await digitkit(['train', '--resume', '--out', out, '--backend', 'wasm']);
    expect(resume.stderr).toMatch(/taking over the lock of .*renewed: pid \d+, which held it, is no longer running/);
    expect(resume.code).toBe(1);
    expect(resume.stderr).toMatch(/no checkpoint to resume/);
    expect(resume.stdout).not.toMatch(/test accuracy|finished/);
  });
});

describe('one trainer per output directory', () => {
  it('a second trainer exits 1 at once, naming the first, which finishes untouched', async () => {
    const out = 'shared';
    let second: Promise<Run & { ms: number }> | undefined;
    const first = digitkit(['train', ...QUICK, '--epochs', '12', '--out', out, '--no-report'], {
      onStderr: (text) => {
        if (!second && /^Epoch 1\/12 /m.test(text)) {
          const started = performance.now();
          second = digitkit(['train', ...QUICK, '--out', out, '--no-report']).then((run) => ({ ...run, ms: performance.now() - started }));
        }
      },
    });
    const one = await first;
    const two = await second!;
    expect(two.code).toBe(1);
    expect(two.stderr).toMatch(/Another digitkit \(pid \d+, started .*\) is training into .*shared/);
    expect(two.stderr).not.toMatch(/loaded .* images/);
    // At once means before any data is read; node's own start-up can take seconds on a loaded 2-core CI machine.
    expect(two.ms).toBeLessThan(15_000);
    expect(one.code, one.stderr).toBe(0);
    expect(JSON.parse(await readFile(join(work, out, 'metrics.json'), 'utf8')).history).toHaveLength(12);
    // The first trainer's checkpoint is whole and its lock is gone.
    expect(await readdir(join(work, out))).not.toContain('digitkit.lock');
    const pointer = JSON.parse(await readFile(join(work, out, 'checkpoint/latest.json'), 'utf8'));
    expect((await readdir(join(work, out, 'checkpoint', pointer.checkpoint))).sort()).toEqual(['model', 'optimizer.bin', 'state.json', 'weights.bin']);
  });
});

/** Runs a command line as a user types it in a shell at the work directory, with the repository's bins on PATH. */
function shell(line: string): Promise<Run> {
  const bin = fileURLToPath(new URL('../../../node_modules/.bin', import.meta.url));
  return collect(spawn(line, { shell: true, cwd: work, env: { ...process.env, FORCE_COLOR: '0', PATH: `${bin}${delimiter}${process.env.PATH}` } }));
}

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

/** The gray of an RGBA picture, its columns cut to `width`. */
function grayOf({ height, data, width: from }: { width: number; height: number; data: Uint8Array }, width: number) {
  const gray = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) for (let x = 0; x < width; x++) gray[y * width + x] = data[(y * from + x) * 4]!;
  return { width, height, data: gray };
}

/**
 * A gray picture as a PNG's packed rows of `depth` bits a pixel, each row padded to a whole byte, and the same levels
 * spread over 0-255 a byte a pixel: quantized, darkest 0 (1-bit is a scanner's threshold at half; as palette
 * indices, the darkest colour first).
 */
function packed({ width, height, data }: { width: number; height: number; data: Uint8Array }, depth: 1 | 2 | 4) {
  const [rowBytes, top] = [Math.ceil((width * depth) / 8), (1 << depth) - 1];
  const out = new Uint8Array(rowBytes * height);
  const levels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const level = Math.min(top, Math.floor((data[y * width + x]! / 256) * (top + 1)));
      const at = y * rowBytes + Math.floor((x * depth) / 8);
      out[at] = out[at]! | (level << (8 - depth - ((x * depth) % 8)));
      levels[y * width + x] = (level * 255) / top;
    }
  }
  return { data: out, levels };
}

/**
 * An RGBA picture as a camera stores it beside an EXIF orientation: turned 180 degrees (3), or on its side as a phone
 * held upright (6: the viewer turns it clockwise) or held the other way (8).
 */
function asStored({ width: w, height: h, data }: { width: number; height: number; data: Uint8Array }, orientation: 3 | 6 | 8) {
  const from: Record<3 | 6 | 8, (x: number, y: number) => [number, number]> = {
    3: (x, y) => [w - 1 - x, h - 1 - y],
    6: (x, y) => [w - 1 - y, x],
    8: (x, y) => [y, h - 1 - x],
  };
  const [width, height] = orientation === 3 ? [w, h] : [h, w];
  const out = new Uint8Array(data.length);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const [ux, uy] = from[orientation](x, y);
      out.set(data.subarray((uy * w + ux) * 4, (uy * w + ux) * 4 + 4), (y * width + x) * 4);
    }
  }
  return { width, height, data: out };
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
