// Shared wiring for the commands: backend start, data loading, output checks, atomic writes.
import { access, link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { constants, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DigitkitError, isProcessAlive, parseBackendChoice, useBackend, type BackendInfo, type DatasetSplit } from '@digitkit/core';
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

/** The file in an output directory that says which process trains into it. */
export const LOCK_FILE = 'digitkit.lock';

/**
 * Makes this process the only trainer writing into `dir`: creates `dir/digitkit.lock` holding the pid, or fails
 * at once (OUTPUT_LOCKED) when a live process holds it. A lock left by a dead process is taken over, saying so.
 * Returns the release function; the lock is also removed when the process exits (Ctrl-C twice included).
 */
export async function lockOutputDir(dir: string): Promise<() => void> {
  const path = join(dir, LOCK_FILE);
  const content = `${JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString() })}\n`;
  for (let attempt = 0; ; attempt++) {
    try {
      // link() fails if the lock exists: of two trainers starting together exactly one gets it, and a reader
      // never sees it half written.
      const staged = `${path}.${process.pid}.tmp`;
      await writeFile(staged, content);
      try {
        await link(staged, path);
      } finally {
        await rm(staged, { force: true });
      }
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) {
        throw new DigitkitError('OUTPUT_LOCKED', `Cannot lock the output directory ${dir} (${describeLockError(error)}). Choose another --out.`, { cause: error });
      }
    }
    const holder = await readLock(path);
    if (holder && isProcessAlive(holder.pid)) {
      throw new DigitkitError(
        'OUTPUT_LOCKED',
        `Another digitkit (pid ${holder.pid}, started ${holder.startedAt ?? 'at an unknown time'}) is training into ${dir}. ` +
          `Wait for it to end or stop it, or choose another --out. (${path} holds the lock.)`,
      );
    }
    console.error(`digitkit: taking over the lock of ${dir}: ${holder ? `pid ${holder.pid}, which held it, is no longer running` : `${path} was unreadable`}`);
    await rm(path, { force: true });
  }
  let held = true;
  const release = () => {
    if (!held) return;
    held = false;
    process.off('exit', release);
    // Only our own lock: a lock file holding another pid is not ours to remove.
    try {
      if (readFileSync(path, 'utf8') === content) rmSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  };
  process.on('exit', release);
  return release;
}

async function readLock(path: string): Promise<{ pid: number; startedAt?: string } | null> {
  try {
    const lock = JSON.parse(await readFile(path, 'utf8')) as { pid?: unknown; startedAt?: unknown };
    return Number.isInteger(lock.pid) && (lock.pid as number) > 0
      ? { pid: lock.pid as number, ...(typeof lock.startedAt === 'string' && { startedAt: lock.startedAt }) }
      : null;
  } catch {
    return null;
  }
}


function describeLockError(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/** What the commands that take `--model` add to a missing model's error. */
export const SHIPPED_HINT = 'or --model cnn for the model shipped inside @digitkit/recognizer';

/** Fails early with a clear message when a saved model is not where the user said. */
export async function ensureModelExists(dir: string, alternative?: string): Promise<string> {
  const path = resolve(dir);
  const modelJson = path.endsWith('.json') ? path : join(path, 'model.json');
  try {
    await access(modelJson, constants.R_OK);
  } catch {
    throw new DigitkitError(
      'MODEL_NOT_FOUND',
      `No saved model at ${modelJson}. Train one first (digitkit train --out <dir>)${alternative ? `, pass --model-dir <dir>, ${alternative}` : ' or pass --model-dir <dir>'}.`,
    );
  }
  return path;
}

/** Where a command's human lines go: stdout, or stderr under --json (stdout then holds the JSON document alone). */
export function humanLines(json: boolean | undefined): (line: string) => void {
  return json ? (line) => console.error(line) : (line) => console.log(line);
}

/** The one JSON document of a --json command, on stdout. */
export function printJson(document: unknown): void {
  process.stdout.write(`${JSON.stringify(document, null, 2)}\n`);
}
