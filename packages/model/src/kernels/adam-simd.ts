import type * as tf from '@tensorflow/tfjs-core';
import { F32, I32, V128, type WasmFunction, f32x4, get, heapModule, op, sleb, v128Load, v128Store } from './wasm-asm.js';

// The fused Adam loop as a tiny WebAssembly module of our own that works on the WASM backend's heap
// (it imports the backend's memory): one SIMD pass over the parameter instead of a dozen kernels, each
// a pass with its own output. Every operation is the IEEE float32 one the shipped kernels use
// (f32x4.mul/add/sub/div/sqrt, no fused multiply-add), in the same order, so the bits are the same.
// Assembled here, opcode by opcode, rather than shipped as an opaque binary.

/** adam(x, g, m, v, x1, m1, v1: byte offsets; n: elements; beta1, 1-beta1, beta2, 1-beta2, epsilon, rate, decay). */
export type AdamLoop = (...args: number[]) => void;

// Parameters (locals 0-14), then the function's own locals.
const [X, G, M, V, X1, M1, V1, N] = [0, 1, 2, 3, 4, 5, 6, 7];
const [B1, C1, B2, C2, EPS, LR, D] = [8, 9, 10, 11, 12, 13, 14];
const I = 15;
const END = 16;
const SPLAT = 17; // 17-23: the seven constants splatted, in the order B1..D
const [GI, MI, VI] = [24, 25, 26];

const at = (base: number, load: number[]) => [...get(base), ...get(I), op.i32Add, ...load];

/** One step of the update at byte offset I, in SIMD (`lanes` 4) or scalar (1) form. */
function update(vector: boolean): number[] {
  const [load, store] = vector ? [v128Load, v128Store] : [[op.f32Load, 2, 0], [op.f32Store, 2, 0]];
  const [add, sub, mul, div, sqrt] = vector
    ? [f32x4.add, f32x4.sub, f32x4.mul, f32x4.div, f32x4.sqrt]
    : [[op.f32Add], [op.f32Sub], [op.f32Mul], [op.f32Div], [op.f32Sqrt]];
  const c = (k: number) => get(vector ? SPLAT + k - B1 : k);
  const [gi, mi, vi] = vector ? [GI, MI, VI] : [GI + 3, MI + 3, VI + 3];
  return [
    ...at(G, load), op.set, gi,
    // m1 = m * beta1 + g * (1 - beta1)
    ...get(M1), ...get(I), op.i32Add,
    ...at(M, load), ...c(B1), ...mul, ...get(gi), ...c(C1), ...mul, ...add, op.tee, mi, ...store,
    // v1 = v * beta2 + (g * g) * (1 - beta2)
    ...get(V1), ...get(I), op.i32Add,
    ...at(V, load), ...c(B2), ...mul, ...get(gi), ...get(gi), ...mul, ...c(C2), ...mul, ...add, op.tee, vi, ...store,
    // x1 = x * decay - (m1 / (sqrt(v1) + epsilon)) * rate
    ...get(X1), ...get(I), op.i32Add,
    ...at(X, load), ...c(D), ...mul,
    ...get(mi), ...get(vi), ...sqrt, ...c(EPS), ...add, ...div, ...c(LR), ...mul, ...sub, ...store,
  ];
}

/** `while (I < END) { body; I += step }` */
function loopTo(body: number[], step: number): number[] {
  return [
    ...op.block, ...op.loop,
    ...get(I), ...get(END), op.i32GeU, op.brIf, 1,
    ...body,
    ...get(I), op.i32Const, ...sleb(step), op.i32Add, op.set, I,
    op.br, 0, ...op.end, ...op.end,
  ];
}

function adam(): WasmFunction {
  const code = [
    ...[B1, C1, B2, C2, EPS, LR, D].flatMap((k, i) => [...get(k), ...f32x4.splat, op.set, SPLAT + i]),
    // END = (N & ~3) * 4 bytes: whole vectors first, then the rest one by one.
    ...get(N), op.i32Const, ...sleb(-4), op.i32And, op.i32Const, 2, op.i32Shl, op.set, END,
    ...loopTo(update(true), 16),
    ...get(N), op.i32Const, 2, op.i32Shl, op.set, END,
    ...loopTo(update(false), 4),
  ];
  // I, END; splats, GI, MI, VI; scalar GI, MI, VI
  return { name: 'adam', params: [...Array(8).fill(I32), ...Array(7).fill(F32)], locals: [[2, I32], [10, V128], [3, F32]], code };
}

const adamModule = heapModule<{ adam: AdamLoop }>(() => [adam()]);

/** The loop bound to the backend's heap, or null where WebAssembly SIMD or the heap is unavailable. */
export function adamLoopFor(backend: tf.KernelBackend): AdamLoop | null {
  return adamModule(backend)?.adam ?? null;
}
