// Would a looser verdict on soft pictures (a thumbnail scaled up, a photo out of focus) keep more soft digits without
// letting soft non-digits through? Per picture of the verdict sets (both halves) and UCI's digits by other writers:
// the CNN's answer with the verdicts open, its mean on the stroke views, the MLP's second opinion, and how soft the
// 28x28 is (preprocess's edge ramp: ~0.4 px for a crisp pen, ~1 px for a thumbnail). Then the cascade shipped until
// stop 31 beside rules with their own view and second-opinion thresholds above a softness, per set and half (UCI held
// out).
//   TSX_TSCONFIG_PATH=tsconfig.bench.json node --import tsx src/experiments/soft-thresholds.ts [count per set and half]
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { predict } from '@digitkit/model';
import { normalize } from '@digitkit/preprocess';
import { createRecognizer, STROKE_VIEWS, VERDICT_THRESHOLDS } from '@digitkit/recognizer';
import type { Raster } from '@digitkit/testkit';
import { edgeRamp } from '../../../../packages/preprocess/src/mnist-format.js';
import { glyphNotAOne } from '../../../../packages/recognizer/src/shapes.js';
// Not in the package's surface: the views' pixels are the recognizer's own business.
import { writeStrokeViews } from '../../../../packages/recognizer/src/verdicts.js';
import { findUciDigits, loadUciDigits } from '../corruptions/uci-digits.js';
import { HALVES } from '../negatives/scene.js';
import { WHOLE_INK_AS_DIGIT } from '../models.js';
import { VERDICT_SETS } from '../negatives/sets.js';

const count = Number(process.argv[2] ?? 300);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const cnn = await createRecognizer({ model: 'cnn', log: null, verdicts: WHOLE_INK_AS_DIGIT });
const mlp = await createRecognizer({ model: 'mlp', log: null, verdicts: WHOLE_INK_AS_DIGIT });

/** A picture as the whole-ink rule sees it (null: 'empty', or read as pieces); `label` null for a non-digit. */
interface Row {
  set: string;
  label: number | null;
  seen: { best: number; views: number; second: number; ramp: number; wide: boolean; glyph: boolean } | null;
}

function look(set: string, image: Raster, label: number | null): Row {
  const r = cnn.recognize(image);
  if (r.verdict !== 'digit') return { set, label, seen: null };
  const views = new Float32Array(784 * STROKE_VIEWS.count);
  writeStrokeViews(r.pixels, views);
  const held = predict(cnn.model, views, STROKE_VIEWS.count).reduce((sum, p) => sum + p.probabilities[r.label]!, 0) / STROKE_VIEWS.count;
  const second = predict(mlp.model, normalize(r.pixels), 1)[0]!.probabilities[r.label]!;
  const ramp = edgeRamp({ data: Float32Array.from(r.pixels), width: 28, height: 28 });
  const glyph = r.label === 1 && glyphNotAOne(r.pixels) !== null;
  return { set, label, seen: { best: r.label, views: held, second, ramp, wide: r.box.width / r.box.height > VERDICT_THRESHOLDS.cnn.maxAspect, glyph } };
}

const rows = new Map<string, Row[]>();
for (const set of VERDICT_SETS.filter((s) => s.kind !== 'number')) {
  for (const half of HALVES) rows.set(`${set.name}/${half}`, set.draw(test, half, count).map((s) => look(set.name, s.image, s.digits?.[0] ?? null)));
}
const uciPath = findUciDigits();
if (uciPath) {
  const uci = await loadUciDigits(uciPath);
  rows.set('UCI digits/held-out', uci.pictures.map((p, i) => look('UCI digits', p, uci.labels[i]!)));
}

type Seen = NonNullable<Row['seen']>;
/** Called one digit: the cascade's thresholds, or below `soft`'s ramp and above it each its own. */
const rule = (views: number, second: number, soft?: { ramp: number; views: number; second: number }) => (s: Seen) =>
  soft && s.ramp > soft.ramp ? s.views >= soft.views && s.second >= soft.second : s.views >= views && s.second >= second;
// The CNN's cascade before the sureness score (stop 32): its stroke views >= 0.55 and the MLP >= 0.4.
const cascade = { views: 0.55, second: 0.4 };
const RULES: Record<string, (s: Seen) => boolean> = {
  cascade: rule(cascade.views, cascade.second),
};
for (const ramp of [0.7, 0.8, 0.9]) {
  for (const [views, second] of [[0.5, 0.4], [0.5, 0.3], [0.4, 0.3], [0.3, 0.3]] as const) {
    RULES[`ramp > ${ramp}: views ${views}, second ${second}`] = rule(cascade.views, cascade.second, { ramp, views, second });
  }
}

/** Non-digits: not called one digit; digits: of those the open CNN reads right, kept 'digit' and right. */
function measure(list: readonly Row[], called: (s: Seen) => boolean): number {
  const calledDigit = (r: Row) => r.seen !== null && !r.seen.wide && !r.seen.glyph && called(r.seen);
  if (list[0]?.label === null) return list.filter((r) => !calledDigit(r)).length / list.length;
  const right = list.filter((r) => r.seen?.best === r.label);
  return right.filter(calledDigit).length / right.length;
}

const keys = [...rows.keys()];
const short = (k: string) => k.replace('/held-out', ' H').replace('/tune', ' T').replace('single digits', 'singles').replace('soft non-digits', 'soft non').replace('UCI digits', 'UCI');
console.log(`${'rule (aspect and shape checks as shipped)'.padEnd(40)}${keys.map((k) => short(k).padStart(14)).join('')}`);
for (const [name, called] of Object.entries(RULES)) {
  console.log(`${name.padEnd(40)}${keys.map((k) => `${(100 * measure(rows.get(k)!, called)).toFixed(1)}%`.padStart(14)).join('')}`);
}
