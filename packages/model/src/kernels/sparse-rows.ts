import type * as tf from '@tensorflow/tfjs-core';
import { type Info, heapOf, withTemps } from './wasm.js';
import { F32, I32, V128, type WasmFunction, addTo, f32x4, get, heapModule, i32, i32x4, loopWhile, op, set, v128LoadAt, v128StoreAt } from './wasm-asm.js';

// A matrix product that skips the zeros of its left operand: for each row of A, out = bias, then for each
// nonzero A[r, q] in ascending q, out += A[r, q] * B[q, :] (a multiply, then an add, per float). That is
// the order and rounding of the shipped WASM products (BatchMatMul and the XNNPACK-fused _FusedMatMul:
// checked bit for bit in sparse-rows.test.ts), so skipping a zero term changes no bit of the result. MNIST's
// pixels are 81% zeros and a ReLU's outputs about half: the MLP's first layer does a fifth of the work.

/**
 * times(out, a, b, start, startRowStep, list, rows, inner, colBytes, relu, aRowStep, aColStep): byte offsets of out
 * [rows, cols], a [rows, inner] (element r, q at a + r * aRowStep + q * aColStep: A as stored, or transposed),
 * b [inner, cols], what each output row starts from (start + r * startRowStep: a bias with step 0, `out` itself
 * with step colBytes to add more terms to it; 0: zeros) and a scratch list of 2 * inner floats; colBytes = 4 * cols
 * (a multiple of 16); relu = 1 clamps the result at 0 as the fused product's 'relu' does.
 */
export type SparseRowsTimes = (out: number, a: number, b: number, start: number, startRowStep: number, list: number, rows: number, inner: number, colBytes: number, relu: number, aRowStep: number, aColStep: number) => void;

const [OUT, A, B, START, START_ROW_STEP, LIST, ROWS, INNER, COL_BYTES, RELU, A_ROW_STEP, A_COL_STEP] = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11];
const [R, Q, C, B_ROW, AT, LIST_END, B_AT, A_AT] = [12, 13, 14, 15, 16, 17, 18, 19]; // i32
const X = 20; // f32
const [XS, ZERO] = [21, 22]; // v128
/** Accumulators: a block of BLOCK vectors of one output row stays in locals while the row's nonzeros pass. */
const BLOCK = 8;
const ACC = 23;


/** One block of `width` vectors at column byte C: its start (or 0), every listed term added in order, ReLU, stored. */
function columnBlock(width: number): number[] {
  const accs = Array.from({ length: width }, (_, k) => ACC + k);
  const outAt = [...get(OUT), ...get(C), op.i32Add];
  const init = [
    ...get(START), op.i32Eqz, ...op.if,
    ...accs.flatMap((acc) => [...get(ZERO), ...set(acc)]),
    op.else,
    ...accs.flatMap((acc, k) => [...get(START), ...get(C), op.i32Add, ...v128LoadAt(16 * k), ...set(acc)]),
    ...op.end,
  ];
  const term = [
    ...get(AT), op.f32Load, 2, 0, ...f32x4.splat, ...set(XS),
    ...get(AT), op.i32Load, 2, 4, ...get(C), op.i32Add, ...set(B_AT),
    ...accs.flatMap((acc, k) => [...get(acc), ...get(XS), ...get(B_AT), ...v128LoadAt(16 * k), ...f32x4.mul, ...f32x4.add, ...set(acc)]),
  ];
  // XNNPACK's clamp: pmax(0, acc) = 0 < acc ? acc : 0, so a NaN becomes 0 as in the shipped fused product.
  const relu = [...get(RELU), ...op.if, ...accs.flatMap((acc) => [...get(ZERO), ...get(acc), ...f32x4.pmax, ...set(acc)]), ...op.end];
  const store = accs.flatMap((acc, k) => [...outAt, ...get(acc), ...v128StoreAt(16 * k)]);
  return [...init, ...get(LIST), ...set(AT), ...loopWhile(AT, LIST_END, term, i32(8)), ...relu, ...store];
}

function sparseRowsTimes(): WasmFunction {
  // The row's nonzeros as (value, byte offset of B's row) pairs, in ascending q.
  // Branch-free: every value is written, and the end moves on past it only when it is not 0.
  const listTerm = [
    ...get(LIST_END), ...get(A_AT), op.f32Load, 2, 0, op.tee, X, op.f32Store, 2, 0,
    ...get(LIST_END), ...get(B_ROW), op.i32Store, 2, 4,
    ...addTo(LIST_END, [...get(X), op.f32Const, 0, 0, 0, 0, op.f32Ne, ...i32(3), op.i32Shl]),
    ...addTo(B_ROW, get(COL_BYTES)),
    ...addTo(A_AT, get(A_COL_STEP)),
  ];
  const list = [...get(LIST), ...set(LIST_END), ...get(B), ...set(B_ROW), ...get(A), ...set(A_AT), ...i32(0), ...set(Q), ...loopWhile(Q, INNER, listTerm, i32(1))];
  const wide = 16 * BLOCK;
  // Blocks of BLOCK vectors while they fit, then one block each of 4, 2 and 1 vectors as the rest needs (cnn()'s 24 columns: 4 + 2).
  const fits = (vectors: number) => [...get(C), ...i32(16 * vectors), op.i32Add, ...get(COL_BYTES), op.i32GtU];
  const blocks = [
    ...i32(0), ...set(C),
    ...op.block, ...op.loop, ...fits(BLOCK), op.brIf, 1, ...columnBlock(BLOCK), ...addTo(C, i32(16 * BLOCK)), op.br, 0, ...op.end, ...op.end,
    ...[4, 2, 1].flatMap((vectors) => [...fits(vectors), op.i32Eqz, ...op.if, ...columnBlock(vectors), ...addTo(C, i32(16 * vectors)), ...op.end]),
  ];
  const row = [...list, ...blocks, ...addTo(OUT, get(COL_BYTES)), ...addTo(A, get(A_ROW_STEP)), ...addTo(START, get(START_ROW_STEP))];
  return {
    name: 'times',
    params: Array(12).fill(I32),
    locals: [[8, I32], [1, F32], [2 + BLOCK, V128]],
    code: [...i32(0), ...i32x4.splat, ...set(ZERO), ...i32(0), ...set(R), ...loopWhile(R, ROWS, row, i32(1))],
  };
}

