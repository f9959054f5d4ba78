// Splits a photo condition's misses into causes, using the ink as drawn (the pen cover, before paper, light, blur, noise
// and JPEG) as the truth: the same drawing on a clean pad ("clean") tells a misread drawing from a spoiled photo, and the
// 28x28 toMnistFormat gives of the photo beside the clean one's tells the pipeline's crop/background from the model.
// Writes per-picture figures (JSON) and contact sheets of the misses (photo crop as it is, photo 28x28, clean 28x28,
// plain 28x28) and of every miss's photo crop alone (to judge by eye whether a person could read it).
// Usage: photo-causes.ts [count] [seed] [condition] [outDir] [path/to/a/copy/of/preprocess/index.ts]
import { mkdir, writeFile } from 'node:fs/promises';
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { boundingBox, toGrayscale, toMnistFormat } from '@digitkit/preprocess';
import { createRecognizer } from '@digitkit/recognizer';
import { pearsonWithinOnePixel, toSurface } from '@digitkit/testkit';
import { CONDITIONS, drawWithCovers } from '../conditions.js';
import { plainMnist } from '../corruptions/plain.js';
import { WHOLE_INK_AS_DIGIT } from '../models.js';
import { contactSheet } from './contact-sheet.js';

const [count = '1000', seed = '7', name = 'photo-hard', outDir = '/tmp/photohard', copy] = process.argv.slice(2);
const toMnist: typeof toMnistFormat = copy ? (await import(copy)).toMnistFormat : toMnistFormat;
await useBackend('wasm', { log: null });
const recognizer = await createRecognizer({ model: 'cnn', log: null, verdicts: WHOLE_INK_AS_DIGIT });
const { test } = await loadMnist();
const condition = CONDITIONS.find((c) => c.name === name)!;
await mkdir(outDir, { recursive: true });

const blank = new Uint8Array(784);
const read = (image: Uint8Array | null) => {
  const result = image ? recognizer.recognizeMnist(image) : null;
  return result && 'label' in result ? result.label : -1;
};
type Row = {
  i: number;
  label: number;
  bench: number | string;
  photo: number;
  clean: number;
  plain: number;
  corr: number;
  plainCorr: number;
  boxIoU: number;
  boxGrow: number;
  boxCut: number;
  contrast: number;
  cnr: number;
  inverted: boolean;
  pen: number;
  digitPx: number;
  look: unknown;
};
const rows: Row[] = [];
const kept: { crop: Uint8Array; w: number; h: number; photo: Uint8Array; clean: Uint8Array; plain: Uint8Array }[] = [];
let k = 0;
for (const { digit, cover, look } of drawWithCovers(condition, test, Number(count), Number(seed))) {
  const i = k++;
  const { image, label } = digit;
  const { width, height } = image;
  const truth = boundingBox({ data: cover!, width, height }, 0.5)!;
  const got = recognizer.recognize(image);
  const bench = got.verdict === 'digit' ? got.label : got.verdict;
  const fit = toMnist(image);
  const photo = fit.empty ? null : fit.pixels;
  const cleanFit = toMnist(toSurface(cover!, width, height, 'black-on-white'));
  const clean = cleanFit.empty ? null : cleanFit.pixels;
  const plain = plainMnist(image);
  // The box the pipeline cropped to against the drawn ink's: how much it took beyond, and how much of the ink it cut.
  const box = fit.empty ? null : fit.box;
  const inter = box ? overlap(box, truth) : 0;
  const area = (b: { width: number; height: number }) => b.width * b.height;
  const gray = toGrayscale(image);
  const { contrast, cnr } = lookContrast(gray.data, cover!, width, height, truth, look?.noise ?? 0);
  rows.push({
    i,
    label,
    bench,
    photo: read(photo),
    clean: read(clean),
    plain: read(plain),
    corr: photo && clean ? pearsonWithinOnePixel(photo, clean) : 0,
    plainCorr: plain && clean ? pearsonWithinOnePixel(plain, clean) : 0,
    boxIoU: box ? inter / (area(box) + area(truth) - inter) : 0,
    boxGrow: box ? (area(box) - inter) / area(truth) : 0,
    boxCut: box ? 1 - inter / area(truth) : 1,
    contrast,
    cnr,
    inverted: !fit.empty && fit.inverted,
    pen: digit.pen,
    digitPx: Math.max(truth.width, truth.height),
    look,
  });
  if (bench !== label) {
    const m = Math.round(0.3 * Math.max(truth.width, truth.height));
    const x0 = Math.max(0, truth.x - m);
    const y0 = Math.max(0, truth.y - m);
    const x1 = Math.min(width, truth.x + truth.width + m);
    const y1 = Math.min(height, truth.y + truth.height + m);
    const crop = new Uint8Array((x1 - x0) * (y1 - y0));
    for (let y = y0; y < y1; y++) crop.set(gray.data.subarray(y * width + x0, y * width + x1), (y - y0) * (x1 - x0));
    kept.push({ crop, w: x1 - x0, h: y1 - y0, photo: photo ?? blank, clean: clean ?? blank, plain: plain ?? blank });
  }
}

