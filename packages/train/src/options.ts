import { type AugmentOptions, DigitkitError, type EpochMetrics, type OptimizerName, type Recipe, type ScheduleName } from '@digitkit/core';
import { type ModelKind, modelSpec } from '@digitkit/model';
import { type LearningRateSchedule, parseSchedule } from './schedules.js';

// The plain-data names live in the contract (@digitkit/core); this package keeps exporting them.
export type { AugmentOptions, OptimizerName, Recipe } from '@digitkit/core';

export const OPTIMIZER_NAMES: readonly OptimizerName[] = ['adam', 'sgd'];

export interface EarlyStoppingOptions {
  /** What to watch: validation loss (lower is better) or validation accuracy (higher is better). Default 'valLoss'. */
  monitor?: 'valLoss' | 'valAccuracy';
  /** Epochs without improvement before stopping. Default 3. */
  patience?: number;
  /** Smallest change that counts as an improvement. Default 0. */
  minDelta?: number;
  /** Put the weights of the best epoch back into the model when training ends. Default true. */
  restoreBestWeights?: boolean;
}

export interface CheckpointOptions {
  /** Directory that holds the checkpoint (created if missing). */
  dir: string;
  /**
   * Continue from the checkpoint in `dir` if there is one. Default false: start fresh, and the
   * checkpoint of an earlier run is removed first, so it can never answer for this one.
   */
  resume?: boolean;
  /** What the caller needs to recognize its run on resume (data source, checksum, flags): JSON data, stored as `state.run`. */
  run?: Record<string, unknown>;
}

/** What `onBatchEnd` gets: means over the batches since the previous call. */
export interface BatchInfo {
  /** 1-based epoch. */
  epoch: number;
  /** 1-based index of the last batch done in this epoch. */
  batch: number;
  /** Batches per epoch. */
  batches: number;
  loss: number;
  accuracy: number;
  samplesPerSecond: number;
}

export interface TrainCallbacks {
  onEpochEnd?(metrics: EpochMetrics): void | Promise<void>;
  /**
   * Called every `reportEvery` batches and after the last batch of an epoch (reading the loss is a
   * sync point, so it is not read after every batch).
   */
  onBatchEnd?(info: BatchInfo): void | Promise<void>;
  /** A line worth telling the user before training: why it runs on fewer workers than asked, or in process. */
  onNote?(line: string): void | Promise<void>;
}

export interface TrainOptions {
  /** Epochs to train (>= 1). */
  epochs: number;
  /** Images per batch. Default 128. */
  batchSize?: number;
  /** Default 'adam'. 'sgd' is SGD with momentum 0.9 (Nesterov off). */
  optimizer?: OptimizerName;
  /** Base learning rate. Default 1e-3 for Adam, 0.05 for SGD. */
  learningRate?: number;
  /** Default 'constant'. */
  schedule?: ScheduleName | LearningRateSchedule;
  /** Decoupled weight decay (AdamW-style) applied to kernels, not biases. Default 0. */
  weightDecay?: number;
  /** Seeds shuffling and augmentation: the same seed on the same backend gives the same weights. Default 42. */
  seed?: number;
  /** Default false. */
  augment?: false | AugmentOptions;
  earlyStopping?: EarlyStoppingOptions;
  checkpoint?: CheckpointOptions;
  /** Aborting stops after the current batch, writes a checkpoint (if configured) and returns `interrupted: true`. */
  signal?: AbortSignal;
  callbacks?: TrainCallbacks;
  /** Batches between loss reads (NaN checks and `onBatchEnd` calls). Default 50. */
  reportEvery?: number;
  /**
   * Threads that train (Node): each a worker_thread with its own backend and copy of the model, computing the
   * gradients of its share of every batch; the gradients are summed and every copy takes the same step.
   * `batchSize` stays the whole batch. 'auto': the machine's cores, as many as pay off for this model and batch.
   * Default 1 (in process). In a browser, on the native backend or for tiny sets it trains in process and says so (`onNote`).
   */
  workers?: number | 'auto';
}

/** The options after defaults and checks: what a run (and its checkpoint) records. */
export interface ResolvedConfig {
  epochs: number;
  batchSize: number;
  optimizer: OptimizerName;
  learningRate: number;
  schedule: ScheduleName | 'custom';
  weightDecay: number;
  seed: number;
  augment: false | Required<AugmentOptions>;
  earlyStopping: Required<EarlyStoppingOptions> | null;
  reportEvery: number;
}

/** Checks an optimizer name given on a command line or in a config file. */
export function parseOptimizer(name: string): OptimizerName {
  const normalized = String(name).trim().toLowerCase();
  if ((OPTIMIZER_NAMES as readonly string[]).includes(normalized)) return normalized as OptimizerName;
  throw new DigitkitError('BAD_OPTIMIZER', `Unknown optimizer "${name}". Choose one of: ${OPTIMIZER_NAMES.join(', ')}.`);
}

