import { DigitkitError } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { toMnistFormat } from '@digitkit/preprocess';
// Drawing helpers shared with the other packages' tests (not part of any published surface).
import { asBlackOnWhite, createRng, cropToInk, digitsInARow, drawStrokes, inksInARow, onSquaredPaper, redrawOnCanvas, type Stroke, upscaleBilinear } from '@digitkit/testkit';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRecognizer, type DigitPiece, MAX_STROKE_POINTS, type Recognition, type RecognizeInput, type Recognizer, VERDICT_THRESHOLDS } from './index.js';
import { CONFIRMING_CUT, readNumber, TORN_READER } from './numbers.js';
import { layoutInk, splitPieces } from './segment.js';
import { SEGMENTATION, singleDigitDoubt } from './verdicts.js';

let cnn: Recognizer;
let mlp: Recognizer;
let test: Awaited<ReturnType<typeof loadMnist>>['test'];

beforeAll(async () => {
  cnn = await createRecognizer({ log: null });
  mlp = await createRecognizer({ model: 'mlp', log: null });
  ({ test } = await loadMnist());
});
afterAll(() => {
  cnn.dispose();
  mlp.dispose();
});

const digitAt = (i: number) => test.images.subarray(i * 784, (i + 1) * 784);
const W = 400;
const H = 280;

/** MNIST test digits (by index) enlarged 6x and written side by side, `gap` pixels apart, baselines shifted a little. */
const number = (indices: number[], gap: number) => digitsInARow(indices.map(digitAt), gap);

/** Pen strokes (unit box) on a 280x280 white pad, 10 px pen. */
function drawn(strokes: Stroke[]): { data: Uint8Array; width: number; height: number } {
  const ink = drawStrokes(strokes, 280, 280, { left: 0, top: 0, width: 280, height: 280 }, 10);
  return { data: asBlackOnWhite(ink), width: 280, height: 280 };
}
const line = (points: [number, number][], steps = 8): Stroke =>
  points.slice(1).flatMap((b, i) => Array.from({ length: steps }, (_, k) => [points[i]![0] + ((b[0] - points[i]![0]) * (k + 1)) / steps, points[i]![1] + ((b[1] - points[i]![1]) * (k + 1)) / steps] as [number, number]));

/** A scribble (a tangle of straight strokes) and the letters X and K: ink that is no digit. */
const SCRIBBLE = [[[0.3, 0.2], ...line([[0.3, 0.2], [0.7, 0.7], [0.2, 0.6], [0.75, 0.25], [0.5, 0.85], [0.35, 0.3], [0.8, 0.5]])]] as Stroke[];
const LETTER_X = [line([[0.3, 0.2], [0.7, 0.8]]), line([[0.7, 0.2], [0.3, 0.8]])].map((s, i) => [i ? [0.7, 0.2] : [0.3, 0.2], ...s] as Stroke);
const LETTER_K = [
  [[0.3, 0.2], ...line([[0.3, 0.2], [0.3, 0.8]])],
  [[0.7, 0.2], ...line([[0.7, 0.2], [0.3, 0.55]])],
  [[0.42, 0.47], ...line([[0.42, 0.47], [0.7, 0.8]])],
] as Stroke[];

const verdictOf = (r: Recognition) => (r.verdict === 'digits' ? `digits ${r.digits.join('')}` : r.verdict === 'digit' ? `digit ${r.label}` : r.verdict);

describe("verdict 'digit'", () => {
  it('stays one digit, with its top 3 guesses, for MNIST test digits drawn large (both shipped models)', () => {
    for (const r of [cnn, mlp]) {
      const verdicts = Array.from({ length: 30 }, (_, i) => {
        const picture = { data: asBlackOnWhite(redrawOnCanvas(digitAt(i), 9, 280, 280, i)), width: 280, height: 280 };
        return { result: r.recognize(picture), label: test.labels[i]! };
      });
      const right = verdicts.filter(({ result, label }) => result.verdict === 'digit' && result.label === label);
      expect(right.length, r.modelSource).toBeGreaterThanOrEqual(29);
      const first = right[0]!.result as Extract<Recognition, { verdict: 'digit' }>;
      expect(first.guesses).toHaveLength(3);
      expect(first.guesses[0]).toEqual({ label: first.label, probability: first.confidence });
      expect(first.guesses[1]!.probability).toBeLessThanOrEqual(first.guesses[0]!.probability);
    }
  });
});

