import type { BackendChoice, BackendName, DigitModel } from '@digitkit/core';
import type { Box, MnistFormatOptions } from '@digitkit/preprocess';

/** The trained models inside the package. */
export type ShippedModelName = 'cnn' | 'mlp';

export interface RecognizerOptions {
  /**
   * Which model recognizes: `'cnn'` (default) or `'mlp'`, the trained models shipped inside the package; a
   * `DigitModel` you built or loaded; or a directory, `model.json` path or http(s) URL of a saved TF.js layers model.
   */
  model?: ShippedModelName | DigitModel | string;
  /**
   * The TF.js backend. Default: the one you already set up, else `auto` (native tfjs-node, then WASM, then CPU in
   * Node; WASM in a browser), started once per process.
   */
  backend?: BackendChoice;
  /** Receives the one line saying which backend runs. Default `console.info`; `null` for silence. */
  log?: ((line: string) => void) | null;
  /** Where the WASM backend finds its `.wasm` files (a URL prefix ending in `/`, or file name -> URL). Bundled browser apps need it. */
  wasmPaths?: string | Record<string, string>;
  /**
   * When a picture is called one digit, several, or `'unsure'`: overrides of the shipped `VERDICT_THRESHOLDS`
   * (measured on the shipped models; a model of your own may want its own).
   */
  verdicts?: Partial<VerdictThresholds>;
}

/** The thresholds that tell `'digit'`, `'digits'` and `'unsure'` apart (see `VERDICT_THRESHOLDS`). */
export interface VerdictThresholds {
  /**
   * A single piece of ink is a digit only when its sureness reaches this fraction. The sureness is a weighted geometric
   * mean of three probabilities for the model's most likely class: the model's on the 28x28 (weight 1), its mean over
   * copies of the 28x28 drawn with a thicker or thinner stroke (`STROKE_VIEWS`, weight `viewWeight`), and the other
   * shipped model's (weight `secondOpinionWeight`). A digit holds up under all three; ink that only happens to look
   * like one seldom does. With both weights 0 it is the model's top probability.
   */
  readonly minSureness: number;
  /** The stroke views' weight in the sureness (the same picture always gets the same views); 0 skips the views. */
  readonly viewWeight: number;
  /**
   * The second opinion's weight in the sureness: the MLP's for the CNN, the CNN's for the MLP (two different networks
   * rarely agree with confidence on a scribble). 0 skips it and its model is not loaded; models of your own have none.
   */
  readonly secondOpinionWeight: number;
  /** Several pieces are read as a number only when each piece's most likely digit has at least this probability. */
  readonly minPieceConfidence: number;
  /**
   * Ink that is no one digit sure enough (or a piece that is no digit sure enough) may be digits that touch: it is cut
   * in two, and the cut kept only when each side's most likely digit has at least this probability.
   */
  readonly minCutConfidence: number;
  /** A single piece wider than this many times its height is no one digit (a word, a scribble, digits that touch). */
  readonly maxAspect: number;
  /** More pieces than this are not read as a number. */
  readonly maxDigits: number;
  /**
   * The number reader (a third shipped model that reads ink as two digits whole, without cutting it; loaded with the
   * shipped models) is asked about ink of one piece and about each piece of several. Its pair is kept when it gives it
   * at least this probability and a cut of the ink reads as the same two digits, each side passing as a single digit
   * would; 1 turns the reader off (and it is not loaded, when `numberAlone` is 1 too).
   */
  readonly numberAgreement: number;
  /** ...or on the reader's word alone when it gives its pair at least this probability; 1 never. */
  readonly numberAlone: number;
}

/** One of the model's answers: a digit and its probability. */
export interface Guess {
  readonly label: number;
  readonly probability: number;
}

/** Pixels as a decoder, a camera or `ImageData` gives them: gray, RGB or RGBA bytes, row-major, channels interleaved. */
export interface PixelImage {
  readonly data: Uint8Array | Uint8ClampedArray;
  readonly width: number;
  readonly height: number;
  /** 1 (gray), 3 (RGB) or 4 (RGBA). Default: `data.length / (width * height)`. */
  readonly channels?: 1 | 3 | 4;
}

/**
 * A browser picture without its pixels at hand: an `HTMLCanvasElement`, `OffscreenCanvas` or `ImageBitmap`
 * (read through a 2D canvas). Typed by shape so the types need no DOM library.
 */
export interface DrawableImage {
  readonly width: number;
  readonly height: number;
  readonly data?: undefined;
}

/** What `recognize` takes: pixel bytes (including `ImageData`), or in a browser a canvas or an `ImageBitmap`. */
export type RecognizeInput = PixelImage | DrawableImage;

