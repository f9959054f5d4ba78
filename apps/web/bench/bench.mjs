// Prints the web app's two budgets: stroke end -> shown prediction (ms, in Chromium on the
// production build) and the production bundle size. Run with `pnpm --filter @digitkit/web bench`
// (which builds first); the browser is @digitkit/browser's findChromium (CHROMIUM_PATH, PATH, playwright's cache).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { bundleSize, distDir, DRAWN_DIGITS, drawWithMouse, isModelChunk, kb, launchChromium, openApp, polyline, serveStatic, touchingDigits } from '../scripts/harness.mjs';

const ROUNDS = 3;
// Drawings that take the slowest path: no one digit sure enough, so cuts where two digits may touch are tried.
const CUT_TRIED = {
  'the letter M': [polyline([[0.15, 0.75], [0.25, 0.25], [0.5, 0.6], [0.75, 0.25], [0.85, 0.75]])],
  'a 5 touching a 7': touchingDigits(5, 7, 0.02),
};
const size = bundleSize();
console.log(`bundle: JS ${kb(size.jsGzipBytes)} gzipped (${kb(size.jsBytes)} raw) + CSS ${kb(size.cssGzipBytes)} gzipped, without the models`);
console.log(`bundle: WASM ${Object.entries(size.wasmFiles).map(([f, b]) => `${f} ${kb(b)}`).join(', ')} (a browser downloads one of them)`);
console.log(`bundle: models ${kb(size.modelGzipBytes)} gzipped (${Object.entries(size.modelFiles).map(([f, b]) => `${f} ${kb(b)}`).join(', ')})`);

const server = await serveStatic();
const chromium = await launchChromium();
try {
  const { page, requests } = await openApp(chromium.context, server.url);
  const badge = await page.textContent('#backend');
  // What a visitor actually downloads: the JS chunks and the one .wasm file the page requested.
  const fetched = requests.filter((url) => url.startsWith(server.url)).map((url) => join(distDir, new URL(url).pathname));
  const gz = (files) => files.reduce((sum, f) => sum + gzipSync(readFileSync(f), { level: 9 }).length, 0);
  const raw = (files) => files.reduce((sum, f) => sum + readFileSync(f).length, 0);
  const js = fetched.filter((f) => f.endsWith('.js') && !isModelChunk(f));
  const models = fetched.filter(isModelChunk);
  const wasm = fetched.filter((f) => f.endsWith('.wasm'));
  console.log(
    `page load: JS ${kb(gz(js))} gzipped in ${js.length} files + models ${kb(gz(models))} gzipped in ${models.length} (the app loads every shipped model) + WASM ${kb(raw(wasm))} (${kb(gz(wasm))} gzipped), ${wasm.map((f) => f.slice(f.lastIndexOf('/') + 1)).join(', ')}`,
  );
  const latencies = [];
  const stages = { read: [], recognize: [] };
  for (let round = 0; round < ROUNDS; round++) {
    for (const strokes of Object.values(DRAWN_DIGITS)) {
      await page.click('#clear');
      const result = await drawWithMouse(page, strokes);
      latencies.push(result.latencyMs);
      const timing = JSON.parse((await page.$eval('#result', (el) => el.dataset.timing)) ?? '{}');
      for (const key of Object.keys(stages)) stages[key].push(timing[key] ?? 0);
    }
  }
  const cutLatencies = [];
  const cutVerdicts = new Set();
  for (let round = 0; round < ROUNDS; round++) {
    for (const [name, strokes] of Object.entries(CUT_TRIED)) {
      await page.click('#clear');
      const result = await drawWithMouse(page, strokes);
      cutLatencies.push(result.latencyMs);
      cutVerdicts.add(`${name}: ${result.verdict}`);
    }
  }
  const sorted = (xs) => [...xs].sort((a, b) => a - b);
  const pick = (xs, q) => sorted(xs)[Math.min(xs.length - 1, Math.floor(q * xs.length))];
  console.log(`backend: ${badge}`);
  console.log(
    `latency stroke end -> shown prediction: median ${pick(latencies, 0.5).toFixed(2)} ms, p90 ${pick(latencies, 0.9).toFixed(2)} ms, max ${Math.max(...latencies).toFixed(2)} ms (${latencies.length} strokes, budget 16 ms)`,
  );
  console.log(
    `latency where cuts are tried (${[...cutVerdicts].join('; ')}): median ${pick(cutLatencies, 0.5).toFixed(2)} ms, max ${Math.max(...cutLatencies).toFixed(2)} ms (${cutLatencies.length} drawings, budget 16 ms)`,
  );
  console.log(`latency stages (median): ${Object.entries(stages).map(([k, xs]) => `${k} ${pick(xs, 0.5).toFixed(2)} ms`).join(', ')}`);
} finally {
  await chromium.close();
  await server.close();
}
