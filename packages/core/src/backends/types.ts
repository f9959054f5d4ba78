import type { KernelConfig } from '@tensorflow/tfjs-core';

/** The TF.js core module, as backends receive it (loaded only when a backend is started). */
export type TfCore = typeof import('@tensorflow/tfjs-core');

export interface BackendOptions {
  /**
   * Loads the native backend. Pass `() => import('@tensorflow/tfjs-node')` from an app that
   * depends on it; the default imports it by name, which works where it is hoisted.
   */
  importNative?: () => Promise<unknown>;
  /** Where the WASM backend finds its `.wasm` files (a URL prefix ending in `/`, or a map of file names to URLs). Needed by bundled browser apps. */
  wasmPaths?: string | Record<string, string>;
  /** Use WASM threads when the platform allows it (browser pages that are cross-origin isolated). Default true. */
  wasmThreads?: boolean;
  /**
   * Kernels to register once a backend is active: those whose `backendName` is the active backend
   * are registered, replacing a kernel of the same name (e.g. `WASM_TRAINING_KERNELS` from @digitkit/model).
   */
  kernels?: readonly KernelConfig[];
  /** Receives the one line that says which backend runs and why. Default: console.info. Pass `null` for silence. */
  log?: ((line: string) => void) | null;
}

/**
 * One TF.js backend digitkit can start: a plain object, one file each under `src/backends/`.
 * `useBackend` walks `BACKENDS` in order, so adding a backend is one file plus one line there.
 */
export interface BackendSpec {
  /** The name TF.js registers the backend under. */
  readonly name: string;
  /** Where it can run at all; `auto` skips it elsewhere. */
  readonly runsIn: readonly ('node' | 'browser')[];
  /** Imports the backend package (which registers its factory with TF.js) and sets its flags. Throws, in words a user can act on, when it cannot. */
  load(options: BackendOptions, tf: TfCore): Promise<void>;
  /** The label of the one log line, e.g. "WASM (SIMD, 1 thread)", read once the backend is active. */
  describe(tf: TfCore): string;
}
