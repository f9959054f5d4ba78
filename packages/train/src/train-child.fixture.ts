// Run by checkpoint-kill.test.ts in a child process (node --import tsx), so a test can kill -9 a real training run
// at a checkpoint's rename steps (DIGITKIT_FAULT_PAUSE). Args: <checkpoint dir>.
import { mlp } from '@digitkit/model';
import { train } from './index.js';
import { mnistSlice, setup } from './test-support.js';
import { KILL_RUN } from './train-child.js';

const [dir] = process.argv.slice(2);
await setup();
const data = await mnistSlice(KILL_RUN.images);
await train(mlp({ seed: 1 }), { train: data.train }, { ...KILL_RUN.options, checkpoint: { dir: dir! } });
process.stderr.write('digitkit: trained\n');
