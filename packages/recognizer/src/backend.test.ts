// Its own file, so its own process state: here the user sets a backend up before creating a recognizer.
import '@tensorflow/tfjs-backend-cpu';
import * as tf from '@tensorflow/tfjs-core';
import { expect, it } from 'vitest';
import { createRecognizer } from './index.js';

it('keeps the backend the user already set, silently, and switches only when told to', async () => {
  await tf.setBackend('cpu');
  const lines: string[] = [];
  const onCpu = await createRecognizer({ model: 'mlp', log: (line) => lines.push(line) });
  expect(onCpu.backend).toBe('cpu');
  expect(tf.getBackend()).toBe('cpu');
  expect(lines).toEqual([]);
  onCpu.dispose();

  const onWasm = await createRecognizer({ model: 'mlp', backend: 'wasm', log: (line) => lines.push(line) });
  expect(onWasm.backend).toBe('wasm');
  expect(tf.getBackend()).toBe('wasm');
  expect(lines).toEqual([expect.stringMatching(/^digitkit: using the WASM .* backend \(chosen\)/)]);
  const again = await createRecognizer({ model: 'mlp', backend: 'wasm', log: (line) => lines.push(line) });
  expect(lines).toHaveLength(1);
  onWasm.dispose();
  again.dispose();
});
