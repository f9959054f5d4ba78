// Prints how long the pictures take: `pnpm --filter @digitkit/viz bench`.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildReport, confusionMatrix, digitGrid, encodePng, predictionCard, trainingCurves, writeReport } from '../src/index.js';
import { mnistSlice } from '@digitkit/testkit';
import { fakeEvaluation, fakeHistory, fakeRunMetrics } from '../src/test-helpers.js';

async function time(label: string, runs: number, task: () => unknown): Promise<void> {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    await task();
    times.push(performance.now() - start);
  }
  times.sort((a, b) => a - b);
  const median = times[Math.floor(times.length / 2)]!;
  console.log(`${label.padEnd(52)} median ${median.toFixed(1).padStart(7)} ms   min ${times[0]!.toFixed(1).padStart(7)} ms   (${runs} runs)`);
}

const test = await mnistSlice({ split: 'test' });
const evaluation = fakeEvaluation(test, 50);
const metrics = fakeRunMetrics(evaluation);
const probabilities = [0.001, 0.002, 0.05, 0.001, 0, 0, 0, 0.93, 0.01, 0.006];
const input = { metrics, test, evaluation, predictions: [0, 1, 2, 3].map((index) => ({ index, prediction: { label: test.labels[index]!, probabilities } })) };

console.log(`@digitkit/viz bench — Node ${process.version}, ${process.platform}/${process.arch}`);
let coldStart = performance.now();
await trainingCurves(fakeHistory(10));
console.log(`${'first trainingCurves (loads vega + vega-lite)'.padEnd(52)} ${(performance.now() - coldStart).toFixed(1).padStart(7)} ms`);

const grid = digitGrid(test, { first: 100 });
await time(`digitGrid 100 digits, scale 2 (${grid.width}x${grid.height})`, 30, () => digitGrid(test, { first: 100 }));
await time('digitGrid 100 digits + encodePng', 30, () => encodePng(digitGrid(test, { first: 100 })));
await time('digitGrid 100 digits, scale 1 + encodePng', 30, () => encodePng(digitGrid(test, { first: 100, scale: 1 })));
await time('predictionCard (SVG)', 200, () => predictionCard(test.images.subarray(0, 784), { label: 7, probabilities }, { trueLabel: 7 }));
await time('trainingCurves, 20 epochs (SVG via vega)', 10, () => trainingCurves(fakeHistory(20)));
await time('confusionMatrix 10x10 (SVG via vega)', 10, () => confusionMatrix(evaluation.confusion));
let html = '';
await time('buildReport (10,000 test images, all sections)', 5, async () => {
  html = await buildReport(input);
});
console.log(`${'report.html size'.padEnd(52)} ${(html.length / 1024).toFixed(0).padStart(7)} KiB`);
const dir = await mkdtemp(join(tmpdir(), 'viz-bench-'));
await time('writeReport (all files, atomic writes)', 5, () => writeReport(dir, input));
await rm(dir, { recursive: true, force: true });
