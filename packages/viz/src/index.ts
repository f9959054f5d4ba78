// @digitkit/viz: pictures of digits and training runs, the same in Node and the browser.
// Everything here is browser-safe except writeReport/readRunMetrics, which load node:fs on call.
export type { RasterImage, Rgb } from './raster.js';
export { encodePng, pngDataUri } from './raster.js';
export type { DigitGridOptions, GridCell, GridImage, MisclassifiedGalleryOptions } from './grid.js';
export { digitGrid, digitGridSvg, misclassifiedGallery } from './grid.js';
export type { PredictionCardOptions } from './card.js';
export { predictionCard } from './card.js';
export type { TrainingCurvesOptions, ConfusionMatrixOptions } from './charts.js';
export { trainingCurves, trainingCurvesSpec, confusionMatrix, confusionMatrixSpec, renderVegaLiteSvg } from './charts.js';
export { parseRunMetrics } from './metrics.js';
export type { ReportInput, ReportPrediction } from './report.js';
export { buildReport } from './report.js';
export { writeReport, readRunMetrics } from './node.js';
