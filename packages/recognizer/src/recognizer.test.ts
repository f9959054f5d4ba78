import { createServer } from 'node:http';
import { mkdtemp, readFile, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { mlp, saveModel } from '@digitkit/model';
import { toMnistFormat } from '@digitkit/preprocess';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
// Drawing helpers shared with @digitkit/preprocess's own tests (not part of its published surface).
import { asBlackOnTransparent, asBlackOnWhite, cropToInk, inksInARow, redrawOnCanvas, upscaleBilinear } from '@digitkit/testkit';
import { createRecognizer, MAX_PIXELS, type Recognition, type Recognizer } from './index.js';

const logged: string[] = [];
let recognizer: Recognizer;
let test: Awaited<ReturnType<typeof loadMnist>>['test'];
let dir: string;

beforeAll(async () => {
  // The first recognizer of the process picks the backend itself and says so once.
  recognizer = await createRecognizer({ log: (line) => logged.push(line) });
  ({ test } = await loadMnist());
  dir = await mkdtemp(join(tmpdir(), 'digitkit-recognizer-'));
});
afterAll(async () => {
  recognizer.dispose();
  await rm(dir, { recursive: true, force: true });
});

const digitAt = (i: number) => test.images.subarray(i * 784, (i + 1) * 784);
const CANVAS = 280;
/** MNIST test digit i re-drawn 8-10x larger, off-centre on a 280x280 canvas, in one of three common renderings. */
function drawn(i: number): { data: Uint8Array; width: number; height: number } {
  const canvas = redrawOnCanvas(digitAt(i), 8 + (i % 3), CANVAS, CANVAS, i);
  const renderings = [canvas, asBlackOnWhite(canvas), asBlackOnTransparent(canvas)];
  return { data: renderings[i % 3]!, width: CANVAS, height: CANVAS };
}
/** Test digits `a` and `b` enlarged 6x and overlapping by 12 px, light on black: one piece of ink holding two digits. */
function touching(a: number, b: number): { data: Uint8Array; width: number; height: number } {
  const [left, right] = [a, b].map((i) => cropToInk(upscaleBilinear(digitAt(i), 28, 28, 6), 168, 168)) as [ReturnType<typeof cropToInk>, ReturnType<typeof cropToInk>];
  const [width, height] = [left.width + right.width - 12 + 40, Math.max(left.height, right.height) + 40];
  return { data: inksInARow([left, right], width, height, [[20, 20], [20 + left.width - 12, 20]]), width, height };
}
/** Right answers ('digit' and the label), and of the pictures the model reads right as one ink, the share kept so. */
function scoreWithVerdicts(r: Recognizer, indices: number[]): { right: number; kept: number } {
  let right = 0;
  let before = 0;
  let kept = 0;
  for (const i of indices) {
    const picture = drawn(i);
    const result = r.recognize(picture);
    const ok = result.verdict === 'digit' && result.label === test.labels[i];
    if (ok) right++;
    const fit = toMnistFormat(picture);
    const whole = fit.empty ? null : r.recognizeMnist(fit.pixels);
    if (whole?.verdict === 'digit' && whole.label === test.labels[i]) {
      before++;
      if (ok) kept++;
    }
  }
  return { right: right / indices.length, kept: kept / before };
}
const range = (from: number, count: number) => Array.from({ length: count }, (_, k) => from + k);
function digitOf(result: Recognition) {
  if (result.verdict !== 'digit') throw new Error(`expected a digit, got ${result.verdict}`);
  return result;
}

describe('createRecognizer', () => {
  it('starts a backend itself when none is set, says which in one line, and only once per process', async () => {
    expect(recognizer.backend).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    const again = await createRecognizer({ model: 'mlp', log: (line) => logged.push(line) });
    again.dispose();
    expect(logged).toHaveLength(1);
    expect(logged[0]).toMatch(/^digitkit: using the WASM .* backend/);
  });

  it('uses the shipped CNN by default and says how good the shipped models are', async () => {
    expect(recognizer.modelSource).toBe('cnn');
    expect(recognizer.model.inputShape).toEqual([28, 28, 1]);
    const { SHIPPED_MODELS } = await import('./index.js');
    expect(Object.keys(SHIPPED_MODELS)).toEqual(['cnn', 'mlp']);
    expect(SHIPPED_MODELS.cnn.testAccuracy).toBeGreaterThan(0.99);
  });

  it.each([
    [{ model: 'resnet' }, 'UNKNOWN_MODEL', /Unknown model "resnet".*'cnn' or 'mlp'.*DigitModel.*directory.*URL.*\.\/resnet/],
    [{ model: 42 }, 'BAD_MODEL_OPTION', /got number/],
    [{ model: null }, 'BAD_MODEL_OPTION', /got null/],
    [{ backend: 'gpu' }, 'BAD_BACKEND', /Unknown backend "gpu".*auto, tensorflow, wasm, cpu/],
    [{ log: 'yes' }, 'BAD_OPTION', /log takes a function/],
    [{ modle: 'cnn' }, 'BAD_OPTION', /unknown option\(s\) modle; it takes model, backend, log, wasmPaths, verdicts/],
  ])('refuses %j before any work with a DigitkitError', async (options, code, message) => {
    const tensors = tf.memory().numTensors;
    const error = await createRecognizer(options as never).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigitkitError);
    expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
    expect(tf.memory().numTensors).toBe(tensors);
  });

  it('gives loadModel’s typed errors for a missing or corrupt saved model', async () => {
    const missing = await createRecognizer({ model: join(dir, 'nothing-here') }).catch((e: unknown) => e);
    expect(missing).toMatchObject({ name: 'DigitkitError', code: 'MODEL_NOT_FOUND' });
    const corrupt = join(dir, 'corrupt');
    await mkdir(corrupt);
    await writeFile(join(corrupt, 'model.json'), '{"modelTopology": ');
    expect(await createRecognizer({ model: corrupt }).catch((e: unknown) => e)).toMatchObject({ code: 'BAD_MODEL_JSON' });
  });

  it('refuses a model whose input is not a 28x28 image, naming its shape and the accepted ones', async () => {
    const net = (await import('@tensorflow/tfjs-layers')).sequential({
      layers: [(await import('@tensorflow/tfjs-layers')).layers.dense({ inputShape: [32 * 32], units: 10, activation: 'softmax' })],
    });
    const wrong = { kind: 'mlp' as const, inputShape: [1024], numClasses: 10, net };
    const error = await createRecognizer({ model: wrong }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'NOT_A_DIGIT_MODEL', message: expect.stringMatching(/\[1024\].*\[784\] or \[28, 28, 1\]/) });
    net.dispose();
  });

  it('takes a DigitModel (and leaves it to its owner) or a saved model directory', async () => {
    const model = mlp({ seed: 3 });
    // An untrained network is sure of nothing: with no confidence asked, it still names a digit to compare by.
    const anyDigit = { minSureness: 0 };
    const fromModel = await createRecognizer({ model, verdicts: anyDigit });
    expect(fromModel.modelSource).toBe('custom');
    const saved = join(dir, 'saved');
    await saveModel(model, saved);
    const fromDir = await createRecognizer({ model: saved, verdicts: anyDigit });
    expect(fromDir.modelSource).toBe(saved);
    const a = digitOf(fromModel.recognize(drawn(1)));
    const b = digitOf(fromDir.recognize(drawn(1)));
    expect(b.probabilities).toEqual(a.probabilities);
    fromDir.dispose();
    fromModel.dispose();
    // Disposing the recognizer left the caller's model alone: it still recognizes the same way.
    const again = await createRecognizer({ model, verdicts: anyDigit });
    expect(digitOf(again.recognize(drawn(1))).probabilities).toEqual(a.probabilities);
    again.dispose();
    model.net.dispose();
  });

  it('takes the URL of a saved model (the float32 MLP the shipped one was made from, served over http)', async () => {
    const models = new URL('../models/mlp/', import.meta.url);
    const server = createServer((request, response) => {
      readFile(new URL(`.${request.url}`, models)).then(
        (body) => response.end(body),
        () => response.writeHead(404).end(),
      );
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    const { port } = server.address() as { port: number };
    try {
      const url = `http://127.0.0.1:${port}/model.json`;
      const fromUrl = await createRecognizer({ model: url });
      expect(fromUrl.modelSource).toBe(url);
      const shipped = await createRecognizer({ model: 'mlp' });
      const a = digitOf(fromUrl.recognize(drawn(5)));
      const b = digitOf(shipped.recognize(drawn(5)));
      expect(b.label).toBe(a.label);
      // Quantization moves each probability a little, not much.
      a.probabilities.forEach((p, k) => expect(Math.abs(p - b.probabilities[k]!)).toBeLessThan(0.05));
      fromUrl.dispose();
      shipped.dispose();
      const missing = await createRecognizer({ model: `http://127.0.0.1:${port}/nothing/model.json` }).catch((e: unknown) => e);
      expect(missing).toMatchObject({ name: 'DigitkitError', code: 'MODEL_LOAD_FAILED' });
    } finally {
      server.close();
    }
  });
});

describe('recognize', () => {
  // Measured on 300 such pictures before 'unsure' existed: CNN 99.3%, MLP 96.0%. The verdicts call a few sure-looking
  // ones 'unsure' (the model is not sure enough, or the other model disagrees): on these 400 the shipped CNN (trained
  // with non-digits, so more often unsure) is right on 96.3% and keeps 97.2% of those it reads right, the MLP 94.8% and
  // 96.9% (issue 11's 97% target is measured by `bench:verdicts` on its own sets; this guards against a regression).
  it('gets >= 94% of MNIST test digits re-drawn large and off-centre right with the default CNN (>= 92% with the MLP), keeping >= 96% of those it reads right', async () => {
    // 400 digits: with 200 a floor 1-2 points under the measured rate was within a few digits' noise.
    const indices = range(2000, 400);
    const cnn = scoreWithVerdicts(recognizer, indices);
    expect(cnn.right).toBeGreaterThanOrEqual(0.94);
    expect(cnn.kept).toBeGreaterThanOrEqual(0.96);
    const other = await createRecognizer({ model: 'mlp' });
    const mlp = scoreWithVerdicts(other, indices);
    expect(mlp.right).toBeGreaterThanOrEqual(0.92);
    expect(mlp.kept).toBeGreaterThanOrEqual(0.96);
    other.dispose();
  }, 300_000);

  it('gives the digit, its probabilities, the 28x28 image the model saw, the ink box and the polarity', () => {
    const i = 2001;
    const canvas = redrawOnCanvas(digitAt(i), 9, CANVAS, CANVAS, i);
    const result = digitOf(recognizer.recognize({ data: asBlackOnWhite(canvas), width: CANVAS, height: CANVAS, channels: 4 }));
    expect(result.label).toBe(test.labels[i]);
    expect(result.probabilities).toHaveLength(10);
    expect(result.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
    expect(result.confidence).toBe(Math.max(...result.probabilities));
    expect(result.pixels).toHaveLength(784);
    expect(result.inverted).toBe(true);
    // The box holds the re-drawn ink: about 9x the digit's 20-pixel MNIST box.
    expect(result.box.width * result.box.height).toBeGreaterThan(40 * 100);
    expect(result.box.x + result.box.width).toBeLessThanOrEqual(CANVAS);
    const light = digitOf(recognizer.recognize({ data: canvas, width: CANVAS, height: CANVAS }));
    expect(light.inverted).toBe(false);
    expect(light.label).toBe(result.label);
  });

  it.each([
    ['blank white RGB', { data: new Uint8Array(100 * 80 * 3).fill(255), width: 100, height: 80 }],
    ['blank transparent RGBA', { data: new Uint8Array(64 * 64 * 4), width: 64, height: 64 }],
    ['a speck', { data: (() => { const d = new Uint8Array(200 * 200); d[20_100] = 255; return d; })(), width: 200, height: 200 }],
  ])("calls a %s picture 'empty' and says why", (_, image) => {
    const result = recognizer.recognize(image);
    expect(result).toMatchObject({ verdict: 'empty', reason: expect.stringMatching(/^no (ink|digit)/) });
  });

  it.each([
    ['too few bytes', { data: new Uint8Array(99), width: 10, height: 10 }, 'BAD_IMAGE', /10x10 picture needs 100, 300, 400 bytes .* holds 99/],
    ['bytes that do not fit the given channels', { data: new Uint8Array(400), width: 10, height: 10, channels: 3 }, 'BAD_IMAGE', /needs 300 bytes \(channels=3\).*holds 400/],
    ['2 channels', { data: new Uint8Array(200), width: 10, height: 10, channels: 2 }, 'BAD_IMAGE', /channels must be 1.*3.*4.*got 2/],
    ['a zero width', { data: new Uint8Array(0), width: 0, height: 10 }, 'BAD_IMAGE', /positive integers, got 0x10/],
    ['a negative height', { data: new Uint8Array(10), width: 10, height: -1 }, 'BAD_IMAGE', /positive integers, got 10x-1/],
    ['a fractional width', { data: new Uint8Array(10), width: 2.5, height: 4 }, 'BAD_IMAGE', /positive integers, got 2.5x4/],
    ['more than 50 megapixels', { data: new Uint8Array(16), width: 100_000, height: 100_000 }, 'IMAGE_TOO_LARGE', /10,000,000,000 pixels; recognize takes at most 50,000,000/],
    ['the bytes of a PNG file', Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 13, 10), 'BAD_IMAGE', /got a Uint8Array of 6 bytes\. Decode a PNG or JPEG file to pixels first/],
    ['an array of pixels', [0, 255, 0], 'BAD_IMAGE', /got an array\./],
    ['float data', { data: new Float32Array(100), width: 10, height: 10 }, 'BAD_IMAGE', /Uint8Array or Uint8ClampedArray.*Float32Array/],
    ['no data in Node', { width: 10, height: 10 }, 'BAD_IMAGE', /in a browser, an HTMLCanvasElement/],
    ['null', null, 'BAD_IMAGE', /got null/],
  ])('refuses %s with a typed error before allocating', (_, image, code, message) => {
    const before = process.memoryUsage().arrayBuffers;
    let error: unknown;
    try {
      recognizer.recognize(image as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(DigitkitError);
    expect(error).toMatchObject({ code, message: expect.stringMatching(message) });
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(1_000_000);
  });

  it('reads a 1 whose middle lies under a blot of mud as one thing, not as "11" (the pieces the wash joins are one)', () => {
    const [width, height] = [140, 64];
    for (const [slant, blot] of [[10, 6], [20, 8], [30, 6]] as const) {
      const data = new Uint8Array(width * height);
      for (let y = 4; y < 60; y++) {
        const x = Math.round(70 + slant / 2 - ((y - 4) * slant) / 56);
        data.fill(255, y * width + x - 2, y * width + x + 3);
      }
      // Flat gray hiding the stroke, as spatter's mud does: the layout's Otsu level cuts the stroke there.
      for (let y = 32 - blot; y < 32 + blot; y++) data.fill(63, y * width + 68 - blot, y * width + 72 + blot);
      const result = recognizer.recognize({ data, width, height });
      // Measured: without the wash joining the pieces, every one of these reads "11".
      expect(result.verdict, `slant ${slant}, blot ${blot}`).not.toBe('digits');
      expect('guesses' in result && result.guesses[0]!.label, 'its best guess').toBe(1);
    }
  });
  it('still reads two digits side by side as a number when a flat stain joins them (the wash joins only what fits one digit)', () => {
    const [width, height] = [320, 160];
    let right = 0;
    for (let k = 0; k < 60; k++) {
      const [a, b] = [2 * k, 2 * k + 1];
      const [left, rightInk] = [a, b].map((i) => cropToInk(upscaleBilinear(digitAt(i), 28, 28, 4), 112, 112)) as [ReturnType<typeof cropToInk>, ReturnType<typeof cropToInk>];
      const data = inksInARow([left, rightInk], width, height, [[60, 30], [180, 30]]);
      for (let y = 0; y < height; y++) {
        for (let x = 0; x < width; x++) if (((x - 160) / 70) ** 2 + ((y - 80) / 22) ** 2 <= 1) data[y * width + x] = Math.max(data[y * width + x]!, 63);
      }
      const result = recognizer.recognize({ data, width, height });
      if (result.verdict === 'digits' && result.digits.join('') === `${test.labels[a]}${test.labels[b]}`) right++;
    }
    // Measured: 60 of 60, as without the wash rule; joining every piece the stain holds read 49.
    expect(right).toBeGreaterThanOrEqual(56);
  });
  it('refuses options that are not an object of polarity, threshold and strokes with BAD_OPTION', () => {
    const picture = { data: new Uint8Array(100), width: 10, height: 10 };
    expect(() => recognizer.recognize(picture, null as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', message: expect.stringMatching(/got null/) }));
    expect(() => recognizer.recognize(picture, { minSureness: 0.9 } as never)).toThrow(expect.objectContaining({ code: 'BAD_OPTION', message: expect.stringMatching(/unknown option "minSureness"; it takes polarity, threshold, strokes/) }));
  });

  it('refuses a 50,000,001-pixel picture and takes one of exactly MAX_PIXELS... by size alone', () => {
    expect(MAX_PIXELS).toBe(50_000_000);
    const tooBig = { data: new Uint8Array(0), width: 50_000_001, height: 1 };
    expect(() => recognizer.recognize(tooBig)).toThrow(expect.objectContaining({ code: 'IMAGE_TOO_LARGE' }));
    // At the limit the size is fine and only the byte count is wrong.
    expect(() => recognizer.recognize({ data: new Uint8Array(0), width: 50_000_000, height: 1 })).toThrow(expect.objectContaining({ code: 'BAD_IMAGE' }));
  });

  it('leaks no tensors over many recognitions, and frees its model on dispose', async () => {
    const before = tf.memory().numTensors;
    const r = await createRecognizer({ model: 'mlp' });
    const held = tf.memory().numTensors - before;
    expect(held).toBeGreaterThan(0);
    for (let i = 0; i < 20; i++) r.recognize(drawn(i));
    // Digits that touch: the cuts, their fits and the sides' checks run too.
    expect(r.recognize(touching(3, 4))).toMatchObject({ verdict: 'digits', digits: [0, 4] });
    r.recognizeMnistBatch(test.images.subarray(0, 100 * 784));
    r.recognize({ data: new Uint8Array(400), width: 20, height: 20 });
    expect(tf.memory().numTensors - before).toBe(held);
    r.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => r.recognize(drawn(0))).toThrow(expect.objectContaining({ code: 'DISPOSED' }));
  });
});

describe('recognizeMnist and recognizeMnistBatch', () => {
  it('classify MNIST-format images straight away, as accurately as the shipped figures say', () => {
    const count = 2000;
    const results = recognizer.recognizeMnistBatch(test.images.subarray(0, count * 784));
    expect(results).toHaveLength(count);
    const right = results.filter((r, i) => r.verdict === 'digit' && r.label === test.labels[i]).length;
    expect(right / count).toBeGreaterThan(0.985);
    const one = digitOf(recognizer.recognizeMnist(digitAt(7)));
    expect(one).toMatchObject({ label: digitOf(results[7]!).label, inverted: false });
    expect(one.probabilities).toEqual(digitOf(results[7]!).probabilities);
    expect(one.box.width).toBeLessThanOrEqual(20);
  });

  it("calls an all-zero image 'empty' and refuses wrong sizes", () => {
    expect(recognizer.recognizeMnist(new Uint8Array(784)).verdict).toBe('empty');
    expect(() => recognizer.recognizeMnist(new Uint8Array(783))).toThrow(expect.objectContaining({ code: 'BAD_IMAGE', message: expect.stringMatching(/784 bytes; got 783/) }));
    expect(() => recognizer.recognizeMnistBatch(new Uint8Array(784 * 2 + 1))).toThrow(expect.objectContaining({ code: 'BAD_IMAGE' }));
    expect(() => recognizer.recognizeMnistBatch(new Uint8Array(0))).toThrow(expect.objectContaining({ code: 'BAD_IMAGE' }));
  });
});
