import { defineConfig } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared';

// Training tests take seconds; on a shared 2-core machine vitest's default 5 s is too tight.
export default defineConfig({ resolve: { alias: sourceAliases }, test: { testTimeout: 30_000 } });