function overlap(a: { x: number; y: number; width: number; height: number }, b: typeof a): number {
  const w = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
  const h = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
  return Math.max(0, w) * Math.max(0, h);
}

/** Gray levels between the paper near the strokes (in the digit's box grown by a third) and the stroke cores, and over the noise. */
function lookContrast(gray: Uint8Array, cover: Float32Array, width: number, height: number, box: { x: number; y: number; width: number; height: number }, noise: number) {
  const core: number[] = [];
  const paper: number[] = [];
  const m = Math.round(Math.max(box.width, box.height) / 6);
  for (let y = Math.max(0, box.y - m); y < Math.min(height, box.y + box.height + m); y++)
    for (let x = Math.max(0, box.x - m); x < Math.min(width, box.x + box.width + m); x++) {
      const c = cover[y * width + x]!;
      if (c >= 0.9) core.push(gray[y * width + x]!);
      else if (c === 0 && farFromInk(cover, width, height, x, y, 4)) paper.push(gray[y * width + x]!);
    }
  const median = (v: number[]) => v.sort((a, b) => a - b)[v.length >> 1] ?? 0;
  const contrast = median(paper) - median(core);
  return { contrast, cnr: contrast / noise };
}

function farFromInk(cover: Float32Array, width: number, height: number, x: number, y: number, r: number): boolean {
  for (let dy = -r; dy <= r; dy++)
    for (let dx = -r; dx <= r; dx++) {
      const [u, v] = [x + dx, y + dy];
      if (u >= 0 && v >= 0 && u < width && v < height && cover[v * width + u]! > 0) return false;
    }
  return true;
}

await writeFile(`${outDir}/${name}-seed${seed}.json`, JSON.stringify(rows));
const misses = rows.filter((r) => r.bench !== r.label);
console.log(`${name} seed ${seed}: ${rows.length - misses.length}/${rows.length} right through recognize; ${misses.length} misses`);
// Sheet 1: per miss, photo crop | photo 28x28 | clean 28x28 | plain 28x28.
const per = 5;
const sheet = contactSheet(per * 4, Math.max(1, Math.ceil(kept.length / per)), 64);
kept.forEach((m, j) => {
  const [col, row] = [(j % per) * 4, Math.floor(j / per)];
  sheet.put(m.crop, m.w, m.h, col, row);
  sheet.put(m.photo, 28, 28, col + 1, row);
  sheet.put(m.clean, 28, 28, col + 2, row);
  sheet.put(m.plain, 28, 28, col + 3, row);
});
await writeFile(`${outDir}/${name}-seed${seed}-misses.png`, sheet.png());
// Sheet 2: the misses' photo crops alone, larger, as a person would see them.
const wide = 8;
const crops = contactSheet(wide, Math.max(1, Math.ceil(kept.length / wide)), 128);
kept.forEach((m, j) => crops.put(m.crop, m.w, m.h, j % wide, Math.floor(j / wide)));
await writeFile(`${outDir}/${name}-seed${seed}-crops.png`, crops.png());
// Causes: the clean drawing misread too (the drawing, not the photo); no digit found; the photo's 28x28 unlike the clean
// one's (Pearson within a pixel < SAME: the crop/background); like it but misread (the model); a verdict other than digit.
const SAME = 0.9;
const cause = (r: Row) =>
  r.bench === 'empty' ? 'pipeline: no digit found'
  : typeof r.bench === 'string' ? `verdict ${r.bench}`
  : r.corr < SAME ? `pipeline: 28x28 unlike the clean drawing's${r.inverted ? '' : ' (read as light ink)'}`
  : r.clean !== r.label ? 'drawing: the clean drawing is misread too'
  : 'model: 28x28 like the clean drawing\'s, misread';
const causes = new Map<string, Row[]>();
for (const r of misses) {
  const c = cause(r);
  causes.set(c, [...(causes.get(c) ?? []), r]);
}
for (const [c, rs] of [...causes].sort((a, b) => b[1].length - a[1].length)) console.log(`${String(rs.length).padStart(4)}  ${c}  (plain right on ${rs.filter((r) => r.plain === r.label).length})`);
const right = (key: 'photo' | 'clean' | 'plain') => rows.filter((r) => r[key] === r.label).length;
console.log(`28x28 read right: photo ${right('photo')}, clean drawing ${right('clean')}, plain preprocessing of the photo ${right('plain')}; read as light ink ${rows.filter((r) => !r.inverted).length}`);
console.log(misses.map((r, j) => `${j}:#${r.i} ${r.label}->${r.bench} photo ${r.photo} clean ${r.clean} plain ${r.plain} corr ${r.corr.toFixed(2)} iou ${r.boxIoU.toFixed(2)} grow ${r.boxGrow.toFixed(2)} cut ${r.boxCut.toFixed(2)} cnr ${r.cnr.toFixed(1)}`).join('\n'));
