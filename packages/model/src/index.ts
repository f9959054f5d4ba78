export type { MlpOptions, CnnOptions, ModelOptions } from './networks.js';
export { mlp, cnn, createModel, MODEL_KINDS } from './networks.js';
export { summary, parameterCount } from './summary.js';
export { predict } from './predict.js';
export type { DigitkitMetadata } from './io.js';
export { saveModel, loadModel, modelToArtifacts, modelFromArtifacts, MODEL_JSON, WEIGHTS_FILE } from './io.js';
export { registerWasmTrainingKernels, missingWasmTrainingKernels, WASM_TRAINING_KERNELS } from './kernels/register.js';
