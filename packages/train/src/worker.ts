// The training worker: its own backend and copy of the model; trains its shard of every batch with the
// in-process loop's stepper, sums every worker's gradients from shared memory in worker order, applies the
// same update. Started by ./pool.ts; never imported by the package's index.
import { parentPort } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError, useBackend, type BackendName, type DigitModel, type ImageSet } from '@digitkit/core';
import { WASM_TRAINING_KERNELS, modelFromArtifacts, predict } from '@digitkit/model';
import { assembleBatch, batchBuffers, batchIndices, dropoutSeed, shardRange, shardSeed } from './batch.js';
import { evaluateRange } from './evaluate.js';
import { checkGradientKernels } from './kernels.js';
import { type FromWorker, RunFailed, type ToWorker, arrive, awaitOthers, openSet } from './shared.js';
import { type Stepper, createStepper, trainableHandles } from './steppers.js';
import { readWeights, writeWeights } from './weights.js';

type Init = Extract<ToWorker, { type: 'init' }>;
type Run = Extract<ToWorker, { type: 'run' }>;

interface WorkerState {
  init: Init;
  model: DigitModel;
  /** null in a pool that only evaluates and predicts. */
  stepper: Stepper | null;
  train: ImageSet | null;
  control: Int32Array;
  order: Uint32Array;
  stats: Float64Array;
  /** Both gradient buffers (step parity) of every worker. */
  slots: Float32Array[][];
  shapes: number[][];
  /** Element count of each of `shapes`. */
  sizes: number[];
  steps: number;
  /** Milliseconds this worker spent, all runs so far: its share's batch and gradients, waiting at the barrier, summing and updating. */
  time: { gradients: number; wait: number; update: number };
}

let state: WorkerState | null = null;
const port = parentPort;
if (!port) throw new Error('@digitkit/train: worker.js runs as a worker_thread started by train().');

const send = (message: FromWorker) => port.postMessage(message);

port.on('message', async (message: ToWorker) => {
  try {
    if (message.type === 'init') {
      state = await start(message);
      send({ type: 'ready' });
    } else if (message.type === 'run') {
      const s = current();
      const steps = run(s, message);
      send({ type: 'ran', steps, time: s.time });
    } else if (message.type === 'state') {
      const { model } = current();
      const stepper = trainer(current());
      send({
        type: 'state',
        weights: readWeights(model),
        optimizer: { step: stepper.optimizer.step, state: stepper.optimizer.exportState(), slotShapes: stepper.optimizer.slotShapes() },
      });
    } else if (message.type === 'evaluate') {
      const { model } = current();
      send({ type: 'evaluated', ...evaluateRange(model, openSet(message.set), message.start, message.end, message.batchSize) });
    } else if (message.type === 'predict') {
      const { model } = current();
      const x = new Float32Array(message.x, message.start * message.features * 4, (message.end - message.start) * message.features);
      send({ type: 'predicted', predictions: predict(model, x, message.end - message.start) });
    }
  } catch (error) {
    // Another worker died and the main thread is stopping the run: nothing to add.
    if (error instanceof RunFailed) process.exit(0);
    const code = error instanceof DigitkitError ? error.code : 'WORKER_ERROR';
    send({ type: 'error', code, message: error instanceof Error ? error.message : String(error) });
  }
});

function current(): WorkerState {
  if (!state) throw new Error('the worker got work before init');
  return state;
}

function trainer(s: WorkerState): Stepper {
  if (!s.stepper) throw new Error('this worker was started without a training run');
  return s.stepper;
}

async function start(init: Init): Promise<WorkerState> {
  const backend = init.backend as BackendName;
  await useBackend(backend, { kernels: backend === 'wasm' ? WASM_TRAINING_KERNELS : [], log: null });
  const model = await modelFromArtifacts(init.model as Parameters<typeof modelFromArtifacts>[0], 'the model sent to a training worker');
  writeWeights(model, init.weights);
  if (init.optimizer) checkGradientKernels(model, backend);
  const stepper = init.optimizer ? createStepper(model, init.optimizer.name, init.optimizer.weightDecay) : null;
  if (stepper && init.optimizer?.state) stepper.optimizer.importState(init.optimizer.step, init.optimizer.state);
  const shapes = trainableHandles(model).map((p) => [...p.shape]);
  const sizes = shapes.map((shape) => tf.util.sizeFromShape(shape));
  const total = sizes.reduce((n, size) => n + size, 0);
  // An evaluation-only pool has no gradient buffers.
  const slots = (stepper ? [0, 1] : []).map((parity) =>
    Array.from({ length: init.workers }, (_, k) => new Float32Array(init.grads, ((parity * init.workers + k) * total) * 4, total)),
  );
  return {
    init,
    model,
    stepper,
    train: init.train ? openSet(init.train) : null,
    control: new Int32Array(init.control),
    order: new Uint32Array(init.order),
    stats: new Float64Array(init.stats),
    slots,
    shapes,
    sizes,
    steps: 0,
    time: { gradients: 0, wait: 0, update: 0 },
  };
}

