import * as tf from '@tensorflow/tfjs-core';
import type { OptimizerName } from './options.js';

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;
const MOMENTUM = 0.9;

/**
 * Adam / SGD-with-momentum over a fixed list of parameters, written with a handful of element-wise
 * ops per parameter and constants made once (a JS number in an op makes a new scalar tensor each
 * call). Its state is plain tensors the caller can read into a checkpoint and put back.
 */
export class Optimizer {
  /** Updates done so far (Adam's bias correction depends on it). */
  step = 0;
  private slots: tf.Tensor[][];
  private readonly constants: Record<string, tf.Scalar>;
  private readonly decays: boolean[];

  constructor(
    readonly name: OptimizerName,
    shapes: readonly (readonly number[])[],
    private readonly weightDecay: number,
  ) {
    const slotsPerParam = name === 'adam' ? 2 : 1;
    this.slots = shapes.map((shape) => Array.from({ length: slotsPerParam }, () => tf.zeros([...shape])));
    // Biases (rank 1) are not decayed, as usual.
    this.decays = shapes.map((shape) => shape.length > 1);
    this.constants = tf.tidy(() => ({
      beta1: tf.scalar(BETA1),
      oneMinusBeta1: tf.scalar(1 - BETA1),
      beta2: tf.scalar(BETA2),
      oneMinusBeta2: tf.scalar(1 - BETA2),
      epsilon: tf.scalar(EPSILON),
      momentum: tf.scalar(MOMENTUM),
    }));
    for (const c of Object.values(this.constants)) tf.keep(c);
  }

  /**
   * Returns the updated parameter values (new tensors the caller owns) and advances the state.
   * `learningRate` is the rate for this batch.
   */
  apply(values: readonly tf.Tensor[], grads: readonly tf.Tensor[], learningRate: number): tf.Tensor[] {
    this.step++;
    const c = this.constants;
    const t = this.step;
    const updated = tf.tidy(() => {
      const rate = tf.scalar(
        this.name === 'adam' ? (learningRate * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t) : learningRate,
      );
      const decay = this.weightDecay > 0 ? tf.scalar(1 - learningRate * this.weightDecay) : null;
      const next: tf.Tensor[] = [];
      const slots: tf.Tensor[][] = [];
      values.forEach((value, i) => {
        const g = grads[i]!;
        const slot = this.slots[i]!;
        const base = decay && this.decays[i] ? tf.mul(value, decay) : value;
        if (this.name === 'adam') {
          const m = tf.add(tf.mul(slot[0]!, c.beta1!), tf.mul(g, c.oneMinusBeta1!));
          const v = tf.add(tf.mul(slot[1]!, c.beta2!), tf.mul(tf.square(g), c.oneMinusBeta2!));
          next.push(tf.sub(base, tf.mul(tf.div(m, tf.add(tf.sqrt(v), c.epsilon!)), rate)));
          slots.push([m, v]);
        } else {
          const velocity = tf.add(tf.mul(slot[0]!, c.momentum!), g);
          next.push(tf.sub(base, tf.mul(velocity, rate)));
          slots.push([velocity]);
        }
      });
      // Kept: the caller may run this inside its own tidy, which must not free the new state.
      for (const slot of slots) for (const t of slot) tf.keep(t);
      return { next, slots };
    });
    tf.dispose(this.slots.flat());
    this.slots = updated.slots;
    return updated.next;
  }

  /** The state as plain arrays, slot by slot, parameter by parameter (for checkpoints). */
  exportState(): Float32Array[] {
    return this.slots.flat().map((t) => t.dataSync() as Float32Array);
  }

  /** Puts back state that `exportState` gave (same parameters, same optimizer). */
  importState(step: number, state: readonly Float32Array[]): void {
    const shapes = this.slots.map((s) => s[0]!.shape);
    const perParam = this.slots[0]?.length ?? 0;
    const next = shapes.map((shape, i) =>
      Array.from({ length: perParam }, (_, k) => tf.tensor(state[i * perParam + k]!, shape)),
    );
    tf.dispose(this.slots.flat());
    this.slots = next;
    this.step = step;
  }

  /** Shapes of the arrays `exportState` gives, in order. */
  slotShapes(): number[][] {
    return this.slots.flat().map((t) => [...t.shape]);
  }

  dispose(): void {
    tf.dispose(this.slots.flat());
    tf.dispose(Object.values(this.constants));
    this.slots = [];
  }
}
