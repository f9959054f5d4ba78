// The search and the install decisions, on real directories holding executable stubs in place of
// browsers and apt-get: what is tested is which file is chosen and what the script does, not Chromium.
import { execFile, spawnSync } from 'node:child_process';
import { once } from 'node:events';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { CHROMIUM_NAMES, findChromium, PLAYWRIGHT_VERSION } from './chromium.mjs';

const packageDir = join(dirname(fileURLToPath(import.meta.url)), '..');
const script = join(packageDir, 'ensure-browser.mjs');
const root = mkdtempSync(join(tmpdir(), 'digitkit-browser-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

let dirs = 0;
/** A fresh directory under the test's temp root. */
function freshDir(): string {
  const dir = join(root, `d${dirs++}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Writes a shell script (executable unless `mode` says otherwise). */
function stub(path: string, body = 'exit 0', mode = 0o755): string {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, mode);
  return path;
}

/**
 * Runs ensure-browser.mjs with only the given environment (no inherited PATH or browser; playwright's
 * download host refuses connections unless `env` names another).
 */
async function ensureBrowser(env: Record<string, string>) {
  const started = performance.now();
  const child = execFile(process.execPath, [script], {
    env: { HOME: freshDir(), PLAYWRIGHT_BROWSERS_PATH: freshDir(), PLAYWRIGHT_DOWNLOAD_HOST: 'http://127.0.0.1:9', ...env },
    encoding: 'utf8',
    timeout: 100_000,
  });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: string) => (stdout += chunk));
  child.stderr?.on('data', (chunk: string) => (stderr += chunk));
  const [code] = (await once(child, 'close')) as [number | null];
  return { code, stdout, stderr, seconds: (performance.now() - started) / 1000 };
}

describe('findChromium', () => {
  it('takes the first name in CHROMIUM_NAMES found on PATH, skipping files it cannot execute', () => {
    const first = freshDir();
    const second = freshDir();
    stub(join(first, 'chromium'), 'exit 0', 0o644); // not executable: not a browser
    const chrome = stub(join(first, 'google-chrome'));
    expect(findChromium({ PATH: [first, second].join(':') })).toEqual({ path: chrome, source: 'PATH' });

    const chromium = stub(join(second, 'chromium'));
    expect(CHROMIUM_NAMES[0]).toBe('chromium');
    expect(findChromium({ PATH: [first, second].join(':') })).toEqual({ path: chromium, source: 'PATH' });
  });

  it('prefers CHROMIUM_PATH to PATH, and refuses a CHROMIUM_PATH that is not an executable file', () => {
    const bin = freshDir();
    stub(join(bin, 'chromium'));
    const mine = stub(join(freshDir(), 'my-chrome'));
    expect(findChromium({ PATH: bin, CHROMIUM_PATH: mine })).toEqual({ path: mine, source: 'CHROMIUM_PATH' });

    const missing = join(bin, 'no-such-chrome');
    expect(() => findChromium({ PATH: bin, CHROMIUM_PATH: missing })).toThrow(`CHROMIUM_PATH=${missing} is not an executable file`);
    expect(() => findChromium({ PATH: bin, CHROMIUM_PATH: bin })).toThrow('is not an executable file'); // a directory
  });

  it('ignores a directory named like a browser', () => {
    const bin = freshDir();
    mkdirSync(join(bin, 'chromium'));
    const chrome = stub(join(bin, 'chromium-browser'));
    expect(findChromium({ PATH: bin })?.path).toBe(chrome);
  });
});

describe('ensure-browser.mjs (run before the tests)', () => {
  it('prints the browser it found and installs nothing', async () => {
    const bin = freshDir();
    const chromium = stub(join(bin, 'chromium'));
    stub(join(bin, 'apt-get'), 'exit 3'); // would fail the run if it were called
    const run = await ensureBrowser({ PATH: bin });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`ensure-browser: browser tests use ${chromium} (from PATH)\n`);
  });

  it("finds playwright's own download in its cache (PLAYWRIGHT_BROWSERS_PATH)", async () => {
    const cache = freshDir();
    // Where playwright-core puts its Chromium for this platform, as playwright itself computes it.
    const where = spawnSync(process.execPath, ['-e', "console.log(require('playwright-core').chromium.executablePath())"], {
      cwd: packageDir,
      env: { PLAYWRIGHT_BROWSERS_PATH: cache },
      encoding: 'utf8',
    });
    const path = where.stdout.trim();
    expect(path.startsWith(cache)).toBe(true);
    stub(path);
    const run = await ensureBrowser({ PATH: freshDir(), PLAYWRIGHT_BROWSERS_PATH: cache });
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`ensure-browser: browser tests use ${path} (from playwright)\n`);
  });

  it('without a browser, apt-get or a reachable download host, stops at once with one line: set CHROMIUM_PATH', async () => {
    const run = await ensureBrowser({ PATH: freshDir() });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      'ensure-browser: no Chromium for the browser tests (CHROMIUM_PATH unset, no chromium/chromium-browser/google-chrome/google-chrome-stable on PATH, ' +
        "none in playwright's cache, no apt-get, http://127.0.0.1:9 not reachable); run: CHROMIUM_PATH=/path/to/chrome-or-chromium npx -y pnpm@10.34.9 test\n",
    );
    expect(run.seconds).toBeLessThan(15); // no waiting on a network that is not there
  });

  it("with playwright's download host reachable, tries the download, and names it as the fix when it fails", async () => {
    // A host that answers, but has no browser builds: playwright's download fails with 404s.
    const host = createServer((_req, res) => res.writeHead(404).end('no such build'));
    host.listen(0, '127.0.0.1');
    await once(host, 'listening');
    try {
      const url = `http://127.0.0.1:${(host.address() as AddressInfo).port}`;
      const run = await ensureBrowser({ PATH: freshDir(), PLAYWRIGHT_DOWNLOAD_HOST: url });
      expect(run.code).toBe(1);
      expect(run.stdout).toContain(`installing one: playwright-core ${PLAYWRIGHT_VERSION} install --no-shell chromium`);
      expect(run.stdout).toContain('playwright install failed');
      expect(run.stderr.trim().split('\n')).toHaveLength(1);
      expect(run.stderr).toContain(`run: npx -y playwright-core@${PLAYWRIGHT_VERSION} install --no-shell chromium (or set CHROMIUM_PATH=`);
    } finally {
      host.closeAllConnections();
      host.close();
    }
  });

  it('with apt-get: installs chromium as root (then uses it), or names the sudo command otherwise', async () => {
    const bin = freshDir();
    const calls = join(freshDir(), 'apt-calls.txt');
    // apt-get's stand-in records its arguments and, on install, puts a "chromium" on PATH as the package would.
    stub(join(bin, 'apt-get'), `echo "$*" >> ${calls}\ncase "$1" in install) printf '#!/bin/sh\\n' > ${bin}/chromium; /bin/chmod 755 ${bin}/chromium;; esac`);
    const run = await ensureBrowser({ PATH: bin });
    if (process.getuid?.() === 0) {
      expect(run.stderr).toBe('');
      expect(run.code).toBe(0);
      expect(readFileSync(calls, 'utf8')).toBe('update -qq\ninstall -y -qq --no-install-recommends chromium fonts-liberation\n');
      expect(run.stdout).toContain('installing one: apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation');
      expect(run.stdout).toContain(`browser tests use ${join(bin, 'chromium')} (installed by apt)`);
    } else {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('run: sudo apt-get update && sudo apt-get install -y chromium');
    }
  });

  it('when apt-get fails, says so and still ends with the fix', async () => {
    const bin = freshDir();
    stub(join(bin, 'apt-get'), 'echo "E: Unable to locate package chromium" >&2; exit 100');
    const run = await ensureBrowser({ PATH: bin });
    expect(run.code).toBe(1);
    if (process.getuid?.() === 0) expect(run.stdout).toContain('E: Unable to locate package chromium');
    expect(run.stderr.trim().split('\n')).toHaveLength(1);
    expect(run.stderr).toMatch(/run: (sudo )?apt-get update && (sudo )?apt-get install -y chromium/);
  });
});

describe('the playwright-core version', () => {
  it('is the one apps/web drives Chromium with and the one installed here (same browser revision, same cache)', () => {
    const read = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
    expect(read(join(packageDir, 'package.json')).dependencies['playwright-core']).toBe(PLAYWRIGHT_VERSION);
    expect(read(join(packageDir, '../../apps/web/package.json')).devDependencies['playwright-core']).toBe(PLAYWRIGHT_VERSION);
    expect(read(join(packageDir, 'node_modules/playwright-core/package.json')).version).toBe(PLAYWRIGHT_VERSION);
  });
});
