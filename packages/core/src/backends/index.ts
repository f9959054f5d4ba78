import { cpu } from './cpu.js';
import { tensorflow } from './tensorflow.js';
import type { BackendSpec } from './types.js';
import { wasm } from './wasm.js';

export type { BackendOptions, BackendSpec, TfCore } from './types.js';

/** Every backend digitkit can start, in the order `auto` tries them (fastest first). */
export const BACKENDS = [tensorflow, wasm, cpu] as const satisfies readonly BackendSpec[];
