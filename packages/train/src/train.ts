import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError, type DigitModel, type EpochMetrics, type ImageSet } from '@digitkit/core';
import { batches, shuffledIndices } from '@digitkit/data';
import { createAugmenter } from '@digitkit/preprocess';
import {
  type Checkpoint,
  type CheckpointPosition,
  CHECKPOINT_FORMAT,
  CHECKPOINT_VERSION,
  checkCheckpointFits,
  clearCheckpoint,
  readCheckpoint,
  weightLayout,
  writeCheckpoint,
} from './checkpoint.js';
import { checkSetFitsModel, evaluate } from './evaluate.js';
import { type TrainOptions, resolveOptions } from './options.js';
import { type LearningRateSchedule, resolveSchedule } from './schedules.js';
import { checkGradientKernels } from './kernels.js';
import { FLOAT32_TINY } from './loss.js';
import { type Stepper, createStepper } from './steppers.js';

export interface TrainData {
  train: ImageSet;
  /** Evaluated after every epoch (valLoss, valAccuracy); needed for early stopping. */
  validation?: ImageSet;
}

export interface TrainResult {
  /** One entry per epoch trained, including epochs of earlier sessions when resumed. */
  history: EpochMetrics[];
  /** 1-based epoch with the best monitored validation value (the last epoch without validation). */
  bestEpoch: number;
  stoppedEarly: boolean;
  /** True when the signal aborted training (a checkpoint was written if configured). */
  interrupted: boolean;
  /** Wall-clock seconds of this call. */
  seconds: number;
  /** The TF.js backend that trained. */
  backend: string;
}

/**
 * Trains `model` in place on `data.train` with a custom loop (no `model.fit`): learning-rate
 * schedules, AdamW/SGD, seeded shuffling and augmentation, early stopping that restores the best
 * weights, atomic checkpoints that resume exactly, NaN detection and clean interruption.
 */
