/** See arithmetic.mjs: seconds for one thread's share of bare arithmetic, timed after `ready` resolves. */
export function arithmetic(kind: 'float-loop' | 'wasm-matmul' | 'cnn-gradients', ready?: () => Promise<void>): Promise<number>;
