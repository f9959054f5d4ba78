import type * as tf from '@tensorflow/tfjs-core';
import { I32, V128, type WasmFunction, addTo, f32x4, get, heapModule, i32, loopWhile, op, set, v128, v128Load, v128Store } from './wasm-asm.js';

// MaxPoolGrad for 2x2 windows, stride 2, no padding, even height and width and channels in fours (cnn()'s
// pools): one SIMD pass that writes all four input gradients of each window, so dx needs no zeroing. The
// first maximum in row-major order gets the gradient (strict >, NaN never wins), as on the CPU backend.

/** grad(x, dy, dx: byte offsets of one image; outHeight, outWidth; channelBytes = 4 * channels; rowBytes = 4 * width * channels). */
export type MaxPoolGrad2x2 = (x: number, dy: number, dx: number, outHeight: number, outWidth: number, channelBytes: number, rowBytes: number) => void;

const [X, DY, DX, OUT_HEIGHT, OUT_WIDTH, CHANNEL_BYTES, ROW_BYTES] = [0, 1, 2, 3, 4, 5, 6];
const [OH, OW, K, WINDOW, AT] = [7, 8, 9, 10, 11]; // i32
const [X01, X10, X11, BEST, C01, C10, C11, G] = [12, 13, 14, 15, 16, 17, 18, 19]; // v128

function maxPoolGrad2x2(): WasmFunction {
  const load = (offset: number[]) => [...get(X), ...get(AT), op.i32Add, ...offset, ...v128Load];
  const none: number[] = [];
  const right = [...get(CHANNEL_BYTES), op.i32Add];
  const below = [...get(ROW_BYTES), op.i32Add];
  const store = (offset: number[], value: number[]) => [...get(DX), ...get(AT), op.i32Add, ...offset, ...value, ...v128Store];
  const greater = (candidate: number, mask: number) => [
    ...get(candidate), ...get(BEST), ...f32x4.gt, ...set(mask),
    ...get(candidate), ...get(BEST), ...get(mask), ...v128.bitselect, ...set(BEST),
  ];
  const vector = [
    ...get(WINDOW), ...get(K), op.i32Add, ...set(AT),
    ...load(none), ...set(BEST),
    ...load(right), ...set(X01),
    ...load(below), ...set(X10),
    ...load([...below, ...right]), ...set(X11),
    ...get(DY), ...v128Load, ...set(G), ...addTo(DY, i32(16)),
    ...greater(X01, C01),
    ...greater(X10, C10),
    ...get(X11), ...get(BEST), ...f32x4.gt, ...set(C11),
    // The last window position that beat every earlier one takes the gradient.
    ...store([...below, ...right], [...get(G), ...get(C11), ...v128.and]),
    ...store(below, [...get(G), ...get(C10), ...v128.and, ...get(C11), ...v128.andNot]),
    ...store(right, [...get(G), ...get(C01), ...v128.and, ...get(C10), ...v128.andNot, ...get(C11), ...v128.andNot]),
    ...store(none, [...get(G), ...get(C01), ...get(C10), ...v128.or, ...get(C11), ...v128.or, ...v128.andNot]),
  ];
  const window = [...i32(0), ...set(K), ...loopWhile(K, CHANNEL_BYTES, vector, i32(16)), ...addTo(WINDOW, [...get(CHANNEL_BYTES), ...i32(1), op.i32Shl])];
  const row = [
    ...get(OH), ...get(ROW_BYTES), op.i32Mul, ...i32(1), op.i32Shl, ...set(WINDOW),
    ...i32(0), ...set(OW), ...loopWhile(OW, OUT_WIDTH, window, i32(1)),
  ];
  return {
    name: 'maxPoolGrad2x2',
    params: Array(7).fill(I32),
    locals: [[5, I32], [8, V128]],
    code: [...i32(0), ...set(OH), ...loopWhile(OH, OUT_HEIGHT, row, i32(1))],
  };
}

const maxPoolModule = heapModule<{ maxPoolGrad2x2: MaxPoolGrad2x2 }>(() => [maxPoolGrad2x2()]);

/** The loop bound to the backend's heap, or null where WebAssembly SIMD or the heap is unavailable. */
export function maxPoolGrad2x2For(backend: tf.KernelBackend): MaxPoolGrad2x2 | null {
  return maxPoolModule(backend)?.maxPoolGrad2x2 ?? null;
}
