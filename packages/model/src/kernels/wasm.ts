import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError, replacedKernel } from '@digitkit/core';

// What every kernel here shares: calling other WASM kernels directly on the backend (no op tape, no
// engine bookkeeping), reading and writing the WASM heap, and the shipped kernels ours replaced.

export type Info = tf.TensorInfo;
export type Attrs = Record<string, unknown>;
export type KernelArgs = { inputs: Record<string, Info>; backend: tf.KernelBackend; attrs?: Attrs };
export type Kernel = (args: KernelArgs) => Info;
/** A kernel with several outputs (the fused optimizer updates). */
export type MultiOutputKernel = (args: KernelArgs) => Info[];

/** The parts of tfjs-backend-wasm's BackendWasm the kernels use. */
export interface WasmHeap {
  makeOutput(shape: number[], dtype: tf.DataType): Info;
  typedArrayFromHeap(t: Info): Float32Array | Int32Array | Uint8Array;
  incRef(dataId: tf.DataId): void;
}

export function heapOf(backend: tf.KernelBackend): WasmHeap {
  return backend as unknown as WasmHeap;
}

/** The shipped kernels `registerWasmTrainingKernels` replaced, by name (useBackend's `kernels` keeps its own: `replacedKernel`). */
const shipped = new Map<string, tf.KernelConfig>();

export function rememberShipped(config: tf.KernelConfig): void {
  shipped.set(config.kernelName, config);
}

/** Our kernel functions: a "shipped" kernel that is one of them would call itself. */
const ours = new Set<unknown>();

/** Runs the shipped WASM kernel `name` (the one in place before registration, if ours replaced it). */
export function runShipped(name: string, inputs: Record<string, Info>, attrs: Attrs, backend: tf.KernelBackend): Info {
  const kernel = shipped.get(name) ?? replacedKernel(name, 'wasm') ?? tf.getKernel(name, 'wasm');
  if (!kernel) throw new DigitkitError('WASM_NOT_LOADED', `The WASM backend has no ${name} kernel; import "@tensorflow/tfjs-backend-wasm".`);
  if (ours.has(kernel.kernelFunc)) {
    throw new DigitkitError('KERNELS_NOT_INSTALLED', `digitkit's WASM ${name} replaced the shipped one without keeping it: register WASM_TRAINING_KERNELS with useBackend("wasm", { kernels: WASM_TRAINING_KERNELS }) or registerWasmTrainingKernels(), not tf.registerKernel.`);
  }
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

/** Runs the WASM kernel registered as `name` now (ours where ours replaced the shipped one). */
export function run(name: string, inputs: Record<string, Info>, attrs: Attrs, backend: tf.KernelBackend): Info {
  const kernel = tf.getKernel(name, 'wasm');
  if (!kernel) throw new DigitkitError('WASM_NOT_LOADED', `The WASM backend has no ${name} kernel; import "@tensorflow/tfjs-backend-wasm".`);
  return kernel.kernelFunc({ inputs, backend, attrs: attrs as tf.NamedAttrMap }) as Info;
}

/** A float32 scalar on the WASM heap (the caller frees it), rounded as tf.scalar rounds. */
export function scalarOn(backend: tf.KernelBackend, value: number): Info {
  const heap = heapOf(backend);
  const out = heap.makeOutput([], 'float32');
  heap.typedArrayFromHeap(out)[0] = value;
  return out;
}

/** Calls `body` with a list to put intermediates in, and frees them all afterwards (also on a throw). */
export function withTemps<T>(backend: tf.KernelBackend, body: (keep: (t: Info) => Info) => T): T {
  const temps: Info[] = [];
  try {
    return body((t) => {
      temps.push(t);
      return t;
    });
  } finally {
    for (const t of temps) backend.disposeData(t.dataId);
  }
}

/** A kernel function of ours, typed the way tfjs-core's KernelConfig wants it. */
export function asKernelFunc(kernel: Kernel | MultiOutputKernel): tf.KernelFunc {
  ours.add(kernel);
  return kernel as unknown as tf.KernelFunc;
}
