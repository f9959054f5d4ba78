// What the main thread and the batch-assembly thread share: a ring of batch slots and a few flags.
import type { BatchBuffers } from './batch.js';
import type { BatchRange, SharedSet } from './shared.js';

/** Slots of the ring's control array (Int32 over a SharedArrayBuffer). */
export const RING = {
  /** Set by the main thread: the running job stops before its next batch. */
  cancel: 0,
  /** 1 while the assembler runs a job (the main thread sets it when it posts one). */
  busy: 1,
  size: 2,
} as const;

/** Fields of each slot's entry in the ring's meta array, and a slot's two states. */
export const SLOT = { state: 0, batch: 1, count: 2, fields: 3, empty: 0, full: 1 } as const;

/** The ring's shared memory: `slots` batches of up to `batchSize` images ahead of the step that trains on them. */
export interface SharedRing {
  slots: number;
  batchSize: number;
  features: number;
  control: SharedArrayBuffer;
  meta: SharedArrayBuffer;
  images: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  /** The epoch's visiting order, one index per training image. */
  order: SharedArrayBuffer;
}

export interface RingViews {
  slots: number;
  control: Int32Array;
  meta: Int32Array;
  order: Uint32Array;
  /** Slot k's images and labels, as assembleBatch writes them and the stepper reads them. */
  buffers: BatchBuffers[];
}

export function createRing(slots: number, batchSize: number, features: number, count: number): SharedRing {
  return {
    slots,
    batchSize,
    features,
    control: new SharedArrayBuffer(RING.size * 4),
    meta: new SharedArrayBuffer(slots * SLOT.fields * 4),
    images: new SharedArrayBuffer(slots * batchSize * features * 4),
    labels: new SharedArrayBuffer(slots * batchSize),
    order: new SharedArrayBuffer(count * 4),
  };
}

export function openRing(ring: SharedRing): RingViews {
  const size = ring.batchSize * ring.features;
  return {
    slots: ring.slots,
    control: new Int32Array(ring.control),
    meta: new Int32Array(ring.meta),
    order: new Uint32Array(ring.order),
    buffers: Array.from({ length: ring.slots }, (_, k) => ({
      x: new Float32Array(ring.images, k * size * 4, size),
      labels: new Uint8Array(ring.labels, k * ring.batchSize, ring.batchSize),
    })),
  };
}

/** Batches [from, to) of an epoch, made as the in-process loop makes them. */
export type AssemblerJob = { type: 'job' } & BatchRange;

export type ToAssembler =
  /** `crashAfter`: a test hook, the thread exits (code 70) after making this many batches. */
  | { type: 'init'; ring: SharedRing; set: SharedSet; crashAfter?: number }
  | AssemblerJob;
