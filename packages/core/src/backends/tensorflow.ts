import type { BackendSpec } from './types.js';

/** The native TensorFlow backend (`@tensorflow/tfjs-node`, an optional dependency that needs a network to install). */
export const tensorflow = {
  name: 'tensorflow',
  runsIn: ['node'],
  async load(options) {
    try {
      await (options.importNative ?? importByName)('@tensorflow/tfjs-node');
    } catch (error) {
      throw new Error(nativeFailure(error));
    }
  },
  describe: () => 'native TensorFlow (tfjs-node)',
} as const satisfies BackendSpec;

// ---------------------------------------------------------------------------------------------

// Imported through a variable so bundlers and tsc do not require the optional package.
function importByName(id: string): Promise<unknown> {
  return import(/* @vite-ignore */ id);
}

// tfjs-node fails in two common ways; say which in words a user can act on.
function nativeFailure(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  if (/Cannot find (module|package)|ERR_MODULE_NOT_FOUND/.test(text)) return '@tensorflow/tfjs-node is not installed';
  if (/native addon|tfjs_binding|libtensorflow/.test(text)) {
    return '@tensorflow/tfjs-node is installed but its native library is missing (it downloads libtensorflow at install time, which needs a network)';
  }
  return text;
}