const sparseRowsModule = heapModule<{ times: SparseRowsTimes }>(() => [sparseRowsTimes()]);

/** The loop bound to the backend's heap, or null where WebAssembly SIMD or the heap is unavailable. */
export function sparseRowsTimesFor(backend: tf.KernelBackend): SparseRowsTimes | null {
  return sparseRowsModule(backend)?.times ?? null;
}

/** Least share of zeros in A at which skipping them pays (the MLP's training step: 0.5, 0.6 and 0.7 alike, 1.5x the shipped products). */
export const SPARSE_MIN_ZEROS = 0.5;
/** Fewest terms per output: listing a row's nonzeros costs as much as it saves below (cnn()'s conv_1 forward, 25 terms). */
export const SPARSE_MIN_INNER = 32;

/** A product for sparseRowsProduct: A (stored transposed when `transposeA`) . B, plus bias, then ReLU when `relu`. */
export interface SparseRowsCall {
  a: Info;
  b: Info;
  transposeA?: boolean;
  bias?: Info | undefined;
  relu?: boolean;
}

/**
 * A [rows, inner] . B [inner, cols] (+ bias [cols], then ReLU), each one matrix (leading dims of 1), when A is at
 * least SPARSE_MIN_ZEROS zeros and the loop fits (float32, cols a multiple of 4); otherwise null, for the shipped
 * kernel. A zero of A times an infinite B gives no NaN here: that term is skipped.
 */
export function sparseRowsProduct({ a, b, transposeA = false, bias, relu = false }: SparseRowsCall, backend: tf.KernelBackend): Info | null {
  const rank = a.shape.length;
  const single = (shape: number[]) => shape.slice(0, -2).every((d) => d === 1);
  if (rank < 2 || b.shape.length !== rank || !single(a.shape) || !single(b.shape)) return null;
  if (a.dtype !== 'float32' || b.dtype !== 'float32' || (bias && bias.dtype !== 'float32')) return null;
  const [first, second] = a.shape.slice(-2) as [number, number];
  const [rows, inner] = transposeA ? [second, first] : [first, second];
  const [depth, cols] = b.shape.slice(-2) as [number, number];
  if (rows === 0 || inner === 0 || depth !== inner || cols % 4 !== 0 || cols === 0 || (bias && (bias.shape.length !== 1 || bias.shape[0] !== cols))) return null;
  const times = sparseRowsTimesFor(backend);
  if (inner < SPARSE_MIN_INNER || !times || !mostlyZeros(a, backend)) return null;
  const heap = heapOf(backend);
  const out = heap.makeOutput([...a.shape.slice(0, -2), rows, cols], 'float32');
  return withTemps(backend, (keep) => {
    const list = keep(heap.makeOutput([2 * inner], 'float32'));
    // Byte offsets after every makeOutput: allocating can grow the heap.
    const offset = (t: Info) => heap.typedArrayFromHeap(t).byteOffset;
    const [rowStep, colStep] = transposeA ? [4, 4 * rows] : [4 * inner, 4];
    times(offset(out), offset(a), offset(b), bias ? offset(bias) : 0, 0, offset(list), rows, inner, 4 * cols, relu ? 1 : 0, rowStep, colStep);
    return out;
  });
}

/** Whether `t` (float32, on the backend's heap) is at least SPARSE_MIN_ZEROS zeros: worth a product that skips them. */
export function mostlyZeros(t: Info, backend: tf.KernelBackend): boolean {
  return t.dtype === 'float32' && zeroShare(heapOf(backend).typedArrayFromHeap(t) as Float32Array) >= SPARSE_MIN_ZEROS;
}

/** The share of zeros among up to 4,096 evenly spaced values (the choice changes no bit, only the speed). */
function zeroShare(values: Float32Array): number {
  const step = Math.max(1, Math.floor(values.length / 4096));
  let zeros = 0;
  let seen = 0;
  for (let i = 0; i < values.length; i += step, seen++) if (values[i] === 0) zeros++;
  return seen === 0 ? 0 : zeros / seen;
}
