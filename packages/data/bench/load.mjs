// Prints how long loadMnist() takes (embedded files) and how fast batches() iterates. Run: pnpm bench
import { performance } from 'node:perf_hooks';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { batches, loadMnist, MNIST_FILES, mnistDataDir, readIdxFile, writeIdxFile } from '../dist/index.js';

const RUNS = 7;
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (value) => `${value.toFixed(1)} ms`;

async function timeRuns(label, fn, runs = RUNS) {
  const times = [];
  const cpuTimes = [];
  for (let i = 0; i < runs; i++) {
    const start = performance.now();
    const cpuStart = process.cpuUsage();
    await fn(i);
    const cpu = process.cpuUsage(cpuStart);
    times.push(performance.now() - start);
    cpuTimes.push((cpu.user + cpu.system) / 1000);
  }
  // CPU time (this process, all threads) is shown too: it is steadier than wall time on a busy machine.
  console.log(
    `${label.padEnd(44)} median ${ms(median(times)).padStart(9)}  (min ${ms(Math.min(...times))}, max ${ms(Math.max(...times))}; ` +
      `CPU ${ms(median(cpuTimes))}; ${runs} runs)`,
  );
  return { wall: median(times), cpu: median(cpuTimes) };
}

console.log(`@digitkit/data benchmark — Node ${process.version}, ${process.platform}/${process.arch}`);
const { wall: loadMedian } = await timeRuns('loadMnist() embedded (60k + 10k images)', () => loadMnist());

const { train } = await loadMnist();
const epoch = await timeRuns('one epoch of batches(train, 128), shuffled', (i) => {
  let n = 0;
  for (const batch of batches(train, { batchSize: 128, seed: i })) n += batch.size;
  if (n !== 60000) throw new Error(`saw ${n} examples`);
});
const perSecond = (t) => `${(60000 / (t / 1000) / 1e6).toFixed(2)} M images/s`;
console.log(
  `${'  = throughput'.padEnd(44)} ${perSecond(epoch.wall)}, ${ms(epoch.wall / Math.ceil(60000 / 128))} per batch ` +
    `(by CPU time: ${perSecond(epoch.cpu)}, ${ms(epoch.cpu / Math.ceil(60000 / 128))} per batch)`,
);

await timeRuns('one epoch of batches(train, 128), in order', () => {
  for (const batch of batches(train, { batchSize: 128, shuffle: false })) void batch;
});

// The same files gzipped, as a directory or URL source would give them (inflate + CRC check).
const dir = await mkdtemp(join(tmpdir(), 'digitkit-bench-'));
try {
  for (const name of MNIST_FILES) {
    await writeIdxFile(join(dir, `${name}.gz`), await readIdxFile(join(mnistDataDir(), name)), { gzip: true });
  }
  await timeRuns('loadMnist({ source: dir of .gz files })', () => loadMnist({ source: dir }), 3);
} finally {
  await rm(dir, { recursive: true, force: true });
}

console.log(loadMedian < 300 ? `loadMnist() median ${ms(loadMedian)}: under the 300 ms goal` : `loadMnist() median ${ms(loadMedian)}: OVER the 300 ms goal`);
