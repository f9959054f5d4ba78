// @digitkit/preprocess: pure image transforms on typed arrays (no tfjs, no node:*), the same in Node and the browser.
export { normalize, meanStd, standardize, oneHot, inputShapeFor } from './normalize.js';
export type { AugmenterOptions, Augmenter, AppearanceFamily } from './augment.js';
export { createAugmenter, AUGMENT_FAMILIES } from './augment.js';
export type { NegativeMaker, NegativeKind, NegativeMakerOptions, PairMakerOptions } from './negatives.js';
export { createNegativeMaker, createPairMaker, NEGATIVE_KINDS } from './negatives.js';
export type { NumberReading, NumberMix, NumberSetOptions } from './numbers.js';
export { NUMBER_FIT, NUMBER_CLASSES, wideFit, numberClass, readNumberClass, createNumberSet } from './numbers.js';
export type { RasterImage, GrayImage, Box, AlphaBackground } from './image.js';
export { applyExifOrientation, toGrayscale, boundingBox, centerOfMass, resizeArea, strokeWidth } from './image.js';
export type { Polarity, MnistFormatOptions, MnistFormatResult } from './mnist-format.js';
export { toMnistFormat } from './mnist-format.js';
export { connectedComponents, maskAbove } from './morphology.js';
