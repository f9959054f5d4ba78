// @digitkit/robustness: a realistic-drawing benchmark for digit recognizers (Node; private workspace tool).
// The drawing pieces live in @digitkit/testkit (preprocess's tests draw with them too); re-exported for this API.
export type { Skeleton, Affine, Surface, Raster, PhotoLook } from '@digitkit/testkit';
export { digitSkeleton, zhangSuen, upsample, skeletonBounds, drawSkeleton, toSurface, toPhoto, gaussianBlur, jpegSoften } from '@digitkit/testkit';
export type { Condition, PhotoRanges, DrawnDigit } from './conditions.js';
export { CONDITIONS, drawCondition } from './conditions.js';
export type { Preprocessor, PreparedCondition, PrepareOptions, ConditionScore, BenchmarkRow } from './harness.js';
export { prepareCondition, scoreCondition, accuracyOn, runBenchmark, drawnMean, formatTable } from './harness.js';
export { loadSavedRecognizer, trainModel, WHOLE_INK_AS_DIGIT } from './models.js';
export type { Family, FamilySplit, CorruptedSet } from './corruptions/families.js';
export { FAMILIES, corruptFamily } from './corruptions/families.js';
export { plainMnist } from './corruptions/plain.js';
export type { FamilyRow } from './corruptions/bench.js';
export { runFamilyBench, scorePictures, formatFamilyTable, formatPairedTable, pairedDifference } from './corruptions/bench.js';
export { findUciDigits, loadUciDigits } from './corruptions/uci-digits.js';
