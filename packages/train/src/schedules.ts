import { DigitkitError, type ScheduleName } from '@digitkit/core';

export type { ScheduleName } from '@digitkit/core';

/**
 * A learning-rate schedule: the rate for the batch `step` (0-based, within the epoch) of epoch
 * `epoch` (0-based). The training loop calls it once per batch.
 */
export type LearningRateSchedule = (epoch: number, step: number) => number;

export const SCHEDULE_NAMES: readonly ScheduleName[] = ['constant', 'step', 'cosine', 'onecycle'];

/** What every built-in schedule needs to know about the run. */
export interface ScheduleOptions {
  /** The base (for `onecycle`: the peak) learning rate. */
  learningRate: number;
  /** Epochs of the whole run. */
  epochs: number;
  /** Batches per epoch, for per-batch smoothness. Default 1 (the rate changes once per epoch). */
  stepsPerEpoch?: number;
}

/** The same rate throughout. */
export function constantSchedule(options: Pick<ScheduleOptions, 'learningRate'>): LearningRateSchedule {
  const { learningRate } = options;
  return () => learningRate;
}

/**
 * Cosine decay from `learningRate` to `minLearningRate` (default 0) over the run, per batch, after an
 * optional linear warm-up of `warmupEpochs` (default 0).
 */
export function cosineSchedule(
  options: ScheduleOptions & { minLearningRate?: number; warmupEpochs?: number },
): LearningRateSchedule {
  const { learningRate, epochs } = options;
  const perEpoch = options.stepsPerEpoch ?? 1;
  const min = options.minLearningRate ?? 0;
  const warmup = (options.warmupEpochs ?? 0) * perEpoch;
  const total = epochs * perEpoch;
  return (epoch, step) => {
    const t = epoch * perEpoch + step;
    if (t < warmup) return (learningRate * (t + 1)) / warmup;
    const progress = Math.min(1, (t - warmup) / Math.max(1, total - warmup));
    return min + (learningRate - min) * 0.5 * (1 + Math.cos(Math.PI * progress));
  };
}

/** Multiplies the rate by `gamma` (default 0.1) every `stepEpochs` epochs (default: a third of the run). */
export function stepSchedule(
  options: Omit<ScheduleOptions, 'stepsPerEpoch'> & { stepEpochs?: number; gamma?: number },
): LearningRateSchedule {
  const { learningRate, epochs } = options;
  const every = options.stepEpochs ?? Math.max(1, Math.floor(epochs / 3));
  const gamma = options.gamma ?? 0.1;
  return (epoch) => learningRate * gamma ** Math.floor(epoch / every);
}

/**
 * The one-cycle policy (Smith 2018, as PyTorch's OneCycleLR with cosine annealing): the rate rises
 * from `learningRate / divFactor` to `learningRate` over the first `pctStart` of the run, then falls
 * to `learningRate / (divFactor * finalDivFactor)`.
 */
export function oneCycleSchedule(
  options: ScheduleOptions & { pctStart?: number; divFactor?: number; finalDivFactor?: number },
): LearningRateSchedule {
  const { learningRate, epochs } = options;
  const perEpoch = options.stepsPerEpoch ?? 1;
  const pctStart = options.pctStart ?? 0.3;
  const initial = learningRate / (options.divFactor ?? 25);
  const final = initial / (options.finalDivFactor ?? 1e4);
  const total = Math.max(1, epochs * perEpoch - 1);
  const peakAt = Math.max(1, Math.round(pctStart * total));
  const anneal = (from: number, to: number, p: number) => to + ((from - to) * (1 + Math.cos(Math.PI * p))) / 2;
  return (epoch, step) => {
    const t = epoch * perEpoch + step;
    if (t <= peakAt) return anneal(initial, learningRate, t / peakAt);
    return anneal(learningRate, final, Math.min(1, (t - peakAt) / Math.max(1, total - peakAt)));
  };
}

/** Checks a schedule name given on a command line or in a config file. */
export function parseSchedule(name: string): ScheduleName {
  const normalized = String(name).trim().toLowerCase().replace(/[-_ ]/g, '');
  if ((SCHEDULE_NAMES as readonly string[]).includes(normalized)) return normalized as ScheduleName;
  throw new DigitkitError(
    'BAD_SCHEDULE',
    `Unknown learning-rate schedule "${name}". Choose one of: ${SCHEDULE_NAMES.join(', ')} (or pass a function (epoch, step) => rate).`,
  );
}

/** The schedule a training run uses: a built-in by name, built for this run's length, or the caller's function. */
export function resolveSchedule(
  schedule: ScheduleName | LearningRateSchedule,
  options: Required<ScheduleOptions>,
): LearningRateSchedule {
  if (typeof schedule === 'function') return schedule;
  switch (parseSchedule(schedule)) {
    case 'constant':
      return constantSchedule(options);
    case 'step':
      return stepSchedule(options);
    case 'cosine':
      return cosineSchedule(options);
    case 'onecycle':
      return oneCycleSchedule(options);
  }
}
