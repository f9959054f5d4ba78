// A test set that cannot be evaluated is refused before training starts, not after a whole run;
// a run that ended (finished or interrupted) leaves no temporary files in --out.
import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tinyMnist, writeDataDir } from './hostile-files.mjs';
import { digitkit as run, type OnStderr, type Run } from './cli-process.js';

let work: string;

beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'digitkit-test-set-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

function digitkit(args: string[], onStderr?: OnStderr): Promise<Run> {
  return run(args, { cwd: work, onStderr });
}

/** An uncompressed IDX file of unsigned bytes. */
function idx(shape: number[], body: Uint8Array): Uint8Array {
  const header = Buffer.alloc(4 + 4 * shape.length);
  header.writeUInt32BE(0x0800 | shape.length, 0);
  shape.forEach((d, i) => header.writeUInt32BE(d, 4 + 4 * i));
  return Buffer.concat([header, body]);
}

/** tiny MNIST whose test set is replaced by `count` images of height x width. */
async function dataWithTestSet(name: string, count: number, height: number, width: number): Promise<string> {
  const dir = join(work, name);
  await writeDataDir(dir, {
    ...tinyMnist(200, 12, false),
    't10k-images-idx3-ubyte': idx([count, height, width], new Uint8Array(count * height * width).fill(128)),
    't10k-labels-idx1-ubyte': idx([count], Uint8Array.from({ length: count }, (_, i) => i % 10)),
  });
  return dir;
}

describe('digitkit train checks the test set before training', () => {
  it('refuses 14x56 test images for a 28x28 model, before the first epoch and without writing a model', async () => {
    const data = await dataWithTestSet('wide', 12, 14, 56);
    const run = await digitkit(['train', '--data', data, '--validation', '20', '--epochs', '1', '--out', 'wide-out', '--backend', 'cpu']);
    expect(run.stderr, run.stderr).toMatch(/test set has 14x56 images but this mlp takes 28x28 images/);
    expect(run.stderr).not.toMatch(/Epoch 1|\n\s+at /);
    expect(run.code).toBe(1);
    expect(await readdir(join(work, 'wide-out'))).not.toContain('model');
  });

  it('refuses an empty test set before the first epoch', async () => {
    const data = await dataWithTestSet('empty', 0, 28, 28);
    const run = await digitkit(['train', '--data', data, '--validation', '20', '--epochs', '1', '--out', 'empty-out', '--backend', 'cpu']);
    expect(run.stderr, run.stderr).toMatch(/digitkit: The test set is empty \(count 0\)/);
    expect(run.stderr).not.toMatch(/Epoch 1|\n\s+at /);
    expect(run.code).toBe(1);
  });
});

/** Every path under `dir` that looks like a temporary file or a save's leftover. */
async function leftovers(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.filter((entry) => /\.tmp|tmp-|\.old-|write-test/.test(entry));
}

describe('digitkit train leaves no temporary files', () => {
  it('after a finished run and after a run interrupted with Ctrl-C or SIGTERM', async () => {
    const data = await dataWithTestSet('clean', 12, 28, 28);
    const finished = await digitkit(['train', '--data', data, '--validation', '20', '--epochs', '2', '--out', 'done', '--backend', 'cpu']);
    expect(finished.code, finished.stderr).toBe(0);
    expect(await readdir(join(work, 'done'))).toEqual(expect.arrayContaining(['model', 'metrics.json', 'checkpoint']));
    expect(await leftovers(join(work, 'done'))).toEqual([]);

    // Ctrl-C, and a service manager's or container's stop (SIGTERM): a checkpoint, the lock released, nothing left over.
    for (const [out, signal] of [['stopped', 'SIGINT'], ['termed', 'SIGTERM']] as const) {
      let sent = false;
      const interrupted = await digitkit(['train', '--data', data, '--validation', '20', '--epochs', '500', '--out', out, '--backend', 'cpu'], (text, child) => {
        if (!sent && /^Epoch 2\/500 /m.test(text)) {
          sent = true;
          child.kill(signal);
        }
      });
      expect(interrupted.code, interrupted.stderr).toBe(130);
      expect(interrupted.stderr).toMatch(/checkpoint saved/);
      expect(await readdir(join(work, out))).not.toContain('digitkit.lock');
      expect(await readdir(join(work, out, 'checkpoint'))).toContain('latest.json');
      expect(await leftovers(join(work, out))).toEqual([]);
    }
  });
});

describe('digitkit train --lr 1e6', () => {
  it('stops with the divergence message and exit 1 instead of saving a 10% model', async () => {
    const data = await dataWithTestSet('lr', 12, 28, 28);
    const run = await digitkit(['train', '--data', data, '--validation', '20', '--epochs', '3', '--lr', '1e6', '--out', 'lr-out', '--backend', 'cpu']);
    expect(run.stderr, run.stderr).toMatch(/digitkit: Training diverged: the mean loss reached .* Lower the learning rate/);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(run.code).toBe(1);
    expect(await readdir(join(work, 'lr-out'))).not.toContain('model');
  });
});
