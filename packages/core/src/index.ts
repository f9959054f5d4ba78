export type {
  Label,
  ImageSet,
  DatasetSplit,
  Batch,
  ModelKind,
  DigitModel,
  Prediction,
  EpochMetrics,
  Evaluation,
  RunMetrics,
  BackendName,
  BackendChoice,
} from './contract.js';
export { DigitkitError } from './contract.js';
export type { BackendOptions, BackendInfo } from './backend.js';
export { useBackend, parseBackendChoice, fallbackOrder, isNode, BACKEND_NAMES } from './backend.js';
export type { Rng } from './random.js';
export { createRng, shuffleInPlace } from './random.js';
