import { type BackendName, DigitkitError, type DigitModel, parseBackendChoice, type Prediction } from '@digitkit/core';
import { predict } from '@digitkit/model';
import { type Box, boundingBox, type GrayImage, normalize, toMnistFormat } from '@digitkit/preprocess';
import { ensureBackend } from './backend.js';
import { MAX_STROKE_POINTS, readPicture } from './input.js';
import { loadNumberReader, loadPlannedModel, planModel } from './models.js';
import { CONFIRMING_CUT, readNumber, TORN_READER } from './numbers.js';
import { aspectOf, type InkLayout, layoutInk, type Piece, type Region, splitPieces, strokeParts, touchingCuts, wholeRegion } from './segment.js';
import type { DigitPiece, Recognition, RecognizeInput, RecognizeOptions, Recognizer, RecognizerOptions, Stroke, VerdictThresholds } from './types.js';
import { SEGMENTATION, STROKE_VIEWS, VERDICT_THRESHOLDS, piecesDoubt, singleDigitDoubt, topGuesses, writeStrokeViews } from './verdicts.js';

const MNIST_SIZE = 28 * 28;
const OPTION_NAMES = ['model', 'backend', 'log', 'wasmPaths', 'verdicts'] as const;

/**
 * Loads a model (the shipped CNN by default) on a TF.js backend and gives a recognizer for pictures of digits.
 * Options are checked before any work: a wrong one throws a DigitkitError naming what was given and what is accepted.
 */
export async function createRecognizer(options: RecognizerOptions = {}): Promise<Recognizer> {
  const plan = checkOptions(options);
  const thresholds = checkThresholds(options.verdicts, VERDICT_THRESHOLDS[plan.kind === 'shipped' ? plan.name : 'cnn']);
  const backend = await ensureBackend({
    ...(options.backend !== undefined && { backend: parseBackendChoice(options.backend) }),
    ...(options.log !== undefined && { log: options.log }),
    ...(options.wasmPaths !== undefined && { wasmPaths: options.wasmPaths }),
  });
  const model = await loadPlannedModel(plan);
  // The other shipped model, for a second opinion on single digits (see VerdictThresholds.secondOpinionWeight).
  const second = plan.kind === 'shipped' && thresholds.secondOpinionWeight > 0 ? await loadPlannedModel({ kind: 'shipped', name: plan.name === 'cnn' ? 'mlp' : 'cnn' }) : null;
  // The number reader goes with the shipped models (their thresholds were measured with it), unless both its thresholds turn it off.
  const reader = plan.kind === 'shipped' && Math.min(thresholds.numberAgreement, thresholds.numberAlone) < 1 ? await loadNumberReader() : null;
  const source = plan.kind === 'shipped' ? plan.name : plan.kind === 'saved' ? plan.source : 'custom';
  return new ModelRecognizer(model, source, backend, thresholds, second, reader, plan.kind !== 'given');
}

/** The shipped thresholds with the caller's overrides, each checked: fractions in [0, 1], weights >= 0, a ratio > 0, a count >= 2. */
function checkThresholds(overrides: Partial<VerdictThresholds> | undefined, shipped: Readonly<VerdictThresholds>): Readonly<VerdictThresholds> {
  if (overrides === undefined) return shipped;
  const names = Object.keys(shipped);
  if (overrides === null || typeof overrides !== 'object') {
    throw new DigitkitError('BAD_OPTION', `verdicts takes an object with some of ${names.join(', ')}; got ${overrides === null ? 'null' : typeof overrides}.`);
  }
  const valid: Record<keyof VerdictThresholds, (v: number) => boolean> = {
    minSureness: (v) => v >= 0 && v <= 1,
    viewWeight: (v) => v >= 0 && Number.isFinite(v),
    secondOpinionWeight: (v) => v >= 0 && Number.isFinite(v),
    minPieceConfidence: (v) => v >= 0 && v <= 1,
    minCutConfidence: (v) => v >= 0 && v <= 1,
    maxAspect: (v) => v > 0,
    maxDigits: (v) => Number.isInteger(v) && v >= 2,
    numberAgreement: (v) => v >= 0 && v <= 1,
    numberAlone: (v) => v >= 0 && v <= 1,
  };
  for (const [name, value] of Object.entries(overrides)) {
    const check = valid[name as keyof VerdictThresholds];
    if (!check) throw new DigitkitError('BAD_OPTION', `verdicts has an unknown threshold ${name}; it takes ${names.join(', ')}.`);
    if (typeof value !== 'number' || !check(value)) {
      throw new DigitkitError('BAD_OPTION', `verdicts.${name} got ${String(value)}: minSureness, minPieceConfidence, minCutConfidence, numberAgreement and numberAlone are fractions 0-1, viewWeight and secondOpinionWeight numbers >= 0, maxAspect a ratio > 0, maxDigits an integer >= 2.`);
    }
  }
  return Object.freeze({ ...shipped, ...overrides });
}

