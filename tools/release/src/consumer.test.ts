import { mkdirSync, mkdtempSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerProject, runConsumer, tfjsDependencies } from './consumer.js';
import { expectCleanInstall, expectWorkingConsumer } from './consumer-assertions.js';
import { packAll, type PackedPackage } from './pack.js';
import { publishablePackages } from './workspace.js';

// A fresh npm project outside the workspace installs the packed tarballs, as a user would.
const root = realpathSync(mkdtempSync(join(tmpdir(), 'digitkit-consumer-')));
const tarballs = join(root, 'tarballs');
const project = join(root, 'project');
let packed: PackedPackage[] = [];

beforeAll(async () => {
  mkdirSync(tarballs);
  mkdirSync(project);
  packed = await packAll(publishablePackages(), tarballs);
  const dependencies = { ...Object.fromEntries(packed.map((p) => [p.name, `file:${p.tarball}`])), ...tfjsDependencies() };
  // Nested `@digitkit/*` ranges (e.g. data's `^0.1.0` on core) must resolve to these tarballs too, never a registry.
  const overrides = Object.fromEntries(packed.map((p) => [p.name, `$${p.name}`]));
  const { installSeconds } = await createConsumerProject(project, dependencies, { overrides });
  console.info(`consumer (tarballs): npm install took ${installSeconds.toFixed(1)} s`);
}, 660_000);
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('the packed tarballs, installed with npm into a fresh project', () => {
  it('install with real version ranges and a single TF.js engine', () => {
    expect(packed).toHaveLength(7);
    expectCleanInstall(project, packed.map((p) => p.name));
  });

  it.each(['esm', 'cjs'] as const)('train, save, reload and predict, and recognize drawn digits with the shipped weights, as %s', async (style) => {
    const result = await runConsumer(project, style);
    console.info(`consumer (tarballs, ${style}): ${JSON.stringify(result)}`);
    expectWorkingConsumer(result, project, style);
  }, 300_000);
});
