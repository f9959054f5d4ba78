// The main thread's side of data-parallel training: starts the workers, shares the data and the
// gradient buffers with them, drives them chunk by chunk, and turns a dying worker into a DigitkitError.
// Node's modules are imported when workers start, never at load: this package also runs in browsers.
import type { Worker } from 'node:worker_threads';
import { DigitkitError, type DigitModel, type Evaluation, type ImageSet, type Prediction, isNode } from '@digitkit/core';
import { modelToArtifacts } from '@digitkit/model';
import { shardRange } from './batch.js';
import { finishEvaluation } from './evaluate.js';
import type { ResolvedConfig } from './options.js';
import { CONTROL, type FromWorker, type SharedSet, type ToWorker, type WorkerTime, shareSet } from './shared.js';
import { trainableHandles } from './steppers.js';

/** Steps a worker runs per `run` message; the stats buffer holds this many. */
export const MAX_CHUNK = 64;
/** Below this many training images a run stays in process: starting workers costs more than they save. */
export const MIN_PARALLEL_IMAGES = 512;
/**
 * `auto` gives each worker at least this many multiply-adds of forward pass per step: below it a step is
 * kernel dispatch, not arithmetic, and a second worker does not pay (the MLP's 64-image shard: 7M, 0.93x).
 */
export const MIN_SHARD_WORK = 12e6;

export interface WorkerChoice {
  workers: number;
  /** Lines to tell the user: why fewer workers than asked, or why in process. */
  notes: string[];
  /** In process with more cores asked for and free: the batches are made ahead on a thread of their own. */
  assembler: boolean;
}

/**
 * V8's young generation per worker, in MB. A step's garbage is short-lived (its gradients' typed arrays): with 4 MB
 * instead of V8's default a CNN epoch on 2 workers peaks at about 440 MB RSS instead of 510 (MLP 410 instead of 490),
 * at the same speed (`bench/workers-bench.ts`).
 */
const WORKER_YOUNG_GENERATION_MB = 4;

/** The worker count a run uses for `requested` (an integer >= 1 or 'auto'); throws BAD_OPTION on anything else. */
export function chooseWorkers(
  requested: number | 'auto' | undefined,
  model: DigitModel,
  batchSize: number,
  images: number,
  backend: string,
  cores: number,
): WorkerChoice {
  if (requested === undefined) return { workers: 1, notes: [], assembler: false };
  if (requested !== 'auto' && (!Number.isInteger(requested) || requested < 1)) {
    throw new DigitkitError('BAD_OPTION', `workers must be "auto" or an integer from 1 to ${cores} (this machine's cores), got ${String(requested)}.`);
  }
  const notes: string[] = [];
  // Asked for more than one thread, in Node, with a core to spare and enough images: the batches are made on it.
  const spare = isNode() && requested !== 1 && cores > 1 && images >= MIN_PARALLEL_IMAGES;
  const inProcess = (why: string) => {
    if (requested !== 1) notes.push(`workers: training in process: ${why}${spare ? '; its batches are made ahead on a second thread' : ''}.`);
    return { workers: 1, notes, assembler: spare };
  };
  if (!isNode()) return inProcess('worker threads run in Node only (in a browser, WASM threads are the way to more cores)');
  if (backend === 'tensorflow') return inProcess('the native backend (libtensorflow) already uses every core');
  if (backend !== 'wasm' && backend !== 'cpu') return inProcess(`the ${backend} backend cannot be started in a worker`);
  if (requested === 1) return { workers: 1, notes, assembler: false };
  if (images < MIN_PARALLEL_IMAGES) return inProcess(`${images} images are too few to pay for starting workers (${MIN_PARALLEL_IMAGES} or more)`);
  let workers = requested === 'auto' ? cores : requested;
  if (requested !== 'auto' && requested > cores) {
    notes.push(`workers: asked for ${requested} but this machine has ${cores} cores: using ${cores}.`);
    workers = cores;
  }
  if (batchSize < workers) {
    notes.push(`workers: a batch of ${batchSize} images gives ${batchSize} of the ${workers} workers a share: using ${batchSize}.`);
    workers = batchSize;
    if (workers === 1) return { workers, notes, assembler: spare };
  }
  if (requested === 'auto') {
    const work = forwardWork(model);
    const paying = Math.max(1, Math.floor((batchSize * work) / MIN_SHARD_WORK));
    if (paying < workers) {
      workers = paying;
      if (workers === 1) {
        return inProcess(
          `a ${model.kind} step on ${Math.ceil(batchSize / 2)} images is too little work to share (${(work / 1e6).toFixed(2)}M multiply-adds per image; a larger --batch-size lets workers help)`,
        );
      }
    }
  }
  return { workers, notes, assembler: false };
}

