import './style.css';
import { createRecognizer, MAX_STROKE_POINTS, type Recognition, type Recognizer, SHIPPED_MODELS, type ShippedModelName } from '@digitkit/recognizer';
import { getBackend, memory } from '@tensorflow/tfjs-core';
import { startBackend } from './backend';
import { type GalleryDigit, GalleryView, loadGallery, toImageData } from './gallery';
import { decodeImageFile, UnreadableImageError } from './image-file';
import { DrawingPad, INK_SIZE } from './pad';
import { ResultView, byId, type ShownMeta, type StageTiming } from './result-view';

/** What the panel currently shows, so a model switch can recognize it again. */
type Source =
  | { kind: 'pad' }
  | { kind: 'file'; name: string; pixels: ImageData }
  | { kind: 'gallery'; digit: GalleryDigit };

const body = document.body;
const view = new ResultView();
const alertBox = byId('alert');
const badge = byId('backend');
const padHint = byId('pad-hint');
const padCaption = byId('pad-caption');
const dropZone = byId('drop-zone');
const strokeInput = byId<HTMLInputElement>('stroke');
const strokeValue = byId('stroke-value');
const fileInput = byId<HTMLInputElement>('file');

let recognizer: Recognizer | undefined;
/** Whether the chosen model is loading, ready, or failed (then nothing claims it is still loading). */
let modelState: 'loading' | 'ready' | 'failed' = 'loading';
let modelName: ShippedModelName | undefined;
let source: Source | undefined;
let gallery: GalleryView | undefined;
let frame = 0;

const pad = new DrawingPad(byId<HTMLCanvasElement>('pad'), {
  onStrokeStart() {
    source = { kind: 'pad' };
    showPadState();
  },
  onInk() {
    // Recognize at most once per animation frame while the pen moves.
    if (frame === 0) frame = requestAnimationFrame(() => {
      frame = 0;
      recognizePad(false);
    });
  },
  onStrokeEnd() {
    cancelAnimationFrame(frame);
    frame = 0;
    recognizePad(true);
  },
});

/** The pad's pipeline: ink pixels -> recognizer -> panel. At stroke end it is timed. */
function recognizePad(final: boolean): void {
  if (!recognizer) {
    if (modelState === 'failed') {
      if (final) showNoModel();
    } else view.showLoading('Your drawing will be recognized as soon as it is ready.', { source: 'pad', describe: '', announce: false });
    return;
  }
  const start = performance.now();
  const pixels = pad.inkPixels();
  const read = performance.now();
  const strokes = pad.inkStrokes();
  // A scribble past the recognizer's limit is read from its pixels alone.
  const drawn = strokes.reduce((n, s) => n + s.length, 0) <= MAX_STROKE_POINTS ? { strokes } : {};
  const result = recognizer.recognize(pixels, drawn);
  const timing: StageTiming = { read: read - start, recognize: performance.now() - read };
  show(result, { source: 'pad', describe: 'your drawing', announce: final }, final ? start : undefined, timing);
}

function show(result: Recognition, meta: ShownMeta, start?: number, timing?: StageTiming): void {
  if (result.verdict === 'empty') {
    view.showEmpty('Draw a digit', meta.source === 'pad' ? 'The pad is empty.' : `No digit found in ${meta.describe}: ${result.reason}`, meta);
    return;
  }
  view.show(result, meta);
  // The panel is updated (the DOM holds the answer) at this point; the browser paints it next frame.
  if (start !== undefined) {
    view.setLatency(performance.now() - start, timing);
    body.dataset.tensors = String(memory().numTensors);
  }
}

function recognizeSource(): void {
  if (!recognizer || !source) return;
  const start = performance.now();
  if (source.kind === 'pad') {
    if (pad.hasInk) recognizePad(true);
  } else if (source.kind === 'file') {
    show(recognizer.recognize(source.pixels), { source: `file:${source.name}`, describe: `“${source.name}”`, announce: true }, start);
  } else {
    const { digit } = source;
    show(recognizer.recognizeMnist(digit.pixels), { source: `gallery:${digit.index}`, describe: `MNIST test digit #${digit.testIndex}`, trueLabel: digit.label, announce: true }, start);
  }
}

function showPadState(caption?: string): void {
  padHint.hidden = !pad.isBlank;
  padCaption.hidden = caption === undefined;
  padCaption.textContent = caption ?? '';
}

function clearPad(): void {
  cancelAnimationFrame(frame);
  frame = 0;
  pad.clear();
  source = undefined;
  showPadState();
  view.showEmpty('Draw a digit', 'The model’s answer appears here while you draw.', { source: 'pad', describe: '', announce: true });
}