describe("verdict 'digit' on paper photographed in poor light", () => {
  /** The digit (drawn on a 280x280 canvas) in dark ink on squared paper (lines every 28 px), under a shadow over the
   * left two thirds whose edge crosses the digit (55% of the light), with camera grain. */
  function onSquaredInShadow(canvas: Uint8Array, seed: number): RecognizeInput {
    return photographed(onSquaredPaper(canvas, 280, 28, 170), seed, 12, (x, y) => (x < 190 - 0.3 * y ? 0.55 : 1));
  }
  /** A 280x280 gray page as a camera gives it back: times `light(x, y)`, plus uniform grain `grain` levels peak to peak. */
  function photographed(page: Uint8Array, seed: number, grain: number, light: (x: number, y: number) => number = () => 1): RecognizeInput {
    const { next } = createRng(seed);
    const data = Uint8Array.from(page, (v, i) => Math.max(0, Math.min(255, Math.round(v * light(i % 280, Math.floor(i / 280)) + (next() - 0.5) * grain))));
    return { data, width: 280, height: 280 };
  }
  /** How many of the first 30 MNIST test digits, drawn on a 280x280 canvas and put on paper, stay one digit, read right. */
  const readRight = (r: Recognizer, onPaper: (canvas: Uint8Array, seed: number) => RecognizeInput) =>
    Array.from({ length: 30 }, (_, i) => r.recognize(onPaper(redrawOnCanvas(digitAt(i), 9, 280, 280, i), i + 1))).filter(
      (result, i) => result.verdict === 'digit' && result.label === test.labels[i],
    ).length;
  // Measured: 30 of 30 (CNN) and 30 of 30 (MLP); the CNN 16 before the paper's lines and the shadow were taken out.
  it('stays one digit, read right, for 27 or more of 30 MNIST test digits (both shipped models)', () => {
    for (const r of [cnn, mlp]) expect(readRight(r, onSquaredInShadow), r.modelSource).toBeGreaterThanOrEqual(27);
  });
  // Measured: 30 of 30 (CNN) and 29 of 30 (MLP); the CNN 8 before lines were looked for at a tilt (the grid kept).
  it('stays one digit, read right, on squared paper photographed 12 degrees askew, for 27 or more of 30 (both models)', () => {
    const askew = (canvas: Uint8Array, seed: number) => photographed(onSquaredPaper(canvas, 280, 24, 150, (12 * Math.PI) / 180), seed, 10);
    for (const r of [cnn, mlp]) expect(readRight(r, askew), r.modelSource).toBeGreaterThanOrEqual(27);
  });
  // Measured: 29 of 30 (CNN) and 28 of 30 (MLP); before faint bands were looked for, 16 and 15 (the shadow kept as a stroke).
  it('stays one digit, read right, under a narrow shadow across it, for 27 or more of 30 (both models)', () => {
    // 24 px wide through the middle at 0.4 rad per digit, half the light, camera grain.
    const underBand = (canvas: Uint8Array, seed: number) => {
      const [nx, ny] = [-Math.sin(0.4 * seed), Math.cos(0.4 * seed)];
      const page = canvas.map((ink) => 255 - ink);
      return photographed(page, seed, 10, (x, y) => (Math.abs((x - 140) * nx + (y - 140) * ny) < 12 ? 0.5 : 1));
    };
    for (const r of [cnn, mlp]) expect(readRight(r, underBand), r.modelSource).toBeGreaterThanOrEqual(27);
  });
});

describe("verdict 'digits'", () => {
  it('reads two and three MNIST test digits side by side, left to right, each with its own confidence and box', () => {
    // Test digits 0..: 7, 2, 1, 0, 4, 1, 4, 9, 5, 9, 0. Not #8, an odd 5 the shipped CNN is rightly unsure of alone
    // (6 33%, 5 26%): this test is about splitting and reading order, not one hard digit.
    const cases: [number[], number][] = [[[0, 1], 30], [[2, 3], 12], [[4, 7], 50], [[6, 9, 10], 20]];
    for (const [indices, gap] of cases) {
      const result = cnn.recognize(number(indices, gap));
      const expected = indices.map((i) => test.labels[i]!);
      expect(verdictOf(result), `${expected.join('')} with a ${gap} px gap`).toBe(`digits ${expected.join('')}`);
      if (result.verdict !== 'digits') continue;
      expect(result.pieces.map((p) => p.label)).toEqual(expected);
      for (const piece of result.pieces) {
        expect(piece.confidence).toBeGreaterThanOrEqual(VERDICT_THRESHOLDS.cnn.minPieceConfidence);
        expect(piece.pixels).toHaveLength(784);
      }
      const lefts = result.pieces.map((p) => p.box.x);
      expect(lefts).toEqual([...lefts].sort((a, b) => a - b));
      expect(result.pieces[0]!.box.x + result.pieces[0]!.box.width).toBeLessThanOrEqual(result.pieces[1]!.box.x);
    }
  });
});

