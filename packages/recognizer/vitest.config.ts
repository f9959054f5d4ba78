import { defineConfig } from 'vitest/config';
import { sourceAliases } from '../../vitest.shared';

// Accuracy checks run the shipped models over all 10,000 MNIST test images.
export default defineConfig({ resolve: { alias: sourceAliases }, test: { testTimeout: 60_000 } });
