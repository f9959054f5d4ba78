import { mkdirSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createConsumerProject, runConsumer, tfjsDependencies } from './consumer.js';
import { expectCleanInstall, expectWorkingConsumer } from './consumer-assertions.js';
import { cleanEnv, run } from './run.js';
import { startVerdaccio, type LocalRegistry } from './verdaccio.js';
import { assertBuilt, publishablePackages, repoRoot } from './workspace.js';

// The real release path: `changeset publish` from the workspace to a local Verdaccio (no uplinks),
// then a fresh npm project installs @digitkit/* from it and everything else from the npm registry.
const packages = publishablePackages();
const root = realpathSync(mkdtempSync(join(tmpdir(), 'digitkit-publish-')));
const project = join(root, 'project');
let registry: LocalRegistry | undefined;
let publishEnv: NodeJS.ProcessEnv = {};

beforeAll(async () => {
  for (const pkg of packages) assertBuilt(pkg);
  registry = await startVerdaccio(join(root, 'verdaccio'));
  // A user config of our own: the token for the local registry, and nothing from ~/.npmrc.
  const userconfig = join(root, 'publisher.npmrc');
  const host = registry.url.replace(/^http:/, '');
  writeFileSync(userconfig, `registry=${registry.url}\n${host}:_authToken=${registry.token}\n`);
  publishEnv = cleanEnv({ npm_config_registry: registry.url, npm_config_userconfig: userconfig });
}, 120_000);

afterAll(async () => {
  await registry?.stop();
  rmSync(root, { recursive: true, force: true });
});

function changesetPublish() {
  const url = registry!.url;
  // Never let a misconfiguration reach the public registry.
  if (!/^http:\/\/127\.0\.0\.1:\d+\/$/.test(url) || publishEnv.npm_config_registry !== url) throw new Error(`refusing to publish to ${url}`);
  // --no-git-tag: this runs in the real repo, which must not get release tags from a test.
  return run('pnpm', ['exec', 'changeset', 'publish', '--no-git-tag'], { cwd: repoRoot(), env: publishEnv, timeoutMs: 300_000 });
}

describe('changeset publish to a local registry', () => {
  it('publishes every package at its current version, with real dependency ranges', async () => {
    const result = await changesetPublish();
    console.info(`changeset publish took ${result.seconds.toFixed(1)} s\n${result.stdout.trim()}\n${result.stderr.trim()}`);
    for (const pkg of packages) {
      const response = await fetch(`${registry!.url}${pkg.manifest.name.replace('/', '%2f')}`);
      expect(response.status, `${pkg.manifest.name} on the local registry`).toBe(200);
      const packument = (await response.json()) as {
        'dist-tags': Record<string, string>;
        versions: Record<string, { dependencies?: Record<string, string>; dist: { tarball: string } }>;
      };
      expect(packument['dist-tags'].latest).toBe(pkg.manifest.version);
      const published = packument.versions[pkg.manifest.version]!;
      expect(published.dist.tarball.startsWith(registry!.url)).toBe(true);
      for (const [dep, range] of Object.entries(published.dependencies ?? {})) {
        expect(range, `${pkg.manifest.name} -> ${dep}`).not.toMatch(/^workspace:/);
        if (dep.startsWith('@digitkit/')) expect(range).toBe(`^${packages.find((p) => p.manifest.name === dep)!.manifest.version}`);
      }
    }
  }, 300_000);

  it('publishes nothing the second time (changesets asks the registry what is there)', async () => {
    const result = await changesetPublish();
    expect(`${result.stdout}${result.stderr}`).toMatch(/No unpublished projects to publish/);
  }, 300_000);

  describe('a fresh npm project that installs @digitkit/* from it', () => {
    beforeAll(async () => {
      mkdirSync(project);
      const dependencies = { ...Object.fromEntries(packages.map((p) => [p.manifest.name, p.manifest.version])), ...tfjsDependencies() };
      // Only the @digitkit scope comes from the local registry; TF.js and the rest from npm's.
      const { installSeconds } = await createConsumerProject(project, dependencies, { npmrc: `@digitkit:registry=${registry!.url}\n` });
      console.info(`consumer (local registry): npm install took ${installSeconds.toFixed(1)} s`);
    }, 660_000);

    it('gets the published packages and a single TF.js engine', () => {
      expectCleanInstall(project, packages.map((p) => p.manifest.name));
    });

    it.each(['esm', 'cjs'] as const)('trains, saves, reloads and predicts as %s', async (style) => {
      const result = await runConsumer(project, style);
      console.info(`consumer (local registry, ${style}): ${JSON.stringify(result)}`);
      expectWorkingConsumer(result, project, style);
    }, 300_000);
  });
});
