export type { IdxDType, IdxArray } from './idx.js';
export { readIdx, writeIdx } from './idx.js';
export { readIdxFile, writeIdxFile, writeFileAtomic, removeDeadTempFilesUnder } from './node-files.js';
export { imageSetFromIdx } from './image-set.js';
export type { LoadMnistOptions } from './mnist-files.js';
export { MNIST_FILES, MNIST_SHA256 } from './mnist-files.js';
export { loadMnist, mnistDataDir } from './mnist.js';
export type { BatchOptions } from './sampling.js';
export { shuffledIndices, subset, trainValidationSplit, batches } from './sampling.js';
