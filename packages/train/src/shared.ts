// What the main thread and the training workers share: the memory layout and the barrier.
import type { AugmentOptions, ImageSet, Prediction } from '@digitkit/core';

/** Slots of the control array (Int32 over a SharedArrayBuffer). */
export const CONTROL = {
  /** Workers arrived at the barrier of this step. */
  arrived: 0,
  /** Bumped each time the barrier opens. */
  generation: 1,
  /** Set by the main thread (Ctrl-C, AbortSignal): stop after the current step. */
  stop: 2,
  /** What the last worker to arrive read from `stop`: every worker decides the same. */
  decision: 3,
  /** Set by the main thread when a worker died: the others leave the barrier and exit. */
  failed: 4,
  size: 8,
} as const;

/** How long a worker waits at the barrier before it checks whether the run failed (ms). */
const WAIT_SLICE_MS = 200;

/** Thrown in a worker when the main thread marked the run failed: it exits quietly. */
export class RunFailed extends Error {}

/** A worker's arrival at the barrier of one step: `last` when it opened the barrier itself. */
export interface Arrival {
  generation: number;
  last: boolean;
}

/**
 * Arrives at the barrier without waiting (split in two so that a worker that is early can do the next step's
 * weight-free work, its batch, before it waits). The last to arrive reads the stop flag once and publishes it.
 */
export function arrive(control: Int32Array, parties: number): Arrival {
  const generation = Atomics.load(control, CONTROL.generation);
  const last = Atomics.add(control, CONTROL.arrived, 1) === parties - 1;
  if (last) {
    Atomics.store(control, CONTROL.arrived, 0);
    Atomics.store(control, CONTROL.decision, Atomics.load(control, CONTROL.stop));
    Atomics.add(control, CONTROL.generation, 1);
    Atomics.notify(control, CONTROL.generation);
  }
  return { generation, last };
}

/** Waits until every worker has arrived; returns true when the run stops after this step (the same answer for all). */
export function awaitOthers(control: Int32Array, arrival: Arrival): boolean {
  while (Atomics.load(control, CONTROL.generation) === arrival.generation) {
    if (Atomics.load(control, CONTROL.failed) !== 0) throw new RunFailed('the run failed in another worker');
    Atomics.wait(control, CONTROL.generation, arrival.generation, WAIT_SLICE_MS);
  }
  return Atomics.load(control, CONTROL.decision) !== 0;
}

/** An ImageSet whose pixels and labels live in SharedArrayBuffers (what crosses to the workers). */
export interface SharedSet {
  images: SharedArrayBuffer;
  labels: SharedArrayBuffer;
  count: number;
  height: number;
  width: number;
  numClasses: number;
}

/** Copies a set into shared memory once; every worker reads that one copy. */
export function shareSet(set: ImageSet): SharedSet {
  const pixels = set.count * set.height * set.width;
  const images = new SharedArrayBuffer(pixels);
  new Uint8Array(images).set(set.images.subarray(0, pixels));
  const labels = new SharedArrayBuffer(set.count);
  new Uint8Array(labels).set(set.labels.subarray(0, set.count));
  return { images, labels, count: set.count, height: set.height, width: set.width, numClasses: set.numClasses };
}

export function openSet(shared: SharedSet): ImageSet {
  return { ...shared, images: new Uint8Array(shared.images), labels: new Uint8Array(shared.labels) };
}

/** Batches [from, to) of an epoch, as the loop makes them: what a training worker trains on, or the assembler makes. */
export interface BatchRange {
  epoch: number;
  from: number;
  to: number;
  batchSize: number;
  seed: number;
  augment: false | Required<AugmentOptions>;
}

/** What the main thread sends a worker. */
export type ToWorker =
  | {
      type: 'init';
      index: number;
      workers: number;
      backend: string;
      model: { modelTopology: unknown; weightSpecs: unknown; weightData: ArrayBuffer };
      /** The weights, in `net.weights` order (a resumed run's, or the model's own). */
      weights: Float32Array[];
      /** null: a pool that only evaluates and predicts. */
      optimizer: { name: 'adam' | 'sgd'; weightDecay: number; step: number; state: Float32Array[] | null } | null;
      train: SharedSet | null;
      control: SharedArrayBuffer;
      grads: SharedArrayBuffer;
      stats: SharedArrayBuffer;
      order: SharedArrayBuffer;
      /** Test hook: a worker with this index crashes (exits) at this global step. */
      crashAt?: { worker: number; step: number; how: 'exit' | 'oom' };
    }
  | ({ type: 'run'; rates: number[] } & BatchRange)
  | { type: 'state' }
  | { type: 'evaluate'; set: SharedSet; start: number; end: number; batchSize: number }
  | { type: 'predict'; x: SharedArrayBuffer; features: number; start: number; end: number };

/** What a worker answers. */
export type FromWorker =
  | { type: 'ready' }
  | { type: 'ran'; steps: number; time: WorkerTime }
  | { type: 'state'; weights: Float32Array[]; optimizer: { step: number; state: Float32Array[]; slotShapes: number[][] } }
  | { type: 'evaluated'; predicted: Uint8Array; lossSum: number; outputSum: number }
  | { type: 'predicted'; predictions: Prediction[] }
  | { type: 'error'; code: string; message: string };

/** Where a worker's time went, in milliseconds summed over its steps. */
export interface WorkerTime {
  /** Assembling its share of the batch and computing its gradients (reading them out included; a batch made while early at the barrier too). */
  gradients: number;
  /** Waiting at the barrier for the slowest worker. */
  wait: number;
  /** Adding every worker's gradients and taking the optimizer step. */
  update: number;
}
