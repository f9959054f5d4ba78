// @digitkit/testkit: what digitkit's tests and benchmarks share (private workspace package, never published).
export type { Rng } from '@digitkit/core';
export { createRng } from '@digitkit/core';
export { writeFileAtomic } from '@digitkit/data';
export { killAtFaultPause, writeSourcesTsconfig } from './faults.js';
export type { SliceOptions } from './mnist.js';
export { digitImages, mnist, mnistSlice } from './mnist.js';
export type { Edge } from './pixels.js';
export { resizeBilinear, penCoverage, gaussian } from './pixels.js';
export type { Stroke } from './canvas.js';
export {
  upscaleBilinear,
  placeOnCanvas,
  inksInARow,
  digitsInARow,
  cropToInk,
  asBlackOnTransparent,
  asBlackOnWhite,
  PEN_DIGITS,
  drawStrokes,
  redrawOnCanvas,
  simulatePhoto,
  addShadow,
  addShadowBand,
  onSquaredPaper,
} from './canvas.js';
export type { Skeleton } from './skeleton.js';
export { digitSkeleton, zhangSuen, upsample, skeletonBounds, skeletonStrokes } from './skeleton.js';
export type { Affine, Surface, Raster, PhotoLook } from './render.js';
export { drawSkeleton, toSurface, toPhoto, gaussianBlur, jpegSoften } from './render.js';
export type { Closeness } from './measures.js';
export { pearson, pearsonWithinOnePixel, meanAbsDiff, sumOf, median, quantile, redrawCloseness } from './measures.js';
export { blockCounts, normalizedBitmap, uciFormat, uciPicture } from './uci-format.js';
export { withExifOrientation } from './exif.js';
