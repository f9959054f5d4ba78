import { defineConfig } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared';

// The suite switches the one TF.js engine between backends: one file, in order, with room for slow pure-JS kernels.
export default defineConfig({
  resolve: { alias: sourceAliases },
  test: { include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 600_000, hookTimeout: 600_000, reporters: ['verbose'] },
});
