import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, readFile, readdir, rm, writeFile, mkdir } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DigitkitError, useBackend, type DigitModel } from '@digitkit/core';
import { cnn, loadModel, mlp, modelFromArtifacts, modelToArtifacts, predict, saveModel } from './index.js';

let root: string;
const images = Float32Array.from({ length: 5 * 784 }, (_, i) => ((i * 7919) % 256) / 255);

beforeAll(async () => {
  await useBackend('cpu', { log: null });
  root = await mkdtemp(join(tmpdir(), 'digitkit-model-io-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function outputs(model: DigitModel, x = images, n = 5): number[][] {
  return predict(model, x, n).map((p) => [...p.probabilities]);
}

async function expectError(promise: Promise<unknown>, code: string, text: RegExp): Promise<void> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(DigitkitError);
  expect((error as DigitkitError).code).toBe(code);
  expect((error as DigitkitError).message).toMatch(text);
}

describe('saveModel / loadModel', () => {
  it('round-trips an MLP through model.json + weights.bin, with digitkit metadata', async () => {
    const model = mlp({ seed: 11 });
    const dir = join(root, 'mlp');
    await saveModel(model, dir);
    expect((await readdir(dir)).sort()).toEqual(['model.json', 'weights.bin']);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    expect(json.format).toBe('layers-model');
    expect(json.userDefinedMetadata.digitkit).toEqual({ kind: 'mlp', inputShape: [784], numClasses: 10 });
    expect((await readFile(join(dir, 'weights.bin'))).byteLength).toBe(109_386 * 4);

    const loaded = await loadModel(dir);
    expect(loaded.kind).toBe('mlp');
    expect(loaded.inputShape).toEqual([784]);
    expect(outputs(loaded)).toEqual(outputs(model));
    // A path to model.json works the same.
    expect(outputs(await loadModel(join(dir, 'model.json')))).toEqual(outputs(model));
  });

  it('round-trips a CNN, and stock tf.loadLayersModel reads the files and predicts the same', async () => {
    const model = cnn({ seed: 5 });
    const dir = join(root, 'nested', 'cnn');
    await saveModel(model, dir);
    const loaded = await loadModel(dir);
    expect(loaded.kind).toBe('cnn');
    expect(loaded.inputShape).toEqual([28, 28, 1]);
    expect(outputs(loaded)).toEqual(outputs(model));

    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    const weights = await readFile(join(dir, 'weights.bin'));
    const stock = await tfl.loadLayersModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest[0].weights,
        weightData: weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.byteLength),
      }),
    );
    const x = tf.tensor(images, [5, 28, 28, 1]);
    const stockOut = stock.predict(x) as tf.Tensor;
    expect(await stockOut.array()).toEqual(outputs(model));
    tf.dispose([x, stockOut]);
  });

  it('serves over http: stock tf.loadLayersModel(url) and loadModel(url) predict the same', async () => {
    const model = mlp({ seed: 3 });
    const dir = join(root, 'served');
    await saveModel(model, dir);
    const server: Server = createServer((req, res) => {
      const name = (req.url ?? '/').replace(/^\/+/, '');
      readFile(join(dir, name)).then(
        (body) => res.writeHead(200).end(body),
        () => res.writeHead(404).end('not found'),
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = server.address() as { port: number };
      const url = `http://127.0.0.1:${port}/model.json`;
      const stock = await tfl.loadLayersModel(url);
      const x = tf.tensor(images, [5, 784]);
      const stockOut = stock.predict(x) as tf.Tensor;
      expect(await stockOut.array()).toEqual(outputs(model));
      tf.dispose([x, stockOut]);
      const loaded = await loadModel(url);
      expect(loaded.kind).toBe('mlp');
      expect(outputs(loaded)).toEqual(outputs(model));
      await expectError(loadModel(`http://127.0.0.1:${port}/missing/model.json`), 'MODEL_LOAD_FAILED', /missing\/model\.json/);
    } finally {
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('replaces an existing model only with a complete new one, leaving no temporary directories', async () => {
    const dir = join(root, 'replace');
    const first = mlp({ seed: 1 });
    const second = mlp({ seed: 2, hidden: [16] });
    await saveModel(first, dir);
    await saveModel(second, dir);
    expect(outputs(await loadModel(dir))).toEqual(outputs(second));
    expect((await readdir(root)).filter((n) => n.startsWith('replace'))).toEqual(['replace']);
  });

  it('refuses to replace a file or a directory that holds something other than a model', async () => {
    const file = join(root, 'a-file');
    await writeFile(file, 'x');
    await expectError(saveModel(mlp(), file), 'SAVE_TARGET_NOT_DIRECTORY', /a-file/);
    const other = join(root, 'other');
    await mkdir(other);
    await writeFile(join(other, 'notes.txt'), 'keep me');
    await expectError(saveModel(mlp(), other), 'SAVE_TARGET_NOT_MODEL', /notes\.txt/);
    expect(await readFile(join(other, 'notes.txt'), 'utf8')).toBe('keep me');
  });

  it('gives clear errors for a missing, broken or foreign model', async () => {
    await expectError(loadModel(join(root, 'nope')), 'MODEL_NOT_FOUND', /nope/);
    const empty = join(root, 'empty');
    await mkdir(empty);
    await expectError(loadModel(empty), 'MODEL_NOT_FOUND', /holds no model\.json/);

    const notJson = join(root, 'not-json');
    await mkdir(notJson);
    await writeFile(join(notJson, 'model.json'), '{ this is not json');
    await expectError(loadModel(notJson), 'BAD_MODEL_JSON', /not valid JSON/);
    await writeFile(join(notJson, 'model.json'), '{"hello": 1}');
    await expectError(loadModel(notJson), 'BAD_MODEL_JSON', /not a TF\.js layers model/);

    const dir = join(root, 'broken');
    await saveModel(mlp(), dir);
    const weights = await readFile(join(dir, 'weights.bin'));
    await writeFile(join(dir, 'weights.bin'), weights.subarray(0, 1000));
    await expectError(loadModel(dir), 'BAD_WEIGHTS', /1000 bytes.*437544/);
    await rm(join(dir, 'weights.bin'));
    await expectError(loadModel(dir), 'WEIGHTS_NOT_FOUND', /weights\.bin/);

    const foreign = tfl.sequential({ layers: [tfl.layers.dense({ units: 3, inputShape: [12] })] });
    const artifacts = await modelToArtifacts({ kind: 'mlp', inputShape: [12], numClasses: 3, net: foreign });
    await expectError(modelFromArtifacts(artifacts), 'NOT_A_DIGIT_MODEL', /\[12\].*\[784\]/);
  });

  it('takes the kind from the stored metadata, else from the MODELS entry of the same input shape, else calls it custom', async () => {
    const keras = (inputShape: number[]) =>
      tfl.sequential({
        layers:
          inputShape.length === 1
            ? [tfl.layers.dense({ inputShape, units: 10, activation: 'softmax' })]
            : [tfl.layers.flatten({ inputShape }), tfl.layers.dense({ units: 10, activation: 'softmax' })],
      });
    const withoutMetadata = async (net: tfl.LayersModel) => {
      const artifacts = await modelToArtifacts({ kind: 'x', inputShape: [], numClasses: 10, net });
      return modelFromArtifacts({ ...artifacts, userDefinedMetadata: {} });
    };
    expect((await withoutMetadata(keras([784]))).kind).toBe('mlp');
    expect((await withoutMetadata(keras([28, 28, 1]))).kind).toBe('cnn');
    // The number reader's 28x56 fits: a table entry's shape, so its kind by shape.
    expect((await withoutMetadata(keras([28, 56, 1]))).kind).toBe('numbers');
    // A Keras model on 28x28 arrays is not one of ours, but it reads digits: loadable, kind 'custom', and it predicts.
    const custom = await withoutMetadata(keras([28, 28]));
    expect(custom).toMatchObject({ kind: 'custom', inputShape: [28, 28], numClasses: 10 });
    expect(outputs(custom)).toHaveLength(5);
    // Stored metadata wins, unless it names a table entry of another input shape.
    const stored = (kind: string, net: tfl.LayersModel) => modelToArtifacts({ kind, inputShape: [], numClasses: 10, net }).then((a) => modelFromArtifacts(a));
    expect((await stored('mlp-wide', keras([784]))).kind).toBe('mlp-wide');
    expect((await stored('mlp', keras([28, 28, 1]))).kind).toBe('cnn');
    expect((await stored('<script>', keras([28, 28]))).kind).toBe('custom');
    await expectError(withoutMetadata(keras([27, 29])), 'NOT_A_DIGIT_MODEL', /\[27, 29\].*\[784\] \(mlp\), \[28, 28, 1\] \(cnn\), \[28, 56, 1\] \(numbers\), or \[28, 28\]/);
    await expectError(withoutMetadata(keras([56, 28, 1])), 'NOT_A_DIGIT_MODEL', /\[56, 28, 1\]/);
  });

  it('refuses a model.json whose layer sizes disagree with the weights, before building any layer', async () => {
    const dir = join(root, 'units');
    await saveModel(mlp({ seed: 2 }), dir);
    const json = JSON.parse(await readFile(join(dir, 'model.json'), 'utf8'));
    // One number changed: 784x1e6 floats would be 3.1 GB if TF.js built the layer before looking at the weights.
    json.modelTopology.config.layers[0].config.units = 1_000_000;
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    const before = process.memoryUsage().rss;
    await expectError(loadModel(dir), 'BAD_MODEL_JSON', /model\.json gives layer "dense_1" units 1000000, but its weights \(dense_1\/kernel\) have shape \[784, 128\]/);
    expect(process.memoryUsage().rss - before).toBeLessThan(64 * 1024 * 1024);
    json.modelTopology.config.layers[0].config.units = 128;
    json.modelTopology.config.layers[0].config.batch_input_shape = [null, 1_000_000];
    await writeFile(join(dir, 'model.json'), JSON.stringify(json));
    await expectError(loadModel(dir), 'NOT_A_DIGIT_MODEL', /\[1000000\]/);
  });

  it('refuses NaN or infinite weights, naming the weight', async () => {
    const dir = join(root, 'nan');
    await saveModel(mlp({ seed: 2 }), dir);
    const weights = new Float32Array((await readFile(join(dir, 'weights.bin'))).buffer.slice(0));
    weights.fill(Number.NaN, 784 * 128 + 128, 784 * 128 + 128 + 5);
    await writeFile(join(dir, 'weights.bin'), new Uint8Array(weights.buffer));
    await expectError(loadModel(dir), 'BAD_WEIGHTS', /dense_2\/kernel holds 5 non-finite values.*train again/);
    weights.fill(Number.NaN);
    await writeFile(join(dir, 'weights.bin'), new Uint8Array(weights.buffer));
    await expectError(loadModel(dir), 'BAD_WEIGHTS', /dense_1\/kernel holds 100352 non-finite/);
  });

  it('round-trips in memory through artifacts', async () => {
    const model = cnn({ seed: 9 });
    const artifacts = await modelToArtifacts(model);
    expect(artifacts.weightData).toBeInstanceOf(ArrayBuffer);
    const copy = await modelFromArtifacts(artifacts);
    expect(copy.kind).toBe('cnn');
    expect(outputs(copy)).toEqual(outputs(model));
  });
});
