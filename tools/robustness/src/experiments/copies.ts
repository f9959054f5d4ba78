// Other copies of the preprocess sources, for before/after experiments: `name=path/to/index.ts` arguments.
import type { Preprocessor } from '../harness.js';

/** Each `name=path` argument as a preprocessor: that copy's toMnistFormat, its 28x28 pixels or null when empty. */
export async function preprocessCopies(args: readonly string[]): Promise<Record<string, Preprocessor>> {
  const copies: Record<string, Preprocessor> = {};
  for (const arg of args) {
    const [name, path] = arg.split('=') as [string, string];
    const module = await import(path);
    copies[name] = (picture) => {
      const r = module.toMnistFormat(picture);
      return r.empty ? null : r.pixels;
    };
  }
  return copies;
}
