// @digitkit/viz: pictures of digits and training runs, the same in Node and the browser.
// Everything here is browser-safe except writeReport/readRunMetrics, which load node:fs on call.
export type { RasterImage, Rgb } from './raster.js';
export { encodePng, pngDataUri } from './raster.js';
export type { DigitGridOptions, GridCell, GridImage, MisclassifiedGalleryOptions } from './grid.js';
export { digitGrid, digitGridSvg, misclassifiedGallery } from './grid.js';
export type { PredictionCardOptions } from './card.js';
export { predictionCard } from './card.js';
export type { TrainingCurvesOptions, ConfusionMatrixOptions, LearningRateChartOptions } from './charts.js';
export {
  trainingCurves,
  trainingCurvesSpec,
  learningRateChart,
  learningRateChartSpec,
  confusionMatrix,
  confusionMatrixSpec,
  renderVegaLiteSvg,
} from './charts.js';
export { parseRunMetrics } from './metrics.js';
export { formatCount } from './svg.js';
export type { ReportInput, ReportPrediction, MisclassifiedTile } from './report.js';
export { REPORT_FILES, predictionFile } from './artifacts.js';
export { buildReport } from './report.js';
export { writeReport, readRunMetrics } from './node.js';