describe("verdict 'digits' for digits that touch", () => {
  // Measured: all four read right by both models; before cuts were tried, each was one piece of ink, so never 'digits'.
  it('cuts one piece of ink where two digits touch and reads each side, left to right (both shipped models)', () => {
    // Test digits 0..: 7, 2, 1, 0, 4, 1, 4, 9, 5, 9, 0, 6, 9, 0, 1, 5, 9, 7, 3, 4. Overlapping boxes make them touch.
    const cases: [number[], number][] = [[[3, 4], -12], [[11, 12], -20], [[15, 16], -20], [[17, 18], -12]];
    for (const [indices, gap] of cases) {
      const picture = number(indices, gap);
      const fit = toMnistFormat(picture);
      if (fit.empty) throw new Error('no ink');
      const expected = indices.map((i) => test.labels[i]!).join('');
      expect(splitPieces(layoutInk(fit.ink, fit.box)), `${expected} is one piece of ink`).toEqual([]);
      for (const r of [cnn, mlp]) {
        const result = r.recognize(picture);
        expect(verdictOf(result), `${expected} (${r.modelSource})`).toBe(`digits ${expected}`);
        if (result.verdict !== 'digits') continue;
        const [left, right] = result.pieces as [DigitPiece, DigitPiece];
        expect(left.box.x).toBeLessThan(right.box.x);
        expect(left.confidence).toBeGreaterThanOrEqual(r.thresholds.minCutConfidence);
      }
    }
  });

  // Measured: before stop 46 both models called each of these one digit (the whole ink passes for a wide 2, 4, 6 or 7).
  it('reads digits that touch when their whole ink passes for one sure, wide digit (both shipped models)', () => {
    const cases: [number[], number][] = [[[1, 2], -20], [[19, 24], -12], [[21, 3], -12], [[26, 1], -12], [[9, 34], -20]];
    for (const [indices, gap] of cases) {
      const picture = number(indices, gap);
      const fit = toMnistFormat(picture);
      if (fit.empty) throw new Error('no ink');
      const expected = indices.map((i) => test.labels[i]!).join('');
      expect(fit.box.width, `${expected} is at least 1.1 times as wide as high`).toBeGreaterThanOrEqual(1.1 * fit.box.height);
      expect(cnn.recognizeMnist(fit.pixels), `${expected}'s whole ink`).toMatchObject({ verdict: 'digit', confidence: expect.any(Number) });
      for (const r of [cnn, mlp]) expect(verdictOf(r.recognize(picture)), `${expected} (${r.modelSource})`).toBe(`digits ${expected}`);
    }
  });

  it('keeps a wide 0 one digit where a seam winding off its side gave a surer 0 and 1 (both shipped models)', () => {
    // Test digits 28, 71 and 215 are 0s; drawn 1.6-2 times as wide, the CNN read each as 01 before the sides' height rule.
    for (const [index, stretch] of [[28, 2], [71, 1.6], [215, 2]] as const) {
      const big = cropToInk(upscaleBilinear(digitAt(index), 28, 28, 6), 168, 168);
      const width = Math.round(big.width * stretch);
      const data = Uint8Array.from({ length: width * big.height }, (_, i) => big.data[Math.floor(i / width) * big.width + Math.floor((i % width) / stretch)]!);
      const picture = { data: asBlackOnWhite(inksInARow([{ ...big, data, width }], W, H, [[20, 40]])), width: W, height: H };
      for (const r of [cnn, mlp]) expect(verdictOf(r.recognize(picture)), `test digit ${index} x${stretch} (${r.modelSource})`).toBe('digit 0');
    }
  });

  it('keeps a long slanted stroke wider than high one 1, not two 1s (both shipped models)', () => {
    const stroke: Stroke = Array.from({ length: 12 }, (_, k) => [0.1 + (0.8 * k) / 11, 0.85 - (0.7 * k) / 11] as [number, number]);
    const picture = { data: asBlackOnWhite(drawStrokes([stroke], 280, 280, { left: 0, top: 0, width: 280, height: 280 }, 20)), width: 280, height: 280 };
    const fit = toMnistFormat(picture);
    if (fit.empty) throw new Error('no ink');
    expect(fit.box.width).toBeGreaterThanOrEqual(1.1 * fit.box.height);
    for (const r of [cnn, mlp]) expect(verdictOf(r.recognize(picture)), r.modelSource).toBe('digit 1');
  });

  it('leaves wide letters and a # unsure, though cuts of them were tried (both shipped models)', () => {
    const wide: [string, Stroke[]][] = [
      ['M', [[[0.15, 0.8], ...line([[0.15, 0.8], [0.25, 0.2], [0.5, 0.6], [0.75, 0.2], [0.85, 0.8]])]]],
      ['W', [[[0.15, 0.2], ...line([[0.15, 0.2], [0.3, 0.8], [0.5, 0.35], [0.7, 0.8], [0.85, 0.2]])]]],
      ['#', [line([[0.15, 0.4], [0.85, 0.4]]), line([[0.15, 0.62], [0.85, 0.62]]), line([[0.4, 0.2], [0.33, 0.82]]), line([[0.67, 0.2], [0.6, 0.82]])]],
    ];
    for (const r of [cnn, mlp]) {
      for (const [name, strokes] of wide) {
        const picture = drawn(strokes);
        const fit = toMnistFormat(picture);
        if (fit.empty) throw new Error('no ink');
        // Wide enough to be cut: the test is about what the cuts' sides are taken for.
        expect(fit.box.width, name).toBeGreaterThanOrEqual(0.9 * fit.box.height);
        expect(verdictOf(r.recognize(picture)), `${name} (${r.modelSource})`).toBe('unsure');
      }
    }
  });
});

/** Both number-reader thresholds at 1: the recognizer without the reader. */
const NO_READER = { numberAgreement: 1, numberAlone: 1 };

/** Each shipped model's reading of pairs of MNIST test digits (by index) written `gap` px apart, with the number reader and without it. */
async function readWithAndWithoutReader(cases: readonly number[][], gap: number) {
  const readings = [];
  for (const r of [cnn, mlp]) {
    const without = await createRecognizer({ model: r.modelSource as 'cnn' | 'mlp', log: null, verdicts: NO_READER });
    for (const indices of cases) {
      const picture = number(indices, gap);
      const fit = toMnistFormat(picture);
      if (fit.empty) throw new Error('no ink');
      const expected = `digits ${indices.map((i) => test.labels[i]!).join('')}`;
      const aspect = fit.box.width / fit.box.height;
      readings.push({ model: r.modelSource, expected, aspect, pieces: splitPieces(layoutInk(fit.ink, fit.box)), result: r.recognize(picture), without: verdictOf(without.recognize(picture)) });
    }
    without.dispose();
  }
  return readings;
}

/** The number reader's reading of MNIST test digits (by index) drawn as `number` draws them, and their labels. */
function readerOn(indices: number[], gap: number) {
  const fit = toMnistFormat(number(indices, gap));
  if (fit.empty) throw new Error('no ink');
  return { read: readNumber(cnn.numberReader!, fit.ink), labels: indices.map((i) => test.labels[i]!) as [number, number] };
}

/** The pair read as its two digits, left to right. */
function expectReadInOrder({ model, expected, result }: { model: string; expected: string; result: Recognition }) {
  expect(verdictOf(result), `${expected} (${model})`).toBe(expected);
  if (result.verdict === 'digits') expect(result.pieces[0]!.box.x).toBeLessThan(result.pieces[1]!.box.x);
}

