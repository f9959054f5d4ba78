export type { TrainData, TrainResult } from './train.js';
export { train } from './train.js';
export type { EvaluateOptions } from './evaluate.js';
export { checkSetFitsModel, evaluate } from './evaluate.js';
export { classNamesForModel, setForModel, testSetForModel } from './model-sets.js';
export type {
  TrainOptions,
  OptimizerName,
  AugmentOptions,
  EarlyStoppingOptions,
  CheckpointOptions,
  BatchInfo,
  TrainCallbacks,
  Recipe,
} from './options.js';
export { parseOptimizer, defaultRecipe, OPTIMIZER_NAMES } from './options.js';
export type { LearningRateSchedule, ScheduleName, ScheduleOptions } from './schedules.js';
export {
  parseSchedule,
  constantSchedule,
  cosineSchedule,
  stepSchedule,
  oneCycleSchedule,
  SCHEDULE_NAMES,
} from './schedules.js';
export type { CheckpointState } from './checkpoint.js';
export { readCheckpoint, clearCheckpoint } from './checkpoint.js';
export type { Workers } from './workers.js';
export { startWorkers } from './workers.js';