function checkOptions(options: RecognizerOptions): ReturnType<typeof planModel> {
  if (options === null || typeof options !== 'object') {
    throw new DigitkitError('BAD_OPTION', `createRecognizer takes an options object ({ ${OPTION_NAMES.join(', ')} }), got ${options === null ? 'null' : typeof options}.`);
  }
  const unknown = Object.keys(options).filter((key) => !(OPTION_NAMES as readonly string[]).includes(key));
  if (unknown.length > 0) {
    throw new DigitkitError('BAD_OPTION', `createRecognizer got unknown option(s) ${unknown.join(', ')}; it takes ${OPTION_NAMES.join(', ')}.`);
  }
  if (options.backend !== undefined) parseBackendChoice(options.backend);
  if (options.log !== undefined && options.log !== null && typeof options.log !== 'function') {
    throw new DigitkitError('BAD_OPTION', `log takes a function (line: string) => void, or null for silence; got ${typeof options.log}.`);
  }
  return planModel(options.model);
}

/** One side of a cut, read by the model: a digit of the number, with the ink it came from. */
type CutSide = DigitPiece & { readonly region: Region; readonly image: GrayImage };

/** A cut side as the digit a recognition reports, without the ink it came from. */
const digitOf = ({ region: _, image: __, ...digit }: CutSide): DigitPiece => digit;

class ModelRecognizer implements Recognizer {
  #disposed = false;
  /**
   * Each region's cuts read by the model so far, cheapest first (null where a side leaves nothing in MNIST format), and
   * the rest to come: the number reader's agreement and the cut path ask for the same cuts, each read once.
   */
  readonly #cutReadings = new WeakMap<Region, { next: Generator<[Piece, Piece]>; read: (CutSide[] | null)[] }>();

  constructor(
    readonly model: DigitModel,
    readonly modelSource: string,
    readonly backend: BackendName,
    readonly thresholds: Readonly<VerdictThresholds>,
    readonly secondOpinion: DigitModel | null,
    readonly numberReader: DigitModel | null,
    private readonly owned: boolean,
  ) {}