/** Multiply-adds of one image's forward pass through the model's dense and convolution layers. */
export function forwardWork(model: DigitModel): number {
  let total = 0;
  for (const layer of model.net.layers) {
    const kernel = layer.getWeights()[0];
    if (!kernel) continue;
    const name = layer.getClassName();
    const output = layer.outputShape as number[];
    const positions = name.startsWith('Conv') ? output.slice(1, -1).reduce((a, b) => a * (b ?? 1), 1) : 1;
    total += kernel.size * positions;
  }
  return total;
}

export interface PoolOptions {
  workers: number;
  backend: string;
  /** The training run's settings and images; null for a pool that only evaluates and predicts. */
  config: ResolvedConfig | null;
  train: ImageSet | null;
  /** The optimizer's saved state (a resumed run), else null. */
  optimizer: { step: number; state: Float32Array[] } | null;
  signal?: AbortSignal | undefined;
}

export interface ChunkResult {
  steps: number;
  losses: number[];
  correct: number[];
}

export interface WorkerPool {
  readonly size: number;
  /** Writes the epoch's visiting order where every worker reads it. */
  setOrder(order: Uint32Array): void;
  /** Trains batches [from, to) of `epoch` at `rates` (one per batch); stops after the current step when the signal aborts. */
  run(epoch: number, from: number, to: number, rates: number[]): Promise<ChunkResult>;
  /** Worker 0's weights and optimizer state (every copy holds the same). */
  state(): Promise<Extract<FromWorker, { type: 'state' }>>;
  evaluate(model: DigitModel, set: ImageSet, batchSize: number): Promise<Evaluation>;
  /** The model's predictions for `count` images (`x`: count * features floats in its input scale), split across the workers. */
  predict(x: Float32Array, count: number): Promise<Prediction[]>;
  /** Ends every worker; resolves when all have exited. */
  close(): Promise<void>;
  /** Where each worker's training time went so far (ms), by worker. */
  readonly time: WorkerTime[];
}

/** Threads alive right now started by this package (tests check none outlives its run). */
let liveWorkers = 0;
export function liveWorkerCount(): number {
  return liveWorkers;
}

/** Counts `thread` as alive until it exits; the promise resolves after `onExit` has run. */
export function trackThread(thread: Worker, onExit: (code: number) => void): Promise<void> {
  liveWorkers++;
  return new Promise((resolve) => {
    thread.once('exit', (code) => {
      liveWorkers--;
      onExit(code);
      resolve();
    });
  });
}

/** Lets timers, signals, messages from threads and progress output run during a long stretch of work. */
export function yieldToEventLoop(): Promise<void> {
  return new Promise((resolve) => (typeof setImmediate === 'function' ? setImmediate(resolve) : setTimeout(resolve, 0)));
}

/** The cores this machine offers (1 outside Node). */
export async function machineCores(): Promise<number> {
  if (!isNode()) return 1;
  const os = await import('node:os');
  return os.availableParallelism();
}

