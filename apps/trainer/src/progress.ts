// Training progress: a live bar on a terminal (cli-progress), one line per epoch elsewhere (CI logs, pipes).
import cliProgress from 'cli-progress';
import type { EpochMetrics } from '@digitkit/core';
import type { BatchInfo } from '@digitkit/train';
import { percent } from './runtime.js';

export interface Progress {
  batch(info: BatchInfo): void;
  epoch(metrics: EpochMetrics): void;
  stop(): void;
}

export function createProgress(epochs: number, batchesPerEpoch: number, stream: NodeJS.WriteStream = process.stderr): Progress {
  const total = epochs * batchesPerEpoch;
  const started = performance.now();
  const bar = stream.isTTY
    ? new cliProgress.SingleBar(
        {
          stream,
          format: 'epoch {epoch}/{epochs} {bar} {percentage}% | loss {loss} | acc {acc} | {speed} img/s | {elapsed}s, {left} left',
          barCompleteChar: '█',
          barIncompleteChar: '░',
          hideCursor: true,
          etaBuffer: 200,
        },
        cliProgress.Presets.shades_classic,
      )
    : undefined;
  // Every token of the format needs a value, or cli-progress prints it raw ("{loss}").
  const blank = (epoch: number) => ({ epoch, epochs, loss: '-', acc: '-', speed: '-', elapsed: ((performance.now() - started) / 1000).toFixed(0), left: '?' });
  bar?.start(total, 0, blank(1));

  const epochLine = (m: EpochMetrics) => {
    const val = m.valAccuracy !== undefined ? ` | val loss ${m.valLoss?.toFixed(4)} val acc ${percent(m.valAccuracy)}` : '';
    return `epoch ${m.epoch}/${epochs}: loss ${m.loss.toFixed(4)} acc ${percent(m.accuracy)}${val} | lr ${m.learningRate.toExponential(2)} | ${m.seconds.toFixed(1)} s`;
  };

  return {
    batch(info) {
      if (!bar) return;
      const done = (info.epoch - 1) * batchesPerEpoch + info.batch;
      const elapsed = (performance.now() - started) / 1000;
      const left = done > 0 ? (elapsed / done) * (total - done) : 0;
      bar.update(done, {
        epoch: info.epoch,
        loss: info.loss.toFixed(4),
        acc: percent(info.accuracy, 1),
        speed: Math.round(info.samplesPerSecond).toLocaleString('en'),
        elapsed: elapsed.toFixed(0),
        left: `${left.toFixed(0)}s`,
      });
    },
    epoch(metrics) {
      if (bar) {
        // Keep a permanent line per epoch above the live bar.
        bar.stop();
        stream.write(`${epochLine(metrics)}\n`);
        if (metrics.epoch < epochs) bar.start(total, metrics.epoch * batchesPerEpoch, blank(metrics.epoch + 1));
      } else {
        stream.write(`${epochLine(metrics)}\n`);
      }
    },
    stop() {
      bar?.stop();
    },
  };
}
