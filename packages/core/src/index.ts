export type {
  Label,
  ImageSet,
  DatasetSplit,
  Batch,
  DigitModel,
  Prediction,
  EpochMetrics,
  Evaluation,
  RunMetrics,
  OptimizerName,
  ScheduleName,
  AugmentOptions,
  Recipe,
  BackendName,
  BackendChoice,
} from './contract.js';
export { DigitkitError } from './contract.js';
export type { BackendOptions, BackendInfo, BackendSpec } from './backend.js';
export { useBackend, parseBackendChoice, fallbackOrder, isNode, replacedKernel, BACKEND_NAMES, BACKENDS } from './backend.js';
export { isProcessAlive } from './process.js';
export { faultPause, FAULT_PAUSE_ENV } from './fault.js';
export type { Rng } from './random.js';
export { createRng, shuffleInPlace } from './random.js';
