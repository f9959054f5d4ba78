// Do the two shipped models' answers on a few nudged views of the 28x28 (shifted, turned, zoomed, a thicker or thinner
// stroke: the training augmenter's own ops) tell one digit from what is no digit better than today's rule? Per picture
// of the tuning half of scribbles, letters, symbols and single digits: both models on the 28x28 recognize() makes and
// on a pool of views; then rules over the views' agreement, each held to >= 97% of the right single digits kept.
//   TSX_TSCONFIG_PATH=tsconfig.bench.json node --import tsx src/experiments/verdict-views.ts [tune|held-out] [count]
// The held-out half prints only the rules named in CHOSEN (fixed from the tuning run) beside today's. --time: the cost
// of 1 against 1 + K images a forward pass, and of making K views.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { type DigitModel, useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { predict } from '@digitkit/model';
import { type AugmenterOptions, createAugmenter, normalize, toMnistFormat } from '@digitkit/preprocess';
import { createRecognizer } from '@digitkit/recognizer';
import { WHOLE_INK_AS_DIGIT } from '../models.js';
import { VERDICT_SETS } from '../negatives/sets.js';

const half = (process.argv[2] ?? 'tune') as 'tune' | 'held-out';
const count = Number(process.argv[3] ?? 400);
const SIZE = 784;

/**
 * The pool of views, by family: each family is one seeded augmenter made afresh per picture, so every picture gets the
 * same nudges (the augmenter's random draws do not depend on the image).
 */
const FAMILIES: Record<string, { options: Omit<AugmenterOptions, 'seed'>; views: number }> = {
  shift: { options: { maxShift: 2 }, views: 4 },
  turn: { options: { maxShift: 0, maxRotation: 10 }, views: 4 },
  zoom: { options: { maxShift: 0, scale: [0.88, 1.12] }, views: 4 },
  stroke: { options: { maxShift: 0, strokeWidth: 1 }, views: 4 },
  small: { options: { maxShift: 1, maxRotation: 8, scale: [0.9, 1.1] }, views: 8 },
  large: { options: { maxShift: 2, maxRotation: 12, scale: [0.85, 1.15], strokeWidth: 0.25 }, views: 8 },
};
const POOL = Object.values(FAMILIES).reduce((n, f) => n + f.views, 0);

/** The pool's views of one 28x28, as floats in [0, 1] (what normalize gives), one after another. */
function makeViews(pixels: Uint8Array, families = Object.values(FAMILIES), out = new Float32Array(POOL * SIZE)): Float32Array {
  let at = 0;
  for (const { options, views } of families) {
    const augment = createAugmenter({ seed: 11, ...options });
    for (let v = 0; v < views; v++, at++) augment(pixels, out.subarray(at * SIZE, (at + 1) * SIZE));
  }
  return out;
}

await useBackend('wasm', { log: null });
const cnn = await createRecognizer({ model: 'cnn', log: null, verdicts: WHOLE_INK_AS_DIGIT });
const mlp = await createRecognizer({ model: 'mlp', log: null, verdicts: WHOLE_INK_AS_DIGIT });

if (process.argv.includes('--time')) {
  timeIt(cnn.model, mlp.model);
  process.exit(0);
}

type Probabilities = readonly number[];

/** One picture: its set, the label if a single digit, and what the whole-picture rule decides on (null: not decided by it). */
interface Row {
  set: string;
  label: number | null;
  /** Single digits: the CNN right on the whole ink before verdicts (the bench's denominator). */
  rightBefore: boolean;
  whole: { aspect: number; cnn: Probabilities; mlp: Probabilities; cnnViews: Probabilities[]; mlpViews: Probabilities[] } | null;
}

const cache = process.env.DIGITKIT_VIEWS_CACHE ? `${process.env.DIGITKIT_VIEWS_CACHE}.${half}.${count}.json` : null;
const rows: Row[] = cache && existsSync(cache) ? (JSON.parse(readFileSync(cache, 'utf8')) as Row[]) : await collect();
if (cache && !existsSync(cache)) writeFileSync(cache, JSON.stringify(rows));

