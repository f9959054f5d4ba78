// The built package (dist/) in a process of its own: the worker entry is found beside the ESM and the CJS
// build, and the process exits by itself after training and after Ctrl-C (no worker thread keeps it alive).
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const fixture = fileURLToPath(new URL('../test-fixtures/train-in-child.mjs', import.meta.url));
const dist = fileURLToPath(new URL('../dist/', import.meta.url));

interface Outcome {
  code: number | null;
  events: { event: string; [key: string]: unknown }[];
  /** Milliseconds from Ctrl-C (or from the last line) to the process's exit. */
  exitAfter: number;
}

function runChild(args: string[], onLine: (line: string, child: ChildProcess) => void = () => {}): Promise<Outcome> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [fixture, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    const events: Outcome['events'] = [];
    let last = performance.now();
    let buffered = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      buffered += chunk.toString();
      const lines = buffered.split('\n');
      buffered = lines.pop()!;
      for (const line of lines) {
        events.push(JSON.parse(line));
        last = performance.now();
        onLine(line, child);
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => resolve({ code, events, exitAfter: performance.now() - last }));
  });
}

beforeAll(() => {
  // turbo runs this package's build before its tests; a bare `vitest` needs it done first.
  for (const file of ['index.js', 'index.cjs', 'worker.js', 'worker.cjs', 'assembler.js', 'assembler.cjs']) {
    if (!existsSync(`${dist}${file}`)) throw new Error(`dist/${file} is missing: run \`pnpm --filter @digitkit/train build\` first.`);
  }
});

describe('workers from the built package', () => {
  it.each(['esm', 'cjs'])('%s: trains on 2 workers and the process exits by itself', async (format) => {
    const outcome = await runChild([format]);
    expect(outcome.code).toBe(0);
    expect(outcome.events.at(-1)).toEqual({ event: 'done', workers: 2, interrupted: false, epochs: 1, notes: [] });
    expect(outcome.events.filter((e) => e.event === 'batch').length).toBe(8);
    expect(outcome.exitAfter).toBeLessThan(3000);
  }, 120_000);

  it.each(['esm', 'cjs'])('%s: auto trains the MLP in process with its batches made on a second thread, and the process exits by itself', async (format) => {
    const outcome = await runChild([format, 'finish', 'auto']);
    expect(outcome.code).toBe(0);
    expect(outcome.events.at(-1)).toEqual({ event: 'done', workers: 1, interrupted: false, epochs: 1, notes: [expect.stringMatching(/made ahead on a second thread/)] });
    expect(outcome.events.filter((e) => e.event === 'batch').length).toBe(8);
    expect(outcome.exitAfter).toBeLessThan(3000);
  }, 120_000);

  // In process (1, auto) an epoch here is 32 batches: the loop must still let the signal in (it did not, before).
  it.each(['2', 'auto', '1'])('Ctrl-C stops training after the current step and the process exits promptly (workers: %s)', async (workers) => {
    let interruptedAt = 0;
    const outcome = await runChild(['esm', 'interrupt', workers], (line, child) => {
      if (interruptedAt === 0 && line.includes('"batch"')) {
        interruptedAt = performance.now();
        child.kill('SIGINT');
      }
    });
    expect(outcome.code).toBe(0);
    expect(outcome.events.at(-1)).toMatchObject({ event: 'done', workers: workers === '2' ? 2 : 1, interrupted: true });
    expect(performance.now() - interruptedAt).toBeLessThan(10_000);
    expect(outcome.exitAfter).toBeLessThan(3000);
  }, 120_000);
});