/**
 * Options of one `recognize` call: how the picture is turned into MNIST's format (see `toMnistFormat`), and the
 * strokes that drew it when you have them (a drawing pad): each an array of [x, y] points in the picture's pixels, in
 * the order drawn. Digits written touching are then told apart by the strokes that drew them, as a person would.
 */
export type RecognizeOptions = MnistFormatOptions & { strokes?: readonly Stroke[] };

/** A stroke as a drawing pad records it: its points, in order, in the picture's pixels. */
export type Stroke = readonly (readonly [x: number, y: number])[];

/** The picture holds one digit. */
export interface DigitRecognition {
  readonly verdict: 'digit';
  /** The digit, 0-9. */
  readonly label: number;
  /** The probability of `label` (the largest of `probabilities`). */
  readonly confidence: number;
  /** One probability per class, summing to 1. */
  readonly probabilities: readonly number[];
  /** The three most likely digits, most likely first (the first is `label`). */
  readonly guesses: readonly Guess[];
  /** The 28x28 image the model saw, row-major (0 = background, 255 = ink). */
  readonly pixels: Uint8Array;
  /** The ink's bounding box in the picture's pixels. */
  readonly box: Box;
  /** True when the picture was dark ink on a light ground (and was inverted to MNIST's light-on-dark). */
  readonly inverted: boolean;
}

/** One digit of several, as `'digits'` gives them. */
export interface DigitPiece {
  readonly label: number;
  readonly confidence: number;
  readonly probabilities: readonly number[];
  /** The 28x28 image of this piece the model saw. */
  readonly pixels: Uint8Array;
  /** This piece's box in the picture's pixels. */
  readonly box: Box;
}

/** The picture holds several digits side by side: a number, read left to right. */
export interface DigitsRecognition {
  readonly verdict: 'digits';
  /** The digits, left to right (`digits.join('')` is the number as written). */
  readonly digits: readonly number[];
  /** Each digit with its own confidence, probabilities, 28x28 image and box, left to right. */
  readonly pieces: readonly DigitPiece[];
  /** The box of all the ink in the picture's pixels. */
  readonly box: Box;
  readonly inverted: boolean;
}

/**
 * The picture holds ink, but no single digit the recognizer can name (a scribble, a letter or symbol, digits it
 * cannot tell apart): `reason` says why in words, `guesses` are the model's best answers for the whole ink.
 */
export interface UnsureRecognition {
  readonly verdict: 'unsure';
  readonly reason: string;
  /** The three most likely digits for the whole ink taken as one, most likely first. */
  readonly guesses: readonly Guess[];
  readonly probabilities: readonly number[];
  readonly pixels: Uint8Array;
  readonly box: Box;
  readonly inverted: boolean;
}

/** The picture holds nothing to recognize (blank, or only specks); `reason` says why in words. */
export interface EmptyRecognition {
  readonly verdict: 'empty';
  readonly reason: string;
}

/**
 * What recognizing a picture gives, told apart by `verdict`. The union may grow: give a `switch` on `verdict` a
 * default branch.
 */
export type Recognition = DigitRecognition | DigitsRecognition | UnsureRecognition | EmptyRecognition;

export interface Recognizer {
  /** The model that recognizes. */
  readonly model: DigitModel;
  /** `'cnn'` or `'mlp'` for a shipped model, the directory or URL it was loaded from, or `'custom'` for a DigitModel. */
  readonly modelSource: string;
  /** The TF.js backend it runs on. */
  readonly backend: BackendName;
  /** The model giving the second opinion on single digits (the other shipped model), or null. */
  readonly secondOpinion: DigitModel | null;
  /** The number reader that reads touching digits whole (with the shipped models; see `numberAgreement`), or null. */
  readonly numberReader: DigitModel | null;
  /** The verdict thresholds in force: the shipped ones with the `verdicts` option's overrides. */
  readonly thresholds: Readonly<VerdictThresholds>;
  /**
   * Picture -> MNIST format (crop, scale, centre) -> model -> verdict: `'digit'`, `'digits'` (several side by side),
   * `'unsure'` or `'empty'`. Throws a DigitkitError for malformed pictures.
   */
  recognize(image: RecognizeInput, options?: RecognizeOptions): Recognition;
  /** One image already in MNIST format (784 bytes, light ink on black, centred): straight to the model, always `'digit'` (or `'empty'`). */
  recognizeMnist(pixels: Uint8Array): Recognition;
  /** Many MNIST-format images (`n * 784` bytes), in one forward pass per 1,024. */
  recognizeMnistBatch(images: Uint8Array): Recognition[];
  /** Frees the model's tensors when the recognizer loaded it (a DigitModel you passed stays yours). */
  dispose(): void;
}