export async function startPool(model: DigitModel, options: PoolOptions): Promise<WorkerPool> {
  const { Worker } = await import('node:worker_threads');
  const { workers, config } = options;
  const paramCount = trainableHandles(model).reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
  const control = new SharedArrayBuffer(CONTROL.size * 4);
  const controlView = new Int32Array(control);
  const grads = new SharedArrayBuffer(config ? 2 * workers * paramCount * 4 : 4);
  const stats = new SharedArrayBuffer(MAX_CHUNK * workers * 2 * 8);
  const statsView = new Float64Array(stats);
  const train = options.train ? shareSet(options.train) : null;
  const order = new SharedArrayBuffer((options.train?.count ?? 0) * 4);
  const orderView = new Uint32Array(order);
  const artifacts = await modelToArtifacts(model);
  const weights = model.net.weights.map((w) => Float32Array.from(w.read().dataSync() as Float32Array));
  const crash = testCrash();
  const entry = await workerEntry('worker');

  const threads: Worker[] = [];
  const waiting: { resolve: (m: FromWorker) => void; reject: (e: Error) => void }[][] = [];
  let failure: DigitkitError | null = null;
  let closing = false;
  const exited: Promise<void>[] = [];

  const fail = (error: DigitkitError) => {
    if (failure || closing) return;
    failure = error;
    // Workers waiting at the barrier see this and exit; the rest are terminated.
    Atomics.store(controlView, CONTROL.failed, 1);
    Atomics.notify(controlView, CONTROL.generation);
    for (const queue of waiting) for (const w of queue.splice(0)) w.reject(error);
    for (const t of threads) void t.terminate();
  };

  for (let index = 0; index < workers; index++) {
    const thread = new Worker(entry, {
      resourceLimits: { maxYoungGenerationSizeMb: WORKER_YOUNG_GENERATION_MB, ...(crash?.how === 'oom' ? { maxOldGenerationSizeMb: 64 } : {}) },
    });
    threads.push(thread);
    waiting.push([]);
    const label = `Training worker ${index + 1} of ${workers}`;
    exited.push(
      trackThread(thread, (code) => {
        if (!closing) fail(new DigitkitError('WORKER_FAILED', `${label} stopped unexpectedly (exit code ${code}), so the run stopped.`));
      }),
    );
    thread.on('error', (error: Error & { code?: string }) => {
      const what =
        error.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? 'ran out of memory'
          : `crashed (${error.message.split('\n')[0]})`;
      fail(new DigitkitError('WORKER_FAILED', `${label} ${what}, so the run stopped. Train again with fewer workers (--workers 1 trains in process).`));
    });
    thread.on('message', (message: FromWorker) => {
      const waiter = waiting[index]!.shift();
      if (message.type === 'error') {
        const error = new DigitkitError(message.code, message.message);
        waiter?.reject(error);
        fail(error);
        return;
      }
      waiter?.resolve(message);
    });
  }

  const ask = (indices: number[], message: ToWorker | ((index: number) => ToWorker)): Promise<FromWorker[]> => {
    if (failure) return Promise.reject(failure);
    return Promise.all(
      indices.map(
        (index) =>
          new Promise<FromWorker>((resolve, reject) => {
            waiting[index]!.push({ resolve, reject });
            threads[index]!.postMessage(typeof message === 'function' ? message(index) : message);
          }),
      ),
    );
  };
  const all = threads.map((_, i) => i);

  const time: WorkerTime[] = all.map(() => ({ gradients: 0, wait: 0, update: 0 }));
  const onAbort = () => Atomics.store(controlView, CONTROL.stop, 1);
  options.signal?.addEventListener('abort', onAbort);
  if (options.signal?.aborted) onAbort();
  const sharedSets = new WeakMap<ImageSet, SharedSet>(options.train && train ? [[options.train, train]] : []);
  const ranges = (count: number) => all.map((k) => shardRange(count, workers, k));

  const close = async () => {
    options.signal?.removeEventListener('abort', onAbort);
    closing = true;
    for (const t of threads) void t.terminate();
    await Promise.all(exited);
  };

  try {
    await ask(all, (index) => ({
      type: 'init',
      index,
      workers,
      backend: options.backend,
      model: {
        modelTopology: artifacts.modelTopology,
        weightSpecs: artifacts.weightSpecs,
        weightData: artifacts.weightData as ArrayBuffer,
      },
      weights,
      optimizer: config
        ? { name: config.optimizer, weightDecay: config.weightDecay, step: options.optimizer?.step ?? 0, state: options.optimizer?.state ?? null }
        : null,
      train,
      control,
      grads,
      stats,
      order,
      ...(crash ? { crashAt: crash } : {}),
    }));
  } catch (error) {
    await close();
    throw error;
  }

  return {
    size: workers,
    setOrder(values) {
      orderView.set(values);
    },
    async run(epoch, from, to, rates) {
      if (!config) throw new Error('this pool was started without a training run');
      const losses: number[] = [];
      const correct: number[] = [];
      let steps = 0;
      for (let start = from; start < to; start += MAX_CHUNK) {
        if (options.signal?.aborted && steps > 0) break;
        const end = Math.min(to, start + MAX_CHUNK);
        const replies = await ask(all, {
          type: 'run',
          epoch,
          from: start,
          to: end,
          batchSize: config.batchSize,
          seed: config.seed,
          augment: config.augment,
          rates: rates.slice(start - from, end - from),
        });
        const ran = replies as Extract<FromWorker, { type: 'ran' }>[];
        ran.forEach((reply, k) => {
          time[k] = reply.time;
        });
        const done = ran[0]!.steps;
        for (let s = 0; s < done; s++) {
          let loss = 0;
          let right = 0;
          // Worker order, every time: the reported sums are as deterministic as the weights.
          for (let k = 0; k < workers; k++) {
            loss += statsView[(s * workers + k) * 2]!;
            right += statsView[(s * workers + k) * 2 + 1]!;
          }
          losses.push(loss);
          correct.push(right);
        }
        steps += done;
        if (done < end - start) break;
      }
      return { steps, losses, correct };
    },
    async state() {
      const [reply] = await ask([0], { type: 'state' });
      return reply as Extract<FromWorker, { type: 'state' }>;
    },
    async evaluate(evalModel, set, batchSize) {
      let shared = sharedSets.get(set);
      if (!shared) {
        shared = shareSet(set);
        sharedSets.set(set, shared);
      }
      const sharedSet = shared;
      const parts = ranges(set.count);
      const replies = (await ask(all, (k) => ({ type: 'evaluate', set: sharedSet, start: parts[k]![0], end: parts[k]![1], batchSize }))) as Extract<
        FromWorker,
        { type: 'evaluated' }
      >[];
      const predicted = new Uint8Array(set.count);
      let lossSum = 0;
      let outputSum = 0;
      replies.forEach((reply, k) => {
        predicted.set(reply.predicted, parts[k]![0]);
        lossSum += reply.lossSum;
        outputSum += reply.outputSum;
      });
      return finishEvaluation(evalModel, set, predicted, lossSum, outputSum);
    },
    async predict(x, count) {
      const features = x.length / Math.max(count, 1);
      // One shared copy: each worker reads its range of it.
      const shared = new SharedArrayBuffer(x.length * 4);
      new Float32Array(shared).set(x);
      const parts = ranges(count);
      const replies = (await ask(all, (k) => ({ type: 'predict', x: shared, features, start: parts[k]![0], end: parts[k]![1] }))) as Extract<
        FromWorker,
        { type: 'predicted' }
      >[];
      return replies.flatMap((reply) => reply.predictions);
    },
    close,
    time,
  };
}

