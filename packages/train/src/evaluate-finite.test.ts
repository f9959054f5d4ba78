// evaluate on a model whose weights went NaN: it must fail, on every backend, never report a finite loss.
import * as tf from '@tensorflow/tfjs-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { useBackend } from '@digitkit/core';
import { mnistSlice } from '@digitkit/testkit';
import { mlp } from '@digitkit/model';
import { evaluate } from './evaluate.js';

describe.each(['wasm', 'cpu'] as const)('evaluate on %s with non-finite weights', (backend) => {
  beforeAll(async () => {
    await useBackend(backend, { log: null });
  });

  it('fails with a clear message instead of a finite loss', async () => {
    const set = await mnistSlice({ split: 'test', count: 200 });
    const model = mlp({ seed: 3 });
    const healthy = evaluate(model, set);
    expect(Number.isFinite(healthy.loss)).toBe(true);
    model.net.setWeights(model.net.getWeights().map((w) => tf.fill(w.shape, Number.NaN)));
    expect(() => evaluate(model, set)).toThrow(/non-finite outputs.*Train it again/);
  });
});
