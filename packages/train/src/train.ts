import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError, type DigitModel, type EpochMetrics, type Evaluation, type ImageSet } from '@digitkit/core';
import { shuffledIndices } from '@digitkit/data';
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
import { type ResolvedConfig, type TrainOptions, resolveOptions } from './options.js';
import { type LearningRateSchedule, resolveSchedule } from './schedules.js';
import { checkGradientKernels } from './kernels.js';
import { FLOAT32_TINY } from './loss.js';
import { type Stepper, createStepper } from './steppers.js';
import { assembleBatch, batchBuffers, batchIndices, dropoutSeed, mixSeed } from './batch.js';
import { type ChunkResult, chooseWorkers, machineCores, startPool, yieldToEventLoop } from './pool.js';
import { startAssembler } from './prefetch.js';
import { readWeights, writeWeights } from './weights.js';

export { mixSeed } from './batch.js';

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
  /** Threads that trained (1: in process). */
  workers: number;
  /** What the run told `onNote`: why fewer workers than asked, a resume with another worker count. */
  notes: string[];
  /**
   * With workers: seconds each worker spent computing its share's gradients, waiting at the barrier for the
   * others, and summing and updating, this session (where the time goes). Absent in process.
   */
  workerTime?: { gradients: number; wait: number; update: number }[];
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
  const choice = chooseWorkers(options.workers, model, config.batchSize, data.train.count, backend, await machineCores());
  const notes = [...choice.notes];
  if (checkpoint) {
    const before = checkpoint.state.parallel?.workers ?? 1;
    if (before !== choice.workers) {
      notes.push(
        `workers: resuming a run trained on ${plural(before, 'worker')} with ${plural(choice.workers, 'worker')}: the batches ahead are split and augmented another way, so the weights will differ slightly from an uninterrupted run's.`,
      );
    }
  }
  for (const line of notes) await callbacks.onNote?.(line);

  let position: CheckpointPosition = { epoch: 0, batch: 0, lossSum: 0, correctSum: 0, seen: 0, seconds: 0 };
  let history: EpochMetrics[] = [];
  let best = { bestEpoch: 0, bestValue: null as number | null, wait: 0 };
  let bestWeights: Float32Array[] | null = null;
  let stoppedEarly = false;
  let interrupted = false;
  let lastGood: string | null = null;
  // The mean loss of this session's first batch: divergence is measured against it.
  let startLoss: number | null = null;
  let engine: Engine | null = null;
  let workerTime: TrainResult['workerTime'];

  const save = async (at: CheckpointPosition) => {
    if (!checkpointDir || !engine) return;
    const optimizer = engine.optimizerState();
    lastGood = await writeCheckpoint(checkpointDir, model, {
      state: {
        format: CHECKPOINT_FORMAT,
        version: CHECKPOINT_VERSION,
        model: { kind: model.kind, inputShape: [...model.inputShape], numClasses: model.numClasses, weights: weightLayout(model) },
        position: at,
        history,
        earlyStopping: best,
        optimizer: { name: config.optimizer, step: optimizer.step, slotShapes: optimizer.slotShapes },
        rng: { seed: config.seed, scheme: 'per-batch' },
        config,
        parallel: { workers: choice.workers },
        run: options.checkpoint?.run ?? null,
        hasBestWeights: bestWeights !== null,
        savedAt: new Date().toISOString(),
      },
      weights: readWeights(model),
      optimizer: optimizer.state,
      bestWeights,
    });
  };

  try {
    if (checkpoint) {
      writeWeights(model, checkpoint.weights);
      position = { ...checkpoint.state.position };
      history = [...checkpoint.state.history];
      best = { ...checkpoint.state.earlyStopping };
      bestWeights = checkpoint.bestWeights;
      lastGood = checkpoint.path;
      stoppedEarly = config.earlyStopping !== null && best.wait >= config.earlyStopping.patience && history.length > 0;
    }
    const resumedOptimizer = checkpoint ? { step: checkpoint.state.optimizer.step, state: checkpoint.optimizer } : null;
    // Started after the checkpoint's weights are in the model: the workers copy them.
    engine =
      choice.workers > 1
        ? await workerEngine(model, config, data.train, options.signal, resumedOptimizer, choice.workers, backend)
        : await inProcessEngine(model, config, data.train, options.signal, resumedOptimizer, choice.assembler);
    const run = engine;

    const trainSet = data.train;
    const sizeOf = (batch: number) => Math.min(config.batchSize, trainSet.count - batch * config.batchSize);

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
      let learningRate = config.learningRate;
      let batchIndex = firstBatch;

      // Checks a window's losses (read once per window: a sync point) for NaN and divergence, then reports progress.
      const flush = async (first: number, chunk: ChunkResult, started: number) => {
        let windowLoss = 0;
        let windowCorrect = 0;
        let windowSeen = 0;
        for (let i = 0; i < chunk.steps; i++) {
          const loss = chunk.losses[i]!;
          if (!Number.isFinite(loss)) {
            throw nanError(epoch + 1, first + i + 1, batchCount, loss, schedule(epoch, first + i), lastGood);
          }
          startLoss ??= loss / sizeOf(first + i);
          windowLoss += loss;
          windowCorrect += chunk.correct[i]!;
          windowSeen += sizeOf(first + i);
        }
        const meanLoss = windowLoss / windowSeen;
        const last = first + chunk.steps;
        if (startLoss !== null && meanLoss > Math.min(DIVERGENCE_FACTOR * startLoss, SATURATED_LOSS)) {
          throw divergedError(epoch + 1, last, batchCount, meanLoss, startLoss, schedule(epoch, last - 1), lastGood);
        }
        lossSum += windowLoss;
        correctSum += windowCorrect;
        seen += windowSeen;
        const elapsed = (performance.now() - started) / 1000;
        await callbacks.onBatchEnd?.({
          epoch: epoch + 1,
          batch: last,
          batches: batchCount,
          loss: windowLoss / windowSeen,
          accuracy: windowCorrect / windowSeen,
          samplesPerSecond: elapsed > 0 ? windowSeen / elapsed : 0,
        });
      };

      while (batchIndex < batchCount) {
        const started = performance.now();
        // A window ends at the next multiple of reportEvery, so a resumed run reports where an uninterrupted one does.
        const to = Math.min(batchCount, (Math.floor(batchIndex / config.reportEvery) + 1) * config.reportEvery);
        const rates: number[] = [];
        for (let b = batchIndex; b < to; b++) {
          const rate = schedule(epoch, b);
          if (!Number.isFinite(rate) || rate < 0) {
            throw new DigitkitError(
              'BAD_SCHEDULE',
              `The learning-rate schedule gave ${rate} for epoch ${epoch + 1}, batch ${b + 1}: it must return a finite number >= 0.`,
            );
          }
          rates.push(rate);
        }
        const chunk = await run.run(epoch, batchIndex, to, rates, order);
        learningRate = rates[chunk.steps - 1] ?? learningRate;
        await flush(batchIndex, chunk, started);
        batchIndex += chunk.steps;
        if (options.signal?.aborted && batchIndex < batchCount) {
          interrupted = true;
          break;
        }
      }
      await run.sync();

      const trainedSeconds = position.seconds + (performance.now() - epochStart) / 1000;
      if (interrupted) {
        await save({ epoch, batch: batchIndex, lossSum, correctSum, seen, seconds: trainedSeconds });
        break;
      }

      const validation = data.validation ? await run.evaluate(data.validation) : null;
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
  } catch (error) {
    if (error instanceof DigitkitError && error.code === 'WORKER_FAILED' && lastGood) {
      throw new DigitkitError(error.code, `${error.message} The last good checkpoint stays in ${lastGood}.`, { cause: error });
    }
    throw error;
  } finally {
    workerTime = engine?.time?.();
    // Every worker has exited when this returns, on success, error or interrupt.
    await engine?.dispose();
  }

  return {
    history,
    bestEpoch: data.validation ? best.bestEpoch : history.length,
    stoppedEarly,
    interrupted,
    seconds: (performance.now() - started) / 1000,
    backend,
    workers: choice.workers,
    notes,
    ...(workerTime ? { workerTime } : {}),
  };
}

