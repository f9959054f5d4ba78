import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ATTW_PROFILE, checkTypes, lintTarball } from './checks.js';
import { packPackage, type PackedPackage } from './pack.js';
import { unpackedSize } from './inspect.js';
import { publishablePackages } from './workspace.js';

// The recognizer ships its trained weights and must stay small to install (the others' sizes are printed): 1 MB for
// three uint8 models as base64 (the CNN 177 KB, the MLP 149 KB, the number reader 412 KB of module; 926 KB in all).
const UNPACKED_BUDGET_KB: Record<string, number> = { '@digitkit/recognizer': 1000 };

const packages = publishablePackages();
const workDir = mkdtempSync(join(tmpdir(), 'digitkit-pack-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

describe('every published package', () => {
  it('lists the seven libraries', () => {
    expect(packages.map((p) => p.manifest.name)).toEqual([
      '@digitkit/core',
      '@digitkit/data',
      '@digitkit/model',
      '@digitkit/preprocess',
      '@digitkit/recognizer',
      '@digitkit/train',
      '@digitkit/viz',
    ]);
  });

  describe.each(packages.map((p) => [p.manifest.name, p] as const))('%s', (name, pkg) => {
    // Packed per package, so one unbuilt package fails its own checks and not everyone's.
    let packed: PackedPackage | undefined;
    beforeAll(async () => {
      packed = await packPackage(pkg, workDir);
    });
    const get = () => {
      if (!packed) throw new Error(`${name} was not packed`);
      return packed;
    };

    it('packs only its build output, package.json and docs', () => {
      const { files } = get();
      expect(files).toContain('package.json');
      expect(files).toContain('dist/index.js');
      expect(files).toContain('dist/index.cjs');
      expect(files).toContain('dist/index.d.ts');
      expect(files).toContain('dist/index.d.cts');
      const strays = files.filter((f) => !/^(dist\/|package\.json$|README\.md$|CHANGELOG\.md$|LICENSE$)/.test(f));
      expect(strays, `files outside dist/ in the tarball of ${name}`).toEqual([]);
      expect(files.filter((f) => /\.test\.|\/src\//.test(f)), 'tests or sources in the tarball').toEqual([]);
    });

    it(`unpacks within its size budget (${UNPACKED_BUDGET_KB[name] ?? 'none'} KB)`, () => {
      const bytes = unpackedSize(get().tarball);
      console.info(`${name}: ${get().files.length} files, ${(bytes / 1000).toFixed(1)} KB unpacked`);
      expect(bytes).toBeGreaterThan(1000);
      const budget = UNPACKED_BUDGET_KB[name];
      if (budget !== undefined) expect(bytes, `${name} unpacks to ${bytes} bytes`).toBeLessThanOrEqual(budget * 1000);
    });

    it('ships its README (the npm page)', () => {
      expect(existsSync(join(pkg.dir, 'README.md')), `${name} has no README.md: add packages/${pkg.id}/README.md`).toBe(true);
      expect(get().files, `${name} has a README.md but its tarball leaves it out (check "files")`).toContain('README.md');
    });

    it('passes publint (strict: warnings fail too)', async () => {
      const report = await lintTarball(get());
      if (report.suggestions.length > 0) console.info(`publint suggestions for ${name}:\n  ${report.suggestions.join('\n  ')}`);
      expect([...report.errors, ...report.warnings], `publint on ${get().tarball}`).toEqual([]);
    });

    it(`has types that resolve in every mode (attw --profile ${ATTW_PROFILE})`, async () => {
      const report = await checkTypes(get());
      expect(report.ok, report.output).toBe(true);
      expect(report.output).toMatch(/No problems found/);
    });
  });
});
