import { defineConfig } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared';

// End-to-end tests: each file builds the app, serves dist/ and drives a real Chromium.
export default defineConfig({
  resolve: { alias: sourceAliases },
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
