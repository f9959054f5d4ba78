// The built CLI as a user runs it, for the end-to-end tests: one process per call, its exit code and both streams.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../bin/digitkit.js', import.meta.url));

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function digitkit(args: readonly string[], options: { cwd: string; env?: Record<string, string> }): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...process.env, FORCE_COLOR: '0', ...options.env } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => (stdout += chunk));
    child.stderr.on('data', (chunk) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

/** How many times a command printed the line that names its TF.js backend. */
export function backendLines(run: Run): number {
  return `${run.stdout}\n${run.stderr}`.match(/^digitkit: using the .* backend/gm)?.length ?? 0;
}

/** A failure the user can act on: the exit code, a message matching `text`, no stack trace. */
export function expectClearError(run: Run, text: RegExp, code: number): void {
  expect(run.stderr, run.stderr).toMatch(text);
  expect(run.stderr).not.toMatch(/unexpected error|\n\s+at /);
  expect(run.code, run.stderr).toBe(code);
}