export async function train(model: DigitModel, data: TrainData, options: TrainOptions): Promise<TrainResult> {
  const started = performance.now();
  const config = resolveOptions(options);
  checkModel(model);
  if (!data || typeof data !== 'object') throw new DigitkitError('BAD_DATA', 'train needs data: { train, validation? }.');
  checkSetFitsModel(model, data.train, 'training');
  if (data.validation) checkSetFitsModel(model, data.validation, 'validation');
  if (config.earlyStopping && !data.validation) {
    throw new DigitkitError(
      'BAD_OPTION',
      'earlyStopping watches validation metrics: pass data.validation (e.g. from trainValidationSplit in @digitkit/data).',
    );
  }
  const checkpointDir = options.checkpoint?.dir;
  if (options.checkpoint && (typeof checkpointDir !== 'string' || checkpointDir.length === 0)) {
    throw new DigitkitError('BAD_OPTION', 'checkpoint.dir must be a directory path.');
  }
  const callbacks = options.callbacks ?? {};
  const batchCount = Math.ceil(data.train.count / config.batchSize);
  const schedule: LearningRateSchedule = resolveSchedule(options.schedule ?? 'constant', {
    learningRate: config.learningRate,
    epochs: config.epochs,
    stepsPerEpoch: batchCount,
  });

  let checkpoint: Checkpoint | null = null;
  if (checkpointDir && options.checkpoint?.resume) {
    checkpoint = await readCheckpoint(checkpointDir);
    if (checkpoint) checkCheckpointFits(checkpoint, model, config, checkpointDir);
  } else if (checkpointDir) {
    // A fresh run: an earlier run's checkpoint must not be resumed (or reported) as this one's.
    await clearCheckpoint(checkpointDir);
  }

  const backend = tf.getBackend();
  checkGradientKernels(model, backend);
  const stepper: Stepper = createStepper(model, config.optimizer, config.weightDecay);

  let position: CheckpointPosition = { epoch: 0, batch: 0, lossSum: 0, correctSum: 0, seen: 0, seconds: 0 };
  let history: EpochMetrics[] = [];
  let best = { bestEpoch: 0, bestValue: null as number | null, wait: 0 };
  let bestWeights: Float32Array[] | null = null;
  let stoppedEarly = false;
  let interrupted = false;
  let lastGood: string | null = null;
  // The mean loss of this session's first batch: divergence is measured against it.
  let startLoss: number | null = null;

  const save = async (at: CheckpointPosition) => {
    if (!checkpointDir) return;
    lastGood = await writeCheckpoint(checkpointDir, model, {
      state: {
        format: CHECKPOINT_FORMAT,
        version: CHECKPOINT_VERSION,
        model: { kind: model.kind, inputShape: [...model.inputShape], numClasses: model.numClasses, weights: weightLayout(model) },
        position: at,
        history,
        earlyStopping: best,
        optimizer: { name: config.optimizer, step: stepper.optimizer.step, slotShapes: stepper.optimizer.slotShapes() },
        rng: { seed: config.seed, scheme: 'per-batch' },
        config,
        run: options.checkpoint?.run ?? null,
        hasBestWeights: bestWeights !== null,
        savedAt: new Date().toISOString(),
      },
      weights: readWeights(model),
      optimizer: stepper.optimizer.exportState(),
      bestWeights,
    });
  };

  try {
    if (checkpoint) {
      writeWeights(model, checkpoint.weights);
      stepper.optimizer.importState(checkpoint.state.optimizer.step, checkpoint.optimizer);
      position = { ...checkpoint.state.position };
      history = [...checkpoint.state.history];
      best = { ...checkpoint.state.earlyStopping };
      bestWeights = checkpoint.bestWeights;
      lastGood = checkpoint.path;
      stoppedEarly = config.earlyStopping !== null && best.wait >= config.earlyStopping.patience && history.length > 0;
    }

    const trainSet = data.train;
    const augment = config.augment;
    let current: ((src: Uint8Array, out: Float32Array) => void) | undefined;
    const encode = augment ? (src: Uint8Array, out: Float32Array) => current!(src, out) : undefined;

    // Aborted before it began: nothing to do, nothing new to save.
    if (options.signal?.aborted) interrupted = true;

    for (let epoch = position.epoch; epoch < config.epochs && !stoppedEarly && !interrupted; epoch++) {
      const epochStart = performance.now();
      const resumeHere = epoch === position.epoch;
      const firstBatch = resumeHere ? position.batch : 0;
      let lossSum = resumeHere ? position.lossSum : 0;
      let correctSum = resumeHere ? position.correctSum : 0;
      let seen = resumeHere ? position.seen : 0;
      const order = shuffledIndices(trainSet.count, mixSeed(config.seed, epoch, 0x5eed));
      const iterator = batches(trainSet, {
        batchSize: config.batchSize,
        order: order.subarray(firstBatch * config.batchSize),
        ...(encode ? { encode } : {}),
      });
      const window: { losses: tf.Scalar[]; correct: tf.Scalar[]; sizes: number[]; seen: number; start: number; firstBatch: number } = {
        losses: [],
        correct: [],
        sizes: [],
        seen: 0,
        start: performance.now(),
        firstBatch,
      };
      let learningRate = config.learningRate;
      let batchIndex = firstBatch;

      // Reads the window's losses in one go: a sync point every `reportEvery` batches, not every batch.
      const flush = async () => {
        if (window.losses.length === 0) return;
        const stacked = tf.tidy(() => tf.stack([...window.losses, ...window.correct]));
        const values = stacked.dataSync();
        stacked.dispose();
        tf.dispose([...window.losses, ...window.correct]);
        const count = window.losses.length;
        const sizes = window.sizes;
        window.losses = [];
        window.correct = [];
        window.sizes = [];
        let windowLoss = 0;
        let windowCorrect = 0;
        for (let i = 0; i < count; i++) {
          const loss = values[i]!;
          if (!Number.isFinite(loss)) {
            throw nanError(epoch + 1, window.firstBatch + i + 1, batchCount, loss, schedule(epoch, window.firstBatch + i), lastGood);
          }
          startLoss ??= loss / sizes[i]!;
          windowLoss += loss;
          windowCorrect += values[count + i]!;
        }
        const meanLoss = windowLoss / window.seen;
        if (startLoss !== null && meanLoss > Math.min(DIVERGENCE_FACTOR * startLoss, SATURATED_LOSS)) {
          const last = window.firstBatch + count;
          throw divergedError(epoch + 1, last, batchCount, meanLoss, startLoss, schedule(epoch, last - 1), lastGood);
        }
        lossSum += windowLoss;
        correctSum += windowCorrect;
        seen += window.seen;
        const elapsed = (performance.now() - window.start) / 1000;
        await callbacks.onBatchEnd?.({
          epoch: epoch + 1,
          batch: window.firstBatch + count,
          batches: batchCount,
          loss: windowLoss / window.seen,
          accuracy: windowCorrect / window.seen,
          samplesPerSecond: elapsed > 0 ? window.seen / elapsed : 0,
        });
        window.seen = 0;
        window.firstBatch += count;
        window.start = performance.now();
      };

      try {
        for (;;) {
          // Augmentation draws from a generator per (seed, epoch, batch), so a run resumed mid-epoch draws the same.
          if (augment) {
            current = createAugmenter({
              ...augment,
              seed: mixSeed(config.seed, epoch, batchIndex),
              scale: [1 - augment.scale, 1 + augment.scale],
            });
          }
          const next = iterator.next();
          if (next.done) break;
          const batch = next.value;
          learningRate = schedule(epoch, batchIndex);
          if (!Number.isFinite(learningRate) || learningRate < 0) {
            throw new DigitkitError(
              'BAD_SCHEDULE',
              `The learning-rate schedule gave ${learningRate} for epoch ${epoch + 1}, batch ${batchIndex + 1}: it must return a finite number >= 0.`,
            );
          }
          const [loss, correct] = stepper.step(batch.x, batch.y, batch.size, learningRate);
          window.losses.push(loss);
          window.correct.push(correct);
          window.sizes.push(batch.size);
          window.seen += batch.size;
          batchIndex++;
          if (batchIndex % config.reportEvery === 0 || batchIndex === batchCount || options.signal?.aborted) await flush();
          if (options.signal?.aborted && batchIndex < batchCount) {
            await flush();
            interrupted = true;
            break;
          }
          if (batchIndex % 64 === 0) await yieldToEventLoop();
        }
      } finally {
        tf.dispose([...window.losses, ...window.correct]);
      }

      const trainedSeconds = position.seconds + (performance.now() - epochStart) / 1000;
      if (interrupted) {
        await save({ epoch, batch: batchIndex, lossSum, correctSum, seen, seconds: trainedSeconds });
        break;
      }

      const validation = data.validation ? evaluate(model, data.validation) : null;
      const metrics: EpochMetrics = {
        epoch: epoch + 1,
        loss: lossSum / seen,
        accuracy: correctSum / seen,
        ...(validation ? { valLoss: validation.loss, valAccuracy: validation.accuracy } : {}),
        learningRate,
        seconds: (performance.now() - epochStart) / 1000 + (resumeHere ? position.seconds : 0),
      };
      history.push(metrics);

      if (validation) {
        const monitor = config.earlyStopping?.monitor ?? 'valLoss';
        const value = monitor === 'valLoss' ? validation.loss : validation.accuracy;
        const minDelta = config.earlyStopping?.minDelta ?? 0;
        const improved =
          best.bestValue === null ||
          (monitor === 'valLoss' ? value < best.bestValue - minDelta : value > best.bestValue + minDelta);
        if (improved) {
          best = { bestEpoch: epoch + 1, bestValue: value, wait: 0 };
          if (config.earlyStopping?.restoreBestWeights) bestWeights = readWeights(model);
        } else {
          best = { ...best, wait: best.wait + 1 };
          if (config.earlyStopping && best.wait >= config.earlyStopping.patience) stoppedEarly = true;
        }
      }
      await callbacks.onEpochEnd?.(metrics);
      position = { epoch: epoch + 1, batch: 0, lossSum: 0, correctSum: 0, seen: 0, seconds: 0 };
      await save(position);
      if (options.signal?.aborted && epoch + 1 < config.epochs && !stoppedEarly) interrupted = true;
    }

    if (config.earlyStopping?.restoreBestWeights && bestWeights && best.bestEpoch !== history.length) {
      writeWeights(model, bestWeights);
    }
  } finally {
    stepper.dispose();
  }

  return {
    history,
    bestEpoch: data.validation ? best.bestEpoch : history.length,
    stoppedEarly,
    interrupted,
    seconds: (performance.now() - started) / 1000,
    backend,
  };
}

