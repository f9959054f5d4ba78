import { defineConfig } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared';

// One model is trained (or loaded) per file: run files one at a time on 2 cores.
export default defineConfig({
  resolve: { alias: sourceAliases },
  test: { include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 120_000, hookTimeout: 120_000 },
});
