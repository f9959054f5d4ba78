import type * as tf from '@tensorflow/tfjs-core';

// A few WebAssembly opcodes and the module layout our small loops need, so each loop is assembled in
// the open, opcode by opcode, rather than shipped as an opaque binary. Every module imports the WASM
// backend's memory (env.memory) and works on tensors in place, by byte offset.

export const I32 = 0x7f;
export const F32 = 0x7d;
export const V128 = 0x7b;

export const op = {
  block: [0x02, 0x40],
  loop: [0x03, 0x40],
  if: [0x04, 0x40],
  else: 0x05,
  end: [0x0b],
  br: 0x0c,
  brIf: 0x0d,
  get: 0x20,
  set: 0x21,
  tee: 0x22,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32GtU: 0x4b,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  i32Load: 0x28,
  i32Store: 0x36,
  f32Load: 0x2a,
  f32Store: 0x38,
  f32Const: 0x43,
  f32Ne: 0x5c,
  f32Sqrt: 0x91,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
} as const;

export const simd = (code: number) => [0xfd, ...uleb(code)];
export const v128Load = [...simd(0x00), 0, 0];
export const v128Store = [...simd(0x0b), 0, 0];
/** v128.load / store at the address on the stack + `offset` bytes. */
export const v128LoadAt = (offset: number) => [...simd(0x00), 0, ...uleb(offset)];
export const v128StoreAt = (offset: number) => [...simd(0x0b), 0, ...uleb(offset)];
export const i32x4 = { splat: simd(0x11) };
export const f32x4 = { splat: simd(0x13), gt: simd(0x44), sqrt: simd(0xe3), add: simd(0xe4), sub: simd(0xe5), mul: simd(0xe6), div: simd(0xe7), pmax: simd(0xeb) };
/** Bitwise v128 operations: andNot(a, b) = a & ~b; bitselect(a, b, mask) = (a & mask) | (b & ~mask). */
export const v128 = { and: simd(0x4e), andNot: simd(0x4f), or: simd(0x50), bitselect: simd(0x52) };

export const get = (local: number) => [op.get, local];
export const set = (local: number) => [op.set, local];
export const i32 = (value: number) => [op.i32Const, ...sleb(value)];
/** local += value (an i32 local; `value` is code that leaves one i32). */
export const addTo = (local: number, value: number[]) => [...get(local), ...value, op.i32Add, op.set, local];

/** `while (counter < limit) { body; counter += step }` over i32 locals (unsigned compare). */
export function loopWhile(counter: number, limit: number, body: number[], step: number[]): number[] {
  return [...op.block, ...op.loop, ...get(counter), ...get(limit), op.i32GeU, op.brIf, 1, ...body, ...addTo(counter, step), op.br, 0, ...op.end, ...op.end];
}

export interface WasmFunction {
  name: string;
  params: number[];
  /** [count, type] pairs, numbered after the parameters. */
  locals: [number, number][];
  code: number[];
}

/** The bytes of a module importing env.memory and exporting `functions` (none returns a value). */
export function moduleBytes(functions: WasmFunction[]): Uint8Array<ArrayBuffer> {
  const section = (id: number, content: number[]) => [id, ...uleb(content.length), ...content];
  const name = (s: string) => [...uleb(s.length), ...Array.from(s, (ch) => ch.charCodeAt(0))];
  const vector = (items: number[][]) => [...uleb(items.length), ...items.flat()];
  const body = (f: WasmFunction) => {
    const declared = [...uleb(f.locals.length), ...f.locals.flatMap(([count, type]) => [...uleb(count), type])];
    const content = [...declared, ...f.code, ...op.end];
    return [...uleb(content.length), ...content];
  };
  return new Uint8Array([
    0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00,
    ...section(1, vector(functions.map((f) => [0x60, ...uleb(f.params.length), ...f.params, 0]))),
    ...section(2, [1, ...name('env'), ...name('memory'), 0x02, 0x00, 0x00]),
    ...section(3, vector(functions.map((_, i) => uleb(i)))),
    ...section(7, vector(functions.map((f, i) => [...name(f.name), 0x00, ...uleb(i)]))),
    ...section(10, vector(functions.map(body))),
  ]);
}

export function uleb(value: number): number[] {
  const out: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    out.push(byte);
  } while (value !== 0);
  return out;
}

export function sleb(value: number): number[] {
  const out: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    if ((value === 0 && !(byte & 0x40)) || (value === -1 && byte & 0x40)) return [...out, byte];
    out.push(byte | 0x80);
  }
}

/**
 * Compiles `functions` once and instantiates them on each backend's heap; gives null where
 * WebAssembly SIMD or the heap is unavailable (the kernels then take their other path).
 */
export function heapModule<T>(functions: () => WasmFunction[]): (backend: tf.KernelBackend) => T | null {
  let compiled: WebAssembly.Module | null | undefined;
  const instances = new WeakMap<WebAssembly.Memory, T | null>();
  return (backend) => {
    const memory = (backend as unknown as { wasm?: { asm?: { memory?: WebAssembly.Memory } } }).wasm?.asm?.memory;
    if (!memory) return null;
    if (compiled === undefined) {
      try {
        compiled = new WebAssembly.Module(moduleBytes(functions()));
      } catch {
        compiled = null; // no SIMD here
      }
    }
    if (!compiled) return null;
    let exports = instances.get(memory);
    if (exports === undefined) {
      try {
        exports = new WebAssembly.Instance(compiled, { env: { memory } }).exports as T;
      } catch {
        exports = null; // a shared (threaded) heap does not link to this module's plain memory import
      }
      instances.set(memory, exports);
    }
    return exports;
  };
}