function checkModel(model: DigitModel): void {
  if (!model || typeof model !== 'object' || !model.net || !Array.isArray(model.inputShape)) {
    throw new DigitkitError('BAD_MODEL', 'train needs a DigitModel ({ kind, inputShape, numClasses, net }), e.g. mlp() from @digitkit/model.');
  }
}

/** Copies of every weight of the model (trainable and not), in `net.weights` order. */
export function readWeights(model: DigitModel): Float32Array[] {
  return model.net.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
}

/** Puts weights that `readWeights` gave back into the model. */
export function writeWeights(model: DigitModel, values: readonly Float32Array[]): void {
  model.net.weights.forEach((w, i) => {
    const t = tf.tensor(values[i]!, w.shape as number[]);
    w.write(t);
    t.dispose();
  });
}

/** A 32-bit seed for (seed, epoch, batch): nearby inputs give unrelated streams. */
export function mixSeed(seed: number, epoch: number, batch: number): number {
  let h = Math.imul(seed ^ 0x9e3779b9, 0x85ebca6b) >>> 0;
  for (const v of [epoch, batch]) {
    h = Math.imul(h ^ (v + 0x7f4a7c15), 0xc2b2ae35) >>> 0;
    h ^= h >>> 16;
  }
  return h >>> 0;
}