describe("verdict 'digits' for digits that touch: the number reader", () => {
  // Found among test digits 40-69 paired with the digit 30 on, overlapping by 28 px (one piece of ink): with the reader
  // both models read 19 and 18 of 24 such pairs right, without it 8 and 10; these 8 each model read wrong without it.
  const CASES = [[44, 74], [46, 76], [48, 78], [49, 79], [55, 85], [56, 86], [57, 87], [58, 88]];

  it('is the third shipped model, loaded with the shipped ones; both its thresholds at 1 leave it out', async () => {
    expect(cnn.numberReader?.inputShape).toEqual([28, 56, 1]);
    expect(mlp.numberReader?.numClasses).toBe(112);
    const without = await createRecognizer({ log: null, verdicts: NO_READER });
    const own = await createRecognizer({ model: cnn.model, log: null });
    expect(without.numberReader).toBeNull();
    expect(own.numberReader).toBeNull();
    without.dispose();
    own.dispose();
  });

  it('reads deeply overlapping pairs the cuts alone miss, left to right (both shipped models)', async () => {
    const readings = await readWithAndWithoutReader(CASES, -28);
    for (const reading of readings) {
      expect(reading.pieces, `${reading.expected} is one piece of ink`).toEqual([]);
      expectReadInOrder(reading);
    }
    for (const model of ['cnn', 'mlp']) {
      const rightWithout = readings.filter((r) => r.model === model && r.without === r.expected).length;
      expect(rightWithout, `pairs read right without the reader (${model})`).toBe(0);
    }
  });
});

describe("verdict 'digits' for a 1 written close beside another digit: the number reader", () => {
  // Found among the first 1s of the test set beside test digits 0-59, 4 px apart (two pieces, closer than a gap between
  // digits): both models read them as one sure digit (17 as a 7) before the reader was asked about close pieces.
  const CASES = [[2, 0], [2, 6], [2, 55], [55, 2], [19, 5], [36, 14], [5, 31], [14, 6]];

  it('reads them as the two digits they are, left to right, where without the reader each is one digit (both shipped models)', async () => {
    for (const reading of await readWithAndWithoutReader(CASES, 4)) {
      expect(reading.pieces, `${reading.expected} is two pieces of ink`).toHaveLength(2);
      expectReadInOrder(reading);
      expect(reading.without, `${reading.expected} without the reader (${reading.model})`).toMatch(/^digit \d$/);
    }
  });
});

describe("verdict 'digits' for a 1 over or against another digit, narrower than most pairs: the number reader", () => {
  // Found among the first 12 1s of the test set overlapping test digits 0-59 (by 6 px at 6x, either order): with
  // cuts from half the height both models read 35 and 32 more of the 1,340 pairs right and none fewer; these 8 each.
  const CASES = [[14, 2], [41, 37], [40, 7], [19, 40], [20, 40], [40, 26], [28, 40], [40, 32]];

  it('cuts the ink the reader reads as two digits though it is under 0.9 times as wide as high, and reads the pair (both shipped models)', async () => {
    for (const reading of await readWithAndWithoutReader(CASES, -6)) {
      expect(reading.aspect, `${reading.expected} is narrower than step 4 cuts`).toBeLessThan(SEGMENTATION.minCutAspect);
      expectReadInOrder(reading);
      expect(reading.without, `${reading.expected} without the reader (${reading.model})`).not.toBe(reading.expected);
    }
  });
});

describe("verdict 'digits' for deeply overlapping digits whose two cheapest seams miss: the number reader", () => {
  // Found among test digits 60-71 overlapping test digits 0-59 by 24 px at 6x: along up to SEGMENTATION.pairCuts seams
  // where the reader reads a pair, both models read 11 more of the 720 right and none fewer; these 8 each.
  const CASES = [[62, 33], [63, 54], [64, 22], [66, 25], [68, 7], [68, 22], [68, 42], [69, 7]];

  it('reads them left to right, the pair checked against more cuts (both shipped models)', async () => {
    expect(SEGMENTATION.pairCuts).toBeGreaterThan(SEGMENTATION.cuts);
    for (const reading of await readWithAndWithoutReader(CASES, -24)) expectReadInOrder(reading);
  });
});

describe("verdict 'digits' for deeply overlapping digits whose pair the number reader is torn about: the number reader", () => {
  // Found among test digits 84-131 overlapping test digits 0-59 by 24 px at 6x: where the reader is sure of a pair but
  // not of which, a cut's pair it gives 0.2 is kept: the models read 7 and 12 more of the 2,880 right (net: one 25 both
  // read right before is read as 26 now); these 5, read right by both models now and by neither before. Since stop 61 the
  // CNN reads 102 over 40 as one 5 (one piece, read at least minCutConfidence sure: a torn reader no longer cuts it, as
  // it cut digits with a stroke across them; each model reads 1 of the 2,880 fewer, tools/robustness RESULTS.md).
  const CASES = [[93, 7], [102, 40], [112, 22], [115, 14], [122, 28]];
  const oneSureFive = (model: string, expected: string) => model === 'cnn' && expected === `digits ${test.labels[102]}${test.labels[40]}`;

  it('reads them left to right, the cut picking among the pairs the reader gives under numberAgreement (both shipped models)', async () => {
    for (const indices of CASES) {
      const { read, labels: [a, b] } = readerOn(indices, -24);
      expect(read.pair && read.pairs >= TORN_READER.pairs, `${a}${b}: the reader is sure of a pair`).toBe(true);
      if (read.pair) expect(read.probabilityOf(a, b), `${a}${b}: the reader's probability of it`).toBeLessThan(VERDICT_THRESHOLDS.cnn.numberAgreement);
    }
    for (const reading of await readWithAndWithoutReader(CASES, -24)) {
      if (oneSureFive(reading.model, reading.expected)) expect(verdictOf(reading.result)).toBe(`digit ${test.labels[102]}`);
      else expectReadInOrder(reading);
    }
  });
});