/**
 * Where a thread's code is (`worker`: training and evaluation, `assembler`: batches made ahead): beside this file when
 * built (dist/worker.js from the ESM build, dist/worker.cjs from the CJS one, whose import.meta.url tsup's shim makes
 * from __filename), or its source under tsx (tests, tsx).
 */
export async function workerEntry(name: 'worker' | 'assembler'): Promise<URL> {
  const { existsSync } = await import('node:fs');
  const { createRequire } = await import('node:module');
  const { fileURLToPath, pathToFileURL } = await import('node:url');
  const here = import.meta.url;
  const built = here.endsWith('.cjs') ? [`${name}.cjs`, `${name}.js`] : [`${name}.js`, `${name}.cjs`];
  for (const file of built) {
    const url = new URL(`./${file}`, here);
    if (existsSync(fileURLToPath(url))) return url;
  }
  const source = new URL(`./${name}.ts`, here);
  if (!existsSync(fileURLToPath(source))) {
    throw new DigitkitError('WORKERS_UNAVAILABLE', `@digitkit/train's ${name} file is missing beside ${fileURLToPath(here)}: reinstall the package, or train with workers: 1.`);
  }
  // From the sources: tsx compiles the worker, and sibling packages resolve to their sources as in vitest.
  const tsx = pathToFileURL(createRequire(here).resolve('tsx/esm/api')).href.replace(/\.cjs$/, '.mjs');
  const tsconfig = fileURLToPath(new URL('../tsconfig.sources.json', here));
  const code = `import { register } from ${JSON.stringify(tsx)};\nregister({ tsconfig: ${JSON.stringify(tsconfig)} });\nawait import(${JSON.stringify(source.href)});\n`;
  return new URL(`data:text/javascript,${encodeURIComponent(code)}`);
}

/** Test hook: DIGITKIT_TEST_WORKER_CRASH="worker:step:exit|oom" makes that worker die for real at that step. */
function testCrash(): { worker: number; step: number; how: 'exit' | 'oom' } | null {
  const value = process.env.DIGITKIT_TEST_WORKER_CRASH;
  const match = value ? /^(\d+):(\d+):(exit|oom)$/.exec(value) : null;
  return match ? { worker: Number(match[1]), step: Number(match[2]), how: match[3] as 'exit' | 'oom' } : null;
}
