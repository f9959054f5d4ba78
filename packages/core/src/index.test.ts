import * as tf from '@tensorflow/tfjs-core';
import { describe, expect, it } from 'vitest';
import { BACKEND_NAMES, BACKENDS, type BackendSpec, DigitkitError, fallbackOrder, parseBackendChoice, replacedKernel, useBackend } from './index.js';

describe('BACKENDS', () => {
  it('lists every backend once, in the order auto tries them, each a plain object of one shape', () => {
    expect(BACKENDS.map((spec) => spec.name)).toEqual(['tensorflow', 'wasm', 'cpu']);
    expect(BACKEND_NAMES).toEqual(['tensorflow', 'wasm', 'cpu']);
    for (const spec of BACKENDS as readonly BackendSpec[]) {
      expect(spec.runsIn.length).toBeGreaterThan(0);
      expect(typeof spec.load).toBe('function');
      expect(typeof spec.describe).toBe('function');
    }
  });
});

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

// The two methods of tfjs-backend-cpu's MathBackendCPU this test kernel uses.
type CpuBackend = {
  readSync(dataId: object): Float32Array;
  makeTensorInfo(shape: number[], dtype: 'float32', values: Float32Array): tf.TensorInfo;
};

describe('useBackend kernels', () => {
  // A kernel TF.js does not have, so registering it changes nothing else in this file.
  const double: tf.KernelConfig = {
    kernelName: 'DigitkitTestDouble',
    backendName: 'cpu',
    kernelFunc: ({ inputs, backend }) => {
      const x = inputs.x as tf.TensorInfo;
      const cpu = backend as unknown as CpuBackend;
      return cpu.makeTensorInfo(x.shape, 'float32', cpu.readSync(x.dataId).map((v) => v * 2));
    },
  };

  it('registers the kernels meant for the backend that runs, after it runs, and says which', async () => {
    const forWasm: tf.KernelConfig = { ...double, backendName: 'wasm', kernelName: 'DigitkitTestWasmOnly' };
    const info = await useBackend('cpu', { log: null, kernels: [double, forWasm] });
    expect(info.kernels).toEqual(['DigitkitTestDouble']);
    expect(tf.getKernel('DigitkitTestWasmOnly', 'wasm')).toBeUndefined();
    const out = tf.engine().runKernel('DigitkitTestDouble', { x: tf.tensor1d([1, 2.5]) }, {}) as tf.Tensor;
    expect(Array.from(out.dataSync())).toEqual([2, 5]);
    // Starting again with the same list is harmless.
    await expect(useBackend('cpu', { log: null, kernels: [double] })).resolves.toMatchObject({ kernels: ['DigitkitTestDouble'] });
    tf.unregisterKernel('DigitkitTestDouble', 'cpu');
  });

  it('replaces a kernel of the same name, and keeps the shipped one for the replacement to call', async () => {
    await useBackend('cpu', { log: null });
    const shipped = tf.getKernel('Neg', 'cpu');
    expect(shipped).toBeDefined();
    expect(replacedKernel('Neg', 'cpu')).toBeUndefined();
    // Twice the shipped negation: a replacement that builds on the kernel it replaces.
    const twiceNeg: tf.KernelConfig = {
      kernelName: 'Neg',
      backendName: 'cpu',
      kernelFunc: (args) => {
        const negated = replacedKernel('Neg', 'cpu')!.kernelFunc(args) as tf.TensorInfo;
        const out = double.kernelFunc({ ...args, inputs: { x: negated } }) as tf.TensorInfo;
        (args.backend as tf.KernelBackend).disposeData(negated.dataId);
        return out;
      },
    };
    try {
      await useBackend('cpu', { log: null, kernels: [twiceNeg] });
      await useBackend('cpu', { log: null, kernels: [twiceNeg] });
      expect(replacedKernel('Neg', 'cpu')).toBe(shipped);
      expect(Array.from(tf.neg(tf.tensor1d([3])).dataSync())).toEqual([-6]);
    } finally {
      tf.unregisterKernel('Neg', 'cpu');
      if (shipped) tf.registerKernel(shipped);
    }
    expect(Array.from(tf.neg(tf.tensor1d([3])).dataSync())).toEqual([-3]);
  });

  it("runs a new kernel's setup step on the backend that is already running", async () => {
    const seen: unknown[] = [];
    const withSetup: tf.KernelConfig = { ...double, kernelName: 'DigitkitTestSetup', setupFunc: (backend) => seen.push(backend) };
    await useBackend('cpu', { log: null, kernels: [withSetup] });
    expect(seen).toEqual([tf.backend()]);
    tf.unregisterKernel('DigitkitTestSetup', 'cpu');
  });

  it('rejects a malformed kernel before starting anything, with the right shape in the message', async () => {
    const bad = [{ kernelName: 'Neg', backendName: 'cpu' }] as unknown as tf.KernelConfig[];
    await expect(useBackend('cpu', { log: null, kernels: bad })).rejects.toThrow(/kernels\[0\] is not a TF\.js KernelConfig: it needs \{ kernelName/);
    await expect(useBackend('cpu', { log: null, kernels: bad })).rejects.toMatchObject({ code: 'BAD_KERNELS' });
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

describe('isProcessAlive', () => {
  it('is true for this process and false for one that has exited', async () => {
    const { isProcessAlive } = await import('./index.js');
    const { spawnSync } = await import('node:child_process');
    const exited = spawnSync(process.execPath, ['-e', '0']).pid;
    expect(isProcessAlive(process.pid)).toBe(true);
    expect(exited).toBeGreaterThan(0);
    expect(isProcessAlive(exited!)).toBe(false);
  });
});
