// @digitkit/recognizer: picture in, digit out, with the trained weights inside the package.
export type {
  ShippedModelName,
  RecognizerOptions,
  PixelImage,
  DrawableImage,
  RecognizeInput,
  RecognizeOptions,
  Stroke,
  Recognition,
  DigitRecognition,
  DigitsRecognition,
  DigitPiece,
  UnsureRecognition,
  EmptyRecognition,
  Guess,
  VerdictThresholds,
  Recognizer,
} from './types.js';
export type { ShippedModel } from './models.js';
export { SHIPPED_MODELS, SHIPPED_NUMBER_READER } from './models.js';
export { createRecognizer } from './recognizer.js';
export { MAX_PIXELS, MAX_STROKE_POINTS } from './input.js';
export { STROKE_VIEWS, VERDICT_THRESHOLDS } from './verdicts.js';
export type { Picture, DecodePictureOptions } from './pictures.js';
export { decodePicture, readPictureFile } from './pictures.js';
