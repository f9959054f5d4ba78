import { mkdtemp, readdir, rm, mkdir, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigitkitError, type EpochMetrics, type ImageSet } from '@digitkit/core';
import { cnn, mlp } from '@digitkit/model';
import { readCheckpoint } from './checkpoint.js';
import { evaluate } from './evaluate.js';
import { train } from './train.js';
import { mnistSlice as slice } from '@digitkit/testkit';
import { mnistSlice, sameWeights, setup, tensorCount, weightsOf } from './test-support.js';

let data: { train: ImageSet; validation: ImageSet; test: ImageSet };
const dirs: string[] = [];
const tempDir = async () => {
  const dir = await mkdtemp(join(tmpdir(), 'digitkit-train-'));
  dirs.push(dir);
  return dir;
};

beforeAll(async () => {
  await setup();
  data = await mnistSlice(2000, 500);
});
afterAll(async () => {
  for (const dir of dirs) await rm(dir, { recursive: true, force: true });
});

describe('train', () => {
  it('reports metrics for every epoch, learns, and leaks no tensors', async () => {
    const model = mlp({ seed: 1 });
    const counts: number[] = [];
    const batchInfos: { epoch: number; batch: number; batches: number; loss: number }[] = [];
    const before = tensorCount();
    const result = await train(model, { train: data.train, validation: data.validation }, {
      epochs: 3,
      batchSize: 100,
      reportEvery: 5,
      callbacks: {
        onEpochEnd: () => void counts.push(tensorCount()),
        onBatchEnd: (info) => void batchInfos.push(info),
      },
    });
    expect(result.history.map((m) => m.epoch)).toEqual([1, 2, 3]);
    for (const m of result.history) {
      for (const key of ['loss', 'accuracy', 'valLoss', 'valAccuracy', 'learningRate', 'seconds'] as const) {
        expect(Number.isFinite(m[key])).toBe(true);
      }
      expect(m.learningRate).toBe(1e-3);
    }
    expect(result.history[2]!.loss).toBeLessThan(result.history[0]!.loss);
    expect(result.history[2]!.valAccuracy).toBeGreaterThan(0.8);
    expect(result.backend).toBe(tf.getBackend());
    expect(result.interrupted).toBe(false);
    expect(result.stoppedEarly).toBe(false);
    // Same tensor count after every epoch, and back to the start once training is over.
    expect(new Set(counts).size).toBe(1);
    expect(tensorCount()).toBe(before);
    // 20 batches per epoch, reported every 5.
    expect(batchInfos.filter((b) => b.epoch === 1).map((b) => b.batch)).toEqual([5, 10, 15, 20]);
    expect(batchInfos.every((b) => b.batches === 20 && Number.isFinite(b.loss))).toBe(true);
    // The validation metrics are the evaluation of the final weights.
    const check = evaluate(model, data.validation);
    expect(check.accuracy).toBeCloseTo(result.history[2]!.valAccuracy!, 10);
    model.net.dispose();
  });

  it('gives the same weights and accuracy for the same seed (with augmentation of every family)', async () => {
    const run = async () => {
      const model = mlp({ seed: 3 });
      const result = await train(model, { train: data.train }, {
        epochs: 2,
        seed: 7,
        schedule: 'cosine',
        augment: {
          maxShift: 2,
          maxRotation: 10,
          scale: 0.1,
          shear: 0.2,
          elastic: 0.5,
          strokeWidth: 0.3,
          lowResolution: 0.2,
          blur: 0.2,
          clutter: 0.2,
          contrast: 0.2,
          noise: 0.2,
        },
      });
      const weights = weightsOf(model);
      const accuracy = evaluate(model, data.validation).accuracy;
      model.net.dispose();
      return { weights, accuracy, history: result.history };
    };
    const a = await run();
    const b = await run();
    expect(sameWeights(a.weights, b.weights)).toBe(true);
    expect(a.accuracy).toBe(b.accuracy);
    expect(b.history.map((m) => m.loss)).toEqual(a.history.map((m) => m.loss));
    // Another seed shuffles differently.
    const model = mlp({ seed: 3 });
    await train(model, { train: data.train }, { epochs: 1, seed: 8 });
    expect(sameWeights(weightsOf(model), a.weights)).toBe(false);
    model.net.dispose();
    // Three short runs: more than the file's 30 s when the shared machine is busy.
  }, 90_000);

  it('stops early and restores the weights of the best epoch', async () => {
    const model = mlp({ seed: 2 });
    const snapshots: Float32Array[][] = [];
    // A sane first epoch, then a rate too high (not so high that it diverges): validation loss gets worse.
    const result = await train(model, { train: data.train, validation: data.validation }, {
      epochs: 6,
      optimizer: 'sgd',
      schedule: (epoch) => (epoch === 0 ? 0.05 : 0.3),
      earlyStopping: { monitor: 'valLoss', patience: 2, restoreBestWeights: true },
      callbacks: { onEpochEnd: () => void snapshots.push(weightsOf(model)) },
    });
    expect(result.stoppedEarly).toBe(true);
    expect(result.bestEpoch).toBe(1);
    expect(result.history).toHaveLength(3);
    const valLosses = result.history.map((m) => m.valLoss!);
    expect(Math.min(...valLosses)).toBe(valLosses[0]);
    expect(sameWeights(weightsOf(model), snapshots[0]!)).toBe(true);
    expect(sameWeights(weightsOf(model), snapshots[2]!)).toBe(false);
    model.net.dispose();
  });

  it('needs validation data for early stopping', async () => {
    const model = mlp({ seed: 1 });
    await expect(train(model, { train: data.train }, { epochs: 2, earlyStopping: {} })).rejects.toThrowError(
      /earlyStopping watches validation metrics/,
    );
    model.net.dispose();
  });

  it('rejects bad hyperparameters before any work', async () => {
    const model = mlp({ seed: 1 });
    const initial = weightsOf(model);
    const dir = join(await tempDir(), 'never-written');
    const cases: [object, RegExp][] = [
      [{ epochs: 2, batchSize: 0 }, /batchSize must be an integer >= 1, got 0/],
      [{ epochs: 2, learningRate: -0.1 }, /learningRate must be a positive finite number, got -0.1/],
      [{ epochs: 2, learningRate: Number.NaN }, /learningRate must be a positive finite number, got NaN/],
      [{ epochs: 0 }, /epochs must be an integer >= 1, got 0/],
      [{ epochs: 1.5 }, /epochs must be an integer >= 1, got 1.5/],
      [{ epochs: 2, optimizer: 'adagrad' }, /Unknown optimizer "adagrad"/],
      [{ epochs: 2, schedule: 'linear' }, /Unknown learning-rate schedule "linear"/],
      [{ epochs: 2, weightDecay: -1 }, /weightDecay must be a finite number >= 0/],
      [{ epochs: 2, augment: { maxShift: -1 } }, /augment.maxShift must be between 0 and 14/],
      [{ epochs: 2, augment: { blur: 2 } }, /augment.blur must be between 0 and 1 \(a probability per image\), got 2/],
      [{ epochs: 2, augment: { pairs: 0.6 } }, /augment.pairs must be between 0 and 0.5/],
      [{ epochs: 2, augment: { negatives: 0.3, pairs: 0.3 } }, /augment.negatives \+ augment.pairs must be at most 0.5.*got 0.3 \+ 0.3/],
      [{ epochs: 2, earlyStopping: { monitor: 'loss' } }, /earlyStopping.monitor must be "valLoss" or "valAccuracy"/],
    ];
    for (const [options, message] of cases) {
      const attempt = train(model, { train: data.train, validation: data.validation }, { ...options, checkpoint: { dir } } as never);
      await expect(attempt).rejects.toThrowError(DigitkitError);
      await expect(train(model, { train: data.train }, options as never)).rejects.toThrowError(message);
    }
    expect(sameWeights(weightsOf(model), initial)).toBe(true);
    await expect(readdir(dir)).rejects.toThrow();
    model.net.dispose();
  });

  it('stops with NAN_LOSS naming the epoch and batch when the loss is not finite', async () => {
    const model = mlp({ seed: 1 });
    // Poison one weight: every prediction becomes NaN.
    const kernel = model.net.layers[1]!.getWeights()[0]!;
    const values = kernel.arraySync() as number[][];
    values[3]![5] = Number.NaN;
    const poisoned = tf.tensor2d(values);
    model.net.layers[1]!.setWeights([poisoned, model.net.layers[1]!.getWeights()[1]!]);
    poisoned.dispose();
    const before = tensorCount();
    const error = await train(model, { train: data.train }, { epochs: 1, learningRate: 1e-3 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigitkitError);
    expect((error as DigitkitError).code).toBe('NAN_LOSS');
    expect((error as Error).message).toMatch(/loss became NaN at epoch 1, batch 1 of 16 .*Lower the learning rate/);
    expect(tensorCount()).toBe(before);
    model.net.dispose();
  });

  it('stops with DIVERGED when Adam at lr 1e6 saturates the loss (finite, no NaN), with the learning-rate hint', async () => {
    const model = mlp({ seed: 1 });
    const dir = await tempDir();
    const before = tensorCount();
    const losses: number[] = [];
    const error = await train(model, { train: await slice({ split: 'train', count: 1000 }) }, {
      epochs: 5,
      batchSize: 50,
      optimizer: 'adam',
      learningRate: 1e6,
      reportEvery: 1,
      checkpoint: { dir },
      callbacks: { onBatchEnd: (info) => void losses.push(info.loss) },
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigitkitError);
    expect((error as DigitkitError).code).toBe('DIVERGED');
    expect((error as Error).message).toMatch(/mean loss reached \S+ by epoch 1, batch 2 of 20 \(it started at 2\.\d+; .*learning rate 1000000\. Lower the learning rate \(try 100000 or less\)/);
    // Every loss reported before the stop was finite: this is growth, not NaN.
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(tensorCount()).toBe(before);
    model.net.dispose();
  });

  it('does not call a normal run divergent', async () => {
    const model = mlp({ seed: 1 });
    const result = await train(model, { train: await slice({ split: 'train', count: 1000 }) }, { epochs: 2, batchSize: 50, learningRate: 1e-3, reportEvery: 1 });
    expect(result.history).toHaveLength(2);
    model.net.dispose();
  });

  it('leaves only latest.json and one checkpoint (no temporary files) after a finished and after an interrupted run', async () => {
    const finished = await tempDir();
    const model = mlp({ seed: 1 });
    await train(model, { train: await slice({ split: 'train', count: 400 }) }, { epochs: 2, batchSize: 100, checkpoint: { dir: finished } });
    expect(await listTree(finished)).toEqual(checkpointTree(await readdir(finished)));

    const interrupted = await tempDir();
    const controller = new AbortController();
    const result = await train(model, { train: await slice({ split: 'train', count: 400 }) }, {
      epochs: 2,
      batchSize: 100,
      reportEvery: 1,
      checkpoint: { dir: interrupted },
      signal: controller.signal,
      callbacks: { onBatchEnd: (info) => void (info.batch === 2 && controller.abort()) },
    });
    expect(result.interrupted).toBe(true);
    expect(await listTree(interrupted)).toEqual(checkpointTree(await readdir(interrupted)));
    model.net.dispose();
  });

  it('detects divergence from a huge learning rate and keeps the last good checkpoint', async () => {
    const model = mlp({ seed: 1 });
    const dir = await tempDir();
    const error = await train(model, { train: data.train }, {
      epochs: 3,
      optimizer: 'sgd',
      schedule: (epoch) => (epoch === 0 ? 0.01 : 1e30),
      checkpoint: { dir },
      reportEvery: 4,
    }).catch((e: unknown) => e);
    expect((error as DigitkitError).code).toBe('NAN_LOSS');
    expect((error as Error).message).toMatch(/at epoch 2, batch \d+ of 16 \(learning rate 1e\+30\)/);
    expect((error as Error).message).toContain('The last good checkpoint stays in');
    const checkpoint = await readCheckpoint(dir);
    expect(checkpoint?.state.position).toMatchObject({ epoch: 1, batch: 0 });
    expect(checkpoint?.state.history).toHaveLength(1);
    expect(checkpoint?.weights.every((w) => w.every(Number.isFinite))).toBe(true);
    model.net.dispose();
  });
});

describe('checkpoints', () => {
  const options = (dir?: string) => ({
    epochs: 3,
    seed: 11,
    schedule: 'cosine' as const,
    augment: { maxShift: 2 },
    ...(dir ? { checkpoint: { dir, resume: true } } : {}),
  });

  it('resumes a CNN (dropout on) exactly: its masks come from the seed, not from the run that drew them', async () => {
    const small = (seed: number) => cnn({ seed, filters: [4, 8], dense: 32 });
    const settings = (dir?: string) => ({ ...options(dir), epochs: 2, batchSize: 64 });
    const reference = small(5);
    await train(reference, { train: data.train }, settings());
    const dir = await tempDir();
    const controller = new AbortController();
    const onBatchEnd = (info: { epoch: number; batch: number }) => (info.epoch === 2 && info.batch >= 4 ? controller.abort() : undefined);
    await train(small(5), { train: data.train }, { ...settings(dir), signal: controller.signal, reportEvery: 2, callbacks: { onBatchEnd } });
    expect((await readCheckpoint(dir))?.state.position).toMatchObject({ epoch: 1, batch: 4 });
    const resumed = small(99);
    await train(resumed, { train: data.train }, settings(dir));
    expect(sameWeights(weightsOf(resumed), weightsOf(reference))).toBe(true);
  });

  it('resumes an aborted run exactly: same weights and history as an uninterrupted run', async () => {
    const reference = mlp({ seed: 5 });
    const full = await train(reference, { train: data.train, validation: data.validation }, options());

    const dir = await tempDir();
    const controller = new AbortController();
    const first = mlp({ seed: 5 });
    const partial = await train(first, { train: data.train, validation: data.validation }, {
      ...options(dir),
      signal: controller.signal,
      reportEvery: 3,
      callbacks: {
        // Abort in the middle of epoch 2.
        onBatchEnd: (info) => {
          if (info.epoch === 2 && info.batch >= 6) controller.abort();
        },
      },
    });
    expect(partial.interrupted).toBe(true);
    expect(partial.history).toHaveLength(1);
    const saved = await readCheckpoint(dir);
    expect(saved?.state.position).toMatchObject({ epoch: 1, batch: 6 });
    first.net.dispose();

    // Mid-epoch positions count batches: another batch size cannot continue them.
    const wrongBatch = mlp({ seed: 5 });
    await expect(
      train(wrongBatch, { train: data.train, validation: data.validation }, { ...options(dir), batchSize: 64 }),
    ).rejects.toThrowError(/stopped in the middle of epoch 2 with batch size 128; resume with batchSize 128/);
    wrongBatch.net.dispose();

    // A new process would build a fresh model: the checkpoint supplies weights and optimizer state.
    const second = mlp({ seed: 99 });
    const resumed = await train(second, { train: data.train, validation: data.validation }, options(dir));
    expect(resumed.interrupted).toBe(false);
    expect(resumed.history.map((m) => m.epoch)).toEqual([1, 2, 3]);
    expect(sameWeights(weightsOf(second), weightsOf(reference))).toBe(true);
    const strip = (h: EpochMetrics[]) => h.map(({ seconds: _, ...rest }) => rest);
    expect(strip(resumed.history)).toEqual(strip(full.history));

    // A signal aborted before training starts: returns at once, interrupted, with the history so far.
    const early = new AbortController();
    early.abort();
    const untouched = mlp({ seed: 5 });
    const idle = await train(untouched, { train: data.train }, { epochs: 3, signal: early.signal });
    expect(idle).toMatchObject({ interrupted: true, history: [] });
    untouched.net.dispose();

    // Resuming a finished run does nothing more.
    const again = await train(second, { train: data.train, validation: data.validation }, options(dir));
    expect(again.history).toHaveLength(3);
    expect(sameWeights(weightsOf(second), weightsOf(reference))).toBe(true);
    reference.net.dispose();
    second.net.dispose();
  });

  it('writes atomically: one complete checkpoint, leftovers of a crashed write ignored and removed', async () => {
    const dir = await tempDir();
    // What a crash in the middle of a write leaves: a temporary directory, half full.
    await mkdir(join(dir, '.tmp-crashed'), { recursive: true });
    await writeFile(join(dir, '.tmp-crashed', 'weights.bin'), new Uint8Array(10));
    const model = mlp({ seed: 1 });
    await train(model, { train: data.train }, { epochs: 2, checkpoint: { dir, resume: true } });
    const entries = (await readdir(dir)).sort();
    expect(entries).toHaveLength(2);
    expect(entries[0]).toMatch(/^ckpt-e0002-b000000-/);
    expect(entries[1]).toBe('latest.json');
    const files = (await readdir(join(dir, entries[0]!))).sort();
    expect(files).toEqual(['model', 'optimizer.bin', 'state.json', 'weights.bin']);
    expect((await readdir(join(dir, entries[0]!, 'model'))).sort()).toEqual(['model.json', 'weights.bin']);
    const checkpoint = await readCheckpoint(dir);
    expect(sameWeights(checkpoint!.weights, weightsOf(model))).toBe(true);
    expect(checkpoint!.state.optimizer).toMatchObject({ name: 'adam', step: 32 });
    expect(checkpoint!.state.rng).toEqual({ seed: 42, scheme: 'per-batch' });
    model.net.dispose();
  });

  it('a fresh run removes an earlier run\'s checkpoint before it starts, and stores the caller\'s run description', async () => {
    const dir = await tempDir();
    const model = mlp({ seed: 1 });
    await train(model, { train: data.train }, { epochs: 1, checkpoint: { dir, run: { id: 'first' } } });
    expect((await readCheckpoint(dir))?.state.run).toEqual({ id: 'first' });
    // A new run aborted before its first checkpoint: nothing of the old run may be left to resume.
    const aborted = new AbortController();
    aborted.abort();
    await train(model, { train: data.train }, { epochs: 1, signal: aborted.signal, checkpoint: { dir } });
    expect(await readCheckpoint(dir)).toBeNull();
    expect(await readdir(dir)).toEqual([]);
    model.net.dispose();
  });

  it('refuses a checkpoint of another model before any work', async () => {
    const dir = await tempDir();
    const model = mlp({ seed: 1 });
    await train(model, { train: data.train }, { epochs: 1, checkpoint: { dir } });
    const other = mlp({ seed: 1, hidden: [32] });
    const initial = weightsOf(other);
    await expect(train(other, { train: data.train }, { epochs: 2, checkpoint: { dir, resume: true } })).rejects.toThrowError(
      /written for a mlp with weights \[784x128\].* but this model is a mlp with weights \[784x32\]/,
    );
    expect(sameWeights(weightsOf(other), initial)).toBe(true);
    const convolutional = cnn({ seed: 1 });
    await expect(train(convolutional, { train: data.train }, { epochs: 1, checkpoint: { dir, resume: true } })).rejects.toMatchObject({
      code: 'CHECKPOINT_MISMATCH',
    });
    await expect(
      train(model, { train: data.train }, { epochs: 2, optimizer: 'sgd', checkpoint: { dir, resume: true } }),
    ).rejects.toThrowError(/trained with the adam optimizer, not sgd/);
    for (const m of [model, other, convolutional]) m.net.dispose();
  });
});

/** The first `count` images of a set, as a set. */
/** Every file under `dir`, relative, sorted. */
async function listTree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name).slice(dir.length + 1))
    .sort();
}

/** What a checkpoint directory holds when nothing is left over: latest.json and the files of one ckpt-*. */
function checkpointTree(entries: string[]): string[] {
  const checkpoints = entries.filter((e) => e.startsWith('ckpt-'));
  expect(checkpoints).toHaveLength(1);
  const ckpt = checkpoints[0]!;
  return ['latest.json', ...['model/model.json', 'model/weights.bin', 'optimizer.bin', 'state.json', 'weights.bin'].map((f) => join(ckpt, f))].sort();
}
