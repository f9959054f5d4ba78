import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { DigitkitError, faultPause, isNode, isProcessAlive, type DigitModel } from '@digitkit/core';
import { MODEL_KINDS, MODELS } from './models/index.js';

/** The file names `saveModel` writes (the TF.js layers format). */
export const MODEL_JSON = 'model.json';
export const WEIGHTS_FILE = 'weights.bin';

/** The kind of a loaded model that is 28x28-compatible but matches no entry of `MODELS` (e.g. a Keras model taking [28, 28]). */
export const CUSTOM_KIND = 'custom';

/** What digitkit stores in model.json's `userDefinedMetadata.digitkit` (stock TF.js ignores it). */
export interface DigitkitMetadata {
  /** A key of `MODELS`, or `custom`. */
  kind: string;
  inputShape: number[];
  numClasses: number;
}

/** The model as in-memory TF.js artifacts (topology, weight specs and one weight buffer), e.g. for checkpoints. */
export async function modelToArtifacts(model: DigitModel): Promise<tf.io.ModelArtifacts> {
  const metadata: DigitkitMetadata = { kind: model.kind, inputShape: [...model.inputShape], numClasses: model.numClasses };
  model.net.setUserDefinedMetadata({ ...(model.net.getUserDefinedMetadata() ?? {}), digitkit: metadata });
  let captured: tf.io.ModelArtifacts | undefined;
  await model.net.save(
    tf.io.withSaveHandler(async (artifacts) => {
      captured = artifacts;
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  if (!captured) throw new DigitkitError('SAVE_FAILED', 'TF.js did not hand over the model artifacts.');
  return { ...captured, weightData: joinWeights(captured.weightData) };
}

/** Rebuilds a DigitModel from in-memory artifacts (as `modelToArtifacts` gives them). */
export async function modelFromArtifacts(artifacts: tf.io.ModelArtifacts, source = 'artifacts'): Promise<DigitModel> {
  // Before TF.js builds a layer: a layer size edited in model.json would otherwise allocate it first (1e6 units: gigabytes).
  checkLayerSizes(artifacts, source);
  checkFiniteWeights(artifacts, source);
  let net: tfl.LayersModel;
  try {
    net = await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new DigitkitError('BAD_MODEL', `${source} is not a loadable TF.js layers model: ${message(error)}`, { cause: error });
  }
  return toDigitModel(net, source);
}

/**
 * Saves a model in the TF.js layers format (`model.json` + `weights.bin`) into `dir`, from Node
 * without tfjs-node. The files are written into `dir.tmp-*`, the old model is renamed to `dir.old-*`,
 * the new one renamed in, the old one deleted. Node cannot swap two directories in one step
 * (renameat2 RENAME_EXCHANGE), so a save killed between the two renames leaves `dir` missing but
 * `dir.old-*` complete: the next saveModel or loadModel renames it back (see recoverInterruptedSave),
 * so a reader always finds either the old or the new model complete, in the plain TF.js layout.
 */
export async function saveModel(model: DigitModel, dir: string): Promise<void> {
  if (!isNode()) {
    throw new DigitkitError('NODE_ONLY', 'saveModel writes files and runs in Node.js only. In a browser use model.net.save("downloads://…") or "indexeddb://…".');
  }
  const fs = await nodeFs();
  const path = await nodePath();
  const target = path.resolve(dir);
  await recoverInterruptedSave(target);
  await checkReplaceable(target);
  const artifacts = await modelToArtifacts(model);
  const weightData = artifacts.weightData as ArrayBuffer;
  const modelJson = {
    format: 'layers-model',
    generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
    convertedBy: null,
    modelTopology: artifacts.modelTopology,
    weightsManifest: [{ paths: [WEIGHTS_FILE], weights: artifacts.weightSpecs ?? [] }],
    ...(artifacts.trainingConfig ? { trainingConfig: artifacts.trainingConfig } : {}),
    userDefinedMetadata: artifacts.userDefinedMetadata,
  };

  await fs.mkdir(path.dirname(target), { recursive: true });
  const suffix = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const temp = `${target}.tmp-${suffix}`;
  const old = `${target}.old-${suffix}`;
  try {
    await fs.mkdir(temp);
    await fs.writeFile(path.join(temp, WEIGHTS_FILE), new Uint8Array(weightData));
    await fs.writeFile(path.join(temp, MODEL_JSON), `${JSON.stringify(modelJson)}\n`);
    // A non-empty directory cannot be renamed over: move the old model aside first, then swap.
    const hadOld = await exists(target);
    await faultPause('model-save-before-renames');
    if (hadOld) await fs.rename(target, old);
    await faultPause('model-save-between-renames');
    try {
      await fs.rename(temp, target);
    } catch (error) {
      if (hadOld) await fs.rename(old, target);
      throw error;
    }
    await faultPause('model-save-before-cleanup');
    if (hadOld) await fs.rm(old, { recursive: true, force: true });
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    if (error instanceof DigitkitError) throw error;
    throw new DigitkitError('SAVE_FAILED', `Could not save the model to ${target}: ${message(error)}`, { cause: error });
  }
}

/**
 * Loads a model saved in the TF.js layers format. `source` is a directory holding `model.json`,
 * a path to a `model.json`, or an http(s) URL to one (in a browser, a relative URL works too).
 */
export async function loadModel(source: string): Promise<DigitModel> {
  if (typeof source !== 'string' || source.length === 0) {
    throw new DigitkitError('BAD_MODEL_SOURCE', 'loadModel needs a directory, a path to model.json or a URL to one.');
  }
  if (/^https?:\/\//i.test(source) || !isNode()) return loadFromUrl(source);
  return loadFromFiles(source);
}

async function loadFromUrl(url: string): Promise<DigitModel> {
  let artifacts: tf.io.ModelArtifacts;
  try {
    artifacts = await tf.io.http(url).load!();
  } catch (error) {
    throw new DigitkitError('MODEL_LOAD_FAILED', `Could not load a TF.js layers model from ${url}: ${message(error)}`, { cause: error });
  }
  return modelFromArtifacts(artifacts, url);
}

async function loadFromFiles(source: string): Promise<DigitModel> {
  const fs = await nodeFs();
  const path = await nodePath();
  const resolved = path.resolve(source);
  await recoverInterruptedSave(path.basename(resolved) === MODEL_JSON ? path.dirname(resolved) : resolved);
  const stat = await fs.stat(resolved).catch(() => undefined);
  if (!stat) {
    throw new DigitkitError('MODEL_NOT_FOUND', `No model at ${resolved}: give a directory holding ${MODEL_JSON}, or the path to a ${MODEL_JSON}.`);
  }
  const jsonPath = stat.isDirectory() ? path.join(resolved, MODEL_JSON) : resolved;
  const text = await fs.readFile(jsonPath, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') {
      throw new DigitkitError('MODEL_NOT_FOUND', `${resolved} holds no ${MODEL_JSON}. Save a model there with saveModel first.`);
    }
    throw new DigitkitError('MODEL_LOAD_FAILED', `Could not read ${jsonPath}: ${error.message}`, { cause: error });
  });
  let json: tf.io.ModelJSON;
  try {
    json = JSON.parse(text) as tf.io.ModelJSON;
  } catch (error) {
    throw new DigitkitError('BAD_MODEL_JSON', `${jsonPath} is not valid JSON (${message(error)}). Is it a TF.js model.json?`, { cause: error });
  }
  if (json === null || typeof json !== 'object' || typeof json.modelTopology !== 'object' || json.modelTopology === null || !Array.isArray(json.weightsManifest)) {
    throw new DigitkitError('BAD_MODEL_JSON', `${jsonPath} is not a TF.js layers model: it needs "modelTopology" and "weightsManifest".`);
  }
  const dir = path.dirname(jsonPath);
  const artifacts = await tf.io.getModelArtifactsForJSON(json, async (manifest) => {
    const specs: tf.io.WeightsManifestEntry[] = [];
    const buffers: ArrayBuffer[] = [];
    for (const group of manifest) {
      const groupBuffers: Uint8Array[] = [];
      for (const file of group.paths) {
        const file_ = path.join(dir, file);
        const bytes = await fs.readFile(file_).catch((error: NodeJS.ErrnoException) => {
          throw new DigitkitError(
            error.code === 'ENOENT' ? 'WEIGHTS_NOT_FOUND' : 'MODEL_LOAD_FAILED',
            `${jsonPath} names the weights file ${file}, but ${file_} ${error.code === 'ENOENT' ? 'does not exist' : `cannot be read (${error.message})`}. Copy model.json together with its weights file(s).`,
            { cause: error },
          );
        });
        groupBuffers.push(bytes);
      }
      const expected = group.weights.reduce((sum, spec) => sum + weightByteLength(spec), 0);
      const actual = groupBuffers.reduce((sum, b) => sum + b.byteLength, 0);
      if (actual !== expected) {
        throw new DigitkitError(
          'BAD_WEIGHTS',
          `The weights file(s) ${group.paths.join(', ')} in ${dir} hold ${actual} bytes, but ${jsonPath} describes ${expected}. The files do not belong together or were cut short: save the model again.`,
        );
      }
      specs.push(...group.weights);
      for (const b of groupBuffers) buffers.push(b.buffer.slice(b.byteOffset, b.byteOffset + b.byteLength) as ArrayBuffer);
    }
    return [specs, joinWeights(buffers)];
  });
  return modelFromArtifacts(artifacts, jsonPath);
}

/**
 * Checks that a layers model looks like a digit model and wraps it. Its kind is the one stored in
 * digitkit's metadata; without metadata, the `MODELS` entry whose input shape it has; otherwise `custom`.
 */
function toDigitModel(net: tfl.LayersModel, source: string): DigitModel {
  if (net.inputs.length !== 1 || net.outputs.length !== 1) {
    throw new DigitkitError('NOT_A_DIGIT_MODEL', `${source} has ${net.inputs.length} inputs and ${net.outputs.length} outputs; a digit model has one of each.`);
  }
  const inputShape = net.inputs[0]!.shape.slice(1);
  const outputShape = net.outputs[0]!.shape.slice(1);
  if (!takesDigitImages(inputShape)) throw notDigitInput(source, inputShape);
  const numClasses = outputShape[0];
  if (outputShape.length !== 1 || typeof numClasses !== 'number' || numClasses < 2) {
    throw new DigitkitError('NOT_A_DIGIT_MODEL', `${source} gives outputs of shape [${outputShape.join(', ')}]; a digit model gives one probability per class, e.g. [10].`);
  }
  const shape = inputShape as number[];
  return { kind: storedKind(net, shape) ?? kindByShape(shape), inputShape: shape, numClasses, net };
}

function notDigitInput(source: string, inputShape: readonly unknown[]): DigitkitError {
  const known = MODEL_KINDS.map((kind) => `[${MODELS[kind].inputShape.join(', ')}] (${kind})`).join(', ');
  return new DigitkitError(
    'NOT_A_DIGIT_MODEL',
    `${source} takes inputs of shape [${inputShape.join(', ')}]; a digit model takes one grayscale image of a shape digitkit knows: ${known}, or [28, 28].`,
  );
}

/** The images the table's models take, as heights and widths without unit axes: 28x28 digits, 28x56 numbers. */
const KNOWN_IMAGES = MODEL_KINDS.map((kind) => MODELS[kind].inputShape.filter((d) => d !== 1));

// 784 pixels row-major, with or without unit axes ([784], [28, 28], [28, 28, 1], [1, 28, 28]): predict reshapes rows to
// any of them; or the image of a table entry of another size ([28, 56, 1]: the number reader).
function takesDigitImages(shape: readonly (number | null)[]): boolean {
  const sized = shape.filter((d) => d !== 1);
  return sameShape(sized, [784]) || sameShape(sized, [28, 28]) || KNOWN_IMAGES.some((known) => sameShape(sized, known));
}

/** The kind in digitkit's metadata, unless it names a table entry of another input shape (then the metadata is wrong). */
function storedKind(net: tfl.LayersModel, shape: readonly number[]): string | undefined {
  const kind = (net.getUserDefinedMetadata() as { digitkit?: Partial<DigitkitMetadata> } | undefined)?.digitkit?.kind;
  // A kind is a short name; anything else in a model file is not trusted into log lines and reports.
  if (typeof kind !== 'string' || !/^[a-z0-9][a-z0-9_-]{0,31}$/i.test(kind)) return undefined;
  const spec = (MODELS as Record<string, { inputShape: readonly number[] }>)[kind];
  if (Object.hasOwn(MODELS, kind) && spec && !sameShape(shape, spec.inputShape)) return undefined;
  return kind;
}

function kindByShape(shape: readonly number[]): string {
  return MODEL_KINDS.find((kind) => sameShape(shape, MODELS[kind].inputShape)) ?? CUSTOM_KIND;
}

interface LayerJson {
  class_name?: string;
  config?: { name?: string; units?: unknown; filters?: unknown; layers?: unknown; batch_input_shape?: unknown };
}

/** Every layer of a (Sequential or functional, maybe Keras-converted) topology, nested models included. */
function topologyLayers(topology: unknown): LayerJson[] {
  const root = (topology as { model_config?: unknown } | null)?.model_config ?? topology;
  const config = (root as { config?: unknown } | null)?.config;
  const list = Array.isArray(config) ? config : (config as { layers?: unknown } | null)?.layers;
  if (!Array.isArray(list)) return [];
  return (list as LayerJson[]).flatMap((layer) => [layer, ...(layer?.config?.layers ? topologyLayers(layer) : [])]);
}

/** The config key a layer class sizes its kernel by, which must equal the kernel's last dimension. */
const KERNEL_SIZE_KEY: Readonly<Record<string, 'units' | 'filters'>> = {
  Dense: 'units',
  Conv1D: 'filters',
  Conv2D: 'filters',
  Conv3D: 'filters',
};

/** Checks each layer's units/filters against its kernel in the weights manifest, before any layer is built. */
function checkLayerSizes(artifacts: tf.io.ModelArtifacts, source: string): void {
  const specs = artifacts.weightSpecs ?? [];
  for (const layer of topologyLayers(artifacts.modelTopology)) {
    const name = layer?.config?.name;
    const inputShape = layer?.config?.batch_input_shape;
    if (Array.isArray(inputShape) && !takesDigitImages(inputShape.slice(1))) throw notDigitInput(source, inputShape.slice(1));
    const key = KERNEL_SIZE_KEY[layer?.class_name ?? ''];
    if (key) {
      const size = layer?.config?.[key];
      // Weight names are the layer's name (maybe under a nested model's) then the weight's: `dense_1/kernel`.
      const kernel = specs.find((spec) => spec.name.split('/').slice(0, -1).includes(String(name)) && spec.shape.length >= 2);
      if (typeof size !== 'number' || !Number.isInteger(size) || size < 1 || kernel?.shape.at(-1) !== size) {
        throw new DigitkitError(
          'BAD_MODEL_JSON',
          `${source} gives layer "${String(name)}" ${key} ${JSON.stringify(size)}, but its weights ` +
            (kernel ? `(${kernel.name}) have shape [${kernel.shape.join(', ')}]` : 'are not in the weights manifest') +
            '. The model file was edited or does not belong to its weights: save the model again.',
        );
      }
    }
  }
}

/** Refuses NaN or infinite float32 weights: such a model answers every input with NaN. */
function checkFiniteWeights(artifacts: tf.io.ModelArtifacts, source: string): void {
  const data = artifacts.weightData === undefined ? new ArrayBuffer(0) : joinWeights(artifacts.weightData);
  let offset = 0;
  for (const spec of artifacts.weightSpecs ?? []) {
    const length = weightByteLength(spec);
    if (spec.dtype === 'float32' && !spec.quantization && offset + length <= data.byteLength) {
      const values = new Float32Array(data.slice(offset, offset + length));
      const bad = values.filter((v) => !Number.isFinite(v)).length;
      if (bad > 0) {
        throw new DigitkitError(
          'BAD_WEIGHTS',
          `${source}: the weight ${spec.name} holds ${bad} non-finite values (NaN or Infinity) of ${values.length}, so every ` +
            'answer would be NaN. The training run diverged or the weights file is damaged: train again (a lower --lr) or load another model.',
        );
      }
    }
    offset += length;
  }
}

function weightByteLength(spec: tf.io.WeightsManifestEntry): number {
  const count = spec.shape.reduce((a, b) => a * b, 1);
  const dtype = spec.quantization?.dtype ?? spec.dtype;
  const bytes: Record<string, number> = { float32: 4, int32: 4, bool: 1, uint8: 1, uint16: 2, float16: 2, complex64: 8 };
  if (dtype === 'string') return Number.NaN;
  return count * (bytes[dtype] ?? 4);
}

function joinWeights(data: tf.io.WeightData | undefined): ArrayBuffer {
  if (data === undefined) return new ArrayBuffer(0);
  return tf.io.CompositeArrayBuffer.join(data);
}

async function checkReplaceable(target: string): Promise<void> {
  const fs = await nodeFs();
  const stat = await fs.stat(target).catch(() => undefined);
  if (!stat) return;
  if (!stat.isDirectory()) {
    throw new DigitkitError('SAVE_TARGET_NOT_DIRECTORY', `Cannot save the model to ${target}: it is a file. saveModel writes a directory (model.json + ${WEIGHTS_FILE}).`);
  }
  const entries = await fs.readdir(target);
  // Replacing a directory deletes it: only do that to one that holds a model (or nothing).
  if (entries.length > 0 && !entries.includes(MODEL_JSON)) {
    throw new DigitkitError(
      'SAVE_TARGET_NOT_MODEL',
      `Cannot save the model to ${target}: it is a non-empty directory without ${MODEL_JSON} (${entries.slice(0, 3).join(', ')}…), and saving replaces the whole directory. Choose a new or empty directory.`,
    );
  }
}

/**
 * Repairs what a killed saveModel left beside `target`: when `target` is missing, the newest complete
 * `target.old-*` is renamed back; then every `target.tmp-*` / `target.old-*` of a dead process is removed.
 * Leftovers of a live process (pid in the name) are a save in progress and stay untouched.
 */
async function recoverInterruptedSave(target: string): Promise<void> {
  if (!isNode()) return;
  const fs = await nodeFs();
  const path = await nodePath();
  const parent = path.dirname(target);
  const base = path.basename(target);
  const entries = await fs.readdir(parent).catch(() => [] as string[]);
  const leftovers = entries
    .map((name) => ({ name, match: LEFTOVER.exec(name.startsWith(`${base}.`) ? name.slice(base.length + 1) : '') }))
    .filter((entry) => entry.match !== null && !isProcessAlive(Number(entry.match[2])))
    .map((entry) => ({ path: path.join(parent, entry.name), kind: entry.match![1]!, time: Number.parseInt(entry.match![3]!, 36) }));
  if (leftovers.length === 0) return;
  if (!(await exists(target))) {
    const olds = leftovers.filter((entry) => entry.kind === 'old').sort((a, b) => b.time - a.time);
    for (const old of olds) {
      if ((await exists(path.join(old.path, MODEL_JSON))) && (await exists(path.join(old.path, WEIGHTS_FILE)))) {
        await fs.rename(old.path, target);
        break;
      }
    }
  }
  for (const entry of leftovers) await fs.rm(entry.path, { recursive: true, force: true });
}

// `tmp-<pid>-<base36 time>-<random>` and `old-…`: the names saveModel gives its temporary directories.
const LEFTOVER = /^(tmp|old)-(\d+)-([0-9a-z]+)-[0-9a-z]*$/;



async function exists(p: string): Promise<boolean> {
  const fs = await nodeFs();
  return fs.stat(p).then(
    () => true,
    () => false,
  );
}

function sameShape(a: readonly (number | null)[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((v, i) => v === b[i]);
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

// Node built-ins are imported through variables so browser bundlers (Vite) leave them alone: loadModel from a URL never needs them.
const FS_MODULE = 'node:fs/promises';
const PATH_MODULE = 'node:path';
function nodeFs(): Promise<typeof import('node:fs/promises')> {
  return import(/* @vite-ignore */ FS_MODULE);
}
function nodePath(): Promise<typeof import('node:path')> {
  return import(/* @vite-ignore */ PATH_MODULE);
}
