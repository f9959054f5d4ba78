import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DigitkitError } from '@digitkit/core';
import { parseRunMetrics } from './metrics.js';
import { readRunMetrics } from './node.js';
import { mnistSlice } from '@digitkit/testkit';
import { fakeEvaluation, fakeRunMetrics } from './test-helpers.js';

const good = fakeRunMetrics(fakeEvaluation(await mnistSlice({ split: 'test' })));

function withChange(change: (m: Record<string, any>) => void): string {
  const copy = JSON.parse(JSON.stringify(good));
  change(copy);
  return JSON.stringify(copy);
}

describe('parseRunMetrics', () => {
  it('returns the metrics a training run wrote, text or parsed', () => {
    expect(parseRunMetrics(JSON.stringify(good))).toEqual(good);
    expect(parseRunMetrics(JSON.parse(JSON.stringify(good)))).toEqual(good);
    const minimal = { model: 'cnn', backend: 'cpu', seconds: 3, history: [{ epoch: 1, loss: 0.3, accuracy: 0.9, learningRate: 0.001, seconds: 3 }] };
    expect(parseRunMetrics(minimal)).toEqual(minimal);
    // A kind viz has never heard of (a custom model, or one added to @digitkit/model later) still reads.
    expect(parseRunMetrics({ ...minimal, model: 'custom' }).model).toBe('custom');
  });

  it('says which file is not JSON', () => {
    expect(() => parseRunMetrics('{"model": "mlp",', 'runs/a/metrics.json')).toThrow(DigitkitError);
    expect(() => parseRunMetrics('{"model": "mlp",', 'runs/a/metrics.json')).toThrow(/^runs\/a\/metrics\.json is not valid JSON/);
  });

  it('names the file and the field that is missing or malformed', () => {
    const cases: [(m: Record<string, any>) => void, RegExp][] = [
      [(m) => delete m.history, /m\.json: field "history" must be an array of epochs, got nothing \(the field is missing\)/],
      [(m) => (m.history = []), /field "history" must be a non-empty array/],
      [(m) => (m.history[2].loss = 'abc'), /field "history\[2\]\.loss" must be a finite number, got "abc"/],
      [(m) => (m.history[0].accuracy = 97.2), /field "history\[0\]\.accuracy" must be a number in \[0, 1\], got 97\.2/],
      [(m) => (m.history[1].valLoss = null), /field "history\[1\]\.valLoss" must be a finite number, got null/],
      [(m) => (m.history[0].epoch = 0), /field "history\[0\]\.epoch" must be an integer >= 1/],
      [(m) => (m.backend = 'webgpu'), /field "backend" must be one of "tensorflow", "wasm", "cpu", got "webgpu"/],
      [(m) => (m.model = 7), /field "model" must be a non-empty string, got 7/],
      [(m) => (m.model = ' '), /field "model" must be a non-empty string, got " "/],
      [(m) => delete m.seconds, /field "seconds" must be a finite number/],
      [(m) => (m.test.confusion[3] = [1, 2]), /field "test\.confusion\[3\]" must be an array of 10 counts/],
      [(m) => (m.test.recall[4] = '0.9'), /field "test\.recall\[4\]" must be a finite number, got "0\.9"/],
    ];
    for (const [change, message] of cases) {
      expect(() => parseRunMetrics(withChange(change), 'm.json')).toThrow(message);
    }
    expect(() => parseRunMetrics('[1, 2]', 'm.json')).toThrow(/field "\(top level\)" must be an object, got an array of 2/);
  });
});

describe('readRunMetrics', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('reads a metrics file and puts its path in every error', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'viz-metrics-'));
    dirs.push(dir);
    const file = join(dir, 'metrics.json');
    await writeFile(file, JSON.stringify(good));
    expect(await readRunMetrics(file)).toEqual(good);
    await writeFile(file, withChange((m) => (m.history[0].seconds = 'soon')));
    await expect(readRunMetrics(file)).rejects.toThrow(`${file}: field "history[0].seconds" must be a finite number, got "soon"`);
    await expect(readRunMetrics(join(dir, 'nope.json'))).rejects.toThrow(/nope\.json does not exist\. Train a model first/);
  });
});
