import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdir, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { useBackend, type DigitModel } from '@digitkit/core';
import { killAtFaultPause, writeSourcesTsconfig } from '@digitkit/testkit';
import { loadModel, mlp, predict, saveModel } from './index.js';

// A real child process runs saveModel from the sources (tsx), pauses between its two renames, and is killed with SIGKILL there
// (testkit's killAtFaultPause, the helper the checkpoint kill tests use too).
const packageDir = fileURLToPath(new URL('../', import.meta.url));
const images = Float32Array.from({ length: 3 * 784 }, (_, i) => ((i * 7919) % 256) / 255);
let root: string;
let tsconfig: string;

beforeAll(async () => {
  await useBackend('cpu', { log: null });
  root = await mkdtemp(join(tmpdir(), 'digitkit-model-kill-'));
  // The child resolves @digitkit/* to their sources, as the tests do, so no build is needed.
  tsconfig = await writeSourcesTsconfig(root);
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function outputs(model: DigitModel): number[][] {
  return predict(model, images, 3).map((p) => [...p.probabilities]);
}

/** Starts a child saving mlp({ seed }) to `dir`, waits until it pauses between the renames, kills it with SIGKILL. */
async function killMidSave(dir: string, seed: number): Promise<void> {
  const pause = 'model-save-between-renames';
  expect(await killAtFaultPause('src/save-child.fixture.ts', [dir, String(seed)], { cwd: packageDir, tsconfig, pause })).toBe('SIGKILL');
}

describe('saveModel killed with SIGKILL between its two renames', () => {
  it('leaves the old model in dir.old-*, which loadModel restores, and no leftovers', async () => {
    const old = mlp({ seed: 1 });
    const { parent, dir } = await savedIn('load', old);
    await killMidSave(dir, 2);

    // The kill landed between the renames: no model under its name, the old one aside, the new one in temp.
    const after = await readdir(parent);
    expect(after).not.toContain('model');
    expect(after.filter((name) => name.startsWith('model.old-'))).toHaveLength(1);
    expect(after.filter((name) => name.startsWith('model.tmp-'))).toHaveLength(1);

    const loaded = await loadModel(dir);
    expect(outputs(loaded)).toEqual(outputs(old));
    expect(await readdir(parent)).toEqual(['model']);
  }, 60_000);

  it('the next saveModel restores, replaces and cleans up, leaving only the new model', async () => {
    const { parent, dir } = await savedIn('save', mlp({ seed: 1 }));
    await killMidSave(dir, 2);
    const fresh = mlp({ seed: 3 });
    await saveModel(fresh, dir);
    expect(await readdir(parent)).toEqual(['model']);
    expect(outputs(await loadModel(join(dir, 'model.json')))).toEqual(outputs(fresh));
  }, 60_000);

  it('leaves the temporary directories of a live process alone', async () => {
    const { parent, dir } = await savedIn('live', mlp({ seed: 1 }));
    // This process's pid: a save of ours in progress, not a leftover.
    const ours = `model.tmp-${process.pid}-${Date.now().toString(36)}-abc123`;
    await mkdir(join(parent, ours));
    await loadModel(dir);
    expect((await readdir(parent)).sort()).toEqual(['model', ours]);
  });
});

/** A fresh folder `root/<name>` holding `model` saved there. */
async function savedIn(name: string, model: DigitModel): Promise<{ parent: string; dir: string }> {
  const parent = join(root, name);
  await mkdir(parent);
  const dir = join(parent, 'model');
  await saveModel(model, dir);
  return { parent, dir };
}
