// How many training and validation images a run uses: `--limit N` means N training images, and the validation
// split scales with it unless `--validation` says otherwise.
import { DigitkitError } from '@digitkit/core';
import { count } from './format.js';

/** The default validation split: 1/12 of the images a run draws from (MNIST: 5,000 of 60,000, leaving 55,000). */
export const DEFAULT_VALIDATION_SHARE = 1 / 12;

export interface SplitPlan {
  /** Training images. */
  train: number;
  validation: number;
  /** The first `pool` images of the set are drawn from (train + validation). */
  pool: number;
  /** How the numbers came about, for the line printed at start. */
  why: string;
}

/** Resolves `--limit` and `--validation` against a set of `available` training images; refuses what cannot fit (exit 2). */
export function planSplit(available: number, limit: number | undefined, validation: number | undefined): SplitPlan {
  // Not a usage error (exit 1): the data, not a flag, is what is wrong.
  if (available === 0) throw new DigitkitError('EMPTY_SET', 'The training set holds no images (its images file declares 0): there is nothing to train on. Check --data.');
  if (limit === undefined) {
    const held = validation ?? Math.round(available * DEFAULT_VALIDATION_SHARE);
    if (held >= available) {
      throw new DigitkitError(
        'BAD_VALIDATION',
        `--validation ${count(held)} leaves no training images: the set has ${count(available)}. Use at most ${count(available - 1)}.`,
      );
    }
    return { train: available - held, validation: held, pool: available, why: validation === undefined ? 'validation: the default 1/12' : 'validation: --validation' };
  }
  if (limit > available) {
    throw new DigitkitError('BAD_LIMIT', `--limit ${count(limit)} asks for more training images than the set has (${count(available)}). Use at most ${count(available)}.`);
  }
  const room = available - limit;
  if (validation !== undefined && validation > room) {
    throw new DigitkitError(
      'BAD_VALIDATION',
      `--validation ${count(validation)} does not fit beside --limit ${count(limit)}: the set has ${count(available)} training images, ` +
        `so at most ${count(room)} can be held out for validation. Use a smaller --validation or --limit.`,
    );
  }
  // The default share of a pool whose training part is `limit`: validation / (limit + validation) = 1/12.
  const scaled = Math.round((limit * DEFAULT_VALIDATION_SHARE) / (1 - DEFAULT_VALIDATION_SHARE));
  const held = validation ?? Math.min(scaled, room);
  const why = validation !== undefined ? 'validation: --validation' : held === scaled ? `validation: 1/12 of the ${count(limit + held)} images drawn, scaled with --limit` : 'validation: what the set has left';
  return { train: limit, validation: held, pool: limit + held, why };
}
