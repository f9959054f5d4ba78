// tfjs-core is loaded when a backend is started, so the contract types and errors cost nothing to import.
import type { KernelConfig } from '@tensorflow/tfjs-core';
import { BACKENDS, type BackendOptions, type BackendSpec, type TfCore } from './backends/index.js';
import { checkWasmPaths } from './backends/wasm.js';
import { type BackendChoice, type BackendName, DigitkitError } from './contract.js';
import { isNode } from './platform.js';

export type { BackendOptions, BackendSpec } from './backends/index.js';
export { BACKENDS } from './backends/index.js';

export interface BackendInfo {
  /** The backend that is active now, as TF.js reports it. */
  readonly name: BackendName;
  /** Why this backend: the choice, and what failed before it. */
  readonly reason: string;
  /** Backends that were tried and failed before this one, with the error each gave. */
  readonly skipped: readonly { name: BackendName; error: string }[];
  /** For WASM: whether SIMD and threads are in use. */
  readonly wasm?: { simd: boolean; threads: boolean };
  /** Names of the kernels from `options.kernels` registered for this backend. */
  readonly kernels: readonly string[];
}

/** The backend names, in the order `auto` tries them. */
export const BACKEND_NAMES: readonly BackendName[] = BACKENDS.map((spec) => spec.name);

export { isNode } from './platform.js';

/** The order `auto` tries: every backend that runs on this platform (native first in Node, never in a browser). */
export function fallbackOrder(choice: BackendChoice, node = isNode()): BackendName[] {
  if (choice !== 'auto') return [choice];
  const platform = node ? 'node' : 'browser';
  return BACKENDS.filter((spec) => (spec.runsIn as readonly string[]).includes(platform)).map((spec) => spec.name);
}

/** Checks a user-given backend name. */
export function parseBackendChoice(value: string): BackendChoice {
  if (value === 'auto' || (BACKEND_NAMES as readonly string[]).includes(value)) return value as BackendChoice;
  throw new DigitkitError(
    'BAD_BACKEND',
    `Unknown backend "${value}". Choose one of: auto, ${BACKEND_NAMES.join(', ')}.`,
  );
}

/**
 * Starts a TF.js backend by name and makes it the active one. `auto` walks `BACKENDS` (native
 * tfjs-node in Node only, then WASM, then CPU), and logs one line saying which runs and why. A named
 * backend that cannot start throws a DigitkitError instead of silently running another. Once one
 * runs, the kernels in `options.kernels` meant for it are registered.
 */
export async function useBackend(choice: BackendChoice = 'auto', options: BackendOptions = {}): Promise<BackendInfo> {
  const log = options.log === undefined ? (line: string) => console.info(line) : options.log;
  const kernels = checkKernels(options.kernels ?? []);
  checkWasmPaths(options.wasmPaths);
  const skipped: { name: BackendName; error: string }[] = [];
  for (const name of fallbackOrder(choice)) {
    const spec = specOf(name);
    let tf: TfCore;
    try {
      tf = await start(spec, options);
    } catch (error) {
      skipped.push({ name, error: firstLine(error) });
      continue;
    }
    // Kernels are registered after the backend runs, never at import: the caller says which, and gets told.
    const info = describe(name, choice, skipped, registerKernels(kernels, name, tf), tf);
    log?.(`digitkit: using the ${spec.describe(tf)} backend (${info.reason})`);
    return info;
  }
  const tried = skipped.map((s) => `${s.name}: ${s.error}`).join('; ');
  const hint =
    choice === 'tensorflow'
      ? ' Install @tensorflow/tfjs-node (it downloads libtensorflow, so it needs a network), or use --backend wasm.'
      : '';
  throw new DigitkitError('BACKEND_UNAVAILABLE', `Could not start the ${choice} backend (${tried}).${hint}`);
}

