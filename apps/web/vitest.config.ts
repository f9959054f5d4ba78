import { defineConfig } from 'vitest/config';

// End-to-end tests: each file builds the app, serves dist/ and drives a real Chromium.
export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 120_000,
    hookTimeout: 240_000,
    fileParallelism: false,
  },
});
