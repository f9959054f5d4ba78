import { mkdtemp, rm } from 'node:fs/promises';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ImageSet } from '@digitkit/core';
import { subset } from '@digitkit/data';
import { cnn, mlp, numberReader } from '@digitkit/model';
import { evaluate, readCheckpoint, setForModel, startWorkers, train } from './index.js';
import { predict } from '@digitkit/model';
import { chooseWorkers, liveWorkerCount } from './pool.js';
import { mnistSlice, sameWeights, setup, weightsOf } from './test-support.js';

let data: { train: ImageSet; validation: ImageSet };
const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'digitkit-workers-'));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  await setup();
  const slice = await mnistSlice(1536, 400);
  data = { train: slice.train, validation: slice.validation };
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

const base = { epochs: 1, batchSize: 64, learningRate: 3e-3, seed: 5, augment: { maxShift: 2 }, reportEvery: 5 } as const;

describe('chooseWorkers', () => {
  // Built in the tests: the backend starts in beforeAll.
  let model: ReturnType<typeof mlp>;
  beforeAll(() => {
    model = mlp({ seed: 1 });
  });
  it.each([0, -1, 1.5, Number.NaN])('refuses %s with the accepted range', (n) => {
    expect(() => chooseWorkers(n, model, 128, 60000, 'wasm', 4)).toThrow(/integer from 1 to 4/);
  });
  it('uses the cores there are, and says so, when asked for more', () => {
    expect(chooseWorkers(9, model, 128, 60000, 'wasm', 4)).toEqual({ workers: 4, notes: [expect.stringMatching(/asked for 9 .* 4 cores: using 4/)], assembler: false });
  });
  it('trains in process on the native backend and for tiny sets, saying why', () => {
    expect(chooseWorkers(2, model, 128, 60000, 'tensorflow', 4)).toEqual({ workers: 1, notes: [expect.stringMatching(/native backend.*batches are made ahead on a second thread/)], assembler: true });
    expect(chooseWorkers(2, model, 128, 100, 'wasm', 4)).toEqual({ workers: 1, notes: [expect.stringMatching(/100 images are too few/)], assembler: false });
    expect(chooseWorkers(4, model, 2, 60000, 'wasm', 4)).toEqual({ workers: 2, notes: [expect.stringMatching(/a batch of 2 images .* using 2/)], assembler: false });
  });
  it('auto: every core for the CNN, in process for the MLP at batch 128, workers once its batch is larger', () => {
    expect(chooseWorkers('auto', cnn({ seed: 1 }), 128, 60000, 'wasm', 4).workers).toBe(4);
    expect(chooseWorkers('auto', model, 128, 60000, 'wasm', 4)).toMatchObject({ workers: 1, notes: [expect.stringMatching(/too little work/)] });
    expect(chooseWorkers('auto', model, 256, 60000, 'wasm', 4).workers).toBe(2);
  });
  it('makes the batches on a second thread only where a run in process was asked for more and has a core to spare', () => {
    expect(chooseWorkers('auto', model, 128, 60000, 'wasm', 4).assembler).toBe(true);
    expect(chooseWorkers('auto', model, 128, 60000, 'wasm', 1).assembler).toBe(false);
    expect(chooseWorkers(1, model, 128, 60000, 'wasm', 4)).toEqual({ workers: 1, notes: [], assembler: false });
    expect(chooseWorkers(undefined, model, 128, 60000, 'wasm', 4).assembler).toBe(false);
    expect(chooseWorkers('auto', cnn({ seed: 1 }), 128, 60000, 'wasm', 4).assembler).toBe(false);
  });
});

