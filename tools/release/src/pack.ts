import { run } from './run.js';
import { assertBuilt, type WorkspacePackage } from './workspace.js';

export interface PackedPackage {
  readonly name: string;
  readonly version: string;
  /** Absolute path of the .tgz that `pnpm pack` wrote. */
  readonly tarball: string;
  /** Paths inside the tarball, relative to its `package/` root. */
  readonly files: readonly string[];
}

/**
 * Packs one package with `pnpm pack`, exactly as `pnpm publish` would (workspace: ranges become
 * real versions), into `destination`.
 */
export async function packPackage(pkg: WorkspacePackage, destination: string): Promise<PackedPackage> {
  assertBuilt(pkg);
  const { stdout } = await run('pnpm', ['pack', '--pack-destination', destination, '--json'], { cwd: pkg.dir, timeoutMs: 120_000 });
  // pnpm may print lifecycle script output first; its JSON report starts on a line of its own.
  const start = stdout.search(/^\{/m);
  if (start < 0) throw new Error(`pnpm pack printed no JSON report for ${pkg.manifest.name}:\n${stdout}`);
  const parsed = JSON.parse(stdout.slice(start)) as { name: string; version: string; filename: string; files: { path: string }[] };
  return { name: parsed.name, version: parsed.version, tarball: parsed.filename, files: parsed.files.map((f) => f.path) };
}

/** Packs every package, one after the other (pnpm pack is quick; parallel runs only fight for 2 cores). */
export async function packAll(packages: readonly WorkspacePackage[], destination: string): Promise<PackedPackage[]> {
  const packed: PackedPackage[] = [];
  for (const pkg of packages) packed.push(await packPackage(pkg, destination));
  return packed;
}
