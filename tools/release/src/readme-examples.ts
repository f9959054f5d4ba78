import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, relative } from 'node:path';
import ts from 'typescript';
import { repoRoot } from './workspace.js';

/** One ```ts block of a README. */
export interface CodeBlock {
  readonly readme: string;
  /** 1-based line in the README of the block's first code line. */
  readonly line: number;
  readonly code: string;
}

/** A README and the directory its examples resolve imports from (as a user's project would). */
export interface ReadmeTarget {
  readonly readme: string;
  readonly resolveFrom: string;
}

export interface ExampleError {
  readonly readme: string;
  /** 1-based README line of the error. */
  readonly line: number;
  readonly message: string;
}

const TS_FENCE_LANGUAGES = new Set(['ts', 'typescript', 'mts']);

/**
 * Every README whose ```ts examples must compile: the root one (imports resolve from this
 * package, which depends on every library) and each packages/<name>/README.md (imports resolve
 * from that package, so it imports itself by name through its own `exports`, i.e. its built types).
 */
export function readmeTargets(root = repoRoot()): ReadmeTarget[] {
  const packagesDir = join(root, 'packages');
  const packages = readdirSync(packagesDir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(packagesDir, entry.name, 'README.md')))
    .map((entry) => join(packagesDir, entry.name))
    .sort();
  return [
    { readme: join(root, 'README.md'), resolveFrom: join(root, 'tools/release') },
    ...packages.map((dir) => ({ readme: join(dir, 'README.md'), resolveFrom: dir })),
  ].filter((target) => existsSync(target.readme));
}

