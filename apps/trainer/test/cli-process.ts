// The built CLI as a user runs it, for the end-to-end tests: one process per call, its exit code and both streams.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

export const BIN = fileURLToPath(new URL('../bin/digitkit.js', import.meta.url));

export interface Run {
  code: number | null;
  /** The signal that ended the process (a fault test's SIGKILL), else null. */
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Called with everything the process wrote to stderr so far, after each chunk: a test can kill it at a given line. */
export type OnStderr = (text: string, child: ChildProcess) => void;

/** Waits for a child process and collects its exit, both streams and its wall time. */
export function collect(child: ChildProcess, onStderr?: OnStderr): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk) => (stdout += chunk));
    child.stderr?.on('data', (chunk) => {
      stderr += chunk;
      onStderr?.(stderr, child);
    });
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr, seconds: (performance.now() - started) / 1000 }));
  });
}

/** Runs the built CLI in `cwd`, with the environment plus `env` and no colours. */
export function digitkit(args: readonly string[], options: { cwd: string; env?: Record<string, string>; onStderr?: OnStderr }): Promise<Run> {
  const child = spawn(process.execPath, [BIN, ...args], { cwd: options.cwd, env: { ...process.env, FORCE_COLOR: '0', ...options.env } });
  return collect(child, options.onStderr);
}

/** How many times a command printed the line that names its TF.js backend. */
export function backendLines(run: Run): number {
  return `${run.stdout}\n${run.stderr}`.match(/^digitkit: using the .* backend/gm)?.length ?? 0;
}

/** A failure the user can act on: the exit code, a message matching `text`, no stack trace. */
export function expectClearError(run: Run, text: RegExp, code = 1): void {
  expect(run.stderr, run.stderr).toMatch(text);
  expect(run.stderr).not.toMatch(/unexpected error|\n\s+at /);
  expect(run.code, run.stderr).toBe(code);
}