function nanError(epoch: number, batch: number, batches: number, loss: number, rate: number, lastGood: string | null): DigitkitError {
  const where = lastGood ? ` The last good checkpoint stays in ${lastGood}.` : '';
  return new DigitkitError(
    'NAN_LOSS',
    `Training diverged: the loss became ${loss} at epoch ${epoch}, batch ${batch} of ${batches} (learning rate ${rate}). ` +
      `Lower the learning rate (try ${formatRate(rate / 10)} or less) and check the data for broken images.${where}`,
  );
}

/** A window whose mean loss passes this multiple of the first batch's has diverged. */
const DIVERGENCE_FACTOR = 1e3;
/**
 * From probabilities the loss of one image is capped at -log(smallest float32) = 87.3 (loss.ts), so it cannot
 * grow 1000-fold from 2.3: a mean past half that cap (most images confidently wrong) is divergence too.
 * Adam at lr 1e6 gets there after one batch (2.3, then 70-86); a healthy run stays far below.
 */
const SATURATED_LOSS = -Math.log(FLOAT32_TINY) / 2;

function divergedError(
  epoch: number,
  batch: number,
  batches: number,
  loss: number,
  start: number,
  rate: number,
  lastGood: string | null,
): DigitkitError {
  const where = lastGood ? ` The last good checkpoint stays in ${lastGood}.` : '';
  return new DigitkitError(
    'DIVERGED',
    `Training diverged: the mean loss reached ${loss.toPrecision(3)} by epoch ${epoch}, batch ${batch} of ${batches} (it started at ${start.toPrecision(3)}; ` +
      `the limit is ${DIVERGENCE_FACTOR} times the start, or ${SATURATED_LOSS.toPrecision(3)} when most images are confidently wrong), at learning rate ${Number(rate.toPrecision(3))}. ` +
      `Lower the learning rate (try ${formatRate(rate / 10)} or less).${where}`,
  );
}

function formatRate(rate: number): string {
  return Number(rate.toPrecision(2)).toString();
}

// Lets timers, signals and progress output run during a long epoch.
function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}
