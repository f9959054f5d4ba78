// Kill -9 at a chosen step: runs a TypeScript fixture in a child process from the workspace's sources, waits until
// @digitkit/core's faultPause says it paused at DIGITKIT_FAULT_PAUSE's step, and kills it there with SIGKILL.
import { spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const repo = fileURLToPath(new URL('../../../', import.meta.url));

/** Writes `dir/tsconfig.json` resolving every @digitkit/* package to its sources (as the tests do); returns its path. */
export async function writeSourcesTsconfig(dir: string): Promise<string> {
  const file = join(dir, 'tsconfig.json');
  const paths = { '@digitkit/testkit': ['tools/testkit/src/index.ts'], '@digitkit/*': ['packages/*/src/index.ts'] };
  await writeFile(file, JSON.stringify({ extends: join(repo, 'tsconfig.base.json'), compilerOptions: { baseUrl: repo, paths } }));
  return file;
}

/**
 * Runs `node --import tsx <fixture> ...args` in `cwd` with DIGITKIT_FAULT_PAUSE=`pause`, kills it with SIGKILL as soon
 * as it says "paused at <pause>", and resolves the signal it died of. Rejects when it exits without pausing.
 */
export function killAtFaultPause(fixture: string, args: readonly string[], options: { cwd: string; tsconfig: string; pause: string }): Promise<NodeJS.Signals | null> {
  const child = spawn(process.execPath, ['--import', 'tsx', fixture, ...args], {
    cwd: options.cwd,
    env: { ...process.env, TSX_TSCONFIG_PATH: options.tsconfig, DIGITKIT_FAULT_PAUSE: options.pause },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  let paused = false;
  return new Promise((resolve, reject) => {
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      if (!paused && stderr.includes(`paused at ${options.pause}`)) {
        paused = true;
        child.kill('SIGKILL');
      }
    });
    child.on('error', reject);
    child.on('exit', (_code, signal) => (paused ? resolve(signal) : reject(new Error(`${fixture} exited before pausing at ${options.pause}: ${stderr}`))));
  });
}
