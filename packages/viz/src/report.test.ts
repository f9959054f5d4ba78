import { readdir, readFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decode } from 'fast-png';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DigitkitError } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { mnistSlice } from '@digitkit/testkit';
import { REPORT_FILES } from './artifacts.js';
import { digitGrid } from './grid.js';
import { writeReport } from './node.js';
import { buildReport, type ReportInput } from './report.js';
import { fakeEvaluation, fakeRunMetrics } from './test-helpers.js';

const test = await mnistSlice({ split: 'test' });
const evaluation = fakeEvaluation(test, 50); // 200 errors of 10,000: 98.00%
const metrics = fakeRunMetrics(evaluation);
const probabilities = [0.001, 0.002, 0.05, 0.001, 0, 0, 0, 0.93, 0.01, 0.006];
const input: ReportInput = {
  metrics,
  test,
  evaluation,
  title: 'MLP <run 7>',
  predictions: [{ index: 0, prediction: { label: 7, probabilities } }, { index: 1, prediction: { label: 7, probabilities } }],
  generatedAt: '2026-01-02 03:04 UTC',
  confidences: new Map(evaluation.misclassified.map((index, i) => [index, 0.5 + (i % 50) / 100])),
};
const FASHION = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

function pngsIn(html: string): Uint8Array[] {
  return [...html.matchAll(/src="data:image\/png;base64,([^"]+)"/g)].map((m) => new Uint8Array(Buffer.from(m[1]!, 'base64')));
}

