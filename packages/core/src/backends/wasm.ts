import type { BackendSpec } from './types.js';

/** TF.js's WebAssembly backend: SIMD where the platform has it, threads only in cross-origin isolated pages. */
export const wasm = {
  name: 'wasm',
  runsIn: ['node', 'browser'],
  async load(options, tf) {
    const backend = await import('@tensorflow/tfjs-backend-wasm');
    if (options.wasmPaths) backend.setWasmPaths(options.wasmPaths as string, true);
    if (options.wasmThreads === false) tf.env().set('WASM_HAS_MULTITHREAD_SUPPORT', false);
  },
  describe(tf) {
    const simd = Boolean(tf.env().getBool('WASM_HAS_SIMD_SUPPORT'));
    const threads = Boolean(tf.env().getBool('WASM_HAS_MULTITHREAD_SUPPORT'));
    return `WASM (${simd ? 'SIMD' : 'no SIMD'}, ${threads ? 'threads' : '1 thread'})`;
  },
} as const satisfies BackendSpec;
