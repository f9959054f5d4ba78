import { defineConfig } from 'vitest/config';

// The end-to-end tests run the built CLI (bin/digitkit.js) as a user would; training runs are slow-ish.
export default defineConfig({ test: { testTimeout: 180_000, hookTimeout: 180_000, fileParallelism: false } });
