import { resolve } from 'node:path';
import { DigitkitError } from '@digitkit/core';
import { createRecognizer, readPictureFile, type PixelImage, type Recognition, type ShippedModelName } from '@digitkit/recognizer';
import { classNamesOfModel } from '../classes.js';
import { count, percent, table } from '../format.js';
import { SHIPPED_HINT, ensureModelExists, loadData, printJson, startBackend } from '../runtime.js';

interface PredictFlags {
  index?: number[];
  modelDir: string;
  /** A shipped model instead of --model-dir (commander refuses both). */
  model?: ShippedModelName;
  /** The recognizer's minSureness instead of the model's default. */
  minSureness?: number;
  backend: string;
  data?: string;
  classes?: string[];
  json?: boolean;
}

/** One input's answer, as `--json` prints it. */
interface Answer {
  /** The file as given, or the 0-based test index. */
  input: { file: string } | { index: number };
  /** 'digit' with a label; anything else (e.g. 'empty') says why there is none. */
  verdict: string;
  label?: number;
  className?: string;
  confidence?: number;
  probabilities?: readonly number[];
  reason?: string;
  trueLabel?: number;
  trueClassName?: string;
}

export async function predictCommand(images: string[], flags: PredictFlags): Promise<void> {
  const indices = flags.index ?? [];
  if (images.length === 0 && indices.length === 0) {
    throw new DigitkitError('BAD_ARGUMENTS', 'Give one or more PNG or JPEG files, or --index <n...> (0-based test-set indices), or both.');
  }
  // A shipped model answers with its full verdicts (stroke views and the other shipped model's second opinion).
  const modelPath = flags.model ?? (await ensureModelExists(flags.modelDir, SHIPPED_HINT));
  // Every picture is read (and size-checked) before the model loads: a bad file fails fast.
  const pictures = [];
  for (const image of images) pictures.push(await readPicture(image));
  // The CLI's backend wiring (with tfjs-node resolved from here) starts it; the recognizer then uses it as it is.
  await startBackend(flags.backend);
  const recognizer = await createRecognizer({ model: modelPath, ...(flags.minSureness === undefined ? {} : { verdicts: { minSureness: flags.minSureness } }) });
  const { names: classNames } = await classNamesOfModel(recognizer.model, flags);
  const answer = (input: Answer['input'], recognition: Recognition, trueLabel?: number): Answer => {
    const truth = trueLabel !== undefined ? { trueLabel, trueClassName: classNames[trueLabel] } : {};
    if (recognition.verdict === 'digits') return { input, verdict: 'digits', reason: `several digits: the number ${recognition.digits.join('')} (${recognition.pieces.map((p) => `${p.label} ${percent(p.confidence, 1)}`).join(', ')})`, ...truth };
    if (recognition.verdict === 'unsure') {
      // Not sure is still an answer: the best guess, marked, with the reason (a model of your own is often unsure).
      const { label } = recognition.guesses[0]!;
      const { probabilities, reason } = recognition;
      return { input, verdict: 'unsure', reason, label, className: classNames[label], confidence: probabilities[label], probabilities, ...truth };
    }
    if (recognition.verdict === 'empty') return { input, verdict: 'empty', reason: recognition.reason, ...truth };
    const { label, confidence, probabilities } = recognition;
    return { input, verdict: 'digit', label, className: classNames[label], confidence, probabilities, ...truth };
  };

  const answers: Answer[] = pictures.map((picture) => answer({ file: picture.file }, recognizer.recognize(picture.image)));
  if (indices.length > 0) {
    const { test } = await loadData(flags.data);
    const size = test.height * test.width;
    for (const index of indices) {
      if (index >= test.count) throw new DigitkitError('BAD_INDEX', `--index ${index} is out of range: the test set has ${count(test.count)} images (0-${test.count - 1}).`);
      answers.push(answer({ index }, recognizer.recognizeMnist(test.images.subarray(index * size, (index + 1) * size)), test.labels[index]));
    }
  }
  recognizer.dispose();
  // Only a picture with no ink at all has no answer; 'unsure' and 'digits' are answers.
  const unanswered = answers.filter((a) => a.verdict === 'empty');
  if (flags.json) printJson({ model: modelPath, classNames, predictions: answers });
  else printAnswers(answers, classNames);
  if (unanswered.length > 0) {
    throw new DigitkitError(
      answers.length === 1 && unanswered[0]!.verdict === 'empty' ? 'EMPTY_IMAGE' : 'NO_DIGIT',
      unanswered.map((a) => `${inputName(a.input)} holds no ${classNames.length === 10 && classNames[0] === '0' ? 'digit' : 'answer'} (${a.reason}).`).join(' '),
    );
  }
}

function inputName(input: Answer['input']): string {
  return 'file' in input ? input.file : `test image ${input.index}`;
}

/** One input: its probabilities as bars. Several: one row each. */
function printAnswers(answers: readonly Answer[], classNames: readonly string[]): void {
  if (answers.length === 1 && answers[0]!.probabilities) {
    const [only] = answers as [Answer];
    const truth = only.trueLabel !== undefined ? ` (true label: ${only.trueClassName})` : '';
    const unsure = only.verdict === 'unsure' ? ` (not sure: ${only.reason})` : '';
    console.log(`predicted: ${only.className}${unsure}${truth}`);
    const width = Math.max(...classNames.map((name) => name.length));
    only.probabilities!.forEach((p, c) => {
      console.log(`  ${(classNames[c] ?? String(c)).padEnd(width)}  ${'█'.repeat(Math.round(p * 40)).padEnd(40, '·')} ${percent(p, 1).padStart(6)}`);
    });
    return;
  }
  const rows = answers.map((a) => [
    inputName(a.input),
    a.verdict === 'unsure' ? `${a.className} (not sure)` : (a.className ?? `(${a.verdict})`),
    a.confidence !== undefined ? percent(a.confidence, 1) : '',
    a.trueClassName ?? '',
    a.trueLabel === undefined || a.label === undefined ? '' : a.trueLabel === a.label ? 'right' : 'WRONG',
  ]);
  console.log(table(['input', 'predicted', 'confidence', 'true', ''], rows, ['left', 'left', 'right', 'left', 'left']));
}

/** Reads a PNG or JPEG of a digit (any size, any polarity) as 8-bit pixels (see decodePicture); `file` is kept as given. */
async function readPicture(file: string): Promise<{ file: string; image: PixelImage }> {
  return { file, image: await readPictureFile(resolve(file)) };
}
