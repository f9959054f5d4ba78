// The report in real Chromium at phone width: nothing wider than the screen, captions under every mistake.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeMachine, findChromium, missingChromiumMessage } from '@digitkit/browser';
import { mnistSlice } from '@digitkit/testkit';
import { chromium, type BrowserContext } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildReport } from './report.js';
import { fakeEvaluation, fakeHistory, fakeRunMetrics } from './test-helpers.js';

const PHONE_WIDTH = 375;
const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

let context: BrowserContext;
let profile: string;
let html: string;

beforeAll(async () => {
  const test = await mnistSlice({ split: 'test' });
  const evaluation = fakeEvaluation(test, 50);
  // A long run with a decaying rate and long class names: the widest tables and labels a report gets.
  const history = fakeHistory(30).map((e, i) => ({ ...e, learningRate: 0.01 * 0.8 ** i, seconds: 1234.5 }));
  html = await buildReport({
    metrics: { ...fakeRunMetrics(evaluation), history, config: { data: `/a/very/long/path/${'to-the-data/'.repeat(12)}train.gz`, seed: 7 } },
    test,
    evaluation,
    classNames: FASHION,
    confidences: new Map(evaluation.misclassified.map((index) => [index, 0.876])),
    predictions: [{ index: 0, prediction: { label: 7, probabilities: [0, 0, 0, 0, 0, 0, 0, 1, 0, 0] } }],
    generatedAt: '2026-01-02 03:04 UTC',
  });
  const found = findChromium();
  if (!found) throw new Error(missingChromiumMessage(await describeMachine()));
  profile = mkdtempSync(join(tmpdir(), 'viz-chromium-'));
  context = await chromium.launchPersistentContext(profile, {
    executablePath: found.path,
    headless: true,
    viewport: { width: PHONE_WIDTH, height: 812 },
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}, 120_000);

afterAll(async () => {
  await context?.close();
  if (profile) rmSync(profile, { recursive: true, force: true });
});

describe('the report in Chromium at 375 px', () => {
  it('never scrolls the page sideways: wide figures shrink or scroll in their own box', async () => {
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    // Every <details> open, so the epoch table and the configuration count too.
    await page.evaluate(() => document.querySelectorAll('details').forEach((d) => d.setAttribute('open', '')));
    const widths = await page.evaluate(() => ({
      page: document.documentElement.scrollWidth,
      body: document.body.scrollWidth,
      // Anything sticking out past the right edge of the screen (boxes that scroll inside themselves are fine).
      overflowing: [...document.querySelectorAll('main *')]
        .filter((el) => el.getBoundingClientRect().right > window.innerWidth + 0.5)
        .filter((el) => !el.closest('.scroll, pre, figure'))
        .map((el) => el.tagName.toLowerCase() + (el.className && typeof el.className === 'string' ? `.${el.className}` : '')),
    }));
    expect(widths.overflowing).toEqual([]);
    expect(widths.page).toBeLessThanOrEqual(PHONE_WIDTH);
    expect(widths.body).toBeLessThanOrEqual(PHONE_WIDTH);
    // The charts are scaled down to the screen, not cut off.
    const charts = await page.$$eval('figure > svg', (svgs) => svgs.map((svg) => svg.getBoundingClientRect().width));
    expect(charts.length).toBeGreaterThanOrEqual(3);
    for (const width of charts) expect(width).toBeLessThanOrEqual(PHONE_WIDTH);
    await page.close();
  });

  it('shows true → predicted, the confidence and the 0-based test index under every mistake', async () => {
    const page = await context.newPage();
    await page.setContent(html, { waitUntil: 'load' });
    const captions = await page.$$eval('.gallery figcaption', (els) => els.map((el) => (el.textContent ?? '').replace(/\s+/g, ' ').trim()));
    expect(captions).toHaveLength(60);
    for (const caption of captions) expect(caption).toMatch(/^.+ → .+#\d+ · 87\.6%$/);
    expect(captions[0]).toMatch(/#0 · /); // fakeEvaluation gets image 0 wrong
    // The captions are seen, not hidden: each sits under its image inside the screen.
    const boxes = await page.$$eval('.gallery figure', (els) => els.map((el) => el.getBoundingClientRect().right));
    for (const right of boxes) expect(right).toBeLessThanOrEqual(PHONE_WIDTH);
    await page.close();
  });
});