// Each run starts worker threads (about a second each on an idle machine; far more on a loaded one).
describe('train with workers', { timeout: 180_000 }, () => {
  it('gives the same weights bit for bit for the same seed and worker count, learns like one worker, and leaves no thread behind', async () => {
    const runs = [];
    for (const workers of [2, 2, 1]) {
      const model = mlp({ seed: 3 });
      const result = await train(model, data, { ...base, workers });
      expect(result.workers).toBe(workers);
      expect(liveWorkerCount()).toBe(0);
      runs.push({ weights: weightsOf(model), result, accuracy: evaluate(model, data.validation).accuracy });
    }
    expect(sameWeights(runs[0]!.weights, runs[1]!.weights)).toBe(true);
    expect(runs[0]!.result.history).toEqual(runs[1]!.result.history.map((h) => ({ ...h, seconds: expect.any(Number) })));
    // Another split of the same batches: close to one worker, not identical.
    expect(sameWeights(runs[0]!.weights, runs[2]!.weights)).toBe(false);
    expect(Math.abs(runs[0]!.accuracy - runs[2]!.accuracy)).toBeLessThan(0.05);
    expect(runs[0]!.accuracy).toBeGreaterThan(0.6);
    // Validation ran on the workers: the same figure as evaluating the trained model here.
    expect(runs[0]!.result.history[0]!.valAccuracy).toBe(runs[0]!.accuracy);
    // Where the time went, per worker: all of it accounted for, none of it negative.
    expect(runs[0]!.result.workerTime).toHaveLength(2);
    for (const t of runs[0]!.result.workerTime!) expect(Math.min(t.gradients, t.wait, t.update)).toBeGreaterThanOrEqual(0);
    expect(runs[2]!.result.workerTime).toBeUndefined();
  });

  it('gives a CNN (dropout on) the same weights bit for bit for the same seed on 2 workers', async () => {
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const model = cnn({ seed: 1, filters: [4, 8], dense: 32 });
      await train(model, data, { ...base, workers: 2 });
      runs.push(weightsOf(model));
    }
    expect(sameWeights(runs[0]!, runs[1]!)).toBe(true);
  });

  it('trains the number reader (28x56 numbers, 112 classes) on 2 workers, the same bit for bit for the same seed, and in process', async () => {
    const numbers = { train: setForModel('numbers', data.train, 1), validation: setForModel('numbers', data.validation, 2) };
    const runs = [];
    for (const workers of [2, 2, 1]) {
      const model = numberReader({ seed: 1, filters: [4, 8], dense: 32 });
      const result = await train(model, numbers, { ...base, workers });
      expect(result.workers).toBe(workers);
      runs.push(weightsOf(model));
    }
    expect(sameWeights(runs[0]!, runs[1]!)).toBe(true);
    // Another worker count sums the gradients in another order: close, not equal.
    expect(sameWeights(runs[0]!, runs[2]!)).toBe(false);
  });

  it('resumes an interrupted run exactly, and says so when it resumes with another worker count', async () => {
    const options = { ...base, epochs: 2, workers: 2 };
    const whole = mlp({ seed: 4 });
    await train(whole, data, options);

    const dir = await tempDir();
    const controller = new AbortController();
    const first = await train(mlp({ seed: 4 }), data, {
      ...options,
      signal: controller.signal,
      checkpoint: { dir },
      callbacks: { onBatchEnd: (info) => (info.epoch === 2 && info.batch >= 10 ? controller.abort() : undefined) },
    });
    expect(first.interrupted).toBe(true);
    expect(liveWorkerCount()).toBe(0);
    const saved = await readCheckpoint(dir);
    expect(saved?.state.position).toMatchObject({ epoch: 1, batch: 10 });
    expect(saved?.state.parallel).toEqual({ workers: 2 });

    const resumed = mlp({ seed: 4 });
    await train(resumed, data, { ...options, checkpoint: { dir, resume: true } });
    expect(sameWeights(weightsOf(resumed), weightsOf(whole))).toBe(true);

    const notes: string[] = [];
    const other = await train(mlp({ seed: 4 }), data, { ...options, workers: 1, checkpoint: { dir, resume: true }, callbacks: { onNote: (l) => void notes.push(l) } });
    expect(notes).toEqual([expect.stringMatching(/trained on 2 workers with 1 worker/)]);
    expect(other.notes).toEqual(notes);
  });
});

describe('the loop\'s checks with workers', { timeout: 180_000 }, () => {
  it('stops with DIVERGED at a huge learning rate, and no thread is left', async () => {
    await expect(train(mlp({ seed: 2 }), data, { ...base, learningRate: 1e6, workers: 2 })).rejects.toMatchObject({ code: 'DIVERGED' });
    expect(liveWorkerCount()).toBe(0);
  });

  it('trains a last batch of one image (one share is empty) and counts every image once', async () => {
    const odd = subset(data.train, Array.from({ length: 9 * 64 + 1 }, (_, i) => i));
    const seen: number[] = [];
    const result = await train(mlp({ seed: 2 }), { train: odd }, { ...base, workers: 2, callbacks: { onBatchEnd: (b) => void seen.push(b.batch) } });
    expect(seen.at(-1)).toBe(10);
    expect(Number.isFinite(result.history[0]!.loss)).toBe(true);
    expect(result.history[0]!.accuracy * odd.count).toBeCloseTo(Math.round(result.history[0]!.accuracy * odd.count), 6);
  });

  it('early stopping puts back the best epoch\'s weights, read from the workers', async () => {
    const model = mlp({ seed: 2 });
    const perEpoch: Float32Array[][] = [];
    const result = await train(model, data, {
      ...base,
      epochs: 4,
      learningRate: 2e-2,
      workers: 2,
      earlyStopping: { monitor: 'valAccuracy', patience: 1 },
      callbacks: { onEpochEnd: () => void perEpoch.push(weightsOf(model)) },
    });
    expect(result.bestEpoch).toBeGreaterThan(0);
    expect(sameWeights(weightsOf(model), perEpoch[result.bestEpoch - 1]!)).toBe(true);
    expect(result.history.map((h) => h.valAccuracy)).toHaveLength(perEpoch.length);
  });
});

