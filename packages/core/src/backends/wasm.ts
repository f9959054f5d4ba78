import { DigitkitError } from '../contract.js';
import { isNode } from '../platform.js';
import type { BackendSpec, TfCore } from './types.js';

/** The backend's binaries, the keys a `wasmPaths` map may have. */
const WASM_FILES = ['tfjs-backend-wasm.wasm', 'tfjs-backend-wasm-simd.wasm', 'tfjs-backend-wasm-threaded-simd.wasm'] as const;
type WasmFile = (typeof WASM_FILES)[number];

const badPaths = (why: string) =>
  new DigitkitError(
    'BAD_OPTION',
    `wasmPaths ${why}: it takes a URL prefix ending in "/" (a directory in Node) or a map of ${WASM_FILES.join(', ')} to URLs, or leave it out (the files beside tfjs-backend-wasm).`,
  );

/** The wasmPaths option as TF.js takes it, checked before any backend starts. */
export function checkWasmPaths(value: unknown): string | Record<WasmFile, string> | undefined {
  if (value === undefined) return undefined;
  if (typeof value === 'string') {
    if (!value.endsWith('/')) throw badPaths(`got "${value}", which does not end in "/"`);
    return value;
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw badPaths(`got ${value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value}`);
  for (const [key, path] of Object.entries(value)) {
    if (!(WASM_FILES as readonly string[]).includes(key)) throw badPaths(`has an unknown file name "${key}"`);
    if (typeof path !== 'string' || path === '') throw badPaths(`maps ${key} to ${typeof path === 'string' ? 'an empty string' : typeof path}`);
  }
  // TF.js wants every binary in a map, whichever this platform loads.
  const missing = WASM_FILES.filter((file) => !(file in value));
  if (missing.length > 0) throw badPaths(`has no ${missing.join(' or ')}`);
  return value as Record<WasmFile, string>;
}

/**
 * In Node the binary is read from disk (TF.js's fetch would take a path for a URL and fail outside any promise, ending
 * the process): the one this platform loads must be there. The paths as files, not file: URLs.
 */
async function onDisk(paths: string | Record<WasmFile, string>, tf: TfCore): Promise<string | Record<WasmFile, string>> {
  const { existsSync } = (await nodeBuiltin('node:fs')) as typeof import('node:fs');
  const { fileURLToPath } = (await nodeBuiltin('node:url')) as typeof import('node:url');
  const file: WasmFile = (await tf.env().getAsync('WASM_HAS_SIMD_SUPPORT')) ? 'tfjs-backend-wasm-simd.wasm' : 'tfjs-backend-wasm.wasm';
  const where = typeof paths === 'string' ? `${paths}${file}` : paths[file];
  if (/^[a-z][a-z\d+.-]+:/i.test(where) && !where.startsWith('file:')) throw badPaths(`points at ${where}, but Node reads the .wasm files from disk`);
  const asFile = (p: string) => (p.startsWith('file:') ? fileURLToPath(p) : p);
  if (!existsSync(asFile(where))) throw badPaths(`points at ${asFile(where)}, which is not there`);
  // fileURLToPath drops a directory's trailing "/", which the prefix needs.
  if (typeof paths === 'string') return paths.startsWith('file:') ? `${fileURLToPath(paths)}/` : paths;
  return Object.fromEntries(Object.entries(paths).map(([name, p]) => [name, asFile(p)])) as Record<WasmFile, string>;
}

// Imported through a variable so that bundlers for the browser, where this never runs, leave Node's modules alone.
function nodeBuiltin(id: string): Promise<unknown> {
  return import(/* @vite-ignore */ id);
}

/** TF.js's WebAssembly backend: SIMD where the platform has it, threads only in cross-origin isolated pages. */
export const wasm = {
  name: 'wasm',
  runsIn: ['node', 'browser'],
  async load(options, tf) {
    const backend = await import('@tensorflow/tfjs-backend-wasm');
    const paths = checkWasmPaths(options.wasmPaths);
    if (paths !== undefined) {
      // Node reads the files itself (from paths, not file: URLs); a browser fetches them.
      if (isNode()) backend.setWasmPaths(await onDisk(paths, tf), false);
      else backend.setWasmPaths(paths, true);
    }
    if (options.wasmThreads === false) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  },
  describe(tf) {
    const simd = Boolean(tf.env().getBool('WASM_HAS_SIMD_SUPPORT'));
    const threads = Boolean(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'));
    return `WASM (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'threads' : '1 thread'})`;
  },
} as const satisfies BackendSpec;
