import { DigitkitError, faultPause, type DigitModel, type EpochMetrics } from '@digitkit/core';
import { writeFileAtomic } from '@digitkit/data';
import { saveModel } from '@digitkit/model';
import type { ResolvedConfig } from './options.js';

export const CHECKPOINT_FORMAT = 'digitkit-train-checkpoint';
export const CHECKPOINT_VERSION = 1;
/** The file in the checkpoint directory that names the current checkpoint; replaced atomically. */
export const LATEST_FILE = 'latest.json';

/** Where training stands, so that a resumed run continues exactly where this one stopped. */
export interface CheckpointPosition {
  /** 0-based epoch in progress (or next to start, when `batch` is 0). */
  epoch: number;
  /** 0-based batch of that epoch to do next. */
  batch: number;
  /** Loss and correct-count sums, and images seen, of the batches already done in that epoch. */
  lossSum: number;
  correctSum: number;
  seen: number;
  /** Training seconds spent so far (all sessions). */
  seconds: number;
}

export interface CheckpointState {
  format: typeof CHECKPOINT_FORMAT;
  version: number;
  model: { kind: string; inputShape: number[]; numClasses: number; weights: { name: string; shape: number[] }[] };
  position: CheckpointPosition;
  history: EpochMetrics[];
  earlyStopping: { bestEpoch: number; bestValue: number | null; wait: number };
  /** Shapes of the optimizer's state arrays, in the order optimizer.bin stores them. */
  optimizer: { name: string; step: number; slotShapes: number[][] };
  /** Shuffling and augmentation are drawn from generators seeded by (seed, epoch, batch): this is all the RNG state. */
  rng: { seed: number; scheme: 'per-batch' };
  config: ResolvedConfig;
  /** The caller's description of the run (CheckpointOptions.run); null when none was given. */
  run: Record<string, unknown> | null;
  /** Threads that trained it (absent: written before workers existed, one). A run may resume with another count. */
  parallel?: { workers: number };
  hasBestWeights: boolean;
  savedAt: string;
}

export interface Checkpoint {
  state: CheckpointState;
  weights: Float32Array[];
  optimizer: Float32Array[];
  bestWeights: Float32Array[] | null;
  /** The directory it was read from. */
  path: string;
}

/** The layout of a model's weights, as a checkpoint records it. */
export function weightLayout(model: DigitModel): { name: string; shape: number[] }[] {
  return model.net.weights.map((w) => ({ name: w.originalName ?? w.name, shape: w.shape as number[] }));
}

/**
 * Writes a checkpoint atomically: everything goes into a temporary directory, which is renamed to
 * `ckpt-NNNN`, and only then `latest.json` (written with writeFileAtomic) is
 * pointed at it. A crash at any moment leaves the previous checkpoint intact and current.
 */
