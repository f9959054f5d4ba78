// wasmPaths in Node: TF.js's own loader would fetch a path as a URL and end the process outside any promise; these
// run in a file of their own so that the WASM backend starts here, with the paths given.
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { pathToFileURL } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { useBackend } from '../index.js';

const dist = `${dirname(createRequire(import.meta.url).resolve('@tensorflow/tfjs-backend-wasm'))}/`;

describe('wasmPaths', () => {
  it('refuses a value of the wrong shape before any backend starts', async () => {
    const refused = async (wasmPaths: unknown) => useBackend('cpu', { wasmPaths: wasmPaths as string, log: null });
    await expect(refused('wasm-files')).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/got "wasm-files", which does not end in "\/"/) });
    await expect(refused(42)).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/got number/) });
    await expect(refused({ 'tfjs-backend-wasm-simd.wasm': join(dist, 'tfjs-backend-wasm-simd.wasm') })).rejects.toMatchObject({
      code: 'BAD_OPTION',
      message: expect.stringMatching(/has no tfjs-backend-wasm\.wasm or tfjs-backend-wasm-threaded-simd\.wasm/),
    });
    await expect(refused({ 'backend.wasm': 'x' })).rejects.toMatchObject({ code: 'BAD_OPTION', message: expect.stringMatching(/unknown file name "backend.wasm"/) });
  });

  it('says which file is missing, or that Node reads from disk, instead of ending the process', async () => {
    await expect(useBackend('wasm', { wasmPaths: '/no/such/dir/', log: null })).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: expect.stringMatching(/wasmPaths points at \/no\/such\/dir\/tfjs-backend-wasm(-simd)?\.wasm, which is not there/),
    });
    await expect(useBackend('wasm', { wasmPaths: 'http://127.0.0.1:9/', log: null })).rejects.toMatchObject({
      code: 'BACKEND_UNAVAILABLE',
      message: expect.stringMatching(/but Node reads the \.wasm files from disk/),
    });
    // `auto` goes on to the next backend and says why.
    const lines: string[] = [];
    const info = await useBackend('auto', { wasmPaths: '/no/such/dir/', importNative: () => Promise.reject(new Error('Cannot find module')), log: (l) => lines.push(l) });
    expect(info.name).toBe('cpu');
    expect(lines[0]).toMatch(/wasm unavailable: wasmPaths points at \/no\/such\/dir\//);
  });

  it('starts WASM from a directory given as a file: URL', async () => {
    const info = await useBackend('wasm', { wasmPaths: pathToFileURL(dist).href, log: null });
    expect(info.name).toBe('wasm');
    expect(Array.from(tf.add(tf.tensor1d([1, 2]), 1).dataSync())).toEqual([2, 3]);
  });
});
