import { describe, expect, it } from 'vitest';
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
