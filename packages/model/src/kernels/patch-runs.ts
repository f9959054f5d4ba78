import type * as tf from '@tensorflow/tfjs-core';
import { I32, type WasmFunction, addTo, f32x4, get, heapModule, i32, loopWhile, op, set, v128Load, v128Store } from './wasm-asm.js';

// The two loops of im2col and col2im as a small WebAssembly module on the backend's heap: moving runs of
// contiguous floats between a strided image and a packed patch matrix. In JS these loops cost 3-7 ns
// per float; here a run is a few SIMD loads and stores (gather) or adds (scatter).

/**
 * All arguments are byte offsets or byte counts. For p < count, for r < inner, the run of `runBytes`
 * at strided + p * outerStep + r * innerStep pairs with the next `runBytes` of the packed side.
 * gather copies strided -> packed (im2col); scatterAdd adds packed into strided (col2im).
 */
export interface PatchRuns {
  gather(packed: number, strided: number, count: number, inner: number, outerStep: number, innerStep: number, runBytes: number): void;
  scatterAdd(strided: number, packed: number, count: number, inner: number, outerStep: number, innerStep: number, runBytes: number): void;
  /** For i < rows, j < cols: the float at to + i * toRowStep + 4 * j = the float at from + i * fromRowStep + j * fromColStep (a strided block, e.g. transposed). */
  gather2d(to: number, from: number, rows: number, cols: number, toRowStep: number, fromRowStep: number, fromColStep: number): void;
}

// Parameters, then locals.
const [FIRST, SECOND, COUNT, INNER, OUTER_STEP, INNER_STEP, RUN] = [0, 1, 2, 3, 4, 5, 6];
const [P, R, AT, K, VECTOR_END] = [7, 8, 9, 10, 11];
const params = Array(7).fill(I32);
const locals: [number, number][] = [[5, I32]];

/**
 * The loop both functions share: for p < COUNT, for r < INNER, one run of RUN bytes between the packed
 * side (advancing by RUN) and the strided side (at strided + p * OUTER_STEP + r * INNER_STEP), first in
 * 16-byte vectors, then float by float. `vectors` and `floats` get the code for the two addresses at K.
 */
function overRuns(name: string, packed: number, strided: number, vectors: (to: number[], from: number[]) => number[], floats: (to: number[], from: number[]) => number[], packedIsTarget: boolean): WasmFunction {
  const at = (base: number) => [...get(base), ...get(K), op.i32Add];
  const [to, from] = packedIsTarget ? [at(packed), at(AT)] : [at(AT), at(packed)];
  const run = [
    ...i32(0), ...set(K),
    ...loopWhile(K, VECTOR_END, vectors(to, from), i32(16)),
    ...loopWhile(K, RUN, floats(to, from), i32(4)),
    ...addTo(packed, get(RUN)),
    ...addTo(AT, get(INNER_STEP)),
  ];
  const runs = [...get(strided), ...set(AT), ...i32(0), ...set(R), ...loopWhile(R, INNER, run, i32(1)), ...addTo(strided, get(OUTER_STEP))];
  const code = [...get(RUN), ...i32(-16), op.i32And, ...set(VECTOR_END), ...i32(0), ...set(P), ...loopWhile(P, COUNT, runs, i32(1))];
  return { name, params, locals, code };
}

// Inline copies, not memory.copy: V8's memory.copy is a runtime call, dear for runs of a few floats.
const gather = () =>
  overRuns('gather', FIRST, SECOND, (to, from) => [...to, ...from, ...v128Load, ...v128Store], (to, from) => [...to, ...from, op.f32Load, 2, 0, op.f32Store, 2, 0], true);

const scatterAdd = () =>
  overRuns(
    'scatterAdd',
    SECOND,
    FIRST,
    (to, from) => [...to, ...to, ...v128Load, ...from, ...v128Load, ...f32x4.add, ...v128Store],
    (to, from) => [...to, ...to, op.f32Load, 2, 0, ...from, op.f32Load, 2, 0, op.f32Add, op.f32Store, 2, 0],
    false,
  );

function gather2d(): WasmFunction {
  // Parameters: TO, FROM, ROWS, COLS, TO_ROW_STEP, FROM_ROW_STEP, FROM_COL_STEP; locals: I, J, AT_TO, AT_FROM, (unused).
  const [TO, FROM, ROWS, COLS, TO_ROW_STEP, FROM_ROW_STEP, FROM_COL_STEP] = [0, 1, 2, 3, 4, 5, 6];
  const [I, J, AT_TO, AT_FROM] = [7, 8, 9, 10];
  const copyOne = [...get(AT_TO), ...get(AT_FROM), op.f32Load, 2, 0, op.f32Store, 2, 0, ...addTo(AT_TO, i32(4)), ...addTo(AT_FROM, get(FROM_COL_STEP))];
  const row = [
    ...get(TO), ...set(AT_TO), ...get(FROM), ...set(AT_FROM), ...i32(0), ...set(J),
    ...loopWhile(J, COLS, copyOne, i32(1)),
    ...addTo(TO, get(TO_ROW_STEP)), ...addTo(FROM, get(FROM_ROW_STEP)),
  ];
  return { name: 'gather2d', params, locals, code: [...i32(0), ...set(I), ...loopWhile(I, ROWS, row, i32(1))] };
}

/** The loops bound to the backend's heap, or null where WebAssembly SIMD is unavailable. */
export const patchRunsFor: (backend: tf.KernelBackend) => PatchRuns | null = heapModule<PatchRuns>(() => [gather(), scatterAdd(), gather2d()]);