async function collect(): Promise<Row[]> {
  const { test } = await loadMnist();
  const out: Row[] = [];
  for (const set of VERDICT_SETS.filter((s) => s.kind !== 'number')) {
    const t0 = performance.now();
    for (const sample of set.draw(test, half, count)) {
      const r = cnn.recognize(sample.image);
      const label = sample.digits?.[0] ?? null;
      const f = label === null ? null : toMnistFormat(sample.image);
      const before = f && !f.empty ? cnn.recognizeMnist(f.pixels) : null;
      const rightBefore = before?.verdict === 'digit' && before.label === label;
      // 'empty', and pieces read as a number or refused: the whole-picture rule does not decide these.
      if (r.verdict !== 'digit') {
        out.push({ set: set.name, label, rightBefore, whole: null });
        continue;
      }
      const images = new Float32Array((1 + POOL) * SIZE);
      normalize(r.pixels, images);
      makeViews(r.pixels, undefined, images.subarray(SIZE));
      const [c0, ...cv] = predict(cnn.model, images, 1 + POOL).map((p) => p.probabilities);
      const [m0, ...mv] = predict(mlp.model, images, 1 + POOL).map((p) => p.probabilities);
      out.push({ set: set.name, label, rightBefore, whole: { aspect: r.box.width / r.box.height, cnn: c0!, mlp: m0!, cnnViews: cv, mlpViews: mv } });
    }
    console.error(`${set.name} (${half}): ${((performance.now() - t0) / 1000).toFixed(0)} s`);
  }
  return out;
}

// ---- Features and rules ----

/** The view sets tried: pool indices, by family and how many of its views. */
const VIEW_SETS: Record<string, number[]> = {};
{
  let at = 0;
  for (const [name, family] of Object.entries(FAMILIES)) {
    const all = Array.from({ length: family.views }, (_, i) => at + i);
    VIEW_SETS[name] = all;
    if (family.views === 8) for (const k of [4, 6]) VIEW_SETS[`${name}${k}`] = all.slice(0, k);
    at += family.views;
  }
  VIEW_SETS['small4+stroke'] = [...VIEW_SETS.small4!, ...VIEW_SETS.stroke!];
  VIEW_SETS['shift+turn+zoom'] = [...VIEW_SETS.shift!, ...VIEW_SETS.turn!, ...VIEW_SETS.zoom!];
}

const FEATURES = ['c0', 'm0', 'cMean', 'cMin', 'cAgree', 'mMean', 'mMin', 'mAgree'] as const;
type Feature = (typeof FEATURES)[number];
const argmax = (p: readonly number[]) => p.indexOf(Math.max(...p));

/** A picture's features on one view set, for the CNN's label on the unnudged 28x28. */
function features(w: NonNullable<Row['whole']>, views: readonly number[]): Record<Feature, number> & { label: number } {
  const label = argmax(w.cnn);
  const on = (all: readonly Probabilities[]) => views.map((v) => all[v]!);
  const stats = (ps: readonly Probabilities[]) => ({
    mean: ps.reduce((s, p) => s + p[label]!, 0) / Math.max(1, ps.length),
    min: Math.min(...ps.map((p) => p[label]!)),
    agree: ps.filter((p) => argmax(p) === label).length / Math.max(1, ps.length),
  });
  const c = stats(on(w.cnnViews));
  const m = stats(on(w.mlpViews));
  return { label, c0: w.cnn[label]!, m0: w.mlp[label]!, cMean: c.mean, cMin: c.min, cAgree: c.agree, mMean: m.mean, mMin: m.min, mAgree: m.agree };
}

/** Called one digit when the ink is at most 1.6 times as wide as high and every term's feature reaches its threshold. */
interface Rule {
  views: string;
  terms: [Feature, number][];
}
const ruleName = (r: Rule) => `${r.terms.map(([f, t]) => `${f}>=${t}`).join(' & ')}${r.terms.some(([f]) => f !== 'c0' && f !== 'm0') ? ` [${r.views}]` : ''}`;

const sets = ['scribbles', 'letters', 'symbols', 'single digits'];
/** Per view set, per picture decided by the whole-picture rule: its features (computed once). */
const featureCache = new Map<string, (ReturnType<typeof features> | null)[]>();
function featuresOf(views: string) {
  let got = featureCache.get(views);
  if (!got) {
    got = rows.map((r) => (r.whole && r.whole.aspect <= 1.6 ? features(r.whole, VIEW_SETS[views] ?? []) : null));
    featureCache.set(views, got);
  }
  return got;
}

