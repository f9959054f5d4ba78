import { beforeAll, describe, expect, it } from 'vitest';
import { DigitkitError, useBackend, type ImageSet } from '@digitkit/core';
import { cnn, mlp, registerWasmTrainingKernels } from '@digitkit/model';
import { checkGradientKernels } from './kernels.js';
import { train } from './train.js';
import { mnistSlice } from './test-support.js';

// This file loads WASM without registering @digitkit/model's kernels (vitest gives each file its own
// TF.js), to see train() refuse, then registers them.

let data: { train: ImageSet };
beforeAll(async () => {
  await useBackend('wasm', { log: null });
  data = await mnistSlice(256, 10);
});

describe('checkGradientKernels', () => {
  it('stops train() on WASM until the training kernels are registered, saying how to register them', async () => {
    const model = mlp({ seed: 1 });
    const attempt = train(model, data, { epochs: 1, batchSize: 128 });
    await expect(attempt).rejects.toThrow(DigitkitError);
    await expect(train(model, data, { epochs: 1, batchSize: 128 })).rejects.toThrow(/registerWasmTrainingKernels\(\)/);
    registerWasmTrainingKernels();
    const convolutional = cnn({ filters: [2, 4], dense: 8 });
    expect(() => checkGradientKernels(convolutional, 'wasm')).not.toThrow();
    convolutional.net.dispose();
    const result = await train(model, data, { epochs: 1, batchSize: 128 });
    expect(result.history).toHaveLength(1);
    model.net.dispose();
  });

  it("names the layers' gradient kernels a backend lacks", () => {
    const model = cnn({ filters: [2, 4], dense: 8 });
    expect(() => checkGradientKernels(model, 'no-such-backend')).toThrow(/Conv2DBackpropFilter, Conv2DBackpropInput, MaxPoolGrad/);
    model.net.dispose();
  });
});