  recognize(image: RecognizeInput, options: RecognizeOptions = {}): Recognition {
    this.#checkAlive();
    const { strokes, ...format } = checkRecognizeOptions(options);
    const strokesGiven = checkStrokes(strokes);
    const picture = readPicture(image);
    const mnist = toMnistFormat(picture, format);
    if (mnist.empty) return { verdict: 'empty', reason: mnist.reason };
    const { box, inverted } = mnist;
    const layout = layoutInk(mnist.ink, box, { strokes: strokesGiven, washed: mnist.washed });
    const pieces = fittedPieces(splitPieces(layout)).map(({ piece, pixels }) => ({ pixels, box: piece.box, region: piece.region, image: piece.image }));
    // The whole ink, every piece and the whole ink's stroke views in one forward pass.
    const viewCount = this.thresholds.viewWeight > 0 ? STROKE_VIEWS.count : 0;
    const images = new Float32Array(MNIST_SIZE * (1 + pieces.length + viewCount));
    [mnist, ...pieces].forEach((image, i) => normalize(image.pixels, images.subarray(i * MNIST_SIZE)));
    if (viewCount > 0) writeStrokeViews(mnist.pixels, images.subarray((1 + pieces.length) * MNIST_SIZE));
    const predictions = predict(this.model, images, 1 + pieces.length + viewCount);
    const [whole, ...read] = predictions.slice(0, 1 + pieces.length) as [Prediction, ...Prediction[]];
    const views = predictions.slice(1 + pieces.length).map((p) => p.probabilities);
    const second = this.secondOpinion ? (predict(this.secondOpinion, normalize(mnist.pixels), 1) as [Prediction])[0].probabilities : null;
    const oneDoubt = singleDigitDoubt({ probabilities: whole.probabilities, views, second, box, pixels: mnist.pixels }, this.thresholds);
    const unsure = (reason: string): Recognition => ({ verdict: 'unsure', reason, guesses: topGuesses(whole.probabilities), probabilities: whole.probabilities, pixels: mnist.pixels, box, inverted });
    const number = (digits: readonly DigitPiece[]): Recognition => ({ verdict: 'digits', digits: digits.map((d) => d.label), pieces: digits, box, inverted });
    const oneDigit = (): Recognition => ({ verdict: 'digit', ...answer(whole), guesses: topGuesses(whole.probabilities), pixels: mnist.pixels, box, inverted });
    // The whole ink (of `region`, all of it) read by the number reader as two digits.
    const wholeAsPair = (region: Region, where: { onePiece?: boolean } = {}) => this.#readAsPair(layout, region, mnist.ink, { ...answer(whole), pixels: mnist.pixels, box }, where);
    if (pieces.length >= 2) {
      const close = closeTogether(pieces.map((p) => p.box));
      // Pieces almost touching are one digit written in parts (an open 4) when the whole ink is a sure digit, unless the
      // number reader reads the whole ink as two (a 1 beside a 0 with a sliver between them reads as a sure 0).
      if (oneDoubt === null && close) {
        const pair = wholeAsPair(wholeRegion(layout));
        return pair ? number(pair) : oneDigit();
      }
      // A piece that is no digit sure enough may be digits that touch.
      const digits = read.flatMap((p, i) => {
        const piece: DigitPiece = { ...answer(p), pixels: pieces[i]!.pixels, box: pieces[i]!.box };
        const region = pieces[i]!.region;
        const apart = this.#drawnApart(layout, region, piece);
        if (apart) return apart;
        const pair = this.#readAsPair(layout, region, pieces[i]!.image, piece);
        if (pair) return pair;
        if (piece.confidence < this.thresholds.minPieceConfidence) return this.#touchingDigits(layout, region) ?? [piece];
        return this.#surerAsTouching(layout, region, piece) ?? [piece];
      });
      const doubt = piecesDoubt(digits.map((d) => d.probabilities), this.thresholds);
      if (doubt === null) return number(digits);
      // Pieces close together that fail as a number (one no digit sure enough) may be two digits the number reader
      // knows: their whole ink is asked of it, as one piece's ink is.
      const pair = close ? wholeAsPair(wholeRegion(layout)) : null;
      return pair ? number(pair) : unsure(`several pieces side by side, but ${doubt}`);
    }
    const allInk = wholeRegion(layout);
    const apart = this.#drawnApart(layout, allInk, answer(whole));
    if (apart && apart.length <= this.thresholds.maxDigits) return number(apart);
    const pair = wholeAsPair(allInk, { onePiece: true });
    if (pair) return number(pair);
    if (oneDoubt !== null) {
      const digits = this.#touchingDigits(layout, allInk);
      return digits && digits.length <= this.thresholds.maxDigits ? number(digits) : unsure(oneDoubt);
    }
    const touching = this.#surerAsTouching(layout, allInk, { ...answer(whole), box });
    if (touching && touching.length <= this.thresholds.maxDigits) return number(touching);
    return oneDigit();
  }