/** Per set: non-digits not called a digit, or single digits right before and kept 'digit' and right. */
function score(rule: Rule): number[] {
  const fs = featuresOf(rule.views);
  const pass = new Map<string, [number, number]>(sets.map((s) => [s, [0, 0]]));
  rows.forEach((row, i) => {
    const f = fs[i];
    const called = f !== null && rule.terms.every(([name, t]) => f![name] >= t);
    // Rows of the sets added since (the soft ones) are collected but not scored here.
    const tally = pass.get(row.set);
    if (!tally) return;
    if (row.label === null) {
      tally[0] += called ? 0 : 1;
      tally[1]++;
    } else if (row.rightBefore) {
      tally[0] += called && f!.label === row.label ? 1 : 0;
      tally[1]++;
    }
  });
  return sets.map((s) => pass.get(s)![0] / pass.get(s)![1]);
}

const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
const line = (name: string, s: number[]) => `${name.padEnd(76)}${s.map((v) => pct(v).padStart(14)).join('')}`;
console.log(`${half} half, ${count} a set: ${rows.filter((r) => r.whole).length} of ${rows.length} pictures decided by the whole-picture rule`);
console.log(`${'rule (aspect <= 1.6 and ...)'.padEnd(76)}${sets.map((s) => s.padStart(14)).join('')}`);

