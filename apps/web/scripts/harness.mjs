// Shared by the end-to-end tests and the benchmark: serve dist/ the way a static host should
// (with the cross-origin isolation headers WASM threads need), drive Chromium, and
// measure the production bundle.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describeMachine, findChromium, missingChromiumMessage } from '@digitkit/browser';

export const appDir = join(import.meta.dirname, '..');
export const distDir = join(appDir, 'dist');

const require = createRequire(import.meta.url);

/** Regenerates the gallery and runs `vite build` (the same as `pnpm build`). */
export function buildApp() {
  execFileSync(process.execPath, [join(appDir, 'scripts/make-gallery.mjs')], { cwd: appDir, stdio: 'pipe' });
  const viteBin = join(dirname(require.resolve('vite/package.json')), 'bin/vite.js');
  execFileSync(process.execPath, [viteBin, 'build', '--logLevel', 'error'], { cwd: appDir, stdio: 'pipe' });
}

const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.wasm': 'application/wasm',
  '.bin': 'application/octet-stream',
  '.png': 'image/png',
  '.svg': 'image/svg+xml',
};

/**
 * Serves a directory on 127.0.0.1 on a free port. `isolated` sends COOP same-origin + COEP
 * require-corp (what a static host must send for WASM threads).
 */
export async function serveStatic(root = distDir, { isolated = true } = {}) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    let file = normalize(join(root, path));
    if (!file.startsWith(root + sep) && file !== root) {
      res.writeHead(403).end();
      return;
    }
    try {
      if (statSync(file).isDirectory()) file = join(file, 'index.html');
      const body = readFileSync(file);
      res.writeHead(200, {
        'Content-Type': TYPES[extname(file)] ?? 'application/octet-stream',
        'Cache-Control': 'no-store',
        ...(isolated ? { 'Cross-Origin-Opener-Policy': 'same-origin', 'Cross-Origin-Embedder-Policy': 'require-corp' } : {}),
      });
      res.end(body);
    } catch {
      res.writeHead(404, { 'Content-Type': 'text/plain' }).end('not found');
    }
  });
  await new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', resolve);
  });
  const { port } = server.address();
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => { server.closeAllConnections(); server.close(() => resolve()); }),
  };
}

/**
 * Launches Chromium headless with a fresh profile: the one `pnpm test` made sure of (CHROMIUM_PATH,
 * then chromium/chromium-browser/google-chrome on PATH, then playwright's cache).
 */
export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  const found = findChromium();
  if (!found) throw new Error(missingChromiumMessage(await describeMachine()));
  const executablePath = found.path;
  const profile = mkdtempSync(join(tmpdir(), 'digitkit-chromium-'));
  // A persistent context is how playwright takes an explicit, fresh --user-data-dir.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath,
    headless: true,
    viewport: { width: 1180, height: 900 },
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * Opens the app and waits until the backend and model are ready (or failed).
 * @param {import('playwright-core').BrowserContext} context
 * @param {string} url
 * @param {{ viewport?: { width: number, height: number }, setup?: (page: import('playwright-core').Page) => Promise<unknown> }} [options]
 */
export async function openApp(context, url, { viewport = { width: 1180, height: 900 }, setup } = {}) {
  const page = await context.newPage();
  await page.setViewportSize(viewport);
  const errors = [];
  const requests = [];
  page.on('pageerror', (e) => errors.push(String(e)));
  page.on('request', (r) => requests.push(r.url()));
  if (setup) await setup(page);
  await page.goto(url);
  await page.waitForFunction(() => document.body.dataset.ready === 'true' || document.body.dataset.ready === 'error', null, { timeout: 60_000 });
  return { page, errors, requests };
}

/** The result panel's state, as the app exposes it for tests. */
export async function readResult(page) {
  return page.$eval('#result', (el) => ({
    state: el.dataset.state,
    label: el.dataset.label,
    source: el.dataset.source,
    seq: Number(el.dataset.seq),
    latencyMs: el.dataset.latencyMs === undefined ? undefined : Number(el.dataset.latencyMs),
    verdict: el.querySelector('#verdict')?.textContent ?? '',
    detail: el.querySelector('#verdict-sub')?.textContent ?? '',
  }));
}