function checkModel(model: DigitModel): void {
  if (!model || typeof model !== 'object' || !model.net || !Array.isArray(model.inputShape)) {
    throw new DigitkitError('BAD_MODEL', 'train needs a DigitModel ({ kind, inputShape, numClasses, net }), e.g. mlp() from @digitkit/model.');
  }
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

function plural(n: number, what: string): string {
  return `${n} ${what}${n === 1 ? '' : 's'}`;
}

// ---- engines: who runs the steps (this thread, or the workers) ----

interface OptimizerSnapshot {
  step: number;
  slotShapes: number[][];
  state: Float32Array[];
}

/** What the loop asks of whoever trains: batches, the weights back in the model, the optimizer's state, evaluation. */
interface Engine {
  /** Trains batches [from, to) of `epoch` in `order`; stops after the batch during which the signal aborts. */
  run(epoch: number, from: number, to: number, rates: number[], order: Uint32Array): Promise<ChunkResult>;
  /** Puts the trained weights into the caller's model. */
  sync(): Promise<void>;
  /** The optimizer's state as of the last sync. */
  optimizerState(): OptimizerSnapshot;
  /** Where each worker's time went (seconds); absent in process. */
  time?(): { gradients: number; wait: number; update: number }[];
  evaluate(set: ImageSet): Promise<Evaluation>;
  dispose(): Promise<void>;
}

async function inProcessEngine(
  model: DigitModel,
  config: ResolvedConfig,
  trainSet: ImageSet,
  signal: AbortSignal | undefined,
  resumed: { step: number; state: Float32Array[] } | null,
  withAssembler: boolean,
): Promise<Engine> {
  const stepper: Stepper = createStepper(model, config.optimizer, config.weightDecay);
  if (resumed) stepper.optimizer.importState(resumed.step, resumed.state);
  // Batches made on a core of their own, or here between steps: the same batches either way.
  const assembler = withAssembler ? await startAssembler(config, trainSet).catch((error) => { stepper.dispose(); throw error; }) : null;
  const buffers = assembler ? null : batchBuffers(Math.min(config.batchSize, trainSet.count), trainSet.height * trainSet.width);
  const batch = async (epoch: number, b: number, order: Uint32Array) => {
    if (!buffers) return assembler!.take(epoch, b, order);
    return { buffers, n: assembleBatch(trainSet, batchIndices(order, b, config.batchSize), config.seed, epoch, b, config.augment, buffers) };
  };
  let lastYield = performance.now();
  return {
    async run(epoch, from, to, rates, order) {
      const losses: tf.Scalar[] = [];
      const correct: tf.Scalar[] = [];
      try {
        for (let b = from; b < to; b++) {
          const { buffers: made, n } = await batch(epoch, b, order);
          const [loss, right] = stepper.step(made.x, made.labels, n, rates[b - from]!, dropoutSeed(config.seed, epoch, b));
          assembler?.release(b);
          losses.push(loss);
          correct.push(right);
          if (signal?.aborted) break;
          // By the clock, not every so many batches: an epoch of a few batches never reached the count, and a
          // Ctrl-C (an AbortSignal tied to SIGINT) went unheard for the whole run.
          if (performance.now() - lastYield > YIELD_EVERY_MS) {
            await yieldToEventLoop();
            lastYield = performance.now();
          }
        }
        // One read for the whole window: reading a tensor is a sync point.
        const stacked = tf.tidy(() => tf.stack([...losses, ...correct]));
        const values = stacked.dataSync();
        stacked.dispose();
        const steps = losses.length;
        return { steps, losses: Array.from(values.subarray(0, steps)), correct: Array.from(values.subarray(steps)) };
      } finally {
        tf.dispose([...losses, ...correct]);
      }
    },
    async sync() {},
    optimizerState() {
      return { step: stepper.optimizer.step, slotShapes: stepper.optimizer.slotShapes(), state: stepper.optimizer.exportState() };
    },
    async evaluate(set) {
      return evaluate(model, set);
    },
    async dispose() {
      stepper.dispose();
      await assembler?.close();
    },
  };
}

async function workerEngine(
  model: DigitModel,
  config: ResolvedConfig,
  trainSet: ImageSet,
  signal: AbortSignal | undefined,
  resumed: { step: number; state: Float32Array[] } | null,
  workers: number,
  backend: string,
): Promise<Engine> {
  const pool = await startPool(model, { workers, backend, config, train: trainSet, optimizer: resumed, signal });
  let order: Uint32Array | null = null;
  let optimizer: OptimizerSnapshot | null = null;
  return {
    async run(epoch, from, to, rates, epochOrder) {
      if (order !== epochOrder) {
        pool.setOrder(epochOrder);
        order = epochOrder;
      }
      return pool.run(epoch, from, to, rates);
    },
    async sync() {
      const state = await pool.state();
      writeWeights(model, state.weights);
      optimizer = state.optimizer;
    },
    optimizerState() {
      if (!optimizer) throw new Error('optimizerState before sync');
      return optimizer;
    },
    evaluate(set) {
      return pool.evaluate(model, set, 1000);
    },
    dispose() {
      return pool.close();
    },
    time() {
      return pool.time.map((t) => ({ gradients: t.gradients / 1000, wait: t.wait / 1000, update: t.update / 1000 }));
    },
  };
}

/** How long the in-process loop trains before it lets timers, signals and output run. */
const YIELD_EVERY_MS = 50;