async function openFile(file: File): Promise<void> {
  try {
    const decoded = await decodeImageFile(file);
    pad.showImage(decoded.canvas);
    showPadState(file.name);
    source = { kind: 'file', name: file.name, pixels: decoded.pixels };
    if (recognizer) recognizeSource();
    else if (modelState === 'failed') showNoModel();
    else view.showLoading(`“${file.name}” will be recognized as soon as it is ready.`, { source: `file:${file.name}`, describe: '', announce: false });
  } catch (error) {
    // The pad no longer shows what the caption would name: drop both, so no earlier file's name stays beside it.
    pad.clear();
    source = undefined;
    showPadState();
    const message = error instanceof UnreadableImageError ? error.message : `Could not read “${file.name}”: ${shortError(error)}`;
    view.showError('Can’t read that file', message, { source: `file:${file.name}`, describe: '', announce: true });
  }
}

function pickGalleryDigit(digit: GalleryDigit): void {
  const picture = document.createElement('canvas');
  picture.width = picture.height = 28;
  picture.getContext('2d')!.putImageData(toImageData(digit.pixels, true), 0, 0);
  pad.showImage(picture);
  showPadState(`MNIST test digit #${digit.testIndex} · label ${digit.label}`);
  source = { kind: 'gallery', digit };
  recognizeSource();
  if (matchMedia('(max-width: 820px)').matches) byId('result').scrollIntoView({ behavior: 'smooth', block: 'start' });
}

// ---- model choice ----

/** The models the recognizer package ships, in its order (the CNN, its default, first). */
const shipped = Object.values(SHIPPED_MODELS);
const recognizers = new Map<ShippedModelName, Promise<Recognizer>>();

/** The recognizer for a shipped model, created once (its weights are a lazily loaded chunk of the build). */
function recognizerFor(name: ShippedModelName): Promise<Recognizer> {
  let pending = recognizers.get(name);
  if (!pending) {
    // The backend is already started (startBackend), so the recognizer runs on it and logs nothing.
    pending = createRecognizer({ model: name, log: null });
    recognizers.set(name, pending);
    // A failure is reported by useModel; forgetting it lets a later pick try again.
    pending.catch(() => recognizers.delete(name));
  }
  return pending;
}

async function useModel(name: ShippedModelName): Promise<void> {
  modelName = name;
  body.dataset.model = name;
  body.dataset.ready = 'false';
  modelState = 'loading';
  recognizer = undefined;
  view.showLoading(`The ${title(name)} model is on its way; then draw a digit.`, { source: 'none', describe: '', announce: false });
  remember(name);
  for (const radio of document.querySelectorAll<HTMLInputElement>('#model-picker input')) radio.checked = radio.value === name;
  try {
    const loaded = await recognizerFor(name);
    if (modelName !== name) return;
    recognizer = loaded;
    modelState = 'ready';
    warmUp(loaded);
    view.showEmpty('Draw a digit', 'The model’s answer appears here while you draw.', { source: 'none', describe: '', announce: false });
    describeModel(name);
    hideAlert();
    gallery?.classify(loaded);
    recognizeSource();
    body.dataset.backend = getBackend();
    body.dataset.ready = 'true';
  } catch (error) {
    if (modelName !== name) return;
    recognizer = undefined;
    modelState = 'failed';
    showAlert(`Could not load the ${title(name)} model (${shortError(error)}). Reload the page to try again.`);
    showNoModel();
    body.dataset.ready = 'error';
  }
}

/** One line under the prediction: which network, how big, how accurate (as the recognizer package measured it). */
function describeModel(name: ShippedModelName): void {
  const { parameters, testAccuracy, testImages } = SHIPPED_MODELS[name];
  byId('model-info').textContent =
    `${title(name)} · ${parameters.toLocaleString('en-US')} parameters · ${(testAccuracy * 100).toFixed(1)}% on the ${testImages.toLocaleString('en-US')} MNIST test digits`;
}

/** Runs the whole pipeline once on a made-up stroke, so the first real stroke does not pay for JIT and kernel setup. */
function warmUp(warming: Recognizer): void {
  const image = new ImageData(INK_SIZE, INK_SIZE);
  image.data.fill(255);
  for (let y = 20; y < 92; y++) for (let x = 50; x < 60; x++) image.data.fill(0, (y * INK_SIZE + x) * 4, (y * INK_SIZE + x) * 4 + 3);
  for (let i = 0; i < 3; i++) warming.recognize(image);
}

function buildModelPicker(): void {
  const picker = byId('model-picker');
  if (shipped.length < 2) return;
  for (const { name, description } of shipped) {
    const label = document.createElement('label');
    label.title = description;
    label.innerHTML = `<input type="radio" name="model" value="${name}" /><span>${title(name)}</span>`;
    label.querySelector('input')!.addEventListener('change', () => void useModel(name));
    picker.append(label);
  }
  picker.hidden = false;
}

/** A shipped model's name as the page shows it ("CNN"). */
function title(name: ShippedModelName): string {
  return name.toUpperCase();
}

