import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError, type DigitModel, type Evaluation, type ImageSet, type Prediction, isNode } from '@digitkit/core';
import { predict } from '@digitkit/model';
import { type EvaluateOptions, checkSetFitsModel, evaluate, evaluateBatchSize } from './evaluate.js';
import { type WorkerPool, machineCores, startPool } from './pool.js';

/** Worker threads holding a copy of a model (its weights when started): evaluation and prediction split across them. */
export interface Workers {
  /** Threads in use (1: in process, see `notes`). */
  readonly size: number;
  /** Why it runs in process or on fewer threads than asked. */
  readonly notes: string[];
  /** `evaluate`'s result, each worker predicting its part of the set. */
  evaluate(set: ImageSet, options?: EvaluateOptions): Promise<Evaluation>;
  /** @digitkit/model's `predict` for `count` images (`x`: count * features floats), split across the workers. */
  predict(x: Float32Array, count: number): Promise<Prediction[]>;
  /** Ends every thread; resolves when all have exited. */
  close(): Promise<void>;
}

/**
 * Starts `workers` threads (default 'auto': one per core), each with its own backend and a copy of `model`,
 * for evaluating and predicting large sets. Starting costs about a second: worth it for sets of many
 * thousands, or for many calls. In a browser or on the native backend it runs in process and says so.
 */
export async function startWorkers(model: DigitModel, options: { workers?: number | 'auto' } = {}): Promise<Workers> {
  const cores = await machineCores();
  const requested = options.workers ?? 'auto';
  if (requested !== 'auto' && (!Number.isInteger(requested) || requested < 1)) {
    throw new DigitkitError('BAD_OPTION', `workers must be "auto" or an integer from 1 to ${cores} (this machine's cores), got ${String(requested)}.`);
  }
  const backend = tf.getBackend();
  const notes: string[] = [];
  let size = requested === 'auto' ? cores : Math.min(requested, cores);
  if (requested !== 'auto' && requested > cores) notes.push(`workers: asked for ${requested} but this machine has ${cores} cores: using ${cores}.`);
  const why = !isNode() ? 'worker threads run in Node only' : backend === 'tensorflow' ? 'the native backend already uses every core' : backend !== 'wasm' && backend !== 'cpu' ? `the ${backend} backend cannot be started in a worker` : null;
  if (why && size > 1) {
    notes.push(`workers: running in process: ${why}.`);
    size = 1;
  }
  const pool: WorkerPool | null = size > 1 ? await startPool(model, { workers: size, backend, config: null, train: null, optimizer: null }) : null;
  return {
    size,
    notes,
    async evaluate(set, evaluateOptions = {}) {
      if (!pool) return evaluate(model, set, evaluateOptions);
      const batchSize = evaluateBatchSize(evaluateOptions);
      checkSetFitsModel(model, set, 'evaluation');
      return pool.evaluate(model, set, batchSize);
    },
    async predict(x, count) {
      // The in-process call checks the sizes and says what is wrong; the pool needs them right too.
      if (!pool || count === 0) return predict(model, x, count);
      const features = model.inputShape.reduce((a, b) => a * b, 1);
      if (!Number.isInteger(count) || count < 0 || x.length !== count * features) return predict(model, x, count);
      return pool.predict(x, count);
    },
    async close() {
      await pool?.close();
    },
  };
}
