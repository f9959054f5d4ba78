// Strokes not designed here: MNIST test digits (the held-out half, 5,000-9,999) traced into strokes (their skeletons
// broken at every junction: more strokes than a writer would use), drawn as the web pad draws (112 px, 8 px pen, dark on
// white). Single digits, and pairs and triples whose lines touch or overlap (by up to `overlap` of the height), each
// read with and without `recognize`'s `strokes` option. Prints how many single digits stay 'digit' and right and how
// many numbers are read exactly. `node --import tsx src/experiments/stroke-numbers.ts [count=300] [models=cnn,mlp] [overlap=0.1] [pen=8] [side=112]`
// (a negative overlap: pairs apart, their lines up to that share of the height apart).
import { createRng, useBackend, type Rng } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer, type Recognition } from '@digitkit/recognizer';
import { asBlackOnWhite, digitSkeleton, penCoverage, skeletonStrokes } from '@digitkit/testkit';

const count = Number(process.argv[2] ?? 300);
const models = (process.argv[3] ?? 'cnn,mlp').split(',');
const maxOverlap = Number(process.argv[4] ?? 0.1);
const [PEN, SIDE] = [Number(process.argv[5] ?? 8), Number(process.argv[6] ?? 112)];
type Line = [number, number][];

/** Digits `sources` of the test set side by side, their lines `gaps` (fractions of the height) apart. */
function drawn(test: { images: Uint8Array }, sources: number[], gaps: number[]): { raster: { data: Uint8Array; width: number; height: number }; strokes: Line[] } {
  const lines = sources.map((s) => skeletonStrokes(digitSkeleton(test.images.subarray(s * 784, (s + 1) * 784), 28)));
  const bounds = lines.map((ls) => {
    const [xs, ys] = [ls.flat().map((p) => p[0]), ls.flat().map((p) => p[1])];
    return [Math.min(...xs), Math.max(...xs), Math.min(...ys), Math.max(...ys)] as const;
  });
  // In units of each digit's height: widths plus gaps, then scaled to fit the pad with a margin.
  const widths = bounds.map(([x0, x1, y0, y1]) => (x1 - x0) / Math.max(1, y1 - y0));
  const units = widths.reduce((a, b) => a + b, 0) + gaps.reduce((a, b) => a + b, 0);
  const height = Math.min(0.6 * SIDE, (0.85 * SIDE) / Math.max(units, 0.1));
  let x = (SIDE - units * height) / 2;
  const strokes: Line[] = [];
  lines.forEach((ls, i) => {
    const [x0, , y0, y1] = bounds[i]!;
    const k = height / Math.max(1, y1 - y0);
    const top = (SIDE - height) / 2;
    for (const l of ls) strokes.push(l.map(([px, py]) => [x + (px - x0) * k, top + (py - y0) * k]));
    x += widths[i]! * height + (gaps[i] ?? 0) * height;
  });
  const segments: number[] = [];
  for (const s of strokes) for (let i = 0; i < s.length; i++) segments.push(...s[i]!, ...s[Math.min(i + 1, s.length - 1)]!);
  const cover = penCoverage(segments, SIDE, SIDE, PEN);
  return { raster: { data: asBlackOnWhite(Uint8Array.from(cover, (c) => Math.round(c * 255))), width: SIDE, height: SIDE }, strokes };
}

const said = (r: Recognition) => (r.verdict === 'digit' ? String(r.label) : r.verdict === 'digits' ? r.digits.join('') : r.verdict);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const rng: Rng = createRng(2026);
const pick = () => 5000 + rng.int(5000);
const singles = Array.from({ length: count }, () => [pick()]);
const pairs = Array.from({ length: count }, () => [pick(), pick()]);
const overlaps = pairs.map(() => -rng.next() * maxOverlap);
// Drawn after the pairs, so adding them left the singles and pairs as they were.
const triples = Array.from({ length: count }, () => [pick(), pick(), pick()]);
const tripleGaps = triples.map(() => [-rng.next() * maxOverlap, -rng.next() * maxOverlap]);
for (const model of models) {
  const recognizer = await createRecognizer({ model, log: null });
  const score = (sets: number[][], gaps: (i: number) => number[]) => {
    const right = [0, 0];
    sets.forEach((sources, i) => {
      const { raster, strokes } = drawn(test, sources, gaps(i));
      const truth = sources.map((s) => test.labels[s]).join('');
      [{}, { strokes }].forEach((options, k) => {
        if (said(recognizer.recognize(raster, options)) === truth) right[k]!++;
      });
    });
    return right.map((r) => `${((100 * r) / sets.length).toFixed(1)}%`).join(' -> ');
  };
  console.log(`${model}: single digits kept 'digit' and right ${score(singles, () => [])}; pairs read exactly ${score(pairs, (i) => [overlaps[i]!])}; triples ${score(triples, (i) => tripleGaps[i]!)} (without -> with strokes; ${count} each)`);
  recognizer.dispose();
}
