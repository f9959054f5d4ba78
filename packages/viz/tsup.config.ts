import { defineConfig } from 'tsup';

const shared = { entry: ['src/index.ts'], dts: true, sourcemap: true, shims: true, clean: false } as const; // the build script empties dist first: two parallel builds must not clean each other's output

export default defineConfig([
  { ...shared, format: 'esm' },
  // fast-png is ESM-only; bundling it (and its two small deps) into the CommonJS build lets
  // require('@digitkit/viz') work on Node versions without require(esm) (< 20.19). vega stays an import().
  { ...shared, format: 'cjs', noExternal: ['fast-png', 'iobuffer', 'fflate'] },
]);
