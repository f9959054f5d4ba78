import { defineConfig } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared';

// The CPU backend, which the WASM kernels are checked against, is slow for convolution gradients.
export default defineConfig({ resolve: { alias: sourceAliases }, test: { testTimeout: 60_000 } });
