import type { BackendSpec } from './types.js';

/** TF.js's pure-JavaScript backend: runs everywhere, slowest. */
export const cpu = {
  name: 'cpu',
  runsIn: ['node', 'browser'],
  async load() {
    await import('@tensorflow/tfjs-backend-cpu');
  },
  describe: () => 'CPU (pure JavaScript)',
} as const satisfies BackendSpec;