describe("verdict 'digit' for a digit with a stroke across it, where the number reader is torn: the model's sure digit", () => {
  // MNIST test digits with a thin zigzag across them (as MNIST-C's zigzag: a 1.5 px line at 28x28), enlarged 6x. Found
  // among test digits 0-999: the reader is sure of *a* pair, of none in particular, and before the torn path asked for
  // the whole to be less sure than minCutConfidence, a cut's pair was taken over the model's sure digit (these two read
  // "76" and "22" with every piece read as a digit; 477 also with the shipped thresholds).
  function zigzagged(i: number): { data: Uint8Array; width: number; height: number } {
    const y0 = 0.1 + 0.8 * (((i * 37) % 100) / 100);
    const corners = Array.from({ length: 13 }, (_, k) => [0.07 + (0.86 * k) / 12, y0 + (k % 2 ? 0.07 : -0.07)] as [number, number]);
    const ink = drawStrokes([[corners[0]!, ...line(corners, 6)]], 28, 28, { left: 0, top: 0, width: 28, height: 28 }, 1.5);
    return { data: upscaleBilinear(Uint8Array.from(digitAt(i), (v, p) => Math.max(v, ink[p]!)), 28, 28, 6), width: 168, height: 168 };
  }

  it('reads it as the one digit the model is sure of, not as the pair a cut reads (the CNN)', async () => {
    const everyPieceADigit = await createRecognizer({ log: null, verdicts: { minSureness: 0, viewWeight: 0, secondOpinionWeight: 0, maxAspect: Number.MAX_VALUE } });
    try {
      for (const i of [138, 477]) expect(verdictOf(everyPieceADigit.recognize(zigzagged(i))), `test digit ${i}`).toBe(`digit ${test.labels[i]}`);
    } finally {
      everyPieceADigit.dispose();
    }
    expect(verdictOf(cnn.recognize(zigzagged(477)))).toBe(`digit ${test.labels[477]}`);
  });
});

describe("verdict 'digits' for deeply overlapping digits the number reader is sure of: a cut confirms it", () => {
  // Found among test digits 132-155 overlapping test digits 0-59 by 24 px at 6x: where a cut reads the pair the reader
  // gives at least CONFIRMING_CUT.pair, its sides need no single-digit checks: the models read 24 and 65 more of the
  // 1,440 right and none fewer; these 5, read right by both models now and by neither before.
  const CASES = [[136, 14], [145, 34], [148, 33], [149, 43], [151, 16]];

  it('reads them left to right, where the reader alone is not sure enough (both shipped models)', async () => {
    for (const indices of CASES) {
      const { read, labels } = readerOn(indices, -24);
      expect(read.pair && read.digits, `${labels.join('')}: the reader's most likely pair`).toEqual(labels);
      if (read.pair) expect(read.probability, `${labels.join('')}: the reader's probability`).toBeGreaterThanOrEqual(CONFIRMING_CUT.pair);
      if (read.pair) expect(read.probability, `${labels.join('')}: under numberAlone`).toBeLessThan(VERDICT_THRESHOLDS.cnn.numberAlone);
    }
    for (const reading of await readWithAndWithoutReader(CASES, -24)) expectReadInOrder(reading);
  });
});

describe("verdict 'digits' for deeply overlapping digits: the number reader's agreeing cuts", () => {
  // Found among the same 1,440 pairs: a cheaper cut that reads the pair but whose side fails the single-digit checks no
  // longer hides a later cut reading the same pair whose sides pass (the CNN read 1 more right, the MLP 2, none fewer).
  it.each([
    ['cnn', [154, 17]],
    ['mlp', [149, 29]],
    ['mlp', [153, 53]],
  ] as const)('reads %s\'s pair %j left to right', (model, indices) => {
    const expected = `digits ${indices.map((i) => test.labels[i]!).join('')}`;
    const result = (model === 'cnn' ? cnn : mlp).recognize(number([...indices], -24));
    expectReadInOrder({ model, expected, result });
  });
});

describe("verdict 'digits' for two pieces close together that fail as a number: the number reader", () => {
  // Found among test digits 132-167 beside test digits 0-59, 4 px apart: where the pieces fail as a number (one no digit
  // sure enough) the whole ink is asked of the reader: the MLP read 54 more of the 2,160 right and none fewer (the CNN
  // read all but one right before). Most are test digit 149 or 43 (two 2s the MLP is unsure of) beside another; these 4,
  // each the MLP read 'unsure' before.
  const CASES = [[149, 3], [149, 26], [134, 43], [150, 43]];

  it('reads them as the pair, where without the reader they are unsure (the MLP)', async () => {
    const without = await createRecognizer({ model: 'mlp', log: null, verdicts: NO_READER });
    for (const indices of CASES) {
      const picture = number(indices, 4);
      const fit = toMnistFormat(picture);
      if (fit.empty) throw new Error('no ink');
      const expected = `digits ${indices.map((i) => test.labels[i]!).join('')}`;
      expect(splitPieces(layoutInk(fit.ink, fit.box)), `${expected}: pieces of ink`).toHaveLength(2);
      expect(verdictOf(without.recognize(picture)), `${expected} without the reader`).toBe('unsure');
      expectReadInOrder({ model: 'mlp', expected, result: mlp.recognize(picture) });
    }
    without.dispose();
  });
});

