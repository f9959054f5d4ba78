// Run by io.test.ts in a child process (node --import tsx) so a test can kill -9 a real saveModel midway.
import { useBackend } from '@digitkit/core';
import { mlp, saveModel } from './index.js';

const [dir, seed] = process.argv.slice(2);
await useBackend('cpu', { log: null });
await saveModel(mlp({ seed: Number(seed) }), dir!);
process.stderr.write('digitkit: saved\n');
