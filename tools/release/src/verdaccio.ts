import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';

export interface LocalRegistry {
  /** `http://127.0.0.1:PORT/` */
  readonly url: string;
  readonly port: number;
  /** An auth token of a user that may publish. */
  readonly token: string;
  /** What Verdaccio printed (for error messages). */
  output(): string;
  /** Stops Verdaccio and waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

const USER = { name: 'digitkit-release', password: 'digitkit-release-test', email: 'release@digitkit.invalid' };

/**
 * Starts Verdaccio on 127.0.0.1 with a free port, its storage and htpasswd file under `dir`, and
 * no uplinks: it serves only what is published to it. Registers a user and returns its token.
 */
export async function startVerdaccio(dir: string, options: { timeoutMs?: number } = {}): Promise<LocalRegistry> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}/`;
  mkdirSync(join(dir, 'storage'), { recursive: true });
  const configPath = join(dir, 'config.yaml');
  writeFileSync(configPath, verdaccioConfig(dir));

  const args = [verdaccioBin(), '--config', configPath, '--listen', `127.0.0.1:${port}`];
  // Verdaccio runs behind a lifeline: when our end of its stdin closes (this process exits, even
  // when killed), it exits too, so a crashed test run never leaves a registry listening.
  const lifeline = [
    "process.stdin.on('close', () => process.exit(0)).resume();",
    `process.argv = [process.argv[0], ...${JSON.stringify(args)}];`,
    `require(${JSON.stringify(args[0])});`,
  ].join('\n');
  const child = spawn(process.execPath, ['-e', lifeline], {
    cwd: dir,
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk));
  const stop = stopper(child);
  // A test runner that dies must not leave a registry behind.
  const onExit = () => child.kill('SIGKILL');
  process.once('exit', onExit);

  try {
    await waitUntilUp(url, child, () => output, options.timeoutMs ?? 60_000);
    const token = await addUser(url);
    return {
      url,
      port,
      token,
      output: () => output,
      stop: async () => {
        process.off('exit', onExit);
        await stop();
      },
    };
  } catch (error) {
    process.off('exit', onExit);
    await stop();
    throw error;
  }
}

function verdaccioConfig(dir: string): string {
  // YAML by hand: JSON strings are valid YAML scalars, so paths with odd characters stay safe.
  const q = (value: string) => JSON.stringify(value);
  return [
    `storage: ${q(join(dir, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${q(join(dir, 'htpasswd'))}`,
    '    max_users: 10',
    // No uplinks: third-party packages come from the npm registry through a scoped .npmrc instead.
    'uplinks: {}',
    'packages:',
    "  '@digitkit/*':",
    '    access: $all',
    '    publish: $authenticated',
    "  '**':",
    '    access: $all',
    '    publish: $authenticated',
    'web:',
    '  enable: false',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n');
}

function verdaccioBin(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('verdaccio/package.json');
  const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { bin: string | Record<string, string> };
  const bin = typeof manifest.bin === 'string' ? manifest.bin : manifest.bin.verdaccio!;
  return join(dirname(manifestPath), bin);
}

/** A port nobody listens on now (the OS picks it). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

async function waitUntilUp(url: string, child: ChildProcess, output: () => string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`Verdaccio exited with code ${child.exitCode} before it answered:\n${output()}`);
    try {
      const response = await fetch(`${url}-/ping`, { signal: AbortSignal.timeout(2_000) });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`Verdaccio did not answer on ${url} within ${timeoutMs / 1000} s:\n${output()}`);
}

/** Registers the publishing user through the registry API (what `npm adduser` does) and returns its token. */
async function addUser(url: string): Promise<string> {
  const response = await fetch(`${url}-/user/org.couchdb.user:${encodeURIComponent(USER.name)}`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ _id: `org.couchdb.user:${USER.name}`, type: 'user', roles: [], date: new Date().toISOString(), ...USER }),
  });
  const body = (await response.json().catch(() => ({}))) as { token?: string; error?: string };
  if (!response.ok || !body.token) throw new Error(`Verdaccio refused to add a user (${response.status}): ${JSON.stringify(body)}`);
  return body.token;
}

function stopper(child: ChildProcess): () => Promise<void> {
  let stopping: Promise<void> | undefined;
  return () => {
    stopping ??= new Promise<void>((resolve) => {
      if (child.exitCode !== null || child.signalCode !== null) return resolve();
      const force = setTimeout(() => child.kill('SIGKILL'), 5_000);
      child.once('exit', () => {
        clearTimeout(force);
        resolve();
      });
      child.kill('SIGTERM');
    });
    return stopping;
  };
}
