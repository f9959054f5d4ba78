// kill -9 at every rename of the end of a run (the model save, the report, metrics.json): the built CLI pauses at a
// step (DIGITKIT_FAULT_PAUSE, @digitkit/core's faultPause), is killed there with SIGKILL, and the printed
// `digitkit train --resume` then finishes the run: a complete model of the new run, its metrics, no temporary files.
import { cp, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@digitkit/core';
import { loadModel } from '@digitkit/model';
import { tinyMnist, writeDataDir } from './hostile-files.mjs';
import { digitkit as run, type Run } from './cli-process.js';

const EPOCHS = 2;
let work: string;
let data: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'digitkit-faults-'));
  data = join(work, 'data');
  await writeDataDir(data, tinyMnist(200, 12, false));
  // The earlier run every case starts over: trained once, copied into each case's --out.
  const earlier = await train('earlier', 1);
  expect(earlier.code, earlier.stderr).toBe(0);
  await useBackend('cpu', { log: null });
}, 60_000);
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

/** Runs the CLI; with `pause`, kills it with SIGKILL as soon as it says it paused there. */
function digitkit(args: string[], pause?: string): Promise<Run> {
  return run(args, {
    cwd: work,
    env: pause ? { DIGITKIT_FAULT_PAUSE: pause } : {},
    onStderr: (text, child) => {
      if (pause && text.includes(`paused at ${pause}`)) child.kill('SIGKILL');
    },
  });
}

const train = (out: string, seed: number, pause?: string) =>
  digitkit(['train', '--data', data, '--validation', '20', '--epochs', String(EPOCHS), '--seed', String(seed), '--out', out, '--backend', 'cpu'], pause);

async function runIdOf(out: string): Promise<string> {
  return JSON.parse(await readFile(join(work, out, 'metrics.json'), 'utf8')).config.run;
}

async function leftovers(out: string): Promise<string[]> {
  return (await readdir(join(work, out), { recursive: true })).filter((entry) => /\.tmp|tmp-|\.old-/.test(entry));
}

// The checkpoint saves pass every model-save step once per epoch: the final save is the (EPOCHS + 1)-th.
const FINAL = EPOCHS + 1;
const STEPS: [step: string, what: string, leftover: RegExp][] = [
  [`model-save-before-renames@${FINAL}`, 'the new model complete beside the old one', /^model\.tmp-/],
  [`model-save-between-renames@${FINAL}`, 'the old model moved aside, the new one not yet in', /^model\.old-/],
  [`model-save-before-cleanup@${FINAL}`, 'the new model in, the old one not yet removed', /^model\.old-/],
  ['file-before-rename:report.html', 'the report written, not yet renamed', /^report\/report\.html\.\d+-\w+\.tmp$/],
  ['file-before-rename:metrics.json', 'metrics.json written, not yet renamed', /^metrics\.json\.\d+-\w+\.tmp$/],
];

describe('a run killed with SIGKILL while saving its results, over an earlier run in the same --out', () => {
  it.each(STEPS)('at %s (%s): --resume saves the new run completely and leaves no temporary files', async (step, _what, leftover) => {
    const out = `out-${step.replace(/[^\w]/g, '_')}`;
    await cp(join(work, 'earlier'), join(work, out), { recursive: true });
    const earlierRun = await runIdOf(out);

    const killed = await train(out, 2, step);
    expect(killed.signal, killed.stderr).toBe('SIGKILL');
    const afterKill = await readdir(join(work, out), { recursive: true });
    expect(afterKill.filter((entry) => leftover.test(entry) && !/^model\.(tmp|old)-[^/]+\//.test(entry))).toHaveLength(1);
    // The earlier run's metrics still name the earlier run: nothing claims the killed run's model is saved.
    expect(await runIdOf(out)).toBe(earlierRun);

    const resumed = await digitkit(['train', '--resume', '--out', out, '--backend', 'cpu']);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toMatch(/finished training but its model was not saved; saving it now/);
    const newRun = await runIdOf(out);
    expect(newRun).not.toBe(earlierRun);
    const metrics = JSON.parse(await readFile(join(work, out, 'metrics.json'), 'utf8'));
    expect(metrics.history.map((e: { epoch: number }) => e.epoch)).toEqual([1, 2]);
    expect(metrics.config.seed).toBe(2);
    expect(await leftovers(out)).toEqual([]);
    expect(await readFile(join(work, out, 'report', 'report.html'), 'utf8')).toContain(`&quot;run&quot;: &quot;${newRun}&quot;`);

    // The saved model is complete: it loads (loadModel checks every weight against model.json).
    const model = await loadModel(join(work, out, 'model'));
    expect(model.kind).toBe('mlp');
    model.net.dispose();
  }, 120_000);
});