/** Validates every hyperparameter before any work and fills in defaults. */
export function resolveOptions(options: TrainOptions): ResolvedConfig {
  if (options === null || typeof options !== 'object') {
    throw new DigitkitError('BAD_OPTION', 'train needs an options object, at least { epochs }.');
  }
  const epochs = options.epochs;
  if (!Number.isInteger(epochs) || epochs < 1) {
    throw new DigitkitError('BAD_OPTION', `epochs must be an integer >= 1, got ${String(epochs)}.`);
  }
  const batchSize = options.batchSize ?? 128;
  if (!Number.isInteger(batchSize) || batchSize < 1) {
    throw new DigitkitError('BAD_OPTION', `batchSize must be an integer >= 1, got ${String(batchSize)}. 128 is a good start.`);
  }
  const optimizer = parseOptimizer(options.optimizer ?? 'adam');
  const learningRate = options.learningRate ?? (optimizer === 'adam' ? 1e-3 : 0.05);
  if (typeof learningRate !== 'number' || !Number.isFinite(learningRate) || learningRate <= 0) {
    throw new DigitkitError(
      'BAD_OPTION',
      `learningRate must be a positive finite number, got ${String(learningRate)}. Try 1e-3 for Adam or 0.05 for SGD.`,
    );
  }
  const schedule = typeof options.schedule === 'function' ? 'custom' : parseSchedule(options.schedule ?? 'constant');
  const weightDecay = options.weightDecay ?? 0;
  if (!Number.isFinite(weightDecay) || weightDecay < 0) {
    throw new DigitkitError('BAD_OPTION', `weightDecay must be a finite number >= 0, got ${String(weightDecay)}.`);
  }
  const seed = options.seed ?? 42;
  if (!Number.isInteger(seed)) throw new DigitkitError('BAD_OPTION', `seed must be an integer, got ${String(seed)}.`);
  const reportEvery = options.reportEvery ?? 50;
  if (!Number.isInteger(reportEvery) || reportEvery < 1) {
    throw new DigitkitError('BAD_OPTION', `reportEvery must be an integer >= 1, got ${String(reportEvery)}.`);
  }
  return {
    epochs,
    batchSize,
    optimizer,
    learningRate,
    schedule,
    weightDecay,
    seed,
    augment: resolveAugment(options.augment),
    earlyStopping: resolveEarlyStopping(options.earlyStopping),
    reportEvery,
  };
}

function resolveAugment(augment: TrainOptions['augment']): ResolvedConfig['augment'] {
  if (augment === undefined || augment === false) return false;
  if (augment === null || typeof augment !== 'object') {
    throw new DigitkitError('BAD_OPTION', 'augment must be false or an object such as { maxShift: 2 }.');
  }
  const resolved: Required<AugmentOptions> = {
    maxShift: augment.maxShift ?? 2,
    maxRotation: augment.maxRotation ?? 0,
    scale: augment.scale ?? 0,
    shear: augment.shear ?? 0,
    elastic: augment.elastic ?? 0,
    strokeWidth: augment.strokeWidth ?? 0,
    outline: augment.outline ?? 0,
    blur: augment.blur ?? 0,
    lowResolution: augment.lowResolution ?? 0,
    noise: augment.noise ?? 0,
    clutter: augment.clutter ?? 0,
    stains: augment.stains ?? 0,
    contrast: augment.contrast ?? 0,
    negatives: augment.negatives ?? 0,
    pairs: augment.pairs ?? 0,
  };
  const probability: [number, string] = [1, '(a probability per image)'];
  const limits: Record<keyof typeof resolved, [number, string]> = {
    maxShift: [14, 'pixels'],
    maxRotation: [180, 'degrees'],
    scale: [0.9, '(a fraction)'],
    shear: [1, '(x-offset per pixel of height)'],
    elastic: probability,
    strokeWidth: probability,
    outline: probability,
    blur: probability,
    lowResolution: probability,
    noise: probability,
    clutter: probability,
    stains: probability,
    contrast: probability,
    // Most of every batch must stay digits, or the model learns to be unsure of everything.
    negatives: [0.5, '(a fraction of the images)'],
    pairs: [0.5, '(a fraction of the images)'],
  };
  for (const [key, [max, unit]] of Object.entries(limits) as [keyof typeof resolved, [number, string]][]) {
    const value = resolved[key];
    if (!Number.isFinite(value) || value < 0 || value > max) {
      throw new DigitkitError('BAD_OPTION', `augment.${key} must be between 0 and ${max} ${unit}, got ${String(value)}.`);
    }
  }
  if (resolved.negatives + resolved.pairs > 0.5) {
    throw new DigitkitError('BAD_OPTION', `augment.negatives + augment.pairs must be at most 0.5 (most of every batch stays digits), got ${resolved.negatives} + ${resolved.pairs}.`);
  }
  return resolved;
}

function resolveEarlyStopping(options: EarlyStoppingOptions | undefined): ResolvedConfig['earlyStopping'] {
  if (options === undefined) return null;
  const monitor = options.monitor ?? 'valLoss';
  if (monitor !== 'valLoss' && monitor !== 'valAccuracy') {
    throw new DigitkitError('BAD_OPTION', `earlyStopping.monitor must be "valLoss" or "valAccuracy", got "${String(monitor)}".`);
  }
  const patience = options.patience ?? 3;
  if (!Number.isInteger(patience) || patience < 0) {
    throw new DigitkitError('BAD_OPTION', `earlyStopping.patience must be an integer >= 0, got ${String(patience)}.`);
  }
  const minDelta = options.minDelta ?? 0;
  if (!Number.isFinite(minDelta) || minDelta < 0) {
    throw new DigitkitError('BAD_OPTION', `earlyStopping.minDelta must be a finite number >= 0, got ${String(minDelta)}.`);
  }
  return { monitor, patience, minDelta, restoreBestWeights: options.restoreBestWeights ?? true };
}

/**
 * The default training recipe of a model kind (its `MODELS` entry in @digitkit/model), measured to
 * reach its target accuracy on MNIST (MLP: >= 98.0% test accuracy in under a minute on WASM; CNN:
 * >= 99.3%). See the README for figures. An unknown kind throws DigitkitError('UNKNOWN_MODEL').
 */
export function defaultRecipe(kind: ModelKind): Recipe {
  const recipe: Recipe = modelSpec(kind).recipe;
  // A copy, so a caller that edits its recipe does not change the table.
  return { ...recipe, augment: recipe.augment === false ? false : { ...recipe.augment } };
}