/**
 * Draws strokes with the mouse. Each stroke is a list of [x, y] in 0..1 pad coordinates;
 * returns the result after the last stroke ends.
 */
export async function drawWithMouse(page, strokes) {
  const box = await page.locator('#pad').boundingBox();
  const at = ([x, y]) => [box.x + x * box.width, box.y + y * box.height];
  for (const stroke of strokes) {
    const [first, ...rest] = stroke.map(at);
    await page.mouse.move(...first);
    await page.mouse.down();
    for (const p of rest) await page.mouse.move(...p);
    await page.mouse.up();
  }
  return readResult(page);
}

/** Draws strokes as a finger would: synthesized touch pointer events (pointerType "touch"). */
export async function drawWithTouch(page, strokes) {
  await page.$eval(
    '#pad',
    (pad, strokes) => {
      const box = pad.getBoundingClientRect();
      let id = 10;
      for (const stroke of strokes) {
        id++;
        const fire = (type, [x, y]) =>
          pad.dispatchEvent(
            new PointerEvent(type, {
              bubbles: true,
              cancelable: true,
              pointerId: id,
              pointerType: 'touch',
              isPrimary: true,
              clientX: box.left + x * box.width,
              clientY: box.top + y * box.height,
              pressure: type === 'pointerup' ? 0 : 0.5,
              width: 12,
              height: 12,
            }),
          );
        fire('pointerdown', stroke[0]);
        for (const p of stroke.slice(1)) fire('pointermove', p);
        fire('pointerup', stroke[stroke.length - 1]);
      }
    },
    strokes,
  );
  return readResult(page);
}

/** Points along a polyline, `perSegment` per segment (pad coordinates). */
export function polyline(points, perSegment = 8) {
  const out = [points[0]];
  for (let i = 1; i < points.length; i++) {
    const [ax, ay] = points[i - 1];
    const [bx, by] = points[i];
    for (let k = 1; k <= perSegment; k++) out.push([ax + ((bx - ax) * k) / perSegment, ay + ((by - ay) * k) / perSegment]);
  }
  return out;
}

/** An ellipse as a closed stroke. */
export function ellipse(cx, cy, rx, ry, count = 32) {
  return Array.from({ length: count + 3 }, (_, i) => {
    const t = (i / count) * Math.PI * 2 - Math.PI / 2;
    return [cx + rx * Math.cos(t), cy + ry * Math.sin(t)];
  });
}

/** An elliptical arc from angle a0 to a1 (degrees, clockwise on screen, 0 = right). */
export function arc(cx, cy, rx, ry, a0, a1, count = 14) {
  return Array.from({ length: count + 1 }, (_, i) => {
    const t = ((a0 + ((a1 - a0) * i) / count) * Math.PI) / 180;
    return [cx + rx * Math.cos(t), cy + ry * Math.sin(t)];
  });
}

/** Hand-drawn test digits as strokes in pad coordinates, one to three strokes each. */
export const DRAWN_DIGITS = {
  0: [ellipse(0.5, 0.5, 0.19, 0.29)],
  1: [polyline([[0.52, 0.2], [0.5, 0.8]])],
  2: [[...arc(0.5, 0.35, 0.17, 0.14, 200, 380), ...polyline([[0.66, 0.4], [0.32, 0.78], [0.72, 0.77]], 6).slice(1)]],
  3: [[...arc(0.49, 0.34, 0.15, 0.12, 210, 450), ...arc(0.49, 0.62, 0.17, 0.15, 270, 510).slice(1)]],
  4: [polyline([[0.55, 0.2], [0.3, 0.58], [0.72, 0.58]]), polyline([[0.6, 0.38], [0.6, 0.82]])],
  5: [polyline([[0.66, 0.22], [0.4, 0.22], [0.37, 0.47]], 6), arc(0.5, 0.61, 0.16, 0.15, -150, 150, 18)],
  6: [[...polyline([[0.6, 0.2], [0.42, 0.45]], 5), ...arc(0.5, 0.63, 0.15, 0.15, 200, 560, 20).slice(1)]],
  7: [polyline([[0.3, 0.24], [0.7, 0.23], [0.45, 0.8]])],
  8: [[...arc(0.5, 0.33, 0.12, 0.12, 90, 450, 16), ...arc(0.5, 0.63, 0.15, 0.16, -90, 270, 18).slice(1)]],
  9: [[...arc(0.5, 0.36, 0.14, 0.13, 0, 360, 20), ...polyline([[0.64, 0.36], [0.6, 0.8]], 6).slice(1)]],
};

