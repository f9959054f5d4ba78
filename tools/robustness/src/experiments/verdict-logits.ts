// Feature-space evidence: the CNN's dense_1 activations (distance to class means of MNIST training images) and its
// logits (energy, max logit), per tuning-half picture of the verdict sets.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { normalize, toMnistFormat } from '@digitkit/preprocess';
import { createRecognizer } from '@digitkit/recognizer';
import { VERDICT_SETS } from '../negatives/sets.js';

const count = Number(process.argv[2] ?? 60);
await useBackend('wasm', { log: null });
const { train, test } = await loadMnist();
const cnn = await createRecognizer({ model: 'cnn', log: null });
const mlp = await createRecognizer({ model: 'mlp', log: null });
const net = cnn.model.net as tfl.LayersModel;
const feat = tfl.model({ inputs: net.inputs, outputs: net.getLayer('dense_1').output as tfl.SymbolicTensor });
const [W, b] = net.getLayer('output').getWeights() as [tf.Tensor2D, tf.Tensor1D];
const Wd = W.dataSync(); const bd = b.dataSync();
function features(images: Uint8Array, n: number): Float32Array {
  const x = tf.tensor4d(normalize(images), [n, 28, 28, 1]);
  const y = feat.predict(x) as tf.Tensor; const d = y.dataSync() as Float32Array; x.dispose(); y.dispose(); return d.slice();
}
const N = 10000;
const tf_ = features(train.images.subarray(0, N * 784), N);
const means = new Float64Array(10 * 128); const counts = new Float64Array(10);
for (let i = 0; i < N; i++) { const l = train.labels[i]!; counts[l]!++; for (let k = 0; k < 128; k++) means[l * 128 + k]! += tf_[i * 128 + k]!; }
for (let l = 0; l < 10; l++) for (let k = 0; k < 128; k++) means[l * 128 + k]! /= counts[l]!;
const dist = (f: Float32Array, o: number, l: number) => { let s = 0; for (let k = 0; k < 128; k++) { const d = f[o + k]! - means[l * 128 + k]!; s += d * d; } return Math.sqrt(s); };
const logits = (f: Float32Array, o: number) => Array.from({ length: 10 }, (_, c) => { let s = bd[c]!; for (let k = 0; k < 128; k++) s += f[o + k]! * Wd[k * 10 + c]!; return s; });
// typical distance of training digits to their own class mean: 99th percentile per class
const own: number[][] = Array.from({ length: 10 }, () => []);
for (let i = 0; i < N; i++) own[train.labels[i]!]!.push(dist(tf_, i * 128, train.labels[i]!));
const q = (a: number[], p: number) => { const s = [...a].sort((x, y) => x - y); return s[Math.floor(p * (s.length - 1))]!; };
const radius = own.map((a) => q(a, 0.99));
const trainMaxLogit = Array.from({ length: N }, (_, i) => Math.max(...logits(tf_, i * 128)));
console.log('radius99', radius.map((r) => r.toFixed(1)).join(' '), 'maxlogit p1', q(trainMaxLogit, 0.01).toFixed(2), 'p5', q(trainMaxLogit, 0.05).toFixed(2));
interface Row { set: string; rel: number; maxLogit: number; energy: number; conf: number; mOfC: number; agree: boolean; mConf: number }
const rows: Row[] = [];
for (const set of VERDICT_SETS) {
  if (set.kind === 'number') continue;
  for (const sample of set.draw(test, 'tune', count)) {
    const f = toMnistFormat(sample.image); if (f.empty) continue;
    const fe = features(f.pixels, 1); const lg = logits(fe, 0); const c = lg.indexOf(Math.max(...lg));
    if (set.kind === 'digit' && c !== sample.digits![0]) continue;
    const m = Math.max(...lg); const lse = m + Math.log(lg.reduce((s, v) => s + Math.exp(v - m), 0));
    const b = mlp.recognizeMnist(f.pixels); if (b.verdict !== 'digit') continue;
    rows.push({ set: set.name, rel: dist(fe, 0, c) / radius[c]!, maxLogit: m, energy: lse, conf: Math.exp(m - lse), mOfC: b.probabilities[c]!, agree: b.label === c, mConf: b.confidence });
  }
}
const sets = [...new Set(rows.map((r) => r.set))];
const rules: Record<string, (r: Row) => boolean> = {};
for (const t of [8, 10, 12]) for (const c of [0.5, 0.8, 0.9, 0.95]) rules[`logit>=${t}&mOfC>=${c}`] = (r) => r.maxLogit >= t && r.mOfC >= c;
for (const t of [5, 8, 10, 12, 15]) rules[`maxLogit>=${t}`] = (r) => r.maxLogit >= t;
for (const t of [5, 8, 10, 12, 15]) rules[`lse>=${t}`] = (r) => r.energy >= t;
for (const t of [1, 1.2]) for (const c of [0.8, 0.9]) rules[`rel<=${t}&conf>=${c}`] = (r) => r.rel <= t && r.conf >= c;
console.log(`${'rule'.padEnd(24)} ${sets.map((s) => s.padStart(14)).join('')}`);
for (const [name, rule] of Object.entries(rules)) console.log(`${name.padEnd(24)} ${sets.map((s) => { const r = rows.filter((x) => x.set === s); return `${((100 * r.filter(rule).length) / r.length).toFixed(1)}%`.padStart(14); }).join('')}`);
