// One family through two copies of the preprocess sources: which pictures' 28x28 differ, and of those the ones whose
// CNN or MLP read flips (label, A -> B reads, plain's CNN read), drawn as picture, A, B, plain (at most maxShow).
// Usage: copy-diff.ts <family> <count> <a/index.ts> <b/index.ts> [out.png] [maxShow]
import { writeFile } from 'node:fs/promises';
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { toGrayscale } from '@digitkit/preprocess';
import { createRecognizer, type Recognizer } from '@digitkit/recognizer';
import { corruptFamily, FAMILIES } from '../corruptions/families.js';
import { plainMnist } from '../corruptions/plain.js';
import { contactSheet } from './contact-sheet.js';
const [name, n, a, b, out = '/tmp/diff.png', maxShow = '24'] = process.argv.slice(2) as string[];
type ToMnist = typeof import('@digitkit/preprocess').toMnistFormat;
const A: ToMnist = (await import(a!)).toMnistFormat;
const B: ToMnist = (await import(b!)).toMnistFormat;
await useBackend('wasm', { log: null });
const cnn = await createRecognizer({ model: 'cnn', log: null });
const mlp = await createRecognizer({ model: 'mlp', log: null });
const { test } = await loadMnist();
const set = corruptFamily(FAMILIES.find((f) => f.name === name)!, test, Number(n), 1);
const blank = new Uint8Array(784);
const run = (f: ToMnist) => set.pictures.map((p) => { const r = f(p); return r.empty ? blank : r.pixels; });
const [pa, pb] = [run(A), run(B)];
const pl = set.pictures.map((p) => plainMnist(p) ?? blank);
const read = (r: Recognizer, images: Uint8Array[]): number[] => { const batch = new Uint8Array(images.length * 784); images.forEach((im, i) => batch.set(im, i * 784)); return r.recognizeMnistBatch(batch).map((x) => (x.verdict === 'digit' ? x.label : -1)); };
const [ca, cb, cp, ma, mb] = [read(cnn, pa), read(cnn, pb), read(cnn, pl), read(mlp, pa), read(mlp, pb)];
const diff = [...set.labels.keys()].filter((i) => pa[i]!.some((v, k) => v !== pb[i]![k]));
const flips = diff.filter((i) => (ca[i] === set.labels[i]) !== (cb[i] === set.labels[i]) || (ma[i] === set.labels[i]) !== (mb[i] === set.labels[i]));
console.log(`${diff.length} differ; ${flips.length} flip: ` + flips.map((i) => `#${i} ${set.labels[i]} cnn ${ca[i]}->${cb[i]} mlp ${ma[i]}->${mb[i]} (plain ${cp[i]})`).join('; '));
const show = flips.slice(0, Number(maxShow));
const per = 3;
const { put: putAt, png } = contactSheet(per * 4, Math.max(1, Math.ceil(show.length / per)), 112);
const put = (d: Uint8Array, w: number, h: number, cell: number) => putAt(d, w, h, cell % (per * 4), Math.floor(cell / (per * 4)));
show.forEach((i, k) => { const g = toGrayscale(set.pictures[i]!); put(g.data, g.width, g.height, 4 * k); put(pa[i]!, 28, 28, 4 * k + 1); put(pb[i]!, 28, 28, 4 * k + 2); put(pl[i]!, 28, 28, 4 * k + 3); });
await writeFile(out, png());