/**
 * Two of DRAWN_DIGITS written side by side at `scale` of the pad, the second starting `overlap` (of the pad's width)
 * inside the first's right edge, so that their strokes touch: one piece of ink holding two digits.
 */
export function touchingDigits(left, right, overlap, scale = 0.55) {
  const extent = (strokes) => [Math.min(...strokes.flat().map(([x]) => x)), Math.max(...strokes.flat().map(([x]) => x))];
  const [l0, l1] = extent(DRAWN_DIGITS[left]);
  const [r0, r1] = extent(DRAWN_DIGITS[right]);
  const x = 0.5 - ((l1 - l0 + r1 - r0) * scale - overlap) / 2;
  const placed = (strokes, from, at) => strokes.map((stroke) => stroke.map(([px, py]) => [at + (px - from) * scale, 0.5 + (py - 0.5) * scale]));
  return [...placed(DRAWN_DIGITS[left], l0, x), ...placed(DRAWN_DIGITS[right], r0, x + (l1 - l0) * scale - overlap)];
}

/** The build's chunks holding the recognizer's shipped weights (named so by vite.config.ts). */
export const isModelChunk = (file) => /(^|[\\/])model-[\w-]+\.js$/.test(file);

/** Production bundle figures (bytes): the app's JS and CSS gzipped, the WASM binaries, the model chunks. */
export function bundleSize(root = distDir) {
  const files = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      if (statSync(path).isDirectory()) walk(path);
      else files.push(path);
    }
  };
  walk(root);
  const sum = (list, f) => list.reduce((s, p) => s + f(p), 0);
  const js = files.filter((f) => f.endsWith('.js') && !isModelChunk(f));
  const models = files.filter(isModelChunk);
  const wasm = files.filter((f) => f.endsWith('.wasm'));
  const size = (p) => statSync(p).size;
  const gz = (p) => gzipSync(readFileSync(p), { level: 9 }).length;
  return {
    jsBytes: sum(js, size),
    jsGzipBytes: sum(js, gz),
    cssGzipBytes: sum(files.filter((f) => f.endsWith('.css')), gz),
    wasmBytes: sum(wasm, size),
    wasmFiles: Object.fromEntries(wasm.map((p) => [p.slice(p.lastIndexOf(sep) + 1).replace(/-[\w-]{8}\.wasm$/, '.wasm'), size(p)])),
    modelBytes: sum(models, size),
    modelGzipBytes: sum(models, gz),
    modelFiles: Object.fromEntries(models.map((p) => [p.slice(p.lastIndexOf(sep) + 1).replace(/-[\w-]{8}\.js$/, '.js'), size(p)])),
  };
}

export const kb = (bytes) => `${(bytes / 1024).toFixed(1)} KB`;

/** Waits until the panel shows a result newer than `afterSeq` (optionally from `source`), and returns it. */
export async function waitForResult(page, afterSeq, source) {
  await page.waitForFunction(
    ([after, src]) => {
      const d = document.getElementById('result').dataset;
      return Number(d.seq) > after && (src === undefined || d.source === src);
    },
    [afterSeq, source],
    { timeout: 20_000 },
  );
  return readResult(page);
}

/** Drops a file onto the pad the way a browser does (a drop event carrying a DataTransfer). */
export async function dropFile(page, name, bytes, type = 'image/png') {
  const dataTransfer = await page.evaluateHandle(
    ([fileName, b64, mime]) => {
      const data = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
      const transfer = new DataTransfer();
      transfer.items.add(new File([data], fileName, { type: mime }));
      return transfer;
    },
    [name, Buffer.from(bytes).toString('base64'), type],
  );
  await page.dispatchEvent('#drop-zone', 'dragover', { dataTransfer });
  await page.dispatchEvent('#drop-zone', 'drop', { dataTransfer });
  await dataTransfer.dispose();
}
