import { defineConfig } from 'vitest/config';

// The tests start the real ensure-browser script with fake PATH directories: one file at a time.
export default defineConfig({ test: { include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 120_000 } });
