// The corruption families' part of the bench: every family through each recognizer's full pipeline, through
// toMnistFormat alone and, beside them, the plain MNIST preprocessing; then UCI's digits by other writers when the
// file is there.
import type { ImageSet } from '@digitkit/core';
import type { Recognizer } from '@digitkit/recognizer';
import { type FamilyRow, formatFamilyTable, formatPairedTable, runFamilyBench, scorePictures } from '../src/corruptions/bench.js';
import { findUciDigits, loadUciDigits, UCI_DIGITS_HOWTO } from '../src/corruptions/uci-digits.js';

export async function benchFamilies(recognizers: Record<string, Recognizer>, test: ImageSet, count: number): Promise<void> {
  const started = performance.now();
  console.log(`\nCorruption families: ${count} MNIST test digits each (seed 1); <model> = recognize, <model>-format = toMnistFormat alone -> recognizeMnistBatch, <model>-plain = plain MNIST preprocessing -> recognizeMnistBatch`);
  const rows = runFamilyBench(recognizers, test, { count, seed: 1 });
  const extra: FamilyRow[] = [];
  const path = findUciDigits();
  if (path) {
    const uci = await loadUciDigits(path);
    extra.push({ name: 'uci-digits-8x8', split: 'other-writers', count: uci.labels.length, ...scorePictures(recognizers, uci.pictures, uci.labels) });
  }
  console.log(formatFamilyTable(rows, extra));
  console.log(`\n${formatPairedTable([...rows, ...extra])}`);
  if (!path) console.log(`(UCI digits by other writers skipped: digits.csv.gz not found. To get it: ${UCI_DIGITS_HOWTO})`);
  console.log(`(families: ${((performance.now() - started) / 1000).toFixed(0)} s)`);
}
