import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
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

/** The bytes a .tgz unpacks to (the sum of its files' sizes, as npm's "unpacked size" counts them). */
export function unpackedSize(tarball: string): number {
  const tar = gunzipSync(readFileSync(tarball));
  let total = 0;
  // ustar: 512-byte headers, size as octal at offset 124, contents padded to 512; an all-zero block ends it.
  for (let offset = 0; offset + 512 <= tar.length && tar[offset] !== 0; ) {
    const size = Number.parseInt(tar.subarray(offset + 124, offset + 136).toString('ascii').replace(/\0.*$/s, '').trim() || '0', 8);
    const type = String.fromCharCode(tar[offset + 156]!);
    if (type === '0' || type === '\0') total += size;
    offset += 512 + Math.ceil(size / 512) * 512;
  }
  return total;
}
