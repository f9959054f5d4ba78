// Shared wiring for the commands: backend start, data loading, output checks, atomic writes.
import { access, mkdir, rm, writeFile } from 'node:fs/promises';
import { constants } from 'node:fs';
import { join, resolve } from 'node:path';
import { DigitkitError, parseBackendChoice, useBackend, type BackendInfo, type DatasetSplit } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { WASM_TRAINING_KERNELS } from '@digitkit/model';

// Imported through a variable: tfjs-node is optional and absent on machines without a network.
const NATIVE_BACKEND = '@tensorflow/tfjs-node';

/** Starts the chosen backend; `auto` falls back native -> WASM -> CPU and prints one line saying which runs. */
export async function startBackend(choice: string): Promise<BackendInfo> {
  return useBackend(parseBackendChoice(choice), {
    importNative: () => import(NATIVE_BACKEND),
    // The backend table registers the ones meant for the backend that starts: train() needs them on WASM.
    kernels: WASM_TRAINING_KERNELS,
    log: (line) => console.error(line),
  });
}

/** Download settings from the global options (`--download-timeout`), set once before a command runs. */
const downloads: { timeoutMs?: number } = {};
export function setDownloadTimeout(seconds: number | undefined): void {
  downloads.timeoutMs = seconds === undefined ? undefined : seconds * 1000;
}

/** Loads MNIST from the embedded files, a directory or a URL, and says what it loaded. */
export async function loadData(source: string | undefined): Promise<DatasetSplit> {
  const started = performance.now();
  const data = await loadMnist(source ? { source, ...(downloads.timeoutMs !== undefined && { downloadTimeoutMs: downloads.timeoutMs }) } : {});
  const ms = Math.round(performance.now() - started);
  console.error(
    `digitkit: loaded ${data.train.count.toLocaleString('en')} training and ${data.test.count.toLocaleString('en')} test images from ${data.source} in ${ms} ms`,
  );
  return data;
}

/** Fails before any work starts when the output directory cannot be written. */
export async function ensureWritableDir(dir: string): Promise<string> {
  const path = resolve(dir);
  try {
    await mkdir(path, { recursive: true });
    const probe = join(path, `.digitkit-write-test-${process.pid}`);
    await writeFile(probe, '');
    await rm(probe);
  } catch (error) {
    throw new DigitkitError(
      'BAD_OUTPUT_DIR',
      `Cannot write to the output directory ${path} (${(error as NodeJS.ErrnoException).code ?? String(error)}). Choose another with --out.`,
      { cause: error },
    );
  }
  return path;
}

/** Fails early with a clear message when a saved model is not where the user said. */
export async function ensureModelExists(dir: string): Promise<string> {
  const path = resolve(dir);
  const modelJson = path.endsWith('.json') ? path : join(path, 'model.json');
  try {
    await access(modelJson, constants.R_OK);
  } catch {
    throw new DigitkitError(
      'MODEL_NOT_FOUND',
      `No saved model at ${modelJson}. Train one first (digitkit train --out <dir>) or pass --model-dir <dir>.`,
    );
  }
  return path;
}

export function percent(value: number, digits = 2): string {
  return `${(value * 100).toFixed(digits)}%`;
}
