// Training progress as Keras shows it: on a terminal, `Epoch 3/15` then one live bar replaced by the epoch's summary
// line; elsewhere (CI logs, pipes) one line per epoch.
import type { EpochMetrics } from '@digitkit/core';
import type { BatchInfo } from '@digitkit/train';
import { duration, rate } from './format.js';

export interface Progress {
  batch(info: BatchInfo): void;
  epoch(metrics: EpochMetrics): void;
  stop(): void;
}

export interface ProgressPlan {
  epochs: number;
  /** Training images per epoch and per batch: the bar's running loss weighs each report by the images it covers. */
  count: number;
  batchSize: number;
  /** Where a resumed run starts (0-based epoch and batch, as the checkpoint says), so its first epoch's figures cover only what it trains. */
  resumeAt?: { epoch: number; batch: number };
  stream?: NodeJS.WriteStream;
}

const BAR_WIDTH = 20;
// Erase the line and return to its start, so the bar and then the summary overwrite it.
const REWRITE = '\r\x1b[2K';

export function createProgress({ epochs, count, batchSize, resumeAt, stream = process.stderr }: ProgressPlan): Progress {
  const steps = Math.ceil(count / batchSize);
  const live = Boolean(stream.isTTY);
  // The epoch under way: running sums over the reports so far, so the bar shows the epoch's mean loss, as the summary does.
  let current: { epoch: number; started: number; firstBatch: number; lastBatch: number; lastAt: number; loss: number; correct: number; seen: number } | null = null;
  const seenAfter = (batch: number) => Math.min(batch * batchSize, count);
  // An epoch starts when the one before it ended (reports come only every few batches).
  let lastEnd = performance.now();

  const begin = (epoch: number) => {
    const firstBatch = resumeAt && epoch === resumeAt.epoch + 1 ? resumeAt.batch : 0;
    current = { epoch, started: lastEnd, firstBatch, lastBatch: firstBatch, lastAt: lastEnd, loss: 0, correct: 0, seen: 0 };
    if (live) stream.write(`Epoch ${epoch}/${epochs}\n`);
  };
  const msPerStep = () => (current && current.lastBatch > current.firstBatch ? (current.lastAt - current.started) / (current.lastBatch - current.firstBatch) : 0);

  return {
    batch(info) {
      if (current?.epoch !== info.epoch) begin(info.epoch);
      const run = current!;
      const images = seenAfter(info.batch) - seenAfter(run.lastBatch);
      run.loss += info.loss * images;
      run.correct += info.accuracy * images;
      run.seen += images;
      run.lastBatch = info.batch;
      run.lastAt = performance.now();
      if (!live) return;
      const ms = msPerStep();
      const eta = (ms * (steps - info.batch)) / 1000;
      stream.write(`${REWRITE}${stepsDone(info.batch, steps)} ${bar(info.batch / steps)} ${duration(eta)} ${Math.round(ms)}ms/step - ${figures(run.loss / run.seen, run.correct / run.seen)}`);
    },
    epoch(metrics) {
      const run = current?.epoch === metrics.epoch ? current : null;
      const ms = run ? msPerStep() : (metrics.seconds * 1000) / steps;
      const line =
        `${stepsDone(steps, steps)} ${live ? `${bar(1)} ` : '- '}${duration(metrics.seconds)} ${Math.round(ms)}ms/step - ` +
        figures(metrics.loss, metrics.accuracy) +
        (metrics.valLoss !== undefined ? ` - val_loss: ${metrics.valLoss.toFixed(4)} - val_accuracy: ${(metrics.valAccuracy ?? 0).toFixed(4)}` : '') +
        ` - lr: ${rate(metrics.learningRate)}`;
      if (live) {
        if (!run) stream.write(`Epoch ${metrics.epoch}/${epochs}\n`);
        stream.write(`${REWRITE}${line}\n`);
      } else {
        stream.write(`Epoch ${metrics.epoch}/${epochs} - ${line}\n`);
      }
      current = null;
      lastEnd = performance.now();
    },
    stop() {
      // An interrupted epoch leaves its bar: end its line so the next message starts on its own.
      if (live && current) stream.write('\n');
      current = null;
    },
  };
}

function stepsDone(done: number, steps: number): string {
  return `${String(done).padStart(String(steps).length)}/${steps}`;
}

function bar(fraction: number): string {
  const full = Math.round(Math.min(1, Math.max(0, fraction)) * BAR_WIDTH);
  return `${'━'.repeat(full)}${'─'.repeat(BAR_WIDTH - full)}`;
}

function figures(loss: number, accuracy: number): string {
  return `loss: ${loss.toFixed(4)} - accuracy: ${accuracy.toFixed(4)}`;
}
