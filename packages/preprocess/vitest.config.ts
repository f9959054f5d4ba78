import { defineConfig } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared';

// toMnistFormat tests run a few hundred real-size canvases: give them time on a busy 2-core machine.
export default defineConfig({ resolve: { alias: sourceAliases }, test: { testTimeout: 60_000, hookTimeout: 60_000 } });