/** The fenced ```ts blocks of a Markdown text (fences may be indented, e.g. inside a list item). */
export function extractTsBlocks(markdown: string, readme = 'README.md'): CodeBlock[] {
  const blocks: CodeBlock[] = [];
  const lines = markdown.split('\n');
  let open: { fence: string; indent: number; language: string; start: number; body: string[] } | undefined;
  lines.forEach((text, index) => {
    if (!open) {
      const opening = /^( *)(`{3,}|~{3,})\s*([\w-]*)/.exec(text);
      if (opening) open = { fence: opening[2]!, indent: opening[1]!.length, language: opening[3]!.toLowerCase(), start: index + 2, body: [] };
      return;
    }
    const closing = new RegExp(`^ *${open.fence[0]}{${open.fence.length},}\\s*$`).exec(text);
    if (closing) {
      if (TS_FENCE_LANGUAGES.has(open.language)) blocks.push({ readme, line: open.start, code: open.body.join('\n') });
      open = undefined;
      return;
    }
    open.body.push(text.slice(Math.min(open.indent, text.length - text.trimStart().length)));
  });
  return blocks;
}

/**
 * The compiler options of the check: `strict`, ESM as Node runs it (NodeNext, so top-level await
 * works in the .mts files), DOM types for the browser examples. Library .d.ts files are not the
 * examples' business (skipLibCheck), as in most projects.
 */
export const EXAMPLE_COMPILER_OPTIONS: ts.CompilerOptions = {
  strict: true,
  noEmit: true,
  target: ts.ScriptTarget.ES2022,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
  types: ['node'],
  skipLibCheck: true,
};

/** The same with bundler resolution (Vite, esbuild, webpack projects), which the READMEs promise too. */
export const BUNDLER_COMPILER_OPTIONS: ts.CompilerOptions = {
  ...EXAMPLE_COMPILER_OPTIONS,
  module: ts.ModuleKind.ESNext,
  moduleResolution: ts.ModuleResolutionKind.Bundler,
};

/**
 * Type-checks every ```ts block of the given READMEs with strict `tsc`, each block as its own ES
 * module beside the README's package; returns the errors at their README lines (none: all compile).
 */
export function checkReadmeExamples(
  targets: readonly ReadmeTarget[],
  options: ts.CompilerOptions = EXAMPLE_COMPILER_OPTIONS,
): { blocks: CodeBlock[]; errors: ExampleError[] } {
  const blocks: CodeBlock[] = [];
  const fileBlocks = new Map<string, CodeBlock>();
  const tempDirs: string[] = [];
  try {
    for (const { readme, resolveFrom } of targets) {
      const found = extractTsBlocks(readFileSync(readme, 'utf8'), readme);
      if (found.length === 0) continue;
      // Inside the package, so its node_modules (and its own name) resolve as in a user's project.
      const dir = mkdtempSync(join(resolveFrom, '.readme-examples-'));
      tempDirs.push(dir);
      for (const block of found) {
        const file = join(dir, `${basename(readme, '.md')}-L${block.line}.mts`);
        writeFileSync(file, `${block.code}\n`);
        fileBlocks.set(file, block);
        blocks.push(block);
      }
    }
    const program = ts.createProgram([...fileBlocks.keys()], options);
    const errors = ts.getPreEmitDiagnostics(program).map((diagnostic): ExampleError => {
      const message = ts.flattenDiagnosticMessageText(diagnostic.messageText, '\n');
      const block = diagnostic.file && fileBlocks.get(diagnostic.file.fileName);
      if (!diagnostic.file || !block || diagnostic.start === undefined) {
        return { readme: diagnostic.file?.fileName ?? '(options)', line: 0, message: `TS${diagnostic.code}: ${message}` };
      }
      const { line } = diagnostic.file.getLineAndCharacterOfPosition(diagnostic.start);
      return { readme: block.readme, line: block.line + line, message: `TS${diagnostic.code}: ${message}` };
    });
    return { blocks, errors };
  } finally {
    for (const dir of tempDirs) rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The packages a README's install commands put into a project: every `npm i …` (in code blocks and
 * inline code), where `$t/digitkit-<name>-*.tgz` is `@digitkit/<name>` and versions are dropped.
 */
export function installedByReadme(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const [, args] of markdown.matchAll(/\bnpm (?:i|install)\b([^\n`#]*)/g)) {
    for (const token of args!.trim().split(/\s+/)) {
      if (!token || token.startsWith('-')) continue;
      const tarball = /digitkit-([a-z0-9-]+)-\*\.tgz$/.exec(token);
      if (tarball) names.add(`@digitkit/${tarball[1]}`);
      else names.add(token.replace(/(.)@.*$/, '$1')); // vega-lite@~6.4.3 -> vega-lite, @scope/x@1 -> @scope/x
    }
  }
  return names;
}

/**
 * The packages a block imports (static, dynamic with a literal, type-only), without `node:`
 * built-ins, each with the 0-based line of its first import.
 */
export function importedPackages(code: string): { name: string; line: number }[] {
  const found = new Map<string, number>();
  for (const { fileName, pos } of ts.preProcessFile(code, true, true).importedFiles) {
    if (fileName.startsWith('.') || fileName.startsWith('/') || fileName.startsWith('node:')) continue;
    const name = fileName.split('/').slice(0, fileName.startsWith('@') ? 2 : 1).join('/');
    if (!found.has(name)) found.set(name, code.slice(0, pos).split('\n').length - 1);
  }
  return [...found].map(([name, line]) => ({ name, line }));
}

/**
 * Imports of a package README's examples that its install commands do not add (the package
 * itself aside): the check resolves from the package's directory, where its devDependencies are
 * visible too, so this is what keeps the examples runnable for someone who only follows the README.
 */
export function uninstalledImports(readme: string, packageName: string): ExampleError[] {
  const markdown = readFileSync(readme, 'utf8');
  const installed = installedByReadme(markdown);
  return extractTsBlocks(markdown, readme).flatMap((block) =>
    importedPackages(block.code)
      .filter(({ name }) => name !== packageName && !installed.has(name))
      .map(({ name, line }) => ({ readme, line: block.line + line, message: `the example imports ${name}, which no \`npm i\` in this README installs` })),
  );
}

/** `path:line: message`, one per error, paths relative to the repo, as editors link them. */
export function formatExampleErrors(errors: readonly ExampleError[], root = repoRoot()): string {
  return errors.map((e) => `${relative(root, e.readme)}:${e.line}: ${e.message}`).join('\n');
}
