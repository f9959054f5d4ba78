import { defineConfig } from 'vitest/config';

// Release checks install packages and start a registry: run one file at a time (2 cores), with
// bounded but generous timeouts; each test sets its own where it installs or trains.
export default defineConfig({
  test: {
    include: ['src/**/*.test.ts'],
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 120_000,
    reporters: ['verbose'],
  },
});
