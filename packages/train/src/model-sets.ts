// What each model family reads, made from a set of digits: the table behind `ModelSpec.reads` (@digitkit/model).
import type { ImageSet } from '@digitkit/core';
import { isModelKind, type ModelReads, MODELS } from '@digitkit/model';
import { createNumberSet, NUMBER_CLASSES, readNumberClass } from '@digitkit/preprocess';

interface Reads {
  /** The set made from `digits`, `perDigit` pictures a digit where the kind makes pictures of its own. */
  set(digits: ImageSet, seed: number, perDigit: number): ImageSet;
  /** Pictures a digit in the training (and validation) set; the test set takes one a digit. */
  trainingPerDigit: number;
  /** The classes' names, in label order; undefined: the set's own (the digits 0-9 for MNIST). */
  classNames?: readonly string[];
}

const READS: Record<ModelReads, Reads> = {
  digits: { set: (digits) => digits, trainingPerDigit: 1 },
  numbers: {
    set: (digits, seed, perDigit) => createNumberSet(digits, { count: Math.round(digits.count * perDigit), seed }),
    // 88,000 numbers from 55,000 digits, each digit in 2.3 of them on average: the reader read more touching pairs than from 55,000 (RESULTS.md, stop 50).
    trainingPerDigit: 1.6,
    // "07" a pair, "7" a single digit.
    classNames: Array.from({ length: NUMBER_CLASSES }, (_, label) => {
      const read = readNumberClass(label);
      return read.kind === 'digits' ? read.digits.join('') : read.kind === 'many' ? 'three or more' : 'no digit';
    }),
  },
};

const readsOf = (kind: string): Reads => READS[isModelKind(kind) ? MODELS[kind].reads : 'digits'];

/** The seed of the test set made from test digits: fixed, so runs of every seed are measured on the same numbers. */
const TEST_SET_SEED = 2;

/**
 * The set a model of `kind` trains on, made from `digits` (e.g. a split of MNIST): the digits themselves for the
 * digit models and for kinds outside `MODELS`; for the number reader, numbers made from them (the same seed, the same set).
 */
export function setForModel(kind: string, digits: ImageSet, seed: number): ImageSet {
  const reads = readsOf(kind);
  return reads.set(digits, seed, reads.trainingPerDigit);
}

/** The names of the classes a model of `kind` tells apart when its kind fixes them (the number reader's), else undefined. */
export function classNamesForModel(kind: string): readonly string[] | undefined {
  return readsOf(kind).classNames;
}

/** The set a model of `kind` is tested on, made from test digits: one picture a digit, one fixed seed. */
export function testSetForModel(kind: string, digits: ImageSet): ImageSet {
  return readsOf(kind).set(digits, TEST_SET_SEED, 1);
}
