// One sureness score instead of two thresholds in a cascade? Per picture of the verdict sets (both halves) that the
// whole-ink rule decides: the model's probability for its label on the 28x28, the mean over its stroke views, and the
// other shipped model's; then, on the tuning half only, a weighted sum of their logs is searched over a grid of weights,
// each with the threshold that keeps the tuning half's single digits as today's cascade does (and at 97%), and the best
// is printed beside today's on both halves.
//   TSX_TSCONFIG_PATH=tsconfig.bench.json node --import tsx src/experiments/verdict-score.ts [cnn|mlp] [count, 600]
// DIGITKIT_SCORE_CACHE=<file prefix>: keep the collected rows (collecting takes minutes).
// DIGITKIT_OWN_MODEL=<saved model dir>: a candidate in the shipped model's place (the second opinion stays the other
// shipped model's). DIGITKIT_EXTRA_MODEL=<saved model dir>: a candidate second opinion; its probability is a fourth term, searched too.
// Sets made by others (UCI's digits, handwriting fonts, Fashion-MNIST; src/negatives/outside.ts) are collected as a third, 'outside' half:
// printed, never searched on.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { predict } from '@digitkit/model';
import { normalize, toMnistFormat } from '@digitkit/preprocess';
import { STROKE_VIEWS, createRecognizer } from '@digitkit/recognizer';
// Not in the package's surface: the views' pixels are the recognizer's own business (as in soft-thresholds.ts).
import { writeStrokeViews } from '../../../../packages/recognizer/src/verdicts.js';
import { outsideSets } from '../negatives/outside.js';
import { HALVES } from '../negatives/scene.js';
import { VERDICT_SETS } from '../negatives/sets.js';

const name = (process.argv[2] ?? 'cnn') as 'cnn' | 'mlp';
const count = Number(process.argv[3] ?? 600);
const SIZE = 784;
const SETS = VERDICT_SETS.filter((s) => s.kind !== 'number');

/** One picture the whole-ink rule decides (the rest are decided by aspect, shape or pieces, not by the score). */
interface Row {
  set: string;
  half: string;
  /** Single digits: the true label, and whether the model was right before any verdict (the bench's denominator). */
  label: number | null;
  rightBefore: boolean;
  /** Whether the recognizer with no confidence thresholds calls it one digit, and the label it gives. */
  open: boolean;
  guess: number;
  /** The model's, its stroke views' mean and the other model's probability for `guess`. */
  p: number;
  views: number;
  second: number;
  /** DIGITKIT_EXTRA_MODEL's probability for `guess` (1 when there is none: a term of weight 0). */
  extra: number;
}

const extraPath = process.env.DIGITKIT_EXTRA_MODEL;
const ownPath = process.env.DIGITKIT_OWN_MODEL;

const cacheKey = [name, count, ownPath, extraPath].filter((part) => part !== undefined).join('.').replace(/[^\w.-]+/g, '_');
const cache = process.env.DIGITKIT_SCORE_CACHE ? `${process.env.DIGITKIT_SCORE_CACHE}.${cacheKey}.json` : null;
const rows: Row[] = cache && existsSync(cache) ? (JSON.parse(readFileSync(cache, 'utf8')) as Row[]) : await collect();
if (cache && !existsSync(cache)) writeFileSync(cache, JSON.stringify(rows));
const OUTSIDE = [...new Set(rows.filter((r) => r.half === 'outside').map((r) => r.set))];