describe("verdict 'digits' for digits drawn touching, given the strokes (a drawing pad)", () => {
  /** An ellipse's line (centre, radii, unit box) as one stroke; a 1 with a short flag, its upright at x. */
  const ring = (cx: number, cy: number, rx: number, ry: number): Stroke => Array.from({ length: 49 }, (_, k) => [cx + rx * Math.sin((k * Math.PI) / 24), cy - ry * Math.cos((k * Math.PI) / 24)] as [number, number]);
  const one = (x: number): Stroke => [[x - 0.06, 0.33], ...line([[x - 0.06, 0.33], [x, 0.25], [x, 0.75]])];
  /** A 4: the arm and the bar in one stroke, the upright in another, crossing the bar or ending on it. */
  const four = (barTo: number): Stroke[] => [[[0.5, 0.2], ...line([[0.5, 0.2], [0.3, 0.58], [barTo, 0.58]])], [[0.6, 0.3], ...line([[0.6, 0.3], [0.6, 0.82]])]];
  const inPixels = (strokes: Stroke[]) => strokes.map((s) => s.map(([x, y]) => [x * 280, y * 280] as [number, number]));
  const read = (r: Recognizer, strokes: Stroke[], given = true) => verdictOf(r.recognize(drawn(strokes), given ? { strokes: inPixels(strokes) } : {}));

  it('reads a 1 and a 0, and two 0s, whose ink touches (one piece of ink) as the numbers they are', () => {
    const numbers: [string, Stroke[]][] = [
      ['10', [one(0.32), ring(0.46, 0.5, 0.11, 0.25)]],
      ['00', [ring(0.3, 0.5, 0.11, 0.25), ring(0.52, 0.5, 0.11, 0.25)]],
    ];
    for (const [digits, strokes] of numbers) {
      const fit = toMnistFormat(drawn(strokes));
      expect(fit.empty || splitPieces(layoutInk(fit.ink, fit.box)), `${digits} is one piece of ink`).toEqual([]);
      for (const r of [cnn, mlp]) expect(read(r, strokes), `${r.modelSource} on ${digits}`).toBe(`digits ${digits}`);
    }
    // Without its strokes the CNN takes the 1 and 0 for one 0: the ink alone passes for one sure digit.
    expect(read(cnn, numbers[0]![1], false)).toBe('digit 0');
  });

  it("keeps a digit drawn in two strokes one digit: a 4 whose bar crosses its upright or ends on it", () => {
    for (const r of [cnn, mlp]) for (const barTo of [0.72, 0.6]) expect(read(r, four(barTo)), `${r.modelSource}, bar to ${barTo}`).toBe('digit 4');
  });

  it('reads a single stroke as it reads the picture alone', () => {
    for (const strokes of [SCRIBBLE, [one(0.5)]]) expect(read(cnn, strokes)).toBe(read(cnn, strokes, false));
  });

  it.each([
    ['a string', 'strokes' as unknown, /strokes takes .*; got string/],
    ['an empty stroke', [[]], /stroke 0 is empty/],
    ['a point with NaN', [[[1, 2]], [[1, Number.NaN]]], /stroke 1 is not all \[x, y\] pairs of finite numbers/],
    ['a point of three numbers', [[[1, 2, 3]]], /stroke 0 is not all \[x, y\] pairs/],
    ['10,001 points in all', [Array.from({ length: 5000 }, (_, i) => [i % 280, 100]), Array.from({ length: 5001 }, (_, i) => [i % 280, 180])], /strokes hold 10,001 points; recognize takes at most 10,000/],
  ])('refuses strokes that are %s, saying what they should be', (_, strokes, message) => {
    expect(() => cnn.recognize(drawn([one(0.5)]), { strokes: strokes as never })).toThrow(expect.objectContaining({ code: 'BAD_OPTION', message: expect.stringMatching(message) }));
  });

  it('takes MAX_STROKE_POINTS points exactly', () => {
    expect(MAX_STROKE_POINTS).toBe(10_000);
    const many = [Array.from({ length: 5000 }, (_, i) => [i % 280, 100] as [number, number]), Array.from({ length: 5000 }, (_, i) => [i % 280, 180] as [number, number])];
    expect(cnn.recognize(drawn([one(0.5)]), { strokes: many }).verdict).not.toBe('empty');
  });
});

describe("verdict 'digits' on forms", () => {
  /** Black ruled lines, `pen` pixels wide, drawn on a black-on-white RGBA picture: [x0, y0, x1, y1] each, level or upright. */
  const ruled = (picture: ReturnType<typeof number>, lines: number[][], pen: number) => {
    const data = Uint8Array.from(picture.data);
    for (const [x0, y0, x1, y1] of lines) {
      for (let y = y0!; y <= y1! + (y0 === y1 ? pen - 1 : 0); y++) for (let x = x0!; x <= x1! + (x0 === x1 ? pen - 1 : 0); x++) data.fill(0, 4 * (y * W + x), 4 * (y * W + x) + 3);
    }
    return { ...picture, data };
  };
  /** The box of the number's ink (red under 128) as [left, top, right, bottom]. */
  const inkBox = (picture: ReturnType<typeof number>) => {
    const box = [W, H, -1, -1];
    picture.data.forEach((v, i) => {
      if (i % 4 !== 0 || v >= 128) return;
      const [x, y] = [(i / 4) % W, Math.floor(i / 4 / W)];
      [box[0], box[1], box[2], box[3]] = [Math.min(box[0]!, x), Math.min(box[1]!, y), Math.max(box[2]!, x), Math.max(box[3]!, y)];
    });
    return box as [number, number, number, number];
  };

  // Before stop 36 each of these was 'unsure' ("the ink is 3-4 times as wide as it is high"): the line or comb touching
  // a digit made one piece with it, and a comb's teeth between the digits were read as 1s.
  it('reads a number whose underline or comb touches its digits (both shipped models)', () => {
    for (const r of [cnn, mlp]) {
      for (const [indices, gap] of [[[0, 1], 30], [[4, 7, 2], 24]] as [number[], number][]) {
        const plain = number(indices, gap);
        const [left, , right, bottom] = inkBox(plain);
        const expected = `digits ${indices.map((i) => test.labels[i]!).join('')}`;
        const underlined = ruled(plain, [[left - 14, bottom - 2, right + 14, bottom - 2]], 6);
        expect(verdictOf(r.recognize(underlined)), `${r.modelSource} underlined ${expected}`).toBe(expected);
        // A comb: a base line under the digits with teeth 40 px high at both ends.
        const teeth = [left - 12, right + 12];
        const comb = ruled(plain, [[teeth[0]!, bottom - 2, teeth[1]!, bottom - 2], ...teeth.map((x) => [x, bottom - 42, x, bottom - 2])], 5);
        expect(verdictOf(r.recognize(comb)), `${r.modelSource} in a comb ${expected}`).toBe(expected);
      }
    }
  });
});