describe('a worker that dies', { timeout: 180_000 }, () => {
  it.each([
    ['exits', 'exit', /stopped unexpectedly \(exit code 70\)/],
    ['runs out of memory', 'oom', /ran out of memory/],
  ])('%s: the run stops with WORKER_FAILED, the last checkpoint intact, no thread left', async (_, how, message) => {
    const dir = await tempDir();
    const batches = Math.ceil(data.train.count / base.batchSize);
    process.env.DIGITKIT_TEST_WORKER_CRASH = `1:${batches + 3}:${how}`;
    try {
      await expect(train(mlp({ seed: 6 }), data, { ...base, epochs: 2, workers: 2, checkpoint: { dir } })).rejects.toMatchObject({
        code: 'WORKER_FAILED',
        message: expect.stringMatching(new RegExp(`${message.source}.*The last good checkpoint stays in`)),
      });
    } finally {
      delete process.env.DIGITKIT_TEST_WORKER_CRASH;
    }
    expect(liveWorkerCount()).toBe(0);
    const saved = await readCheckpoint(dir);
    expect(saved?.state.position).toMatchObject({ epoch: 1, batch: 0 });
  });
});

// The machines this runs on have 2 cores or more; on one core a run in process has no thread to make batches on.
describe.skipIf(availableParallelism() < 2)('batches made ahead on a second thread (a run in process)', { timeout: 180_000 }, () => {
  const rich = { ...base, epochs: 2, augment: { maxShift: 2, maxRotation: 15, elastic: 0.3, noise: 0.1, negatives: 0.1, pairs: 0.05 } };

  it('gives the weights of batches made between steps, bit for bit, says so, and leaves no thread behind', async () => {
    const here = mlp({ seed: 7 });
    const hereResult = await train(here, data, { ...rich, workers: 1 });
    const ahead = mlp({ seed: 7 });
    const aheadResult = await train(ahead, data, { ...rich, workers: 'auto' });
    expect(liveWorkerCount()).toBe(0);
    expect(aheadResult.workers).toBe(1);
    expect(aheadResult.notes).toEqual([expect.stringMatching(/training in process: .*batches are made ahead on a second thread/)]);
    expect(hereResult.notes).toEqual([]);
    expect(sameWeights(weightsOf(ahead), weightsOf(here))).toBe(true);
  });

  it('resumes a run interrupted mid-epoch exactly', async () => {
    const whole = mlp({ seed: 7 });
    await train(whole, data, { ...rich, workers: 'auto' });
    const dir = await tempDir();
    const controller = new AbortController();
    const first = await train(mlp({ seed: 7 }), data, {
      ...rich,
      workers: 'auto',
      signal: controller.signal,
      checkpoint: { dir },
      callbacks: { onBatchEnd: (info) => (info.epoch === 2 && info.batch >= 10 ? controller.abort() : undefined) },
    });
    expect(first.interrupted).toBe(true);
    expect(liveWorkerCount()).toBe(0);
    const resumed = mlp({ seed: 7 });
    await train(resumed, data, { ...rich, workers: 'auto', checkpoint: { dir, resume: true } });
    expect(sameWeights(weightsOf(resumed), weightsOf(whole))).toBe(true);
  });

  it('stops with WORKER_FAILED when the thread dies, the last checkpoint intact, no thread left', async () => {
    const dir = await tempDir();
    const batches = Math.ceil(data.train.count / base.batchSize);
    process.env.DIGITKIT_TEST_ASSEMBLER_CRASH = String(batches + 3);
    try {
      await expect(train(mlp({ seed: 6 }), data, { ...rich, workers: 'auto', checkpoint: { dir } })).rejects.toMatchObject({
        code: 'WORKER_FAILED',
        message: expect.stringMatching(/batch-assembly thread stopped unexpectedly \(exit code 70\).*The last good checkpoint stays in/),
      });
    } finally {
      delete process.env.DIGITKIT_TEST_ASSEMBLER_CRASH;
    }
    expect(liveWorkerCount()).toBe(0);
    expect((await readCheckpoint(dir))?.state.position).toMatchObject({ epoch: 1, batch: 0 });
  });
});

describe('startWorkers', { timeout: 180_000 }, () => {
  it('evaluates and predicts a set split across 2 workers exactly as in process, then ends every thread', async () => {
    const model = mlp({ seed: 8 });
    await train(model, data, { ...base, workers: 1 });
    const workers = await startWorkers(model, { workers: 2 });
    try {
      expect(workers.size).toBe(2);
      const here = evaluate(model, data.validation);
      const there = await workers.evaluate(data.validation);
      expect(there.predicted).toEqual(here.predicted);
      expect(there.confusion).toEqual(here.confusion);
      expect(there.loss).toBeCloseTo(here.loss, 5);
      const x = Float32Array.from(data.validation.images.subarray(0, 301 * 784), (v) => v / 255);
      expect(await workers.predict(x, 301)).toEqual(predict(model, x, 301));
      await expect(workers.evaluate(data.validation, { batchSize: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION' });
    } finally {
      await workers.close();
    }
    expect(liveWorkerCount()).toBe(0);
    await expect(startWorkers(model, { workers: 0 })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/from 1 to \d+/) });
  });
});
