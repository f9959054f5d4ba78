// @digitkit/robustness: a realistic-drawing benchmark for digit recognizers (Node; private workspace tool).
export type { Skeleton } from './skeleton.js';
export { digitSkeleton, zhangSuen, upsample, skeletonBounds } from './skeleton.js';
export type { Affine, Surface, Raster, PhotoLook } from './render.js';
export { drawSkeleton, toSurface, toPhoto, gaussianBlur, jpegSoften } from './render.js';
export type { Condition, PhotoRanges, DrawnDigit } from './conditions.js';
export { CONDITIONS, drawCondition } from './conditions.js';
export type { Preprocessor, PreparedCondition, PrepareOptions, ConditionScore, BenchmarkRow } from './harness.js';
export { prepareCondition, scoreCondition, accuracyOn, runBenchmark, drawnMean, formatTable } from './harness.js';
export { loadSavedRecognizer, trainModel } from './models.js';
