// The one answer to "which Chromium do the browser tests drive?", shared by the root `pnpm test`
// (tools/browser/ensure-browser.mjs, which installs one when there is none) and apps/web's harness.
// Plain Node with no build step: it runs before turbo builds anything.
import { spawnSync } from 'node:child_process';
import { accessSync, constants, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { delimiter, dirname, join } from 'node:path';

/** Executable names searched on PATH, in this order (Debian's package first). */
export const CHROMIUM_NAMES = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable'];

/** The playwright-core version whose browser cache is searched; apps/web drives Chromium with it. */
export const PLAYWRIGHT_VERSION = '1.65.1';

const APT_PACKAGES = ['chromium', 'fonts-liberation'];

/**
 * @typedef {{ path: string, source: 'CHROMIUM_PATH' | 'PATH' | 'playwright' }} FoundChromium
 * @typedef {{ isRoot: boolean, aptGet: string | null, playwrightCli: string | null, downloadHost: string,
 *   downloadReachable: boolean }} Machine
 * @typedef {{ name: string, applies: (machine: Machine) => boolean, describe: string,
 *   run: (machine: Machine, env: NodeJS.ProcessEnv) => Promise<void> }} InstallStep
 */

/** True for an existing regular file this process may execute. */
export function isExecutable(/** @type {string} */ path) {
  try {
    accessSync(path, constants.X_OK);
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

/**
 * The first executable called `name` in `env.PATH`'s directories, or null.
 * @param {string} name
 * @param {NodeJS.ProcessEnv} [env]
 */
export function which(name, env = process.env) {
  for (const dir of (env.PATH ?? '').split(delimiter)) {
    if (dir && isExecutable(join(dir, name))) return join(dir, name);
  }
  return null;
}

/**
 * The Chromium playwright-core downloaded into its cache (PLAYWRIGHT_BROWSERS_PATH or
 * ~/.cache/ms-playwright), or null when playwright-core or its download is missing.
 * playwright reads its environment when first loaded, so this follows process.env.
 */
export function playwrightChromium() {
  try {
    const require = createRequire(import.meta.url);
    /** @type {import('playwright-core')} */
    const playwright = require('playwright-core');
    const path = playwright.chromium.executablePath();
    return path && isExecutable(path) ? path : null;
  } catch {
    return null;
  }
}

/**
 * Finds a Chromium: CHROMIUM_PATH, then CHROMIUM_NAMES on PATH, then playwright's cache.
 * A CHROMIUM_PATH that is not an executable file throws: the user asked for that one.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {FoundChromium | null}
 */
export function findChromium(env = process.env) {
  const explicit = env.CHROMIUM_PATH;
  if (explicit) {
    if (isExecutable(explicit)) return { path: explicit, source: 'CHROMIUM_PATH' };
    throw new Error(`CHROMIUM_PATH=${explicit} is not an executable file: point it at a Chromium or Chrome binary, or unset it.`);
  }
  for (const name of CHROMIUM_NAMES) {
    const path = which(name, env);
    if (path) return { path, source: 'PATH' };
  }
  const cached = playwrightChromium();
  return cached ? { path: cached, source: 'playwright' } : null;
}

/**
 * What this machine offers for installing a browser. Playwright's download host is probed only
 * where playwright-core is installed, so a machine without that network stops at once.
 * @param {NodeJS.ProcessEnv} [env]
 * @returns {Promise<Machine>}
 */
export async function describeMachine(env = process.env) {
  let playwrightCli = null;
  try {
    playwrightCli = join(dirname(createRequire(import.meta.url).resolve('playwright-core/package.json')), 'cli.js');
  } catch {}
  const downloadHost = playwrightDownloadHost(env);
  const downloadReachable = playwrightCli !== null && (await reachable(downloadHost));
  return { isRoot: process.getuid?.() === 0, aptGet: which('apt-get', env), playwrightCli, downloadHost, downloadReachable };
}

/** The command that fixes a missing browser: the first of these that fits the machine. */
const FIXES = [
  {
    fits: (/** @type {Machine} */ m) => m.aptGet !== null,
    command: (/** @type {Machine} */ m) => (m.isRoot ? 'apt-get update && apt-get install -y chromium' : 'sudo apt-get update && sudo apt-get install -y chromium'),
  },
  {
    fits: (/** @type {Machine} */ m) => m.playwrightCli !== null && m.downloadReachable,
    command: () => `npx -y playwright-core@${PLAYWRIGHT_VERSION} install --no-shell chromium`,
  },
  { fits: () => true, command: () => 'CHROMIUM_PATH=/path/to/chrome-or-chromium npx -y pnpm@10.34.9 test' },
];

/** The single command that gets this machine a browser, for the one line printed when none is found. */
export function fixCommand(/** @type {Machine} */ machine) {
  return /** @type {(typeof FIXES)[number]} */ (FIXES.find((fix) => fix.fits(machine))).command(machine);
}

/** The one line printed when no browser is found and none could be installed. */
export function missingChromiumMessage(/** @type {Machine} */ machine) {
  const looked = [
    'CHROMIUM_PATH unset',
    `no ${CHROMIUM_NAMES.join('/')} on PATH`,
    "none in playwright's cache",
    ...(machine.aptGet ? [] : ['no apt-get']),
    ...(machine.downloadReachable ? [] : [`${machine.downloadHost} not reachable`]),
  ];
  const fix = fixCommand(machine);
  const alternative = fix.startsWith('CHROMIUM_PATH=') ? '' : ' (or set CHROMIUM_PATH=/path/to/chrome-or-chromium)';
  return `no Chromium for the browser tests (${looked.join(', ')}); run: ${fix}${alternative}`;
}

/** Where playwright downloads Chromium from (its own override variables, then its CDN). */
export function playwrightDownloadHost(env = process.env) {
  return env.PLAYWRIGHT_CHROMIUM_DOWNLOAD_HOST || env.PLAYWRIGHT_DOWNLOAD_HOST || 'https://cdn.playwright.dev';
}

/** True when `url` answers at all within `timeoutMs` (any HTTP status: the network is there). */
export async function reachable(/** @type {string} */ url, timeoutMs = 5000) {
  try {
    await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(timeoutMs) });
    return true;
  } catch {
    return false;
  }
}

/**
 * Runs a command; throws with its last output lines when it fails.
 * @param {string} command
 * @param {string[]} args
 * @param {NodeJS.ProcessEnv} env
 */
function runChecked(command, args, env) {
  const result = spawnSync(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8' });
  if (result.status === 0) return;
  const output = `${result.stdout ?? ''}${result.stderr ?? ''}`.trim().split('\n').slice(-5).join('\n');
  throw new Error(`\`${command} ${args.join(' ')}\` failed (${result.error?.message ?? `exit ${result.status}`})${output ? `:\n${output}` : ''}`);
}

/** @type {InstallStep[]} The ways to get a browser, tried in this order. */
export const INSTALL_STEPS = [
  {
    name: 'apt',
    applies: (machine) => machine.isRoot && machine.aptGet !== null,
    describe: `apt-get update && apt-get install -y --no-install-recommends ${APT_PACKAGES.join(' ')}`,
    run: async (machine, env) => {
      const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
      runChecked(/** @type {string} */ (machine.aptGet), ['update', '-qq'], aptEnv);
      runChecked(/** @type {string} */ (machine.aptGet), ['install', '-y', '-qq', '--no-install-recommends', ...APT_PACKAGES], aptEnv);
    },
  },
  {
    name: 'playwright',
    applies: (machine) => machine.playwrightCli !== null && machine.downloadReachable,
    describe: `playwright-core ${PLAYWRIGHT_VERSION} install --no-shell chromium (into playwright's cache)`,
    run: async (machine, env) => {
      runChecked(process.execPath, [/** @type {string} */ (machine.playwrightCli), 'install', '--no-shell', 'chromium'], env);
    },
  },
];

/**
 * Finds a Chromium, or installs one with the first INSTALL_STEPS that applies and works.
 * Throws with missingChromiumMessage when there is still none.
 * @param {{ env?: NodeJS.ProcessEnv, log?: (line: string) => void }} [options]
 * @returns {Promise<FoundChromium & { installedBy?: string }>}
 */
export async function ensureChromium({ env = process.env, log = console.log } = {}) {
  const found = findChromium(env);
  if (found) return found;
  const machine = await describeMachine(env);
  for (const step of INSTALL_STEPS.filter((s) => s.applies(machine))) {
    log(`no Chromium found; installing one: ${step.describe}`);
    try {
      await step.run(machine, env);
    } catch (error) {
      log(`${step.name} install failed: ${error instanceof Error ? error.message : String(error)}`);
      continue;
    }
    const installed = findChromium(env);
    if (installed) return { ...installed, installedBy: step.name };
    log(`${step.name} install finished but no Chromium is found where the tests look`);
  }
  throw new Error(missingChromiumMessage(machine));
}