describe('buildReport', () => {
  let html: string;
  beforeAll(async () => {
    html = await buildReport(input);
  });

  it('is one self-contained page: no external scripts, styles, images or fonts', async () => {
    expect(html.startsWith('<!doctype html>')).toBe(true);
    expect(html).not.toMatch(/<script|<link|@import|@font-face/i);
    expect(html).not.toMatch(/(src|href)\s*=\s*["']?(https?:)?\/\//i);
    expect(html).not.toMatch(/url\(\s*["']?(https?:)?\/\//i);
    // Not even a namespace URL is left: the page makes no reference to the network at all.
    expect(html).not.toMatch(/https?:\/\//);
  });

  it('embeds the sample grid and every shown mistake as PNG data URIs of the right size', async () => {
    const pngs = pngsIn(html).map((bytes) => decode(bytes));
    expect(pngs).toHaveLength(1 + 60);
    for (const match of html.matchAll(/<img[^>]*src="data:image\/png[^"]*" width="(\d+)" height="(\d+)"/g)) {
      expect(pngs.some((p) => p.width === Number(match[1]) && p.height === Number(match[2]))).toBe(true);
    }
    expect(html).toContain('200 test images the model got wrong; the first 60 are shown');
    expect(html).toContain('100 test images with their labels');
  });

  it('captions each mistake with true → predicted, its 0-based test index and the confidence', () => {
    const captions = [...html.matchAll(/<figcaption>(.*?)<\/figcaption>/g)].map((m) => m[1]!.replace(/<[^>]+>/g, ' ').replace(/\s+/g, ' ').trim());
    expect(captions).toHaveLength(60);
    evaluation.misclassified.slice(0, 60).forEach((index, i) => {
      const confidence = `${(100 * (0.5 + (i % 50) / 100)).toFixed(1)}%`;
      expect(captions[i]).toBe(`${test.labels[index]} → ${evaluation.predicted[index]} #${index} · ${confidence}`);
    });
    expect(captions[0]).toBe(`${test.labels[0]} → ${evaluation.predicted[0]} #0 · 50.0%`); // 0-based: the first image is #0
  });

  it('has a learning-rate chart', () => {
    expect(html).toContain('>Learning rate</text>');
    expect(html).toContain('>constant 0.001</text>');
  });

  it('labels classes with the names given, everywhere a class is named', async () => {
    const page = await buildReport({ ...input, classNames: FASHION });
    const classColumn = [...page.matchAll(/<tr><td>([^<]*)<\/td><td>[\d.]+%<\/td>/g)].map((m) => m[1]);
    expect(classColumn).toEqual(FASHION);
    const index = evaluation.misclassified[0]!;
    expect(page).toContain(`${FASHION[test.labels[index]!]} → <span class="wrong">${FASHION[evaluation.predicted[index]!]}</span>`);
    expect(page).toContain('Numbers in the picture are classes: 0 T-shirt/top, 1 Trouser,');
    expect(page).toContain('>Ankle boot</text>'); // the confusion matrix axes and the cards
    await expect(buildReport({ ...input, classNames: FASHION.slice(2) })).rejects.toThrow(/classNames must hold 10 non-empty names, one per class.*got 8/);
    await expect(buildReport({ ...input, confidences: new Map([[0, 1.5]]) })).rejects.toThrow(/confidences\.get\(0\) is 1\.5/);
  });

  it('shows the summary numbers, curves, confusion counts and prediction cards', async () => {
    expect(html).toContain('<title>MLP &lt;run 7&gt;</title>');
    const summary = /<dl class="summary">(.*?)<\/dl>/s.exec(html)![1]!;
    const shown: [string, string][] = [
      ['Test accuracy', '98.00%'],
      ['Epochs', '4'],
      ['Training time', '41.3 s'],
      ['Backend', 'wasm'],
      ['Model', 'MLP'],
      ['Test errors', '200 <small>of 10,000</small>'],
    ];
    for (const [term, value] of shown) expect(summary).toContain(`<dt>${term}</dt><dd>${value}</dd>`);
    expect((html.match(/<svg/g) ?? []).length).toBe(3 + 2); // curves, learning rate, confusion, two cards
    expect(html).toContain('<p class="note">10,000 test images.');
    expect(html).toContain(`>${evaluation.confusion[0]![0]}</text>`);
    expect(html).toContain('after epoch 4: training 96.00% · validation 95.90%');
    expect(html).toContain('<title>Predicted 7 (93.0%), true label 7, correct</title>');
    expect(html).toContain('<title>Predicted 7 (93.0%), true label 2, wrong</title>');
    expect(html).toContain('generated 2026-01-02 03:04 UTC');
  });

  it('takes the test split straight from @digitkit/data', async () => {
    const split = await loadMnist();
    expect(split.test.images.subarray(0, 784)).toEqual(test.images.subarray(0, 784));
    const page = await buildReport({ metrics: fakeRunMetrics(), test: split.test, samples: { first: 20 } });
    const [samples] = pngsIn(page).map((bytes) => decode(bytes));
    const expected = digitGrid(split.test, { first: 20 });
    expect([samples!.width, samples!.height]).toEqual([expected.width, expected.height]);
    expect(Array.from(samples!.data)).toEqual(Array.from(expected.rgba));
  });

  it('works from metrics alone (no images)', async () => {
    const html = await buildReport({ metrics: fakeRunMetrics() });
    expect(html).toContain('<dt>Validation accuracy</dt><dd>95.90%</dd>');
    expect(pngsIn(html)).toHaveLength(0);
    expect((html.match(/<svg/g) ?? []).length).toBe(2); // curves and learning rate
  });

  it('refuses an evaluation of a different set and bad metrics', async () => {
    await expect(buildReport({ ...input, evaluation: { ...evaluation, predicted: new Uint8Array(3) } })).rejects.toThrow(
      /evaluation\.predicted has 3 labels but the test set has 10000 images/,
    );
    const broken = { ...metrics, history: [{ ...metrics.history[0]!, accuracy: Number.NaN }] };
    await expect(buildReport({ metrics: broken })).rejects.toThrow(DigitkitError);
    await expect(buildReport({ metrics: broken })).rejects.toThrow(/report metrics: field "history\[0\]\.accuracy"/);
  });
});

describe('writeReport', () => {
  const dirs: string[] = [];
  afterAll(() => Promise.all(dirs.map((d) => rm(d, { recursive: true, force: true }))));

  it('writes every picture and the report, and leaves no temporary files', async () => {
    const dir = join(await mkdtemp(join(tmpdir(), 'viz-report-')), 'out');
    dirs.push(dir);
    const { files } = await writeReport(dir, input);
    const names = files.map((f) => f.slice(dir.length + 1));
    expect(names).toEqual([
      'samples.png',
      'predictions/prediction-0.svg', // named by the 0-based test index, as `digitkit show predictions` names them
      'predictions/prediction-1.svg',
      'curves.svg',
      'learning-rate.svg',
      'confusion.svg',
      'misclassified.png',
      'report.html',
    ]);
    expect((await readdir(dir)).sort()).toEqual(['confusion.svg', 'curves.svg', 'learning-rate.svg', 'misclassified.png', 'predictions', 'report.html', 'samples.png']);
    expect(names.filter((name) => !name.startsWith('predictions/'))).toEqual(
      expect.arrayContaining(Object.values(REPORT_FILES).filter((name) => name !== REPORT_FILES.predictions)),
    );
    const samples = decode(await readFile(join(dir, 'samples.png')));
    expect([samples.width, samples.height, samples.channels]).toEqual([expect.any(Number), expect.any(Number), 4]);
    expect(samples.width).toBeGreaterThan(10 * 56);
    const confusion = await readFile(join(dir, 'confusion.svg'), 'utf8');
    expect(confusion).toContain('xmlns="http://www.w3.org/2000/svg"'); // standalone SVG files keep their namespace
    expect(confusion).toContain(`>${evaluation.confusion[0]![0]}</text>`);
    expect(await readFile(join(dir, 'report.html'), 'utf8')).toBe(await buildReport(input));
  });
});
