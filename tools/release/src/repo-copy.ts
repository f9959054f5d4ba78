import { appendFileSync, copyFileSync, existsSync, lstatSync, mkdirSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { run } from './run.js';
import { repoRoot } from './workspace.js';

const GIT_IDENTITY = ['-c', 'user.name=digitkit release test', '-c', 'user.email=release-test@digitkit.invalid', '-c', 'commit.gpgsign=false'];

/**
 * Copies the workspace's files (tracked, plus new files git does not ignore) into `dest`, links the
 * real root node_modules so the CLIs resolve, and commits the copy to a fresh git repository on
 * branch main. Tests change the copy, never the real repo.
 */
export async function copyWorkspace(dest: string, root = repoRoot()): Promise<string[]> {
  const { stdout } = await run('git', ['ls-files', '-z', '--cached', '--others', '--exclude-standard'], { cwd: root });
  const files = stdout.split('\0').filter((file) => file && existsSync(join(root, file)) && lstatSync(join(root, file)).isFile());
  for (const file of files) {
    mkdirSync(dirname(join(dest, file)), { recursive: true });
    copyFileSync(join(root, file), join(dest, file));
  }
  symlinkSync(join(root, 'node_modules'), join(dest, 'node_modules'), 'dir');
  await git(dest, ['init', '-q', '-b', 'main']);
  // .gitignore says `node_modules/`, which does not match a symlink.
  appendFileSync(join(dest, '.git', 'info', 'exclude'), '\n/node_modules\n');
  await git(dest, ['add', '-A']);
  await git(dest, ['commit', '-q', '-m', 'copy of the digitkit workspace']);
  return files;
}

export function git(cwd: string, args: readonly string[]) {
  return run('git', [...GIT_IDENTITY, ...args], { cwd, timeoutMs: 60_000 });
}

/** `git status --porcelain` of a copy, one `XY path` entry per line, sorted. */
export async function changedFiles(cwd: string): Promise<string[]> {
  const { stdout } = await git(cwd, ['status', '--porcelain', '--untracked-files=all']);
  return stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => line.trim())
    .sort();
}
