import { type BackendInfo, useBackend } from '@digitkit/core';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import wasmPlain from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm?url';
import wasmSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-simd.wasm?url';
import wasmThreadedSimd from '@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm-threaded-simd.wasm?url';

export interface BackendStatus {
  info: BackendInfo;
  threads: number;
  /** Short text for the badge, e.g. "WASM · SIMD · 2 threads". */
  label: string;
  /** A sentence saying why, for the badge's tooltip. */
  detail: string;
}

/**
 * Starts TF.js on WebAssembly: threaded + SIMD when the page is cross-origin isolated (the server
 * sends COOP/COEP), SIMD on one thread otherwise; plain JavaScript only if WASM cannot start.
 */
export async function startBackend(): Promise<BackendStatus> {
  const info = await useBackend('auto', {
    wasmPaths: {
      'tfjs-backend-wasm.wasm': wasmPlain,
      'tfjs-backend-wasm-simd.wasm': wasmSimd,
      'tfjs-backend-wasm-threaded-simd.wasm': wasmThreadedSimd,
    },
    wasmThreads: globalThis.crossOriginIsolated === true,
    log: null,
  });
  if (info.name !== 'wasm') {
    const why = info.skipped.map((s) => `${s.name}: ${s.error}`).join('; ');
    return { info, threads: 1, label: 'CPU (JavaScript)', detail: `WebAssembly could not start (${why}); recognition is slower.` };
  }
  // The threaded build runs XNNPACK on half the logical cores (TF.js's own cap), so 1 on a 2-core machine.
  const threads = info.wasm?.threads ? getThreadsCount() : 1;
  const parts = ['WASM', info.wasm?.simd ? 'SIMD' : 'no SIMD', info.wasm?.threads ? `${threads} thread${threads === 1 ? '' : 's'}` : 'no threads'];
  const detail = info.wasm?.threads
    ? `TensorFlow.js on WebAssembly, multithreaded build (the page is cross-origin isolated): ${threads} of ${navigator.hardwareConcurrency} logical cores.`
    : globalThis.crossOriginIsolated
      ? 'TensorFlow.js on WebAssembly, one thread (this browser has no WASM threads).'
      : 'TensorFlow.js on WebAssembly, one thread: serve the page with COOP/COEP headers for threads.';
  return { info, threads, label: parts.join(' · '), detail };
}
