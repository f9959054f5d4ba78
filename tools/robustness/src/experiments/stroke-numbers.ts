// Strokes not designed here: MNIST test digits (the held-out half, 5,000-9,999) traced into strokes (their skeletons
// broken at every junction: more strokes than a writer would use), drawn as the web pad draws (112 px, 8 px pen, dark on
// white). Single digits, and pairs and triples whose lines touch or overlap (by up to `overlap` of the height), each
// read with and without `recognize`'s `strokes` option. Prints how many single digits stay 'digit' and right and how
// many numbers are read exactly. `node --import tsx src/experiments/stroke-numbers.ts [count=300] [models=cnn,mlp] [overlap=0.1] [pen=8] [side=112]`
// (a negative overlap: pairs apart, their lines up to that share of the height apart).
import { createRng, useBackend, type Rng } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer, type Recognition } from '@digitkit/recognizer';
import { asBlackOnWhite, digitSkeleton, penCoverage, type Skeleton } from '@digitkit/testkit';

const count = Number(process.argv[2] ?? 300);
const models = (process.argv[3] ?? 'cnn,mlp').split(',');
const maxOverlap = Number(process.argv[4] ?? 0.1);
const [PEN, SIDE] = [Number(process.argv[5] ?? 8), Number(process.argv[6] ?? 112)];
type Line = [number, number][];

/** A skeleton's chains: paths between its ends and junctions (and each loop left over, once round). */
function chains({ points, segments }: Skeleton): Line[] {
  const n = points.length / 2;
  const next: number[][] = Array.from({ length: n }, () => []);
  for (let s = 0; s < segments.length; s += 2) {
    next[segments[s]!]!.push(segments[s + 1]!);
    next[segments[s + 1]!]!.push(segments[s]!);
  }
  const used = new Set<string>();
  const edge = (a: number, b: number) => (a < b ? `${a},${b}` : `${b},${a}`);
  const walk = (from: number, to: number): number[] => {
    const path = [from];
    let [prev, at] = [from, to];
    used.add(edge(prev, at));
    while (true) {
      path.push(at);
      if (next[at]!.length !== 2) return path;
      const ahead = next[at]!.find((k) => k !== prev && !used.has(edge(at, k)));
      if (ahead === undefined) return path;
      used.add(edge(at, ahead));
      [prev, at] = [at, ahead];
    }
  };
  const paths: number[][] = [];
  const starts = [...next.keys()].filter((i) => next[i]!.length !== 2);
  for (const i of [...starts, ...next.keys()]) for (const k of next[i]!) if (!used.has(edge(i, k))) paths.push(walk(i, k));
  for (let i = 0; i < n; i++) if (next[i]!.length === 0) paths.push([i]);
  return paths.map((path) => path.map((i) => [points[2 * i]!, points[2 * i + 1]!]));
}

/** Digits `sources` of the test set side by side, their lines `gaps` (fractions of the height) apart. */
function drawn(test: { images: Uint8Array }, sources: number[], gaps: number[]): { raster: { data: Uint8Array; width: number; height: number }; strokes: Line[] } {
  const lines = sources.map((s) => chains(digitSkeleton(test.images.subarray(s * 784, (s + 1) * 784), 28)));
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