// Storage can be unavailable (privacy modes, sandboxed frames): the choice is then not remembered.
function remember(name: ShippedModelName): void {
  try {
    localStorage.setItem('digitkit.model', name);
  } catch {}
}

function initialModel(): ShippedModelName {
  let stored: string | null = null;
  try {
    stored = localStorage.getItem('digitkit.model');
  } catch {}
  // The address (?model=mlp) wins over the remembered choice; else the CNN, the recognizer's default (tools/robustness:
  // as good as the MLP on drawings, better on photos and MNIST-like input).
  const wanted = [new URLSearchParams(location.search).get('model'), stored].find((name) => name !== null && Object.hasOwn(SHIPPED_MODELS, name));
  return (wanted as ShippedModelName | undefined) ?? 'cnn';
}

// ---- wiring ----

function showAlert(text: string): void {
  alertBox.textContent = text;
  alertBox.hidden = false;
}
function hideAlert(): void {
  alertBox.hidden = true;
}
function errorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The first sentence of an error's first line, at most 80 characters: TF.js nests whole causes in its messages. */
function shortError(error: unknown): string {
  const line = errorText(error).split('\n')[0]!.trim();
  const sentence = line.split(/(?<=[.!?:])\s/)[0]!.replace(/[.:]$/, '');
  return sentence.length > 80 ? `${sentence.slice(0, 79)}…` : sentence;
}

function showNoModel(): void {
  // The gallery waits for a model to classify its digits: it must not go on saying "Loading…" either.
  byId('gallery-summary').textContent = 'The model did not load, so these digits are not classified.';
  view.showError('No model', `The ${title(modelName ?? 'cnn')} model did not load, so nothing can be recognized. Reload the page to try again.`, {
    source: 'none',
    describe: '',
    announce: true,
  });
}

byId('clear').addEventListener('click', clearPad);
document.addEventListener('keydown', (e) => {
  const typing = e.target instanceof HTMLInputElement && e.target.type !== 'range' && e.target.type !== 'checkbox' && e.target.type !== 'radio';
  if (e.key === 'Escape' && !typing) clearPad();
});
strokeInput.addEventListener('input', () => {
  pad.strokeWidth = Number(strokeInput.value);
  strokeValue.textContent = `${strokeInput.value} px`;
});
pad.strokeWidth = Number(strokeInput.value);
fileInput.addEventListener('change', () => {
  const file = fileInput.files?.[0];
  fileInput.value = '';
  if (file) void openFile(file);
});
dropZone.addEventListener('dragover', (e) => {
  if (!e.dataTransfer?.types.includes('Files')) return;
  e.preventDefault();
  e.dataTransfer.dropEffect = 'copy';
  dropZone.classList.add('dragging');
});
dropZone.addEventListener('dragleave', (e) => {
  if (!dropZone.contains(e.relatedTarget as Node | null)) dropZone.classList.remove('dragging');
});
dropZone.addEventListener('drop', (e) => {
  e.preventDefault();
  dropZone.classList.remove('dragging');
  const file = e.dataTransfer?.files[0];
  if (file) void openFile(file);
});
// A file dropped beside the pad would otherwise make the browser navigate away to it.
window.addEventListener('dragover', (e) => e.preventDefault());
window.addEventListener('drop', (e) => e.preventDefault());

async function main(): Promise<void> {
  showPadState();
  view.showLoading('Starting TensorFlow.js and the model; then draw a digit.', { source: 'none', describe: '', announce: false });
  buildModelPicker();
  const galleryReady = loadGallery().then(
    (digits) => {
      gallery = new GalleryView(digits, pickGalleryDigit);
      if (recognizer) gallery.classify(recognizer);
    },
    (error) => {
      byId('gallery-summary').textContent = `The gallery could not be loaded (${errorText(error)}).`;
    },
  );
  try {
    const status = await startBackend();
    badge.textContent = status.label;
    badge.title = status.detail;
    badge.classList.toggle('slow', status.info.name !== 'wasm');
    body.dataset.backend = getBackend();
    body.dataset.threads = String(status.threads);
    body.dataset.simd = String(status.info.wasm?.simd ?? false);
    body.dataset.wasmThreads = String(status.info.wasm?.threads ?? false);
  } catch (error) {
    badge.textContent = 'No backend';
    modelState = 'failed';
    showAlert(`TensorFlow.js could not start in this browser (${shortError(error)}). Try a current Chrome, Edge, Firefox or Safari.`);
    showNoModel();
    body.dataset.ready = 'error';
    return;
  }
  await Promise.all([useModel(initialModel()), galleryReady]);
  // Load the other models too, so switching works offline once the page has loaded; a failure is reported if one is picked.
  for (const { name } of shipped) recognizerFor(name).catch(() => {});
}

void main();
