// The batch-assembly thread: makes the in-process loop's batches ahead of it (the same assembleBatch, the same
// arguments, so the same bits) into a ring of shared slots, while the main thread trains on the previous ones.
// Started by ./prefetch.ts; never imported by the package's index.
import { parentPort } from 'node:worker_threads';
import { DigitkitError, type ImageSet } from '@digitkit/core';
import { assembleBatch, batchIndices } from './batch.js';
import { type AssemblerJob, RING, type RingViews, SLOT, type ToAssembler, openRing } from './ring.js';
import { openSet } from './shared.js';

const port = parentPort;
if (!port) throw new Error('@digitkit/train: assembler.js runs as a worker_thread started by train().');

let ring: RingViews | null = null;
let set: ImageSet | null = null;
let crashAfter = Number.POSITIVE_INFINITY;
let made = 0;

port.on('message', (message: ToAssembler) => {
  try {
    if (message.type === 'init') {
      ring = openRing(message.ring);
      set = openSet(message.set);
      crashAfter = message.crashAfter ?? crashAfter;
      port.postMessage({ type: 'ready' });
    } else if (ring && set) {
      assemble(ring, set, message);
    }
  } catch (error) {
    // The main thread hears of it between its short waits.
    const code = error instanceof DigitkitError ? error.code : 'WORKER_ERROR';
    port.postMessage({ type: 'error', code, message: error instanceof Error ? error.message : String(error) });
  } finally {
    if (ring) {
      Atomics.store(ring.control, RING.busy, 0);
      Atomics.notify(ring.control, RING.busy);
    }
  }
});

/** Makes batches [from, to) of the job's epoch, each into slot `b % slots` once the main thread has freed it. */
function assemble(views: RingViews, set: ImageSet, job: AssemblerJob): void {
  const { control, meta } = views;
  for (let b = job.from; b < job.to; b++) {
    const slot = b % views.slots;
    const state = slot * SLOT.fields + SLOT.state;
    while (Atomics.load(meta, state) !== SLOT.empty) {
      if (Atomics.load(control, RING.cancel) !== 0) return;
      Atomics.wait(meta, state, SLOT.full, 200);
    }
    if (Atomics.load(control, RING.cancel) !== 0) return;
    // Tests end the thread for real, mid-run, to check the run stops cleanly.
    if (++made > crashAfter) process.exit(70);
    const n = assembleBatch(set, batchIndices(views.order, b, job.batchSize), job.seed, job.epoch, b, job.augment, views.buffers[slot]!);
    meta[slot * SLOT.fields + SLOT.batch] = b;
    meta[slot * SLOT.fields + SLOT.count] = n;
    Atomics.store(meta, state, SLOT.full);
    Atomics.notify(meta, state);
  }
}
