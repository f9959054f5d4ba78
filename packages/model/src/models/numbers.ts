import type { DigitModel } from '@digitkit/core';
import { ADAM_RECIPE, checkRate, checkUnits, lenet, seedSequence } from './layers.js';
import { cnnSpec } from './cnn.js';
import type { ModelSpec } from './types.js';

export interface NumberReaderOptions {
  /** Filters of the two 5x5 convolution blocks. Default `[16, 32]`. */
  filters?: [number, number];
  /** Units of the dense layer before the output. Default 192. */
  dense?: number;
  /** Dropout rate before the output layer. Default 0.3. */
  dropout?: number;
  /** Seed for the weight initializers: the same seed gives the same initial weights. */
  seed?: number;
}

/** A number fitted as `wideFit` (@digitkit/preprocess) fits it: 28 rows, 56 columns, one channel. */
const INPUT_SHAPE = [28, 56, 1];
/** The pairs 00-99, the single digits, "three or more digits" and "no digit" (`NUMBER_CLASSES` in @digitkit/preprocess). */
const NUMBER_CLASSES = 112;

/**
 * The number reader: reads ink that may hold two touching digits whole, without cutting it (recognition, not
 * segmentation). Two blocks of 5x5 convolution and 2x2 max-pooling over a 28x56 fit (28x56 -> 24x52 -> 12x26 -> 8x22
 * -> 4x11), Dense 192 ReLU, dropout and a softmax over 112 classes; 305,392 parameters. @digitkit/recognizer asks it
 * about ink the digit model finds wide or unsure, and keeps its pair only when a cut of the ink agrees.
 */
export function numberReader(options: NumberReaderOptions = {}): DigitModel {
  const [f1, f2] = options.filters ?? [16, 32];
  const dense = options.dense ?? 192;
  const dropout = options.dropout ?? 0.3;
  checkUnits('filters', [f1, f2]);
  checkUnits('dense', [dense]);
  checkRate(dropout);
  const net = lenet({ name: 'digitkit_numbers', inputShape: INPUT_SHAPE, filters: [f1, f2], dense, dropout, numClasses: NUMBER_CLASSES }, seedSequence(options.seed));
  return { kind: 'numbers', inputShape: [...INPUT_SHAPE], numClasses: NUMBER_CLASSES, net };
}

// The reader's set brings its own non-digits (createNumberSet); the rest of the CNN's shifts it learns the same way.
const { negatives: _negatives, ...CNN_AUGMENT_WITHOUT_NEGATIVES } = cnnSpec.recipe.augment;

/**
 * The number reader's table entry. It trains on numbers made from the digits of the set it is given
 * (`createNumberSet` in @digitkit/preprocess: 40% touching pairs, 35% single digits, 10% touching triples, 15% synthetic
 * non-digits), with the CNN recipe's augmentation but no negatives (the set has its own). 12 epochs: measured as
 * "reader D" in tools/robustness/RESULTS.md; with a third of its set single digits it calls fewest single digits pairs.
 */
export const numbersSpec = {
  description: 'the number reader: two touching digits read whole (28x56 input, 112 classes), for @digitkit/recognizer',
  inputShape: INPUT_SHAPE,
  reads: 'numbers',
  create: numberReader,
  recipe: {
    ...ADAM_RECIPE,
    epochs: 16,
    learningRate: 3e-3,
    schedule: 'onecycle',
    augment: CNN_AUGMENT_WITHOUT_NEGATIVES,
  },
} as const satisfies ModelSpec<NumberReaderOptions>;
