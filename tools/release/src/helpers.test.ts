import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { checkTypes, lintTarball } from './checks.js';
import { packPackage, type PackedPackage } from './pack.js';
import { pinnedTfjsVersion, tfjsDependencies } from './consumer.js';
import { entryFiles } from './workspace.js';
import { workspaceRanges } from './inspect.js';

describe('release helpers', () => {
  it('reads the one TF.js version the workspace pins', () => {
    expect(pinnedTfjsVersion()).toMatch(/^4\.\d+\.\d+$/);
    expect(Object.values(tfjsDependencies())).toEqual(Array(4).fill(pinnedTfjsVersion()));
  });

  it('lists every file a manifest points at', () => {
    const manifest = {
      name: 'x',
      version: '1.0.0',
      main: './dist/index.cjs',
      types: 'dist/index.d.ts',
      exports: {
        '.': { import: { types: './dist/index.d.ts', default: './dist/index.js' }, require: { types: './dist/index.d.cts', default: './dist/index.cjs' } },
        './package.json': './package.json',
        './icons/*': './dist/icons/*.js',
      },
    };
    expect(entryFiles(manifest)).toEqual(['./dist/index.cjs', './dist/index.d.cts', './dist/index.d.ts', './dist/index.js', './package.json']);
  });

  it('finds workspace: ranges left in a manifest', () => {
    expect(workspaceRanges({ dependencies: { a: 'workspace:^', b: '^1.0.0' }, peerDependencies: { c: 'workspace:*' } })).toEqual([
      'dependencies.a: workspace:^',
      'peerDependencies.c: workspace:*',
    ]);
    expect(workspaceRanges({ dependencies: { b: '^1.0.0' } })).toEqual([]);
  });
});

describe('the package checks catch broken packages', () => {
  const temps: string[] = [];
  afterAll(() => {
    for (const dir of temps) rmSync(dir, { recursive: true, force: true });
  });

  /** Packs a throwaway package made of `files` (path -> contents) with pnpm, as the real checks do. */
  async function packFixture(manifest: object, files: Record<string, string>): Promise<PackedPackage> {
    const dir = mkdtempSync(join(tmpdir(), 'digitkit-broken-'));
    temps.push(dir);
    writeFileSync(join(dir, 'package.json'), JSON.stringify({ version: '1.0.0', license: 'MIT', files: ['dist'], ...manifest }));
    for (const [path, text] of Object.entries(files)) {
      mkdirSync(dirname(join(dir, path)), { recursive: true });
      writeFileSync(join(dir, path), text);
    }
    mkdirSync(join(dir, 'out'));
    const pkg = { id: 'fixture', dir, manifest: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) };
    return packPackage(pkg, join(dir, 'out'));
  }

  it('refuses to pack a package whose entry files were not built', async () => {
    await expect(
      packFixture(
        { name: 'unbuilt', type: 'module', exports: { '.': { import: './dist/index.js', require: './dist/index.cjs' } } },
        { 'dist/index.js': 'export const x = 1;\n' },
      ),
    ).rejects.toThrow(/unbuilt is not built \(missing \.\/dist\/index\.cjs\)/);
  });

  it('publint: an export whose file exists but is left out of the tarball', async () => {
    const packed = await packFixture(
      { name: 'broken-unpublished-cjs', type: 'module', exports: { '.': { import: './dist/index.js', require: './lib/index.cjs' } } },
      { 'dist/index.js': 'export const x = 1;\n', 'lib/index.cjs': 'exports.x = 1;\n' },
    );
    const report = await lintTarball(packed);
    // publint reads the tarball, where lib/ does not exist, though it does on disk.
    expect(report.errors).toEqual([expect.stringMatching(/^FILE_DOES_NOT_EXIST: pkg\.exports\["\."\]\.require is \.\/lib\/index\.cjs/)]);
  });

  it('attw: CommonJS code typed as ESM ("masquerading as ESM")', async () => {
    const packed = await packFixture(
      {
        name: 'broken-types',
        type: 'module',
        main: './dist/index.cjs',
        types: './dist/index.d.ts',
        exports: { '.': { types: './dist/index.d.ts', import: './dist/index.js', require: './dist/index.cjs' } },
      },
      {
        'dist/index.js': 'export const x = 1;\n',
        'dist/index.cjs': 'exports.x = 1;\n',
        'dist/index.d.ts': 'export declare const x: number;\n',
      },
    );
    const report = await checkTypes(packed);
    expect(report.ok).toBe(false);
    expect(report.output).toMatch(/Masquerading as ESM/i);
  });
});