const TODAY: Rule = { views: 'none', terms: [['c0', 0.7], ['m0', 0.3]] };
console.log(line('always (ceiling)', score({ views: 'none', terms: [] })));
console.log(line(`today: ${ruleName(TODAY)}`, score(TODAY)));
// The hypothesis itself: of what today's rule calls a digit (single digits: called and right), how much keeps its label
// in every view, and the CNN's least probability for it over the views (median).
for (const views of ['small', 'small4+stroke']) {
  const fs = featuresOf(views);
  const cells = sets.map((set) => {
    const called = rows.flatMap((r, i) => {
      const f = fs[i];
      return r.set === set && f && TODAY.terms.every(([n, t]) => f[n] >= t) && (r.label === null || (r.rightBefore && f.label === r.label)) ? [f] : [];
    });
    const mins = called.map((f) => f.cMin).sort((a, b) => a - b);
    const low = `${mins.filter((m) => m < 0.5).length}/${called.length}`;
    return `${pct(called.filter((f) => f.cAgree === 1).length / called.length)} ${(mins[mins.length >> 1] ?? 0).toFixed(2)} ${low}`.padStart(20);
  });
  console.log(`${`called by today's: same label in all views, median cMin, cMin<0.5 [${views}]`.padEnd(70)}${cells.join('')}`);
}

/**
 * Chosen on the tuning half (400 a set), the only rules the held-out half is measured on: today's form at the same
 * single-digit level (97.2%), and the best rule with views that is at least as good on each negative set ("best with
 * views, >= today's form"; the best on the worst set alone, c0>=0.55 & m0>=0.4 & cMin>=0.4 [small4+stroke], gives
 * 90.5 / 89.5 / 84.0%, a letter fewer than today's form).
 */
const CHOSEN: Rule[] = [
  { views: 'none', terms: [['c0', 0.6], ['m0', 0.4]] },
  { views: 'stroke', terms: [['cMean', 0.65], ['m0', 0.4]] },
];

if (half === 'tune') {
  const grid = (from: number, to: number, step: number) => Array.from({ length: Math.round((to - from) / step) + 1 }, (_, i) => Math.round((from + i * step) * 1000) / 1000);
  const thresholds: Record<Feature, number[]> = {
    c0: grid(0.3, 0.95, 0.05),
    m0: grid(0, 0.9, 0.05),
    cMean: grid(0.3, 0.95, 0.05),
    cMin: grid(0, 0.9, 0.05),
    cAgree: grid(0.25, 1, 0.125),
    mMean: grid(0, 0.9, 0.05),
    mMin: grid(0, 0.9, 0.05),
    mAgree: grid(0.25, 1, 0.125),
  };
  type Scored = { rule: Rule; s: number[] };
  /** Ordering of rules keeping >= 97% of the single digits: the most of the worst negative set, then of all three. */
  const better = (a: Scored, b: Scored | null) => {
    if (!b) return true;
    const [wa, wb] = [Math.min(...a.s.slice(0, 3)), Math.min(...b.s.slice(0, 3))];
    return wa > wb + 1e-9 || (Math.abs(wa - wb) < 1e-9 && a.s[0]! + a.s[1]! + a.s[2]! > b.s[0]! + b.s[1]! + b.s[2]! + 1e-9);
  };
  let reference: Scored | null = null;
  /** The best rule with views overall, and the best of those at least as good as `reference` on every negative set. */
  let overall: Scored | null = null;
  let dominating: Scored | null = null;
  /** ...and the best at least as good as today's shipped rule on every negative set. */
  const today = score(TODAY);
  let beatsToday: Scored | null = null;
  const best = (family: string, rules: Rule[]) => {
    let top: Scored | null = null;
    for (const rule of rules) {
      const scored = { rule, s: score(rule) };
      if (scored.s[3]! < 0.97) continue;
      if (better(scored, top)) top = scored;
      if (reference && rule.views !== 'none') {
        if (better(scored, overall)) overall = scored;
        if (scored.s.slice(0, 3).every((v, i) => v >= reference!.s[i]!) && better(scored, dominating)) dominating = scored;
        if (scored.s.slice(0, 3).every((v, i) => v >= today[i]!) && better(scored, beatsToday)) beatsToday = scored;
      }
    }
    console.log(top ? line(`${family}: ${ruleName(top.rule)}`, top.s) : `${family}: none keeps 97% of the single digits`);
    return top;
  };
  reference = best('today\'s form', thresholds.c0.flatMap((a) => thresholds.m0.map((b): Rule => ({ views: 'none', terms: [['c0', a], ['m0', b]] }))));
  for (const views of Object.keys(VIEW_SETS)) {
    console.log(`-- views ${views} (${VIEW_SETS[views]!.length})`);
    // Today's two numbers at any level, plus one view feature: the views may let the unnudged thresholds relax.
    for (const f of ['cMean', 'cMin', 'mMean', 'mMin'] as Feature[]) {
      const family = grid(0.5, 0.9, 0.05).flatMap((a) => grid(0, 0.6, 0.05).flatMap((b) => thresholds[f].map((t): Rule => ({ views, terms: [['c0', a], ['m0', b], [f, t]] }))));
      best(`  c0 & m0 & ${f}`, family);
    }
    for (const [cf, mf] of [['cMean', 'mMean'], ['cMin', 'mMean'], ['c0', 'mMean'], ['cMean', 'm0'], ['cAgree', 'mMean'], ['cMean', 'mMin']] as [Feature, Feature][]) {
      best(`  ${cf} & ${mf}`, thresholds[cf].flatMap((a) => thresholds[mf].map((b): Rule => ({ views, terms: [[cf, a], [mf, b]] }))));
    }
  }
  const o = overall as Scored | null;
  const d = dominating as Scored | null;
  if (o) console.log(line(`best with views: ${ruleName(o.rule)}`, o.s));
  if (d) console.log(line(`best with views, >= today's form on each set: ${ruleName(d.rule)}`, d.s));
  const b = beatsToday as Scored | null;
  console.log(b ? line(`best with views, >= today's rule on each set: ${ruleName(b.rule)}`, b.s) : "no rule with views keeps 97% and is >= today's rule on each negative set");
}
for (const rule of CHOSEN) console.log(line(`chosen: ${ruleName(rule)}`, score(rule)));

/** Milliseconds for one picture's forward passes: 1 image against 1 + K, per model, and making K views. */
function timeIt(...models: DigitModel[]): void {
  const pixels = new Uint8Array(SIZE);
  for (let y = 6; y < 22; y++) for (let x = 12; x < 16; x++) pixels[y * 28 + x] = 255;
  const ms = (f: () => void, n = 200) => {
    for (let i = 0; i < 20; i++) f();
    const t0 = performance.now();
    for (let i = 0; i < n; i++) f();
    return (performance.now() - t0) / n;
  };
  for (const k of [0, 4, 6, 8]) {
    const images = new Float32Array((1 + k) * SIZE);
    normalize(pixels, images);
    const made = (['small', 'stroke'] as const).map((f) => (k > 0 ? ms(() => makeViews(pixels, [{ ...FAMILIES[f]!, views: k }], images.subarray(SIZE))) : 0));
    const each = models.map((m) => ms(() => predict(m, images, 1 + k), 500));
    console.log(`1 + ${k} images: making the views ${made.map((t) => t.toFixed(3)).join(' (small) / ')} ms (stroke), forward ${models.map((m, i) => `${m.kind} ${each[i]!.toFixed(2)} ms`).join(', ')}`);
  }
}