  /**
   * Ink read as one sure digit that is at least SEGMENTATION.sureCutAspect times as wide as high, read as digits that
   * touch instead when each of them is surer than the whole was (two digits written in one flow can pass for one wide
   * digit; a wide digit cut in two seldom gives two surer halves), each at least SEGMENTATION.sureCutHeight of its
   * height (digits side by side each span most of it; cuts that part a digit's top from its bottom gave an 8 as 07, a
   * wide 0 as 01, a slanted stroke as 11).
   */
  #surerAsTouching(layout: InkLayout, region: Region, read: { confidence: number; box: Box }): DigitPiece[] | null {
    if (read.box.width / read.box.height < SEGMENTATION.sureCutAspect) return null;
    const digits = this.#touchingDigits(layout, region);
    const kept = (d: DigitPiece) => d.confidence > read.confidence && d.box.height >= SEGMENTATION.sureCutHeight * read.box.height;
    return digits?.every(kept) ? digits : null;
  }

  /**
   * `region` read as the digits its strokes drew (see strokeParts), when each passes as a single digit would, and either
   * their lines never meet (the ink only touches) or none is less sure than `read`, the region read whole (a 4 whose bar
   * ends on its upright, its strokes' columns barely shared, reads surer whole).
   */
  #drawnApart(layout: InkLayout, region: Region, read: { confidence: number }): DigitPiece[] | null {
    const drawn = strokeParts(layout, region);
    if (drawn === null) return null;
    const parts = fittedPieces(drawn.pieces);
    if (parts.length < 2) return null;
    const digits = this.#readEach(parts).map((p, i) => ({ ...answer(p), pixels: parts[i]!.pixels, box: parts[i]!.piece.box }));
    return (drawn.apart || digits.every((d) => d.confidence >= read.confidence)) && this.#eachSure(digits) ? digits : null;
  }

  /**
   * `region` (its ink `image`) read by the number reader as two digits: kept when a cut of it (touchingCuts) reads as
   * two digits the reader gives at least numberAgreement (TORN_READER's cutPair where it is sure of a pair but not of
   * which, unless `whole` is the picture's `onePiece` of ink and read as one digit at least minCutConfidence sure), each
   * side at least minPieceConfidence sure and passing as a single digit would; or by a cut reading the reader's own
   * pair where it is sure of it (CONFIRMING_CUT); or on the reader's word alone from numberAlone (each
   * digit's probabilities then the reader's, its image and box those of the cut the model finds most like the pair, or
   * with no cut `whole`'s image and each half of its box).
   */
  #readAsPair(layout: InkLayout, region: Region, image: GrayImage, whole: DigitPiece, { onePiece = false } = {}): DigitPiece[] | null {
    const { numberAgreement, numberAlone } = this.thresholds;
    if (!this.numberReader) return null;
    const read = readNumber(this.numberReader, image);
    if (!read.pair) return null;
    // numberAgreement 1 turns every agreement with a cut off (the torn reader's and the confirming cut's too).
    const agreementOn = numberAgreement < 1;
    // A reader torn between pairs lets a cut pick among them; not in the one piece of ink the model reads as one digit as
    // surely as a cut's side must be read: a digit with a stroke across it is surely *a* pair to the reader, and none in
    // particular (pieces side by side or close together are evidence of two digits that one piece is not).
    const torn = agreementOn && read.pairs >= TORN_READER.pairs && !(onePiece && whole.confidence >= this.thresholds.minCutConfidence);
    const agreement = torn ? Math.min(numberAgreement, TORN_READER.cutPair) : numberAgreement;
    if (read.probability < Math.min(agreement, numberAlone)) return null;
    // The reader gives the cut's two digits `agreement`, each side at least as sure as a piece of a number must be
    // (step 2), and passing as a single digit would.
    const pairProbability = (cut: DigitPiece[]) => read.probabilityOf(cut[0]!.label, cut[1]!.label);
    const agrees = (cut: DigitPiece[]) => pairProbability(cut) >= agreement && cut.every((d) => d.confidence >= this.thresholds.minPieceConfidence);
    // Cut down to the narrower aspect of a pair, along more seams where none of the cheapest agrees on the reader's most
    // likely pair: the reader's reading is the evidence of two digits that width gives elsewhere.
    const readCuts = (count: number) => this.#readCuts(layout, region, SEGMENTATION.pairCutAspect, count).map((cut) => cut.map(digitOf));
    const readsItsPair = (cut: DigitPiece[]) => cut.every((d, k) => d.label === read.digits[k]);
    const agreesOnItsPair = (cut: DigitPiece[]) => agrees(cut) && readsItsPair(cut);
    let sides = readCuts(SEGMENTATION.cuts);
    if (!sides.some(agreesOnItsPair)) sides = readCuts(SEGMENTATION.pairCuts);
    // Of cuts reading different pairs, the one the reader finds likelier; of cuts reading the same, the cheapest; the
    // first whose sides pass as single digits (sort is stable: the cheapest of equals stays first).
    const agreeing = sides.filter(agrees).sort((a, b) => pairProbability(b) - pairProbability(a));
    const sure = agreeing.find((cut) => this.#eachSure(cut));
    if (sure) return sure;
    // A cut reading the pair the reader is sure of confirms it without the single-digit checks.
    const confirmed = agreementOn && read.probability >= CONFIRMING_CUT.pair;
    const confirms = (cut: DigitPiece[]) => readsItsPair(cut) && cut.every((d) => d.confidence >= CONFIRMING_CUT.side) && cut.some((d) => d.confidence >= CONFIRMING_CUT.surerSide);
    const confirming = confirmed ? sides.find(confirms) : undefined;
    if (confirming) return confirming;
    if (read.probability < numberAlone) return null;
    const like = most(sides, (cut) => cut[0]!.probabilities[read.digits[0]]! * cut[1]!.probabilities[read.digits[1]]!);
    const half = (k: number): DigitPiece => {
      const width = Math.ceil(whole.box.width / 2);
      return { ...whole, box: { ...whole.box, x: whole.box.x + k * (whole.box.width - width), width } };
    };
    return read.digits.map((label, k) => ({ ...(like?.[k] ?? half(k)), label, confidence: read.sides[k]![label]!, probabilities: read.sides[k]! }));
  }

  /**
   * `region`'s `count` cheapest cuts in two (see touchingCuts) when it is at least `minAspect` times as wide as high,
   * each side read by the model, those not read before in one forward pass. Kept per region with the cuts still to
   * come: the cuts do not depend on the aspect allowed, and asking for more only makes and reads the next ones.
   */
  #readCuts(layout: InkLayout, region: Region, minAspect: number = SEGMENTATION.minCutAspect, count: number = SEGMENTATION.cuts): CutSide[][] {
    if (aspectOf(region) < minAspect) return [];
    let known = this.#cutReadings.get(region);
    // Cuts of any aspect: which ink is wide enough to cut was decided above.
    if (!known) this.#cutReadings.set(region, (known = { next: touchingCuts(layout, region, 0), read: [] }));
    const cuts: ({ piece: Piece; pixels: Uint8Array }[] | null)[] = [];
    for (let k = known.read.length; k < count; k++) {
      const pair = known.next.next();
      if (pair.done) break;
      // A side that leaves nothing in MNIST format leaves no cut, but counts among the cheapest `count` tried.
      const fits = pair.value.map((piece) => ({ piece, pixels: fitted(piece) }));
      cuts.push(fits.every((side) => side.pixels !== null) ? (fits as { piece: Piece; pixels: Uint8Array }[]) : null);
    }
    const fits = cuts.flatMap((cut) => cut ?? []);
    const predictions = fits.length > 0 ? this.#readEach(fits) : [];
    let next = 0;
    for (const cut of cuts) known.read.push(cut?.map(({ piece, pixels }) => ({ ...answer(predictions[next++]!), pixels, box: piece.box, region: piece.region, image: piece.image })) ?? null);
    return known.read.slice(0, count).filter((cut) => cut !== null);
  }

  /** The model's reading of each fitted 28x28, in one forward pass. */
  #readEach(fits: readonly { pixels: Uint8Array }[]): Prediction[] {
    const images = new Float32Array(MNIST_SIZE * fits.length);
    fits.forEach(({ pixels }, i) => normalize(pixels, images.subarray(i * MNIST_SIZE)));
    return predict(this.model, images, fits.length);
  }

  /** `region` read as digits that touch (see #readTouching), when each passes as a single digit would (singleDigitDoubt). */
  #touchingDigits(layout: InkLayout, region: Region): DigitPiece[] | null {
    const digits = this.#readTouching(layout, region);
    return digits !== null && this.#eachSure(digits) ? digits : null;
  }

  /** Whether each of `digits` passes as a single digit would (singleDigitDoubt: its stroke views, the second opinion). */
  #eachSure(digits: readonly DigitPiece[]): boolean {
    const viewCount = this.thresholds.viewWeight > 0 ? STROKE_VIEWS.count : 0;
    const all = new Uint8Array(MNIST_SIZE * digits.length);
    digits.forEach((d, i) => all.set(d.pixels, i * MNIST_SIZE));
    const views = new Float32Array(MNIST_SIZE * viewCount * digits.length);
    if (viewCount > 0) digits.forEach((d, i) => writeStrokeViews(d.pixels, views.subarray(i * viewCount * MNIST_SIZE)));
    const viewed = viewCount > 0 ? predict(this.model, views, viewCount * digits.length).map((p) => p.probabilities) : [];
    const seconds = this.secondOpinion ? predict(this.secondOpinion, normalize(all), digits.length) : null;
    return digits.every(
      (d, i) => singleDigitDoubt({ probabilities: d.probabilities, views: viewed.slice(i * viewCount, (i + 1) * viewCount), second: seconds ? seconds[i]!.probabilities : null, box: d.box, pixels: d.pixels }, this.thresholds) === null,
    );
  }

  /**
   * Reads `region` as digits that touch: its cuts in two (see touchingCuts) through the model in one pass, the one whose
   * less sure side is surest kept when both reach minCutConfidence. When only one side does, the other may be two
   * digits touching again (three in a row): it is cut once more.
   */
  #readTouching(layout: InkLayout, region: Region, depth = 0): DigitPiece[] | null {
    const pairs = this.#readCuts(layout, region);
    if (pairs.length === 0) return null;
    const sure = this.thresholds.minCutConfidence;
    const lesser = (pair: (typeof pairs)[number]) => Math.min(...pair.map((d) => d.confidence));
    const best = most(pairs, lesser)!;
    if (lesser(best) >= sure) return best.map(digitOf);
    if (depth > 0) return null;
    // One sure side and a weak one: the surest such cut, and the weak side cut again (touchingCuts offers none when it is
    // too narrow for two digits), or read whole as two by the number reader.
    const halfSure = pairs
      .filter((pair) => pair.some((d) => d.confidence >= sure) && pair.some((d) => d.confidence < sure))
      .sort((a, b) => Math.max(...b.map((d) => d.confidence)) - Math.max(...a.map((d) => d.confidence)))[0];
    if (!halfSure) return null;
    const read = halfSure.map(({ region, image, ...digit }) => (digit.confidence >= sure ? [digit] : (this.#readTouching(layout, region, depth + 1) ?? this.#readAsPair(layout, region, image, digit))));
    return read.every((r) => r !== null) ? read.flat() : null;
  }

  recognizeMnist(pixels: Uint8Array): Recognition {
    if (!(pixels instanceof Uint8Array) || pixels.length !== MNIST_SIZE) {
      throw new DigitkitError('BAD_IMAGE', `recognizeMnist takes one 28x28 MNIST-format image: a Uint8Array of ${MNIST_SIZE} bytes; got ${lengthOf(pixels)}. For many, use recognizeMnistBatch.`);
    }
    return this.recognizeMnistBatch(pixels)[0]!;
  }

  recognizeMnistBatch(images: Uint8Array): Recognition[] {
    this.#checkAlive();
    if (!(images instanceof Uint8Array) || images.length === 0 || images.length % MNIST_SIZE !== 0) {
      throw new DigitkitError('BAD_IMAGE', `recognizeMnistBatch takes n 28x28 MNIST-format images: a Uint8Array of n * ${MNIST_SIZE} bytes (n >= 1); got ${lengthOf(images)}.`);
    }
    const count = images.length / MNIST_SIZE;
    const predictions = predict(this.model, normalize(images), count);
    return predictions.map((prediction, i) => {
      const pixels = images.subarray(i * MNIST_SIZE, (i + 1) * MNIST_SIZE);
      const box = boundingBox({ data: pixels, width: 28, height: 28 });
      if (!box) return { verdict: 'empty', reason: 'no ink: every pixel of the 28x28 image is 0' };
      return { verdict: 'digit', ...answer(prediction), guesses: topGuesses(prediction.probabilities), pixels, box, inverted: false };
    });
  }

  dispose(): void {
    if (this.#disposed) return;
    this.#disposed = true;
    if (this.owned) this.model.net.dispose();
    this.secondOpinion?.net.dispose();
    this.numberReader?.net.dispose();
  }

  #checkAlive(): void {
    if (this.#disposed) throw new DigitkitError('DISPOSED', 'This recognizer was disposed; create another with createRecognizer().');
  }
}

/** The item scoring highest, the first of equals; null when there are none. */
function most<T>(items: readonly T[], score: (item: T) => number): T | null {
  return items.reduce<T | null>((best, item) => (best !== null && score(best) >= score(item) ? best : item), null);
}

/** A piece of ink in MNIST format, or null when nothing of it is left there. */
function fitted(piece: Piece): Uint8Array | null {
  const fit = toMnistFormat(piece.image, { polarity: 'light-on-dark' });
  return fit.empty ? null : fit.pixels;
}

/** The pieces that leave something in MNIST format, each with its 28x28. */
function fittedPieces(pieces: readonly Piece[]): { piece: Piece; pixels: Uint8Array }[] {
  return pieces.flatMap((piece) => {
    const pixels = fitted(piece);
    return pixels ? [{ piece, pixels }] : [];
  });
}

const RECOGNIZE_OPTIONS = ['polarity', 'threshold', 'strokes'];

/** `recognize`'s options: an object of RECOGNIZE_OPTIONS (their values are checked by toMnistFormat and checkStrokes). */
function checkRecognizeOptions(options: RecognizeOptions): RecognizeOptions {
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new DigitkitError('BAD_OPTION', `recognize: options must be an object with ${RECOGNIZE_OPTIONS.join(', ')} (or left out), got ${options === null ? 'null' : Array.isArray(options) ? 'an array' : typeof options}.`);
  }
  const unknown = Object.keys(options).filter((key) => !RECOGNIZE_OPTIONS.includes(key));
  if (unknown.length > 0) throw new DigitkitError('BAD_OPTION', `recognize: unknown option ${unknown.map((k) => JSON.stringify(k)).join(', ')}; it takes ${RECOGNIZE_OPTIONS.join(', ')}.`);
  return options;
}

/** The `strokes` option checked: an array of strokes, each an array of [x, y] points with finite coordinates. */
function checkStrokes(strokes: unknown): Stroke[] {
  if (strokes === undefined) return [];
  const isPoint = (p: unknown) => Array.isArray(p) && p.length === 2 && p.every((v) => typeof v === 'number' && Number.isFinite(v));
  const bad = !Array.isArray(strokes) ? 0 : strokes.findIndex((s) => !Array.isArray(s) || s.length === 0 || !s.every(isPoint));
  if (bad < 0) {
    // Each ink pixel is measured against every point: the count bounds the time (a pad's drawing holds a few hundred).
    const points = (strokes as Stroke[]).reduce((n, s) => n + s.length, 0);
    if (points <= MAX_STROKE_POINTS) return strokes as Stroke[];
    throw new DigitkitError('BAD_OPTION', `strokes hold ${points.toLocaleString('en-US')} points; recognize takes at most ${MAX_STROKE_POINTS.toLocaleString('en-US')} (a drawing pad's number holds a few hundred): leave out points under a pixel apart.`);
  }
  const what = Array.isArray(strokes) ? `stroke ${bad} is ${Array.isArray(strokes[bad]) ? (strokes[bad].length === 0 ? 'empty' : 'not all [x, y] pairs of finite numbers') : typeof strokes[bad]}` : `got ${strokes === null ? 'null' : typeof strokes}`;
  throw new DigitkitError('BAD_OPTION', `strokes takes the strokes that drew the picture: an array of strokes, each a non-empty array of [x, y] points in the picture's pixels; ${what}.`);
}

/** Whether every gap between neighbouring pieces is under SEGMENTATION.oneDigitGap of the tallest piece's height. */
function closeTogether(boxes: readonly Box[]): boolean {
  const tallest = Math.max(...boxes.map((b) => b.height));
  return boxes.slice(1).every((b, i) => b.x - (boxes[i]!.x + boxes[i]!.width) < SEGMENTATION.oneDigitGap * tallest);
}

function answer(prediction: Prediction): { label: number; confidence: number; probabilities: readonly number[] } {
  return { label: prediction.label, confidence: prediction.probabilities[prediction.label]!, probabilities: prediction.probabilities };
}

function lengthOf(value: unknown): string {
  return value instanceof Uint8Array ? `${value.length} bytes` : `${value === null ? 'null' : typeof value === 'object' ? value.constructor?.name : typeof value}`;
}