async function start(spec: BackendSpec, options: BackendOptions): Promise<TfCore> {
  if (!(spec.runsIn as readonly string[]).includes(isNode() ? 'node' : 'browser')) {
    throw new Error(`the ${spec.name} backend only runs in ${spec.runsIn.join(' or ')}`);
  }
  const tf = await import('@tensorflow/tfjs-core');
  await spec.load(options, tf);
  if (!tf.findBackendFactory(spec.name)) throw new Error(`the ${spec.name} backend did not register`);
  const ok = await tf.setBackend(spec.name);
  await tf.ready();
  // setBackend can resolve false, or fall back on its own: check what actually runs.
  if (!ok || tf.getBackend() !== spec.name) throw new Error(`TF.js could not initialize it (active: ${tf.getBackend()})`);
  return tf;
}

/**
 * Registers the kernels meant for `backend`, each in place of a kernel of the same name if one is
 * there (keeping that one's setup step when the new one has none, so the backend still initializes it),
 * and runs each new kernel's own setup step on the active backend.
 */
function registerKernels(kernels: readonly KernelConfig[], backend: BackendName, tf: TfCore): string[] {
  const registered: string[] = [];
  for (const config of kernels) {
    if (config.backendName !== backend) continue;
    const existing = tf.getKernel(config.kernelName, backend);
    if (existing?.kernelFunc !== config.kernelFunc) {
      const key = `${backend}/${config.kernelName}`;
      // Only the first one replaced is the backend's own: later ones may be ours from an earlier call.
      if (existing && !REPLACED.has(key)) REPLACED.set(key, existing);
      if (existing) tf.unregisterKernel(config.kernelName, backend);
      tf.registerKernel(existing?.setupFunc && !config.setupFunc ? { ...config, setupFunc: existing.setupFunc } : config);
      // TF.js runs setup steps when a backend is set, which has happened: run this one now.
      config.setupFunc?.(tf.backend());
    }
    registered.push(config.kernelName);
  }
  return registered;
}

/** Kernels `useBackend` replaced, by `backend/kernelName`: the ones a backend shipped with. */
const REPLACED = new Map<string, KernelConfig>();

/**
 * The kernel a backend shipped with under `kernelName`, after `useBackend`'s `kernels` replaced it:
 * a replacement that handles only some cases calls it for the rest. Undefined if none was replaced.
 */
export function replacedKernel(kernelName: string, backendName: BackendName): KernelConfig | undefined {
  return REPLACED.get(`${backendName}/${kernelName}`);
}

// Checked before any backend starts, so a wrong option fails before any work.
function checkKernels(kernels: unknown): readonly KernelConfig[] {
  if (!Array.isArray(kernels)) {
    throw new DigitkitError('BAD_KERNELS', 'The "kernels" option must be a list of TF.js KernelConfig objects ({ kernelName, backendName, kernelFunc }).');
  }
  kernels.forEach((config: Partial<KernelConfig> | null, i) => {
    if (config === null || typeof config !== 'object' || typeof config.kernelName !== 'string' || typeof config.backendName !== 'string' || typeof config.kernelFunc !== 'function') {
      throw new DigitkitError(
        'BAD_KERNELS',
        `kernels[${i}] is not a TF.js KernelConfig: it needs { kernelName: string, backendName: string, kernelFunc: function }, e.g. { kernelName: 'MaxPoolGrad', backendName: 'wasm', kernelFunc }.`,
      );
    }
  });
  return kernels as readonly KernelConfig[];
}

function describe(
  name: BackendName,
  choice: BackendChoice,
  skipped: { name: BackendName; error: string }[],
  kernels: string[],
  tf: TfCore,
): BackendInfo {
  const wasm =
    name === 'wasm'
      ? { simd: Boolean(tf.env().getBool('WASM_HAS_SIMD_SUPPORT')), threads: Boolean(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT')) }
      : undefined;
  const why =
    choice !== 'auto'
      ? 'chosen'
      : skipped.length === 0
        ? 'the fastest available'
        : skipped.map((s) => `${s.name} unavailable: ${s.error}`).join('; ');
  return { name, reason: why, skipped: [...skipped], ...(wasm ? { wasm } : {}), kernels };
}

function specOf(name: BackendName): BackendSpec {
  const spec = BACKENDS.find((s) => s.name === name);
  if (!spec) throw new DigitkitError('BAD_BACKEND', `Unknown backend "${name}". Choose one of: auto, ${BACKEND_NAMES.join(', ')}.`);
  return spec;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).slice(0, 200);
}
