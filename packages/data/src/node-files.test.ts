// writeFileAtomic on real files in a temporary directory.
import { chmod, mkdir, mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { removeDeadTempFilesUnder, writeFileAtomic } from './index.js';

describe('writeFileAtomic', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'digitkit-atomic-'));
  });
  afterAll(async () => {
    await chmod(join(dir, 'locked'), 0o755).catch(() => undefined);
    await rm(dir, { recursive: true, force: true });
  });

  it('writes strings as UTF-8 and bytes as they are, replacing what was there, and leaves no temp file', async () => {
    const path = join(dir, 'metrics.json');
    await writeFileAtomic(path, '{"accuracy": 0.98, "note": "ü"}\n');
    expect(await readFile(path, 'utf8')).toBe('{"accuracy": 0.98, "note": "ü"}\n');
    const bytes = Uint8Array.from({ length: 70_000 }, (_, i) => (i * 7) % 256);
    await writeFileAtomic(path, bytes);
    expect(new Uint8Array(await readFile(path))).toEqual(bytes);
    expect(await readdir(dir)).toEqual(['metrics.json']);
  });

  it('keeps the old file when the new one cannot be written, and says which file', async () => {
    const path = join(dir, 'keep.txt');
    await writeFile(path, 'old');
    // A directory where the data should go makes the rename fail after the temp file was written.
    const blocked = join(dir, 'blocked');
    await mkdir(blocked);
    await writeFile(join(blocked, 'inside'), 'x');
    await expect(writeFileAtomic(blocked, 'new')).rejects.toMatchObject({ code: 'DATA_WRITE_FAILED', message: expect.stringContaining(blocked) });
    await expect(writeFileAtomic(join(dir, 'missing', 'x.txt'), 'new')).rejects.toMatchObject({ code: 'DATA_WRITE_FAILED' });
    expect(await readFile(path, 'utf8')).toBe('old');
    expect((await readdir(dir)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
  });

  it("removes the temp file a killed writer left beside the file, and keeps a live writer's", async () => {
    const path = join(dir, 'report.json');
    // A real process that has exited: its pid is free, as a writer killed with SIGKILL leaves it.
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const left = `report.json.${dead}-abc123.tmp`;
    const live = `report.json.${process.pid}-def456.tmp`;
    await writeFile(join(dir, left), 'half');
    await writeFile(join(dir, live), 'in progress');
    await writeFileAtomic(path, 'done');
    const names = (await readdir(dir)).filter((name) => name.startsWith('report.json'));
    expect(names.sort()).toEqual(['report.json', live]);
    await rm(join(dir, live));
  });

  it("removeDeadTempFilesUnder sweeps dead writers' temp files in a tree, and nothing else", async () => {
    const tree = join(dir, 'tree');
    await mkdir(join(tree, 'report', 'predictions'), { recursive: true });
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' }).stdout;
    const files = {
      [join(tree, `metrics.json.${dead}-a1b2.tmp`)]: 'dead',
      [join(tree, 'report', `report.html.${dead}-zz.tmp`)]: 'dead',
      [join(tree, `.digitkit.lock.${dead}.tmp`)]: 'dead',
      [join(tree, 'report', 'predictions', `prediction-3.svg.${process.pid}-c3.tmp`)]: 'live',
      [join(tree, 'report', 'notes.tmp')]: 'not a writer file',
      [join(tree, 'metrics.json')]: 'kept',
    };
    for (const [file, text] of Object.entries(files)) await writeFile(file, text);
    const removed = await removeDeadTempFilesUnder(tree);
    expect(removed.sort()).toEqual(Object.keys(files).filter((f) => files[f] === 'dead').sort());
    const left = (await readdir(tree, { recursive: true })).filter((f) => f.includes('.')).sort();
    expect(left).toEqual(['metrics.json', join('report', 'notes.tmp'), join('report', 'predictions', `prediction-3.svg.${process.pid}-c3.tmp`)].sort());
    expect(await removeDeadTempFilesUnder(join(dir, 'no-such-dir'))).toEqual([]);
  });

  it.skipIf(process.getuid?.() === 0)('fails cleanly in a directory it may not write to', async () => {
    const locked = join(dir, 'locked');
    await mkdir(locked);
    await chmod(locked, 0o555);
    await expect(writeFileAtomic(join(locked, 'x.txt'), 'new')).rejects.toMatchObject({ code: 'DATA_WRITE_FAILED' });
    expect(await readdir(locked)).toEqual([]);
  });
});