describe("verdict 'unsure'", () => {
  // The MLP is unsure of less (its thresholds are lower): the X passes as a digit there, the K does not. Scribbles are
  // refused about half the time (bench:verdicts measures the rate), so no single scribble is asserted here.
  it.each([
    ['the letter X', LETTER_X, ['cnn']],
    ['the letter K', LETTER_K, ['cnn', 'mlp']],
  ])('is what %s gets, with a reason and the top 3 guesses (%j)', (_, strokes, models) => {
    for (const r of [cnn, mlp].filter((m) => (models as string[]).includes(m.modelSource))) {
      const result = r.recognize(drawn(strokes as Stroke[]));
      expect(result.verdict, r.modelSource).toBe('unsure');
      if (result.verdict !== 'unsure') continue;
      expect(result.reason).toMatch(/best guesses \d \(\d+%\), \d \(\d+%\), \d \(\d+%\)$/);
      expect(result.guesses.map((g) => g.label)).toHaveLength(3);
      expect(result.probabilities.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 4);
    }
  });

  it('has thresholds per shipped model, and a model of your own starts from the CNN’s', async () => {
    expect(cnn.thresholds).toEqual(VERDICT_THRESHOLDS.cnn);
    expect(mlp.thresholds).toEqual(VERDICT_THRESHOLDS.mlp);
    const own = await createRecognizer({ model: cnn.model, log: null, verdicts: { maxDigits: 4 } });
    expect(own.thresholds).toEqual({ ...VERDICT_THRESHOLDS.cnn, maxDigits: 4 });
    own.dispose();
  });

  it('is what a drawn digit becomes when the thresholds are raised past any confidence, and vice versa', async () => {
    // A "7" with a short bar: a digit, but not with a float32 probability of exactly 1 (a plain "1" can get that).
    const seven = drawn([line([[0.3, 0.25], [0.62, 0.25], [0.45, 0.8]])]);
    const sure = cnn.recognize(seven);
    expect(sure).toMatchObject({ verdict: 'digit', label: 7 });
    expect(sure.verdict === 'digit' && sure.confidence).toBeLessThan(1);
    const strict = await createRecognizer({ model: cnn.model, log: null, verdicts: { minSureness: 1 } });
    const refused = strict.recognize(seven);
    expect(refused).toMatchObject({ verdict: 'unsure', reason: expect.stringMatching(/^not sure enough of 7: sureness \d+%, need 100% \(the model \d+%, its stroke views \(thicker or thinner\) \d+%\)/) });
    // The same picture gives the same stroke views every time.
    expect(strict.recognize(seven)).toEqual(refused);
    // The sureness is a weighted geometric mean: with only the model's own probability it is the 7's confidence.
    const plain = await createRecognizer({ model: cnn.model, log: null, verdicts: { minSureness: 1, viewWeight: 0 } });
    const confidence = sure.verdict === 'digit' ? sure.confidence : NaN;
    expect(plain.recognize(seven)).toMatchObject({ verdict: 'unsure', reason: expect.stringMatching(new RegExp(`sureness ${Math.round(confidence * 100)}%, need 100% \\(the model ${Math.round(confidence * 100)}%\\)`)) });
    const lower = await createRecognizer({ model: cnn.model, log: null, verdicts: { minSureness: confidence - 1e-4, viewWeight: 0 } });
    expect(lower.recognize(seven)).toMatchObject({ verdict: 'digit', label: 7 });
    plain.dispose();
    lower.dispose();
    // The shipped CNN's sureness weighs in the MLP's opinion too.
    const shipped = await createRecognizer({ log: null, verdicts: { minSureness: 1 } });
    expect(shipped.recognize(seven)).toMatchObject({ verdict: 'unsure', reason: expect.stringMatching(/\(the model \d+%, its stroke views \(thicker or thinner\) \d+%, the second model \d+%\)/) });
    shipped.dispose();
    // A model of your own has no second opinion; with every check off, a scribble is a digit again.
    const lenient = await createRecognizer({ model: cnn.model, log: null, verdicts: { minSureness: 0, maxAspect: 100 } });
    expect(lenient.secondOpinion).toBeNull();
    expect(lenient.recognize(drawn(SCRIBBLE)).verdict).toBe('digit');
    expect(cnn.secondOpinion?.kind).toBe('mlp');
    strict.dispose();
    lenient.dispose();
  });

  it('calls ! and [ ] no 1, while a 1 with a flag and a base, or broken in two, stays a 1', () => {
    // `line` leaves out its first point (the strokes above start with it).
    const stroke = (points: [number, number][]): Stroke => [points[0]!, ...line(points)];
    const bar = stroke([[0.5, 0.1], [0.5, 0.66]]);
    const dot = stroke([[0.5, 0.84], [0.5, 0.87]]);
    const glyphs: [string, Stroke[], RegExp][] = [
      ['!', [bar, dot], /a bar with a dot beyond its end, like ! or i, not a 1/],
      ['[', [stroke([[0.6, 0.12], [0.42, 0.12], [0.42, 0.88], [0.6, 0.88]])], /both ends turned the same way, like \[ or \], not a 1/],
      [']', [stroke([[0.4, 0.12], [0.58, 0.12], [0.58, 0.88], [0.4, 0.88]])], /both ends turned the same way/],
    ];
    const ones: [string, Stroke[]][] = [
      ['a bar', [bar]],
      ['a 1 with a flag and a base', [stroke([[0.36, 0.26], [0.52, 0.12], [0.52, 0.88]]), stroke([[0.36, 0.88], [0.68, 0.88]])]],
      ['a 1 broken in two', [stroke([[0.5, 0.1], [0.5, 0.55]]), stroke([[0.5, 0.63], [0.5, 0.9]])]],
    ];
    for (const [name, strokes, reason] of glyphs) {
      const result = cnn.recognize(drawn(strokes));
      expect(result, name).toMatchObject({ verdict: 'unsure', reason: expect.stringMatching(reason) });
      // The model alone reads it as a 1: the shape check is what refuses it.
      expect(result.verdict === 'unsure' && result.guesses[0]!.label, name).toBe(1);
      expect(mlp.recognize(drawn(strokes)).verdict, `${name} (mlp)`).toBe('unsure');
    }
    for (const r of [cnn, mlp]) {
      for (const [name, strokes] of ones) expect(verdictOf(r.recognize(drawn(strokes))), `${name} (${r.modelSource})`).toBe('digit 1');
    }
  });

  it('calls ink much wider than high no single digit', () => {
    const dash = drawn([line([[0.1, 0.5], [0.9, 0.52]])]);
    expect(cnn.recognize(dash)).toMatchObject({ verdict: 'unsure', reason: expect.stringMatching(/wider than one digit/) });
  });

  it('reads no number in a filled rectangle: a cut down solid ink is no place where two digits touch', () => {
    // Each slab a cut leaves is a sure 1: these read 111 and 11 (10 of 220 filled rectangles on the two pads did).
    for (const [side, w, h] of [[112, 45, 43], [280, 81, 90]] as const) {
      const data = new Uint8Array(side * side).fill(255);
      const [x0, y0] = [Math.round((side - w) / 2), Math.round((side - h) / 2)];
      for (let y = y0; y < y0 + h; y++) data.fill(0, y * side + x0, y * side + x0 + w);
      for (const r of [cnn, mlp]) expect(r.recognize({ data, width: side, height: side }).verdict, `${w}x${h} ${r.modelSource}`).not.toBe('digits');
    }
  });
});

