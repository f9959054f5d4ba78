import { defineConfig } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared';

export default defineConfig({ resolve: { alias: sourceAliases }, test: { testTimeout: 60_000, hookTimeout: 60_000 } });
