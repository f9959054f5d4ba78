import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  BUNDLER_COMPILER_OPTIONS,
  checkReadmeExamples,
  EXAMPLE_COMPILER_OPTIONS,
  extractTsBlocks,
  formatExampleErrors,
  importedPackages,
  installedByReadme,
  readmeTargets,
  uninstalledImports,
} from './readme-examples.js';
import { assertBuilt, publishablePackages, repoRoot } from './workspace.js';

const root = repoRoot();

describe('README examples', () => {
  it('covers the root README and every package README (found by glob, so new packages are checked too)', () => {
    const readmes = readmeTargets().map((t) => t.readme.slice(root.length + 1));
    expect(readmes).toContain('README.md');
    for (const pkg of publishablePackages()) expect(readmes).toContain(`packages/${pkg.id}/README.md`);
  });

  it.each([
    ['NodeNext', EXAMPLE_COMPILER_OPTIONS],
    ['Bundler', BUNDLER_COMPILER_OPTIONS],
  ])('every ```ts block passes strict tsc as an ES module (%s resolution), against the built packages', (name, options) => {
    // The examples import the packages' built types, as users do: turbo builds them before this test.
    for (const pkg of publishablePackages()) assertBuilt(pkg);
    const { blocks, errors } = checkReadmeExamples(readmeTargets(), options);
    console.info(`README examples (${name}): ${blocks.length} ts blocks in ${new Set(blocks.map((b) => b.readme)).size} READMEs, ${errors.length} errors`);
    expect(blocks.length).toBeGreaterThan(0);
    expect(formatExampleErrors(errors), 'README examples that fail strict tsc (README line: error)').toBe('');
  });

  it("every package README's install commands add what its examples import", () => {
    const errors = publishablePackages().flatMap((pkg) => uninstalledImports(join(pkg.dir, 'README.md'), pkg.manifest.name));
    expect(formatExampleErrors(errors)).toBe('');
  });

  it('every package README says how to install before the packages are on npm, and that the examples are ESM', () => {
    for (const { readme } of readmeTargets().filter((t) => t.readme.includes('/packages/'))) {
      const text = readFileSync(readme, 'utf8');
      const where = readme.slice(root.length + 1);
      expect(text, `${where}: add an "## Install" section (see packages/data/README.md)`).toMatch(/^## Install$/m);
      expect(text, `${where}: the Install section should show how to pack the tarballs`).toContain('pnpm pack --pack-destination');
      expect(text, `${where}: the Install section should show how to install the tarballs`).toMatch(/npm i \$t\/digitkit-[\w-]+-\*\.tgz/);
      expect(text, `${where}: say that the examples are ES modules ("type": "module")`).toContain('"type": "module"');
    }
  });
});

describe('the README example check bites', () => {
  // Inside this package, so @digitkit/* resolve through its workspace links.
  const dir = mkdtempSync(join(root, 'tools/release/.readme-examples-fixture-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('finds ts blocks, also indented ones, and skips other languages', () => {
    const blocks = extractTsBlocks(['# x', '```sh', 'npm i x', '```', '- item', '', '  ```ts', '  const a = 1;', '  ```', '```typescript', 'let b', '```'].join('\n'));
    expect(blocks.map((b) => [b.line, b.code])).toEqual([
      [8, 'const a = 1;'],
      [11, 'let b'],
    ]);
  });

  it('reads install commands and imports the way a user would follow them', () => {
    const markdown = ['```sh', 'npm i @digitkit/viz   # brings @digitkit/core', 'npm i -D $t/digitkit-data-*.tgz', '```', 'then `npm i vega vega-lite@~6.4.3`.'].join('\n');
    expect([...installedByReadme(markdown)].sort()).toEqual(['@digitkit/data', '@digitkit/viz', 'vega', 'vega-lite']);
    const code = "import type { ImageSet } from '@digitkit/core';\nimport { parse } from 'vega/build';\nimport { readFile } from 'node:fs/promises';\nawait import('./local.js');\nconst m = await import('@tensorflow/tfjs-core');";
    expect(importedPackages(code)).toEqual([
      { name: '@digitkit/core', line: 0 },
      { name: 'vega', line: 1 },
      { name: '@tensorflow/tfjs-core', line: 4 },
    ]);
  });

  it('names an import that the README does not install, at its block', () => {
    const readme = join(dir, 'README.md');
    writeFileSync(readme, ['# x', '```sh', 'npm i @digitkit/viz', '```', '```ts', "import { digitGrid } from '@digitkit/viz';", "import { compile } from 'vega-lite';", '```'].join('\n'));
    expect(formatExampleErrors(uninstalledImports(readme, '@digitkit/viz'))).toMatch(/README\.md:7: the example imports vega-lite, which no `npm i` in this README installs$/);
  });

  it('reports a type error, an implicit any and a missing import at their README lines', () => {
    const readme = join(dir, 'README.md');
    writeFileSync(
      readme,
      [
        '# fixture', // 1
        '```ts', // 2
        "import { createRng } from '@digitkit/core';", // 3
        'const n: string = createRng(1).int(10);', // 4
        '```', // 5
        '', // 6
        '```ts', // 7
        'export function f(x) { return x; }', // 8
        'await loadMnist();', // 9
        '```', // 10
        '```ts', // 11
        "import { createRng } from '@digitkit/core';", // 12
        'console.log(await Promise.resolve(createRng(1).next()));', // 13
        '```', // 14
      ].join('\n'),
    );
    const { blocks, errors } = checkReadmeExamples([{ readme, resolveFrom: dir }]);
    expect(blocks).toHaveLength(3);
    const report = formatExampleErrors(errors);
    expect(report).toMatch(/README\.md:4: TS2322: Type 'number' is not assignable to type 'string'/);
    expect(report).toMatch(/README\.md:8: TS7006: Parameter 'x' implicitly has an 'any' type/);
    expect(report).toMatch(/README\.md:9: TS2304: Cannot find name 'loadMnist'/);
    expect(errors).toHaveLength(3); // the third block compiles: top-level await and imports are fine
  });
});