async function collect(): Promise<Row[]> {
  await useBackend('wasm', { log: null });
  const { test } = await loadMnist();
  // Every piece of ink that passes the aspect and shape checks is one digit; the views and the second model are
  // computed below, once, so the recognizers need neither.
  const open = { minSureness: 0, viewWeight: 0, secondOpinionWeight: 0 };
  const own = await createRecognizer({ model: ownPath ?? name, log: null, verdicts: open });
  const other = await createRecognizer({ model: name === 'cnn' ? 'mlp' : 'cnn', log: null, verdicts: open });
  const extra = extraPath ? await createRecognizer({ model: extraPath, log: null, verdicts: open }) : null;
  const out: Row[] = [];
  // Each set's halves, then the digits by other writers as the 'outside' half.
  const halves = [
    ...SETS.flatMap((set) => HALVES.map((half) => ({ set: set.name, half, samples: () => set.draw(test, half, count) }))),
    ...(await outsideSets()).map(({ set, samples }) => ({ set: set.name, half: 'outside', samples: () => samples })),
  ];
  for (const { set, half, samples } of halves) {
    const t0 = performance.now();
    for (const sample of samples()) {
      const label = sample.digits?.[0] ?? null;
      const f = label === null ? null : toMnistFormat(sample.image);
      const before = f && !f.empty ? own.recognizeMnist(f.pixels) : null;
      const rightBefore = before?.verdict === 'digit' && before.label === label;
      const r = own.recognize(sample.image);
      if (r.verdict !== 'digit') {
        out.push({ set, half, label, rightBefore, open: false, guess: -1, p: 0, views: 0, second: 0, extra: 0 });
        continue;
      }
      const images = new Float32Array((1 + STROKE_VIEWS.count) * SIZE);
      normalize(r.pixels, images);
      writeStrokeViews(r.pixels, images.subarray(SIZE));
      const [whole, ...views] = predict(own.model, images, 1 + STROKE_VIEWS.count).map((p) => p.probabilities);
      const second = predict(other.model, images.subarray(0, SIZE), 1)[0]!.probabilities;
      const third = extra ? predict(extra.model, images.subarray(0, SIZE), 1)[0]!.probabilities : null;
      const guess = r.label;
      out.push({ set, half, label, rightBefore, open: true, guess, p: whole![guess]!, views: views.reduce((s, v) => s + v[guess]!, 0) / views.length, second: second[guess]!, extra: third ? third[guess]! : 1 });
    }
    console.error(`${set} (${half}): ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  return out;
}

// ---- Rules ----

type Called = (r: Row) => boolean;
const EPS = 1e-6;
const log = (v: number) => Math.log(Math.max(EPS, v));
const score = (w: readonly number[], r: Row) => w[0]! * log(r.p) + w[1]! * log(r.views) + w[2]! * log(r.second) + (w[3] ?? 0) * log(r.extra);
const NEGATIVE = SETS.filter((s) => s.kind === 'not-a-digit').map((s) => s.name);
const DIGITS = SETS.filter((s) => s.kind === 'digit').map((s) => s.name);

/** Per set of a half: not-a-digit, not called; digit, of those right before, still called and right. */
function rates(half: string, called: Called): Record<string, number> {
  const out: Record<string, number> = {};
  const sets = half === 'outside' ? OUTSIDE.map((n) => ({ name: n, kind: rows.some((r) => r.set === n && r.label === null) ? 'not-a-digit' : 'digit' })) : SETS;
  for (const set of sets) {
    const these = rows.filter((r) => r.set === set.name && r.half === half && (set.kind !== 'digit' || r.rightBefore));
    const pass = these.filter((r) => (set.kind === 'digit' ? r.open && called(r) && r.guess === r.label : !(r.open && called(r))));
    out[set.name] = pass.length / these.length;
  }
  return out;
}

/** The threshold on `w`'s score that keeps at least `keep` of the tuning half's right single digits. */
function thresholdFor(w: readonly number[], keep: number): number {
  const right = rows.filter((r) => r.set === 'single digits' && r.half === 'tune' && r.rightBefore);
  const scores = right.filter((r) => r.open && r.guess === r.label).map((r) => score(w, r)).sort((a, b) => b - a);
  return scores[Math.ceil(keep * right.length) - 1] ?? -Infinity;
}

// The cascade shipped before the score (stop 31): a threshold on each probability.
const CASCADE = { cnn: { p: 0, views: 0.55, second: 0.4 }, mlp: { p: 0.6, views: 0, second: 0.3 } }[name];
const today: Called = (r) => r.p >= CASCADE.p && r.views >= CASCADE.views && r.second >= CASCADE.second;
const todayKeep = rates('tune', today)['single digits']!;
const pct = (v: number) => `${(v * 100).toFixed(1)}`.padStart(7);
const order = [...NEGATIVE, ...DIGITS];
const line = (label: string, called: Called) =>
  `${label.padEnd(52)}${HALVES.map((h) => order.map((s) => pct(rates(h, called)[s]!)).join('')).join('   |')}   |${OUTSIDE.map((s) => pct(rates('outside', called)[s]!)).join('')}`;
console.log(`${name}${ownPath ? ` (${ownPath} in its place)` : ''}, ${count} a set and half${extraPath ? `, extra model ${extraPath}` : ''}; columns ${order.join(', ')} (tuning half | held-out half) | ${OUTSIDE.join(', ')} kept`);
console.log(line('the cascade shipped before', today));

for (const keep of [todayKeep, 0.97]) {
  // The grid: the model's weight fixed at 1 (the score's scale is the threshold's), the others 0-4.
  const grid: number[][] = [];
  const extraWeights = extraPath ? [0, 0.5, 1, 1.5, 2, 3, 4] : [0];
  for (let v = 0; v <= 4; v += 0.25) for (let s = 0; s <= 4; s += 0.25) for (const e of extraWeights) grid.push([1, v, s, e]);
  const ranked = grid
    .map((w) => {
      const t = thresholdFor(w, keep);
      const r = rates('tune', (row) => score(w, row) >= t);
      return { w, t, worst: Math.min(...NEGATIVE.map((s) => r[s]!)), mean: NEGATIVE.reduce((m, s) => m + r[s]!, 0) / NEGATIVE.length };
    })
    .sort((a, b) => b.mean - a.mean);
  console.log(`-- single digits kept ${pct(keep)}% on the tuning half: best weights by mean of the negative sets`);
  for (const { w, t } of ranked.slice(0, 5)) console.log(line(`w ${w.join(',')} t ${t.toFixed(2)}`, (row) => score(w, row) >= t));
  const byWorst = [...ranked].sort((a, b) => b.worst - a.worst)[0]!;
  console.log(line(`best worst: w ${byWorst.w.join(',')} t ${byWorst.t.toFixed(2)}`, (row) => score(byWorst.w, row) >= byWorst.t));
  if (extraPath) {
    // The best with the extra model instead of the shipped second opinion, and with the shipped one alone.
    for (const [label, keepIf] of [['extra instead', (w: number[]) => w[2] === 0], ['no extra', (w: number[]) => w[3] === 0]] as const) {
      const best = ranked.find((r) => keepIf(r.w))!;
      console.log(line(`${label}: w ${best.w.join(',')} t ${best.t.toFixed(2)}`, (row) => score(best.w, row) >= best.t));
    }
  }
}

// The weights shipped (rounded from the grid's best at 97% on the tuning half), with the threshold as a weighted
// geometric mean of the three probabilities (what VerdictThresholds.minSureness is).
const CHOSEN: Record<typeof name, number[]> = { cnn: [1, 3, 2], mlp: [1, 1.5, 4] };
{
  const w = CHOSEN[name];
  const t = thresholdFor(w, 0.97);
  const total = w.reduce((a, b) => a + b, 0);
  console.log(`-- chosen: weights ${w.join(', ')}, minSureness ${Math.exp(t / total).toFixed(3)} (97% of the tuning half's single digits)`);
  console.log(line(`chosen w ${w.join(',')} t ${t.toFixed(2)}`, (row) => score(w, row) >= t));
  for (const m of [0.5, 0.55, 0.6, 0.65, 0.7]) console.log(line(`chosen, minSureness ${m}`, (row) => score(w, row) >= Math.log(m) * total));
}
