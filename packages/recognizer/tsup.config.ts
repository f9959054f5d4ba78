import { defineConfig } from 'tsup';

// The shipped weights are ~250 KB of base64 a model: build them once, as ESM modules that both the ESM and the CJS entry
// load with import() (Node CJS can import ESM dynamically; bundlers split each into its own chunk).
const shippedStaysOutside = {
  name: 'shipped-stays-outside',
  setup(build: { onResolve: (o: { filter: RegExp }, f: (a: { path: string }) => { path: string; external: true }) => void }) {
    build.onResolve({ filter: /^\.\/shipped\/(cnn|mlp|numbers)\.js$/ }, (args) => ({ path: args.path, external: true }));
  },
};

export default defineConfig([
  {
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: false,
    esbuildPlugins: [shippedStaysOutside],
  },
  {
    entry: { 'shipped/cnn': 'src/shipped/cnn.ts', 'shipped/mlp': 'src/shipped/mlp.ts', 'shipped/numbers': 'src/shipped/numbers.ts' },
    format: ['esm'],
    sourcemap: false,
  },
]);
