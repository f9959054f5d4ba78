import { spawn } from 'node:child_process';

export interface RunOptions {
  cwd: string;
  env?: NodeJS.ProcessEnv;
  /** Kill the command (and fail) after this many milliseconds. */
  timeoutMs?: number;
  /** Allow a non-zero exit; the caller checks `code`. */
  allowFailure?: boolean;
}

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
  seconds: number;
}

/** Runs a command without a shell, captures its output, and throws a readable error when it fails. */
export function run(command: string, args: readonly string[], options: RunOptions): Promise<RunResult> {
  const started = performance.now();
  const timeoutMs = options.timeoutMs ?? 300_000;
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, {
      cwd: options.cwd,
      env: options.env ?? process.env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, timeoutMs);
    child.on('error', (error) => {
      clearTimeout(timer);
      reject(new Error(`could not start \`${command}\` in ${options.cwd}: ${error.message}`));
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const seconds = (performance.now() - started) / 1000;
      const result = { code: code ?? -1, stdout, stderr, seconds };
      const shown = `\`${[command, ...args].join(' ')}\` (in ${options.cwd})`;
      if (timedOut) {
        reject(new Error(`${shown} took longer than ${timeoutMs / 1000} s and was killed.\n${tail(stdout, stderr)}`));
      } else if (code !== 0 && !options.allowFailure) {
        reject(new Error(`${shown} failed (${signal ?? `exit ${code}`}) after ${seconds.toFixed(1)} s.\n${tail(stdout, stderr)}`));
      } else {
        resolve(result);
      }
    });
  });
}

/** The last lines of a command's output, for error messages that stay readable. */
export function tail(stdout: string, stderr: string, lines = 60): string {
  const pick = (text: string) => text.trimEnd().split('\n').slice(-lines).join('\n');
  return [stdout.trim() && `--- stdout (last ${lines} lines)\n${pick(stdout)}`, stderr.trim() && `--- stderr (last ${lines} lines)\n${pick(stderr)}`]
    .filter(Boolean)
    .join('\n');
}

/**
 * The environment for npm/pnpm child processes: the caller's, minus the `npm_*` settings a parent
 * pnpm/turbo run leaves behind (they would leak the workspace's config into "outside" projects).
 */
export function cleanEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (/^(npm_|NPM_CONFIG_|PNPM_)/i.test(key)) continue;
    env[key] = value;
  }
  return { ...env, NO_UPDATE_NOTIFIER: '1', npm_config_update_notifier: 'false', npm_config_fund: 'false', ...extra };
}