describe('the sureness', () => {
  const evidence = (p: number, view: number, second: number | null) => ({
    probabilities: [0, 0, 0, 0, 0, 0, 0, p, 1 - p, 0],
    views: Array.from({ length: 4 }, () => [0, 0, 0, 0, 0, 0, 0, view, 1 - view, 0]),
    second: second === null ? null : [0, 0, 0, 0, 0, 0, 0, second, 1 - second, 0],
    box: { x: 0, y: 0, width: 10, height: 20 },
    pixels: new Uint8Array(784),
  });
  const thresholds = { ...VERDICT_THRESHOLDS.cnn, minSureness: 0.62, viewWeight: 3, secondOpinionWeight: 2 };

  it('lets strong evidence make up for weak: a 7 both models are sure of passes though its stroke views waver', () => {
    // (0.99 * 0.5^3 * 0.95^2)^(1/6) = 0.694: a digit (a threshold on the views alone, at 0.55, refused it).
    expect(singleDigitDoubt(evidence(0.99, 0.5, 0.95), thresholds)).toBeNull();
    // (0.99 * 0.5^3 * 0.5^2)^(1/6) = 0.560: the second model's doubt tips it.
    expect(singleDigitDoubt(evidence(0.99, 0.5, 0.5), thresholds)).toMatch(
      /^not sure enough of 7: sureness 56%, need 62% \(the model 99%, its stroke views \(thicker or thinner\) 50%, the second model 50%\); best guesses 7 \(99%\), 8 \(1%\)/,
    );
  });

  it('weighs only the evidence there is, and a 0 does not make the rest count for nothing', () => {
    // No second opinion (a model of your own): (0.9 * 0.6^3)^(1/4) = 0.663.
    expect(singleDigitDoubt(evidence(0.9, 0.6, null), thresholds)).toBeNull();
    expect(singleDigitDoubt(evidence(0.9, 0.6, null), { ...thresholds, minSureness: 0.67 })).toMatch(/sureness 66%, need 67% \(the model 90%, its stroke views \(thicker or thinner\) 60%\)/);
    // A second model giving 0 is floored at 1e-6: (1 * 1 * 1e-12)^(1/6) = 0.01, refused but not NaN or 0.
    expect(singleDigitDoubt(evidence(1, 1, 0), thresholds)).toMatch(/sureness 1%, need 62% .*the second model 0%/);
  });
});

describe('the verdicts option', () => {
  it.each([
    [{ minSureness: 1.5 }, /verdicts.minSureness got 1.5/],
    [{ viewWeight: -1 }, /verdicts.viewWeight got -1/],
    [{ maxDigits: 1 }, /verdicts.maxDigits got 1/],
    [{ minCutConfidence: -0.1 }, /verdicts.minCutConfidence got -0.1: .*minCutConfidence, numberAgreement and numberAlone are fractions 0-1/],
    [{ numberAlone: 1.2 }, /verdicts.numberAlone got 1.2/],
    [{ sureness: 0.5 }, /unknown threshold sureness; it takes minSureness, viewWeight, secondOpinionWeight/],
    ['strict', /verdicts takes an object/],
  ])('refuses %j with a DigitkitError', async (verdicts, message) => {
    const error = await createRecognizer({ verdicts: verdicts as never, log: null }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DigitkitError);
    expect(error).toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(message) });
  });
});