export async function writeCheckpoint(
  dir: string,
  model: DigitModel,
  parts: Omit<Checkpoint, 'path'>,
): Promise<string> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const root = path.resolve(dir);
  await fs.mkdir(root, { recursive: true });
  const suffix = `${process.pid}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
  const temp = path.join(root, `.tmp-${suffix}`);
  const { epoch, batch } = parts.state.position;
  const name = `ckpt-e${String(epoch).padStart(4, '0')}-b${String(batch).padStart(6, '0')}-${suffix}`;
  try {
    await fs.mkdir(temp);
    // Through writeFileAtomic for its flush to disk: the directory's rename must not outrun its contents.
    await writeFileAtomic(path.join(temp, 'weights.bin'), pack(parts.weights));
    await writeFileAtomic(path.join(temp, 'optimizer.bin'), pack(parts.optimizer));
    if (parts.bestWeights) await writeFileAtomic(path.join(temp, 'best-weights.bin'), pack(parts.bestWeights));
    await writeFileAtomic(path.join(temp, 'state.json'), `${JSON.stringify(parts.state, null, 1)}\n`);
    // A loadable copy of the model for people (and loadModel); resume reads weights.bin.
    await saveModel(model, path.join(temp, 'model'));
    await faultPause('checkpoint-before-dir-rename');
    await fs.rename(temp, path.join(root, name));
    await faultPause('checkpoint-before-latest');
    // writeFileAtomic's own rename pauses as file-before-rename:latest.json.
    await writeFileAtomic(path.join(root, LATEST_FILE), `${JSON.stringify({ checkpoint: name })}\n`);
  } catch (error) {
    await fs.rm(temp, { recursive: true, force: true });
    throw new DigitkitError('CHECKPOINT_WRITE_FAILED', `Could not write a checkpoint into ${root}: ${message(error)}`, {
      cause: error,
    });
  }
  await faultPause('checkpoint-before-cleanup');
  // Older checkpoints and leftovers of interrupted writes are no longer needed.
  for (const entry of await fs.readdir(root)) {
    if ((entry.startsWith('ckpt-') && entry !== name) || entry.startsWith('.tmp-')) {
      await fs.rm(path.join(root, entry), { recursive: true, force: true });
    }
  }
  return path.join(root, name);
}

/**
 * Removes every checkpoint in `dir` (a fresh run starts here): latest.json first, so no reader sees a half-removed one.
 * Resolves true when there was a current checkpoint to remove (a run that could have been resumed).
 */
export async function clearCheckpoint(dir: string): Promise<boolean> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const root = path.resolve(dir);
  let entries: string[];
  try {
    entries = await fs.readdir(root);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw error;
  }
  await fs.rm(path.join(root, LATEST_FILE), { force: true });
  for (const entry of entries) {
    if (entry.startsWith('ckpt-') || entry.startsWith('.tmp-')) await fs.rm(path.join(root, entry), { recursive: true, force: true });
  }
  return entries.includes(LATEST_FILE);
}

/** Reads the current checkpoint in `dir`, or null when there is none. */
export async function readCheckpoint(dir: string): Promise<Checkpoint | null> {
  const fs = await import('node:fs/promises');
  const path = await import('node:path');
  const root = path.resolve(dir);
  let pointer: { checkpoint?: unknown };
  try {
    pointer = JSON.parse(await fs.readFile(path.join(root, LATEST_FILE), 'utf8')) as { checkpoint?: unknown };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DigitkitError('BAD_CHECKPOINT', `${path.join(root, LATEST_FILE)} is unreadable: ${message(error)}. Delete ${root} to start over.`);
  }
  if (typeof pointer.checkpoint !== 'string' || !pointer.checkpoint.startsWith('ckpt-')) {
    throw new DigitkitError('BAD_CHECKPOINT', `${path.join(root, LATEST_FILE)} does not name a checkpoint. Delete ${root} to start over.`);
  }
  const at = path.join(root, pointer.checkpoint);
  try {
    const state = JSON.parse(await fs.readFile(path.join(at, 'state.json'), 'utf8')) as CheckpointState;
    if (state.format !== CHECKPOINT_FORMAT || state.version !== CHECKPOINT_VERSION) {
      throw new Error(`it is not a version ${CHECKPOINT_VERSION} ${CHECKPOINT_FORMAT}`);
    }
    const weights = unpack(await fs.readFile(path.join(at, 'weights.bin')), state.model.weights.map((w) => size(w.shape)));
    const optimizer = unpack(await fs.readFile(path.join(at, 'optimizer.bin')), state.optimizer.slotShapes.map(size));
    const bestWeights = state.hasBestWeights
      ? unpack(await fs.readFile(path.join(at, 'best-weights.bin')), state.model.weights.map((w) => size(w.shape)))
      : null;
    return { state, weights, optimizer, bestWeights, path: at };
  } catch (error) {
    throw new DigitkitError('BAD_CHECKPOINT', `The checkpoint in ${at} is unreadable: ${message(error)}. Delete ${root} to start over.`, {
      cause: error,
    });
  }
}

/** Throws before any work when a checkpoint was written for another model or optimizer. */
export function checkCheckpointFits(checkpoint: Checkpoint, model: DigitModel, config: ResolvedConfig, dir: string): void {
  const saved = checkpoint.state.model;
  const current = weightLayout(model);
  const describe = (kind: string, shapes: { shape: number[] }[]) =>
    `${kind} with weights ${shapes.map((w) => `[${w.shape.join('x')}]`).join(' ')}`;
  const sameShapes =
    saved.weights.length === current.length && saved.weights.every((w, i) => w.shape.join('x') === current[i]!.shape.join('x'));
  if (saved.kind !== model.kind || saved.numClasses !== model.numClasses || !sameShapes) {
    throw new DigitkitError(
      'CHECKPOINT_MISMATCH',
      `The checkpoint in ${dir} was written for a ${describe(saved.kind, saved.weights)}, but this model is a ${describe(model.kind, current)}. ` +
        'Resume with the same model, or use another checkpoint directory (or resume: false) to start fresh.',
    );
  }
  const { position, config: savedConfig } = checkpoint.state;
  if (position.batch > 0 && savedConfig.batchSize !== config.batchSize) {
    throw new DigitkitError(
      'CHECKPOINT_MISMATCH',
      `The checkpoint in ${dir} stopped in the middle of epoch ${position.epoch + 1} with batch size ${savedConfig.batchSize}; resume with batchSize ${savedConfig.batchSize} (you asked for ${config.batchSize}).`,
    );
  }
  if (checkpoint.state.optimizer.name !== config.optimizer) {
    throw new DigitkitError(
      'CHECKPOINT_MISMATCH',
      `The checkpoint in ${dir} was trained with the ${checkpoint.state.optimizer.name} optimizer, not ${config.optimizer}. Resume with optimizer "${checkpoint.state.optimizer.name}" or start fresh.`,
    );
  }
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}

function pack(arrays: readonly Float32Array[]): Uint8Array {
  const total = arrays.reduce((n, a) => n + a.length, 0);
  const out = new Float32Array(total);
  let offset = 0;
  for (const a of arrays) {
    out.set(a, offset);
    offset += a.length;
  }
  return new Uint8Array(out.buffer);
}

function unpack(bytes: Uint8Array, sizes: number[]): Float32Array[] {
  const total = sizes.reduce((a, b) => a + b, 0);
  if (bytes.byteLength !== total * 4) throw new Error(`a weight file holds ${bytes.byteLength} bytes, expected ${total * 4}`);
  const copy = new Float32Array(total);
  new Uint8Array(copy.buffer).set(bytes);
  const out: Float32Array[] = [];
  let offset = 0;
  for (const n of sizes) {
    out.push(copy.subarray(offset, offset + n));
    offset += n;
  }
  return out;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
