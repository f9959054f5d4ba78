import { readFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { publint, type Message } from 'publint';
import { formatMessage } from 'publint/utils';
import { run } from './run.js';
import type { PackedPackage } from './pack.js';

export interface LintReport {
  readonly errors: string[];
  readonly warnings: string[];
  readonly suggestions: string[];
}

/**
 * Lints the packed tarball (the exact bytes that get published) with publint. `strict` turns
 * warnings into errors: a warning about exports or types is a broken install for someone.
 */
export async function lintTarball(packed: PackedPackage): Promise<LintReport> {
  const bytes = await readFile(packed.tarball);
  const tarball = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  const { messages, pkg } = await publint({ pack: { tarball }, level: 'suggestion', strict: true });
  const text = (message: Message) => `${message.code}: ${formatMessage(message, pkg, { color: false }) ?? message.path.join('.')}`;
  const of = (type: Message['type']) => messages.filter((m) => m.type === type).map(text);
  return { errors: of('error'), warnings: of('warning'), suggestions: of('suggestion') };
}

/**
 * The attw analysis profile. The packages ship ESM and CJS with separate .d.ts/.d.cts types and
 * also the top-level `main`/`types` fallbacks, so every resolution mode must work, including
 * TypeScript's older `node10` (`moduleResolution: "node"`): that is attw's `strict` profile.
 */
export const ATTW_PROFILE = 'strict';

export interface TypesReport {
  readonly ok: boolean;
  readonly output: string;
}

/** Runs are-the-types-wrong on a packed tarball; `ok` is false on any problem in the profile. */
export async function checkTypes(packed: PackedPackage): Promise<TypesReport> {
  const result = await run(
    process.execPath,
    [attwBin(), packed.tarball, '--profile', ATTW_PROFILE, '--format', 'ascii', '--no-color', '--no-emoji', '--no-definitely-typed'],
    { cwd: dirname(packed.tarball), allowFailure: true, timeoutMs: 120_000 },
  );
  return { ok: result.code === 0, output: `${result.stdout}${result.stderr}`.trim() };
}

function attwBin(): string {
  const require = createRequire(import.meta.url);
  const manifestPath = require.resolve('@arethetypeswrong/cli/package.json');
  const manifest = JSON.parse(require('node:fs').readFileSync(manifestPath, 'utf8')) as { bin: Record<string, string> };
  return join(dirname(manifestPath), manifest.bin.attw ?? Object.values(manifest.bin)[0]!);
}
