// tfjs-core is loaded when a backend is started, so the contract types and errors cost nothing to import.
import { type BackendChoice, type BackendName, DigitkitError } from './contract.js';

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
  /** Receives the one line that says which backend runs and why. Default: console.info. Pass `null` for silence. */
  log?: ((line: string) => void) | null;
}

export interface BackendInfo {
  /** The backend that is active now, as TF.js reports it. */
  readonly name: BackendName;
  /** Why this backend: the choice, and what failed before it. */
  readonly reason: string;
  /** Backends that were tried and failed before this one, with the error each gave. */
  readonly skipped: readonly { name: BackendName; error: string }[];
  /** For WASM: whether SIMD and threads are in use. */
  readonly wasm?: { simd: boolean; threads: boolean };
}

export const BACKEND_NAMES: readonly BackendName[] = ['tensorflow', 'wasm', 'cpu'];

/** True when running under Node.js (not a browser or worker). */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string' && typeof window === 'undefined';
}

/** The order `auto` tries: native first in Node, never in a browser. */
export function fallbackOrder(choice: BackendChoice, node = isNode()): BackendName[] {
  if (choice === 'auto') return node ? ['tensorflow', 'wasm', 'cpu'] : ['wasm', 'cpu'];
  return [choice];
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
 * Starts a TF.js backend by name and makes it the active one. `auto` tries native (tfjs-node,
 * Node only), then WASM, then CPU, and logs one line saying which runs and why. A named backend
 * that cannot start throws a DigitkitError instead of silently running another.
 */
export async function useBackend(choice: BackendChoice = 'auto', options: BackendOptions = {}): Promise<BackendInfo> {
  const log = options.log === undefined ? (line: string) => console.info(line) : options.log;
  const order = fallbackOrder(choice);
  const skipped: { name: BackendName; error: string }[] = [];
  for (const name of order) {
    try {
      await startBackend(name, options);
      const info = describe(name, choice, skipped, await import('@tensorflow/tfjs-core'));
      log?.(`digitkit: using the ${label(info)} backend (${info.reason})`);
      return info;
    } catch (error) {
      skipped.push({ name, error: firstLine(error) });
    }
  }
  const tried = skipped.map((s) => `${s.name}: ${s.error}`).join('; ');
  const hint =
    choice === 'tensorflow'
      ? ' Install @tensorflow/tfjs-node (it downloads libtensorflow, so it needs a network), or use --backend wasm.'
      : '';
  throw new DigitkitError('BACKEND_UNAVAILABLE', `Could not start the ${choice} backend (${tried}).${hint}`);
}

async function startBackend(name: BackendName, options: BackendOptions): Promise<void> {
  const tf = await import('@tensorflow/tfjs-core');
  if (name === 'tensorflow') {
    if (!isNode()) throw new Error('the native backend only runs in Node.js');
    try {
      await (options.importNative ?? importByName)('@tensorflow/tfjs-node');
    } catch (error) {
      throw new Error(nativeFailure(error));
    }
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    if (options.wasmPaths) wasm.setWasmPaths(options.wasmPaths as string, true);
    if (options.wasmThreads === false) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  } else {
    await import('@tensorflow/tfjs-backend-cpu');
  }
  if (!tf.findBackendFactory(name)) throw new Error(`the ${name} backend did not register`);
  const ok = await tf.setBackend(name);
  await tf.ready();
  // setBackend can resolve false, or fall back on its own: check what actually runs.
  if (!ok || tf.getBackend() !== name) throw new Error(`TF.js could not initialize it (active: ${tf.getBackend()})`);
}

// Imported through a variable so bundlers and tsc do not require the optional package.
function importByName(id: string): Promise<unknown> {
  return import(/* @vite-ignore */ id);
}

function describe(
  name: BackendName,
  choice: BackendChoice,
  skipped: { name: BackendName; error: string }[],
  tf: typeof import('@tensorflow/tfjs-core'),
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
  return { name, reason: why, skipped: [...skipped], ...(wasm ? { wasm } : {}) };
}

function label(info: BackendInfo): string {
  if (info.name === 'tensorflow') return 'native TensorFlow (tfjs-node)';
  if (info.name === 'wasm') {
    const features = [info.wasm?.simd ? 'SIMD' : 'no SIMD', info.wasm?.threads ? 'threads' : '1 thread'];
    return `WASM (${features.join(', ')})`;
  }
  return 'CPU (pure JavaScript)';
}

// tfjs-node fails in two common ways; say which in words a user can act on.
function nativeFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(text)) return '@tensorflow/tfjs-node is not installed';
  if (/native addon|tfjs_binding|libtensorflow/.test(text)) {
    return '@tensorflow/tfjs-node is installed but its native library is missing (it downloads libtensorflow at install time, which needs a network)';
  }
  return text;
}

function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return (text.split('\n')[0] ?? text).slice(0, 200);
}
