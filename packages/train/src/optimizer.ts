import * as tf from '@tensorflow/tfjs-core';
import { ADAM_UPDATE, MOMENTUM_UPDATE, type AdamUpdateAttrs, type MomentumUpdateAttrs } from '@digitkit/model';
import type { OptimizerName } from './options.js';

const BETA1 = 0.9;
const BETA2 = 0.999;
const EPSILON = 1e-7;
const MOMENTUM = 0.9;

/** The fused update kernel of each optimizer (@digitkit/model registers them for `wasm`). */
const FUSED_KERNELS: Record<OptimizerName, string> = { adam: ADAM_UPDATE, sgd: MOMENTUM_UPDATE };

/**
 * Adam / SGD-with-momentum over a fixed list of parameters: one fused kernel per parameter where the
 * backend has it, else a handful of element-wise ops per parameter with constants made once (a JS
 * number in an op makes a new scalar tensor each call); both give the same bits. Its state is plain
 * tensors the caller can read into a checkpoint and put back.
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
    /** false: always the composed ops (the bench's "before"). */
    private readonly fused = true,
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
    const t = this.step;
    const rate = this.name === 'adam' ? (learningRate * Math.sqrt(1 - BETA2 ** t)) / (1 - BETA1 ** t) : learningRate;
    const updated = this.fused && tf.getKernel(FUSED_KERNELS[this.name], tf.getBackend())
      ? this.applyFused(values, grads, rate, learningRate)
      : this.applyComposed(values, grads, rate, learningRate);
    tf.dispose(this.slots.flat());
    this.slots = updated.slots;
    return updated.next;
  }

  /** One kernel per parameter; the slots come back kept. */
  private applyFused(values: readonly tf.Tensor[], grads: readonly tf.Tensor[], rate: number, learningRate: number) {
    const next: tf.Tensor[] = [];
    const slots: tf.Tensor[][] = [];
    values.forEach((value, i) => {
      const decay = this.weightDecay > 0 && this.decays[i] ? 1 - learningRate * this.weightDecay : 1;
      const slot = this.slots[i]!;
      const [x, ...state] =
        this.name === 'adam'
          ? (tf.engine().runKernel(ADAM_UPDATE, { value, grad: grads[i]!, m: slot[0]!, v: slot[1]! }, {
              rate, decay, beta1: BETA1, beta2: BETA2, epsilon: EPSILON,
            } satisfies AdamUpdateAttrs as unknown as tf.NamedAttrMap) as tf.Tensor[])
          : (tf.engine().runKernel(MOMENTUM_UPDATE, { value, grad: grads[i]!, velocity: slot[0]! }, {
              rate, decay, momentum: MOMENTUM,
            } satisfies MomentumUpdateAttrs as unknown as tf.NamedAttrMap) as tf.Tensor[]);
      next.push(x!);
      // Kept: the caller may run this inside its own tidy, which must not free the new state.
      slots.push(state.map((s) => tf.keep(s)));
    });
    return { next, slots };
  }

  /** The same update as element-wise ops, for backends without the fused kernels. */
  private applyComposed(values: readonly tf.Tensor[], grads: readonly tf.Tensor[], rateValue: number, learningRate: number) {
    const c = this.constants;
    return tf.tidy(() => {
      const rate = tf.scalar(rateValue);
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
