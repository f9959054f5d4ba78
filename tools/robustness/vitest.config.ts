import { defineConfig } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared';

// DIGITKIT_PREPROCESS_SRC=<dir>/index.ts runs the tests against another copy of @digitkit/preprocess's sources
// (e.g. one with a stage switched off, to check that the robustness test catches it).
const preprocess = process.env.DIGITKIT_PREPROCESS_SRC;

// One model is trained per file: run files one at a time on 2 cores.
export default defineConfig({
  resolve: { alias: { ...sourceAliases, ...(preprocess ? { '@digitkit/preprocess': preprocess } : {}) } },
  test: { include: ['src/**/*.test.ts'], fileParallelism: false, testTimeout: 120_000, hookTimeout: 180_000 },
});
