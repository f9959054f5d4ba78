import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The monorepo root: the nearest directory above this file that holds pnpm-workspace.yaml. */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'pnpm-workspace.yaml'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`no pnpm-workspace.yaml above ${fileURLToPath(import.meta.url)}`);
    dir = parent;
  }
  return dir;
}

export interface PackageJson {
  name: string;
  version: string;
  private?: boolean;
  exports?: unknown;
  main?: string;
  module?: string;
  types?: string;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  [key: string]: unknown;
}

export interface WorkspacePackage {
  /** Directory name under packages/, e.g. `core`. */
  readonly id: string;
  readonly dir: string;
  readonly manifest: PackageJson;
}

export function readJson<T = PackageJson>(path: string): T {
  return JSON.parse(readFileSync(path, 'utf8')) as T;
}

/** Every library under packages/ that is published (not private), in a stable order. */
export function publishablePackages(root = repoRoot()): WorkspacePackage[] {
  const base = join(root, 'packages');
  return readdirSync(base, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(base, entry.name, 'package.json')))
    .map((entry) => {
      const dir = join(base, entry.name);
      return { id: entry.name, dir, manifest: readJson(join(dir, 'package.json')) };
    })
    .filter((pkg) => !pkg.manifest.private)
    .sort((a, b) => a.id.localeCompare(b.id));
}

/** Every file a package's `main`/`module`/`types`/`exports` point at. */
export function entryFiles(manifest: PackageJson): string[] {
  const files = new Set<string>();
  const visit = (value: unknown): void => {
    if (typeof value === 'string') {
      if (value.startsWith('./') && !value.includes('*')) files.add(value);
    } else if (value && typeof value === 'object') {
      for (const inner of Object.values(value)) visit(inner);
    }
  };
  visit(manifest.exports);
  for (const field of [manifest.main, manifest.module, manifest.types]) if (field) files.add(field.startsWith('./') ? field : `./${field}`);
  return [...files].sort();
}

/**
 * Throws when a package has not been built: packing it would publish a package without code.
 * Turbo builds them first (this package's test depends on `^build`).
 */
export function assertBuilt(pkg: WorkspacePackage): void {
  const missing = entryFiles(pkg.manifest).filter((file) => !existsSync(resolve(pkg.dir, file)));
  if (missing.length > 0) {
    throw new Error(
      `${pkg.manifest.name} is not built (missing ${missing.join(', ')}). Run the release checks through turbo, ` +
        "which builds every package first: `pnpm turbo run test --filter=@digitkit/release-tools`, " +
        "or build them yourself: `pnpm turbo run build --filter='./packages/*'`.",
    );
  }
}
