import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { DigitkitError, fallbackOrder, parseBackendChoice, useBackend } from './index.js';

describe('fallbackOrder', () => {
  it('tries native, then WASM, then CPU in Node', () => {
    expect(fallbackOrder('auto', true)).toEqual(['tensorflow', 'wasm', 'cpu']);
  });
  it('never tries the native backend in a browser', () => {
    expect(fallbackOrder('auto', false)).toEqual(['wasm', 'cpu']);
  });
  it('tries only the named backend when one is chosen', () => {
    expect(fallbackOrder('cpu', true)).toEqual(['cpu']);
  });
});

describe('parseBackendChoice', () => {
  it('accepts known names', () => {
    expect(parseBackendChoice('wasm')).toBe('wasm');
    expect(parseBackendChoice('auto')).toBe('auto');
  });
  it('rejects unknown names with the list of valid ones', () => {
    expect(() => parseBackendChoice('gpu')).toThrow(/Unknown backend "gpu".*auto, tensorflow, wasm, cpu/);
    expect(() => parseBackendChoice('gpu')).toThrow(DigitkitError);
  });
});

describe('useBackend', () => {
  it('falls back from a missing native backend to WASM and says why in one line', async () => {
    const lines: string[] = [];
    const info = await useBackend('auto', {
      importNative: () => Promise.reject(new Error('Cannot find module @tensorflow/tfjs-node')),
      log: (line) => lines.push(line),
    });
    expect(info.name).toBe('wasm');
    expect(tf.getBackend()).toBe('wasm');
    expect(info.skipped.map((s) => s.name)).toEqual(['tensorflow']);
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/using the WASM .* backend \(tensorflow unavailable: @tensorflow\/tfjs-node is not installed\)/);
  });

  it('starts the CPU backend when asked and computes on it', async () => {
    const info = await useBackend('cpu', { log: null });
    expect(info).toMatchObject({ name: 'cpu', reason: 'chosen' });
    expect(tf.getBackend()).toBe('cpu');
    expect(Array.from(tf.add(tf.tensor1d([1, 2]), 1).dataSync())).toEqual([2, 3]);
  });

  it('throws a clear error when the named native backend is unavailable', async () => {
    await expect(
      useBackend('tensorflow', { importNative: () => Promise.reject(new Error('no libtensorflow')), log: null }),
    ).rejects.toThrow(/Could not start the tensorflow backend \(tensorflow: .*native library is missing.*\)\. Install @tensorflow\/tfjs-node/);
  });
});

describe('native backend failures', () => {
  it('says in plain words that tfjs-node is not installed', async () => {
    const lines: string[] = [];
    await useBackend('auto', {
      importNative: () => Promise.reject(new Error("Cannot find package '@tensorflow/tfjs-node' imported from /x.js")),
      log: (line) => lines.push(line),
    });
    expect(lines[0]).toMatch(/tensorflow unavailable: @tensorflow\/tfjs-node is not installed\)/);
  });
  it('says when tfjs-node is installed without its native library', async () => {
    const lines: string[] = [];
    await useBackend('auto', {
      importNative: () => Promise.reject(new Error('The Node.js native addon module (tfjs_binding.node) can not be found at path: /x')),
      log: (line) => lines.push(line),
    });
    expect(lines[0]).toMatch(/native library is missing/);
  });
});
