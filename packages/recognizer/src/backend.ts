// Which TF.js backend a recognizer runs on: the user's if they set one up, else `auto`, started once per process.
import * as tf from '@tensorflow/tfjs-core';
import { type BackendChoice, type BackendName, useBackend } from '@digitkit/core';

export interface BackendWish {
  backend?: BackendChoice;
  log?: ((line: string) => void) | null;
  wasmPaths?: string | Record<string, string>;
}

// Shared by concurrent createRecognizer calls, so `auto` runs (and logs its line) once.
let autoStart: Promise<unknown> | undefined;

export async function ensureBackend(wish: BackendWish): Promise<BackendName> {
  const options = { ...(wish.log !== undefined && { log: wish.log }), ...(wish.wasmPaths !== undefined && { wasmPaths: wish.wasmPaths }) };
  if (wish.backend !== undefined && wish.backend !== 'auto') {
    if (!(hasActiveBackend() && (await activeBackend()) === wish.backend)) await useBackend(wish.backend, options);
    return activeBackend();
  }
  if (wish.backend === undefined && !autoStart && hasActiveBackend()) return activeBackend();
  autoStart ??= useBackend('auto', options).catch((error: unknown) => {
    autoStart = undefined;
    throw error;
  });
  await autoStart;
  return activeBackend();
}

/** True once a backend was set (by tf.setBackend, tf.ready, useBackend or any op), even if it is still starting. */
function hasActiveBackend(): boolean {
  return (tf.engine() as unknown as { backendName?: string | null }).backendName != null;
}

async function activeBackend(): Promise<BackendName> {
  await tf.ready();
  return tf.getBackend() as BackendName;
}
