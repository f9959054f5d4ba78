// kill -9 at every rename step of a checkpoint save: a real training run in a child process (tsx, from the sources)
// pauses at the step (DIGITKIT_FAULT_PAUSE, see @digitkit/core's faultPause) while writing its second checkpoint
// and is killed there with SIGKILL. Then the checkpoint is read, and the run resumed to its end.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mlp } from '@digitkit/model';
import { killAtFaultPause, writeSourcesTsconfig } from '@digitkit/testkit';
import { readCheckpoint } from './checkpoint.js';
import { train } from './index.js';
import { KILL_RUN } from './train-child.js';
import { mnistSlice, sameWeights, setup, weightsOf } from './test-support.js';

const packageDir = fileURLToPath(new URL('../', import.meta.url));
let root: string;
let tsconfig: string;
let data: Awaited<ReturnType<typeof mnistSlice>>;
/** The weights of the same run never killed: a resumed run must end with exactly these. */
let uninterrupted: Float32Array[];

beforeAll(async () => {
  await setup();
  root = await mkdtemp(join(tmpdir(), 'digitkit-checkpoint-kill-'));
  // The child resolves @digitkit/* to their sources, as the tests do, so no build is needed.
  tsconfig = await writeSourcesTsconfig(root);
  data = await mnistSlice(KILL_RUN.images);
  const model = mlp({ seed: 1 });
  await train(model, { train: data.train }, { ...KILL_RUN.options });
  uninterrupted = weightsOf(model);
  model.net.dispose();
}, 60_000);
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Trains in a child until it pauses at `pause`, then kills it with SIGKILL. */
async function killAt(dir: string, pause: string): Promise<void> {
  expect(await killAtFaultPause('src/train-child.fixture.ts', [dir], { cwd: packageDir, tsconfig, pause })).toBe('SIGKILL');
}

/** Every file and directory under `dir`, relative, sorted. */
async function tree(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true, withFileTypes: true });
  return entries.map((e) => join(e.parentPath, e.name).slice(dir.length + 1)).sort();
}

// Each step of writeCheckpoint, in order; what the kill leaves (proof it landed there); and the epochs done by the
// checkpoint a reader finds (the kill is in the second save: 1 is the previous checkpoint, 2 the new one).
const STEPS: [step: string, what: string, leftover: RegExp, epochsDone: number][] = [
  ['model-save-between-renames@2', 'while the model copy inside the new checkpoint is renamed', /^\.tmp-[^/]+\/model\.tmp-[^/]+$/, 1],
  ['checkpoint-before-dir-rename', 'with the new checkpoint complete in its temporary directory', /^\.tmp-[^/]+\/state\.json$/, 1],
  ['checkpoint-before-latest', 'after the new checkpoint is renamed in, before latest.json names it', /^ckpt-e0002-[^/]+$/, 1],
  ['file-before-rename:latest.json@2', 'with the new latest.json written beside the old one, not yet renamed', /^latest\.json\.\d+-\w+\.tmp$/, 1],
  ['checkpoint-before-cleanup', 'after latest.json names the new checkpoint, before the previous one is removed', /^ckpt-e0001-[^/]+$/, 2],
];

describe('a training run killed with SIGKILL during its second checkpoint save', () => {
  it.each(STEPS)('at %s (%s): a complete checkpoint is found, the resumed run ends as if never killed, nothing is left over', async (step, _what, leftover, epochsDone) => {
    const dir = join(root, step.replace(/[^\w-]/g, '_'));
    // The second save is the one killed: its step counts from there (the first save passes every step once).
    await killAt(dir, step.includes('@') ? step : `${step}@2`);
    expect((await tree(dir)).filter((f) => leftover.test(f))).toHaveLength(1);

    const found = await readCheckpoint(dir);
    expect(found).not.toBeNull();
    expect(found!.state.position).toMatchObject({ epoch: epochsDone, batch: 0 });
    expect(found!.state.history.map((e) => e.epoch)).toEqual(Array.from({ length: epochsDone }, (_, i) => i + 1));
    expect(found!.weights.map((w) => w.length)).toEqual(uninterrupted.map((w) => w.length));

    const model = mlp({ seed: 1 });
    const result = await train(model, { train: data.train }, { ...KILL_RUN.options, checkpoint: { dir, resume: true } });
    expect(result.history.map((e) => e.epoch)).toEqual([1, 2, 3]);
    expect(sameWeights(weightsOf(model), uninterrupted)).toBe(true);
    model.net.dispose();

    // Only latest.json and one complete checkpoint: no .tmp- directory, no latest.json.<pid>.tmp, no model.old-.
    const files = await tree(dir);
    expect(files.filter((f) => /\.tmp|tmp-|\.old-/.test(f))).toEqual([]);
    const checkpoints = files.filter((f) => /^ckpt-[^/]+$/.test(f));
    expect(checkpoints).toHaveLength(1);
    expect((await readCheckpoint(dir))!.state.position.epoch).toBe(3);
  }, 120_000);
});
