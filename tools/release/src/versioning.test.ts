import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { changedFiles, copyWorkspace, git } from './repo-copy.js';
import { cleanEnv, run } from './run.js';
import { publishablePackages, readJson } from './workspace.js';

// `pnpm version-packages` on a throwaway copy of the repo; the real .changeset dir is never touched.
const temps: string[] = [];
afterEach(() => {
  for (const dir of temps.splice(0)) rmSync(dir, { recursive: true, force: true });
});

async function freshCopy(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'digitkit-version-'));
  temps.push(dir);
  await copyWorkspace(dir);
  return dir;
}

const version = (dir: string, id: string) => readJson(join(dir, 'packages', id, 'package.json')).version;
const changelog = (dir: string, id: string) => readFileSync(join(dir, 'packages', id, 'CHANGELOG.md'), 'utf8');
const pendingChangesets = (dir: string) => readdirSync(join(dir, '.changeset')).filter((f) => f.endsWith('.md') && f !== 'README.md');

function versionPackages(dir: string) {
  return run('pnpm', ['run', 'version-packages'], { cwd: dir, env: cleanEnv(), timeoutMs: 120_000 });
}

describe('pnpm version-packages', () => {
  it('bumps the package a hand-written changeset names, patches its dependents, and writes their CHANGELOGs', async () => {
    const dir = await freshCopy();
    const before = Object.fromEntries(publishablePackages(dir).map((p) => [p.id, p.manifest.version]));
    // Start from no pending changesets, so only ours counts.
    for (const file of pendingChangesets(dir)) unlinkSync(join(dir, '.changeset', file));
    await git(dir, ['commit', '-q', '-am', 'no pending changesets']);

    writeFileSync(
      join(dir, '.changeset', 'release-test-model.md'),
      ['---', '"@digitkit/model": minor', '---', '', 'Release test: a minor change to the model package.', ''].join('\n'),
    );
    // As in a pull request: the changeset is committed, the release step later versions it.
    await git(dir, ['add', '.changeset']);
    await git(dir, ['commit', '-q', '-m', 'changeset for model']);
    await versionPackages(dir);

    // model: minor 0.1.0 -> 0.2.0. train and recognizer depend on model: a 0.x minor leaves their ^0.1.0 range,
    // so they get a patch release. Nothing depends on them among the published packages.
    const bumpedModel = bump(before.model!, 'minor');
    const bumpedTrain = bump(before.train!, 'patch');
    expect(version(dir, 'model')).toBe(bumpedModel);
    expect(version(dir, 'train')).toBe(bumpedTrain);
    expect(version(dir, 'recognizer')).toBe(bump(before.recognizer!, 'patch'));
    for (const id of ['core', 'data', 'preprocess', 'viz']) expect(version(dir, id), id).toBe(before[id]);

    const modelLog = changelog(dir, 'model');
    expect(modelLog).toMatch(/^# @digitkit\/model\n/);
    expect(modelLog).toContain(`## ${bumpedModel}\n\n### Minor Changes`);
    expect(modelLog).toContain('Release test: a minor change to the model package.');
    const trainLog = changelog(dir, 'train');
    expect(trainLog).toContain(`## ${bumpedTrain}\n\n### Patch Changes`);
    expect(trainLog).toContain('- Updated dependencies');
    expect(trainLog).toContain(`@digitkit/model@${bumpedModel}`);

    // The workspace protocol stays in the sources (pnpm rewrites it only when packing).
    expect(readJson(join(dir, 'packages', 'train', 'package.json')).dependencies?.['@digitkit/model']).toMatch(/^workspace:/);
    // Exactly these files change; the changeset is used up; the private apps are left alone.
    expect(await changedFiles(dir)).toEqual([
      'D .changeset/release-test-model.md',
      'M packages/model/package.json',
      'M packages/recognizer/package.json',
      'M packages/train/package.json',
      '?? packages/model/CHANGELOG.md',
      '?? packages/recognizer/CHANGELOG.md',
      '?? packages/train/CHANGELOG.md',
    ].sort());
  });

  it("applies the repo's pending changesets cleanly (a preview of the next release)", async () => {
    const dir = await freshCopy();
    const pending = pendingChangesets(dir);
    const named = new Set<string>();
    for (const file of pending) {
      const front = readFileSync(join(dir, '.changeset', file), 'utf8').split('---')[1] ?? '';
      for (const match of front.matchAll(/"(@digitkit\/[^"]+)"\s*:/g)) named.add(match[1]!);
    }
    const before = Object.fromEntries(publishablePackages(dir).map((p) => [p.manifest.name, p.manifest.version]));
    const { stdout } = await versionPackages(dir);
    console.info(`pending changesets: ${pending.join(', ') || '(none)'}\n${stdout.trim()}`);

    expect(pendingChangesets(dir)).toEqual([]);
    for (const pkg of publishablePackages(dir)) {
      if (!named.has(pkg.manifest.name)) continue;
      expect(pkg.manifest.version, `${pkg.manifest.name} has a changeset`).not.toBe(before[pkg.manifest.name]);
      expect(existsSync(join(pkg.dir, 'CHANGELOG.md')), `${pkg.manifest.name} CHANGELOG.md`).toBe(true);
      expect(readFileSync(join(pkg.dir, 'CHANGELOG.md'), 'utf8')).toContain(`## ${pkg.manifest.version}`);
    }
  });
});

/** semver bump of a plain x.y.z version. */
function bump(version: string, type: 'major' | 'minor' | 'patch'): string {
  const [major, minor, patch] = version.split('.').map(Number) as [number, number, number];
  if (type === 'major') return `${major + 1}.0.0`;
  if (type === 'minor') return `${major}.${minor + 1}.0`;
  return `${major}.${minor}.${patch + 1}`;
}
