import type * as tf from '@tensorflow/tfjs-core';

// The fused Adam loop as a tiny WebAssembly module of our own that works on the WASM backend's heap
// (it imports the backend's memory): one SIMD pass over the parameter instead of a dozen kernels, each
// a pass with its own output. Every operation is the IEEE float32 one the shipped kernels use
// (f32x4.mul/add/sub/div/sqrt, no fused multiply-add), in the same order, so the bits are the same.
// Assembled here, opcode by opcode, rather than shipped as an opaque binary.

/** adam(x, g, m, v, x1, m1, v1: byte offsets; n: elements; beta1, 1-beta1, beta2, 1-beta2, epsilon, rate, decay). */
export type AdamLoop = (...args: number[]) => void;

const I32 = 0x7f;
const F32 = 0x7d;
const V128 = 0x7b;
const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  end: [0x0b],
  br: 0x0c,
  brIf: 0x0d,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32And: 0x71,
  i32Shl: 0x74,
  f32Load: 0x2a,
  f32Store: 0x38,
  f32Sqrt: 0x91,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
} as const;
const simd = (code: number) => [0xfd, ...uleb(code)];
const v128Load = [...simd(0x00), 0, 0];
const v128Store = [...simd(0x0b), 0, 0];
const f32x4 = { splat: simd(0x13), sqrt: simd(0xe3), add: simd(0xe4), sub: simd(0xe5), mul: simd(0xe6), div: simd(0xe7) };

// Parameters (locals 0-14), then the function's own locals.
const [X, G, M, V, X1, M1, V1, N] = [0, 1, 2, 3, 4, 5, 6, 7];
const [B1, C1, B2, C2, EPS, LR, D] = [8, 9, 10, 11, 12, 13, 14];
const I = 15;
const END = 16;
const SPLAT = 17; // 17-23: the seven constants splatted, in the order B1..D
const [GI, MI, VI] = [24, 25, 26];

const get = (local: number) => [op.get, local];
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

function body(): number[] {
  const locals = [[2, I32], [10, V128], [3, F32]]; // I, END; splats, GI, MI, VI; scalar GI, MI, VI
  const code = [
    ...[B1, C1, B2, C2, EPS, LR, D].flatMap((k, i) => [...get(k), ...f32x4.splat, op.set, SPLAT + i]),
    // END = (N & ~3) * 4 bytes: whole vectors first, then the rest one by one.
    ...get(N), op.i32Const, ...sleb(-4), op.i32And, op.i32Const, 2, op.i32Shl, op.set, END,
    ...loopTo(update(true), 16),
    ...get(N), op.i32Const, 2, op.i32Shl, op.set, END,
    ...loopTo(update(false), 4),
    ...op.end,
  ];
  const declared = [...uleb(locals.length), ...locals.flatMap(([count, type]) => [...uleb(count!), type!])];
  return [...uleb(declared.length + code.length), ...declared, ...code];
}

function moduleBytes(): Uint8Array<ArrayBuffer> {
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
  const params = [...Array(8).fill(I32), ...Array(7).fill(F32)];
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, [1, 0x60, ...uleb(params.length), ...params, 0]),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x00]),
    ...section(3, [1, 0]),
    ...section(7, [1, ...name('adam'), 0x00, 0]),
    ...section(10, [1, ...body()]),
  ]);
}

function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && !(byte & 0x40)) || (value === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

let compiled: WebAssembly.Module | null | undefined;
const loops = new WeakMap<WebAssembly.Memory, AdamLoop | null>();

/** The loop bound to the backend's heap, or null where WebAssembly SIMD or the heap is unavailable. */
export function adamLoopFor(backend: tf.KernelBackend): AdamLoop | null {
  const memory = (backend as unknown as { wasm?: { asm?: { memory?: WebAssembly.Memory } } }).wasm?.asm?.memory;
  if (!memory) return null;
  if (compiled === undefined) {
    try {
      compiled = new WebAssembly.Module(moduleBytes());
    } catch {
      compiled = null; // no SIMD here: the kernel composes the shipped kernels instead
    }
  }
  if (!compiled) return null;
  let loop = loops.get(memory);
  if (loop === undefined) {
    try {
      loop = new WebAssembly.Instance(compiled, { env: { memory } }).exports.adam as AdamLoop;
    } catch {
      loop = null; // a shared (threaded) heap does not link to this module's plain memory import
    }
    loops.set(memory, loop);
  }
  return loop;
}