/** Trains global batches [from, to) of an epoch (or up to the step the main thread stopped at); returns the steps done. */
function run(s: WorkerState, job: Run): number {
  const { init, control, stats, slots } = s;
  const stepper = trainer(s);
  const set = s.train!;
  const workers = init.workers;
  const features = set.height * set.width;
  const shardMax = Math.ceil(job.batchSize / workers);
  const buffers = batchBuffers(shardMax, features);
  const augment = job.augment === false ? false : { ...job.augment };
  const seed = shardSeed(job.seed, init.index);
  // Batch `b`'s share, made into `buffers` (from the shared order and the seed alone: the weights play no part).
  const share = (b: number) => {
    const indices = batchIndices(s.order, b, job.batchSize);
    const [from, to] = shardRange(indices.length, workers, init.index);
    if (to > from) assembleBatch(set, indices.subarray(from, to), seed, job.epoch, b, augment, buffers);
    return { batchSize: indices.length, n: to - from };
  };
  let made: { b: number; batchSize: number; n: number } | null = null;
  let done = 0;
  for (let b = job.from; b < job.to; b++) {
    s.steps++;
    crashIfAsked(s);
    const t0 = performance.now();
    const { batchSize, n } = made?.b === b ? made : share(b);
    const slot = slots[b % 2]![init.index]!;
    const at = ((b - job.from) * workers + init.index) * 2;
    if (n > 0) {
      const { grads, lossSum, correct } = stepper.gradients(buffers.x, buffers.labels, n, 1 / batchSize, dropoutSeed(seed, job.epoch, b));
      let offset = 0;
      for (const g of grads) {
        const values = g.dataSync() as Float32Array;
        slot.set(values, offset);
        offset += values.length;
      }
      stats[at] = lossSum.dataSync()[0]!;
      stats[at + 1] = correct.dataSync()[0]!;
      tf.dispose([...grads, lossSum, correct]);
    } else {
      slot.fill(0);
      stats[at] = 0;
      stats[at + 1] = 0;
    }
    const arrival = arrive(control, workers);
    // Early at the barrier: make the next share now instead of idling (its buffers are free once the gradients are out).
    made = !arrival.last && b + 1 < job.to ? { b: b + 1, ...share(b + 1) } : null;
    const t1 = performance.now();
    const stop = awaitOthers(control, arrival);
    const t2 = performance.now();
    // Every worker adds the same buffers in the same order (on the backend: float32 adds, as a JS loop would round
    // them, at SIMD speed): the same sum, so the copies stay identical.
    const parts = slots[b % 2]!;
    let offset = 0;
    const tensors = s.shapes.map((shape, j) => {
      const size = s.sizes[j]!;
      const slice = (part: Float32Array) => tf.tensor(part.subarray(offset, offset + size), shape);
      const total = tf.tidy(() => parts.slice(1).reduce((acc, part) => tf.add(acc, slice(part)), slice(parts[0]!)));
      offset += size;
      return total;
    });
    stepper.apply(tensors, job.rates[b - job.from]!);
    tf.dispose(tensors);
    s.time.gradients += t1 - t0;
    s.time.wait += t2 - t1;
    s.time.update += performance.now() - t2;
    done++;
    if (stop) break;
  }
  return done;
}

// Tests crash a worker for real (an exit, or a heap past its resourceLimits) to check the run stops cleanly.
function crashIfAsked(s: WorkerState): void {
  const crash = s.init.crashAt;
  if (!crash || crash.worker !== s.init.index || crash.step !== s.steps) return;
  if (crash.how === 'exit') process.exit(70);
  const hoard: number[][] = [];
  for (;;) hoard.push(Array.from({ length: 1e6 }, (_, i) => i));
}

