// The main thread's side of the batch-assembly thread: when a run trains in process on a machine with a core to
// spare, its augmented batches are made on that core a few steps ahead (./assembler.ts) instead of between steps.
// The thread calls the loop's own assembleBatch with the loop's own arguments, so the batches, and the weights,
// are the same bits as without it.
import type { Worker } from 'node:worker_threads';
import { DigitkitError, type ImageSet } from '@digitkit/core';
import type { BatchBuffers } from './batch.js';
import type { ResolvedConfig } from './options.js';
import { trackThread, workerEntry, yieldToEventLoop } from './pool.js';
import { RING, type RingViews, SLOT, type ToAssembler, createRing, openRing } from './ring.js';
import { shareSet } from './shared.js';

/** Batches made ahead: enough to ride out one slow batch (a pair or a stain), little memory (4 x 400 KB at 128). */
const SLOTS = 4;
/** How long one blocking wait lasts before the event loop runs (to hear of a thread that died). */
const WAIT_SLICE_MS = 20;

export interface BatchAssembler {
  /** Batch `b` of `epoch` (visiting `order`), made ahead; its buffers stay valid until `release(b)`. */
  take(epoch: number, b: number, order: Uint32Array): Promise<{ buffers: BatchBuffers; n: number }>;
  /** The step is done with batch `b`: its slot may take a later batch. */
  release(b: number): void;
  /** Ends the thread; resolves when it has exited. */
  close(): Promise<void>;
}

export async function startAssembler(config: ResolvedConfig, trainSet: ImageSet): Promise<BatchAssembler> {
  const { Worker } = await import('node:worker_threads');
  const batchSize = Math.min(config.batchSize, trainSet.count);
  const batches = Math.ceil(trainSet.count / config.batchSize);
  const shared = createRing(SLOTS, batchSize, trainSet.height * trainSet.width, trainSet.count);
  const ring: RingViews = openRing(shared);
  const thread: Worker = new Worker(await workerEntry('assembler'));
  let failure: DigitkitError | null = null;
  let closing = false;
  const exited = trackThread(thread, (code) => {
    if (!closing) failure ??= new DigitkitError('WORKER_FAILED', `The batch-assembly thread stopped unexpectedly (exit code ${code}), so the run stopped.`);
  });
  thread.on('error', (error: Error) => {
    failure ??= new DigitkitError('WORKER_FAILED', `The batch-assembly thread crashed (${error.message.split('\n')[0]}), so the run stopped.`);
  });
  let ready: () => void = () => {};
  const started = new Promise<void>((resolve) => (ready = resolve));
  thread.on('message', (message: { type: 'ready' } | { type: 'error'; code: string; message: string }) => {
    if (message.type === 'error') failure ??= new DigitkitError(message.code, message.message);
    // An error before the thread was ready ends the wait for it too (checked below).
    ready();
  });
  const close = async () => {
    closing = true;
    Atomics.store(ring.control, RING.cancel, 1);
    await thread.terminate();
    await exited;
  };

  // Blocks in short slices (a batch is ready within milliseconds), letting the event loop run between them.
  const waitUntil = async (done: () => boolean, array: Int32Array, index: number, value: number) => {
    while (!done()) {
      if (failure) throw failure;
      if (Atomics.wait(array, index, value, WAIT_SLICE_MS) !== 'ok') await yieldToEventLoop();
    }
  };
  const slotOf = (b: number) => b % SLOTS;
  const field = (slot: number, name: 'state' | 'batch' | 'count') => slot * SLOT.fields + SLOT[name];

  /** The batch the running job makes next for the main thread (null: no job, or one that no longer matches). */
  let job: { epoch: number; order: Uint32Array; next: number } | null = null;
  const startJob = async (epoch: number, from: number, order: Uint32Array) => {
    // Stop the running job (it may be waiting for a slot) and wait until it has let go of the ring.
    Atomics.store(ring.control, RING.cancel, 1);
    for (let slot = 0; slot < SLOTS; slot++) Atomics.notify(ring.meta, field(slot, 'state'));
    await waitUntil(() => Atomics.load(ring.control, RING.busy) === 0, ring.control, RING.busy, 1);
    ring.order.set(order);
    for (let slot = 0; slot < SLOTS; slot++) Atomics.store(ring.meta, field(slot, 'state'), SLOT.empty);
    Atomics.store(ring.control, RING.cancel, 0);
    Atomics.store(ring.control, RING.busy, 1);
    const message: ToAssembler = { type: 'job', epoch, from, to: batches, batchSize: config.batchSize, seed: config.seed, augment: config.augment };
    thread.postMessage(message);
    job = { epoch, order, next: from };
  };

  try {
    const crashAfter = Number(process.env.DIGITKIT_TEST_ASSEMBLER_CRASH) || undefined;
    thread.postMessage({ type: 'init', ring: shared, set: shareSet(trainSet), ...(crashAfter ? { crashAfter } : {}) } satisfies ToAssembler);
    await Promise.race([started, exited.then(() => Promise.reject(failure))]);
    if (failure) throw failure;
  } catch (error) {
    await close();
    throw error;
  }

  return {
    async take(epoch, b, order) {
      if (!job || job.epoch !== epoch || job.order !== order || job.next !== b) await startJob(epoch, b, order);
      const slot = slotOf(b);
      const state = field(slot, 'state');
      await waitUntil(() => Atomics.load(ring.meta, state) === SLOT.full, ring.meta, state, SLOT.empty);
      if (ring.meta[field(slot, 'batch')] !== b) throw new Error(`the batch-assembly thread made batch ${ring.meta[field(slot, 'batch')]} where ${b} was due`);
      job!.next = b + 1;
      return { buffers: ring.buffers[slot]!, n: ring.meta[field(slot, 'count')]! };
    },
    release(b) {
      const state = field(slotOf(b), 'state');
      Atomics.store(ring.meta, state, SLOT.empty);
      Atomics.notify(ring.meta, state);
    },
    close,
  };
}
