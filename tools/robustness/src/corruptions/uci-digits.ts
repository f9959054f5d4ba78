// UCI's optical-recognition handwritten digits (Alpaydin & Kaynak 1998): 1,797 8x8 digits by 43 writers who are not
// MNIST's, as Debian's python3-sklearn ships them (sklearn/datasets/data/digits.csv.gz). Held out: never tuned on.
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { DigitkitError } from '@digitkit/core';
import { type Raster, uciPicture } from '@digitkit/testkit';

/** Where the file is looked for when DIGITKIT_UCI_DIGITS does not name it: an installed python3-sklearn. */
export const UCI_DIGITS_PATHS = ['/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz'];

/** How to get the file without installing numpy and scipy. */
export const UCI_DIGITS_HOWTO =
  'apt-get download python3-sklearn && dpkg -x python3-sklearn_*.deb sk && ' +
  'export DIGITKIT_UCI_DIGITS=$PWD/sk/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz';

/** The file's path: DIGITKIT_UCI_DIGITS, else an installed copy, else null. */
export function findUciDigits(env: Record<string, string | undefined> = process.env): string | null {
  const named = env.DIGITKIT_UCI_DIGITS;
  if (named) return named;
  return UCI_DIGITS_PATHS.find((p) => existsSync(p)) ?? null;
}

/** Each 8x8 digit (ink counts 0..16, light on dark) enlarged 4x to 32x32, the size of the bitmaps it was counted from. */
export interface UciDigits {
  readonly pictures: readonly Raster[];
  readonly labels: Uint8Array;
}

const SIDE = 8;
/** A gzipped CSV of 1,797 rows is about 60 kB; refuse anything far larger before unpacking it. */
const MAX_FILE_BYTES = 4 << 20;

/** Reads digits.csv.gz: rows of 64 pixel counts (0..16) and a label. */
export async function loadUciDigits(path: string): Promise<UciDigits> {
  const zipped = await readFile(path);
  if (zipped.length > MAX_FILE_BYTES) {
    throw new DigitkitError('BAD_DATA', `${path} is ${zipped.length} bytes; UCI's digits.csv.gz is about 60 kB. Point DIGITKIT_UCI_DIGITS at sklearn's digits.csv.gz`);
  }
  const rows = gunzipSync(zipped, { maxOutputLength: 16 * MAX_FILE_BYTES }).toString('utf8').trim().split('\n');
  const pictures: Raster[] = [];
  const labels: number[] = [];
  rows.forEach((row, r) => {
    const values = row.split(',').map(Number);
    if (values.length !== SIDE * SIDE + 1 || values.some((v) => !Number.isFinite(v) || v < 0 || v > 16)) {
      throw new DigitkitError('BAD_DATA', `${path} row ${r + 1}: expected 64 counts in 0..16 and a label, got ${JSON.stringify(row.slice(0, 60))}`);
    }
    pictures.push(uciPicture(values.slice(0, SIDE * SIDE)));
    labels.push(values[SIDE * SIDE]!);
  });
  return { pictures, labels: Uint8Array.from(labels) };
}
