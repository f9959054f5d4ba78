import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every installed copy of a package under a project's node_modules (nested ones included). */
export function installedCopies(projectDir: string, name: string): string[] {
  const found: string[] = [];
  const visit = (nodeModules: string): void => {
    if (!existsSync(nodeModules)) return;
    if (existsSync(join(nodeModules, name, 'package.json'))) found.push(join(nodeModules, name));
    for (const entry of readdirSync(nodeModules, { withFileTypes: true })) {
      if (!entry.isDirectory() || entry.name.startsWith('.')) continue;
      const dirs = entry.name.startsWith('@')
        ? readdirSync(join(nodeModules, entry.name), { withFileTypes: true })
            .filter((e) => e.isDirectory())
            .map((e) => join(nodeModules, entry.name, e.name))
        : [join(nodeModules, entry.name)];
      for (const dir of dirs) visit(join(dir, 'node_modules'));
    }
  };
  visit(join(projectDir, 'node_modules'));
  return found;
}

/** The installed package.json of a dependency of a project. */
export function installedManifest(projectDir: string, name: string): Record<string, unknown> & { version: string } {
  return JSON.parse(readFileSync(join(projectDir, 'node_modules', name, 'package.json'), 'utf8'));
}

/** Dependency ranges in a manifest that still use the `workspace:` protocol (must be none once packed). */
export function workspaceRanges(manifest: Record<string, unknown>): string[] {
  const leaks: string[] = [];
  for (const field of ['dependencies', 'peerDependencies', 'optionalDependencies', 'devDependencies']) {
    const deps = (manifest[field] ?? {}) as Record<string, string>;
    for (const [dep, range] of Object.entries(deps)) if (range.startsWith('workspace:')) leaks.push(`${field}.${dep}: ${range}`);
  }
  return leaks;
}
