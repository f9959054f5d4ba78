// Tests import sibling packages from their sources, so a test run never waits for (or races) a build.
import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const packagesDir = fileURLToPath(new URL('./packages/', import.meta.url));

export const sourceAliases = {
  ...Object.fromEntries(readdirSync(packagesDir).map((name) => [`@digitkit/${name}`, `${packagesDir}${name}/src/index.ts`])),
  // The shared test kit has no build at all: its package.json exports its sources.
  '@digitkit/testkit': fileURLToPath(new URL('./tools/testkit/src/index.ts', import.meta.url)),
};
