import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError } from '@digitkit/core';
import { adamUpdateConfig } from './AdamUpdate.js';
import { batchMatMulConfig } from './BatchMatMul.js';
import { castConfig } from './Cast.js';
import { conv2DConfig, fusedConv2DConfig } from './Conv2D.js';
import { conv2DBackpropFilterConfig } from './Conv2DBackpropFilter.js';
import { conv2DBackpropInputConfig } from './Conv2DBackpropInput.js';
import { fusedMatMulConfig } from './FusedMatMul.js';
import { identityConfig } from './Identity.js';
import { maxPoolGradConfig } from './MaxPoolGrad.js';
import { momentumUpdateConfig } from './MomentumUpdate.js';
import { sumConfig } from './Sum.js';
import { rememberShipped } from './wasm.js';

/**
 * The kernels training needs on the `wasm` backend that the shipped backend lacks or runs slowly,
 * one file each (see the package README for figures). Register them where the backend starts,
 * `useBackend('wasm', { kernels: WASM_TRAINING_KERNELS })`, or after it with `registerWasmTrainingKernels()`;
 * both keep the shipped kernels they replace as their fallback.
 */
export const WASM_TRAINING_KERNELS: readonly tf.KernelConfig[] = [
  conv2DConfig,
  fusedConv2DConfig,
  conv2DBackpropFilterConfig,
  conv2DBackpropInputConfig,
  maxPoolGradConfig,
  sumConfig,
  batchMatMulConfig,
  fusedMatMulConfig,
  identityConfig,
  castConfig,
  adamUpdateConfig,
  momentumUpdateConfig,
];

/** Shipped WASM kernels ours call or fall back to: their presence says the backend is loaded. */
const NEEDED_SHIPPED = ['Conv2D', 'FusedConv2D', '_FusedMatMul', 'Transpose', 'BatchMatMul', 'Reverse', 'Conv2DBackpropInput', 'MaxPoolGrad', 'Sum', 'Identity', 'Cast', 'Reshape', 'Slice'];

/** Marks our kernel configs, so a second call (or a second copy of this module) can see they are in place. */
const DIGITKIT_KERNEL = Symbol.for('digitkit.wasmTrainingKernel');

/**
 * Registers `WASM_TRAINING_KERNELS` for the `wasm` backend, in place of the shipped kernels of the
 * same names (kept, so ours can fall back to them). Idempotent. Call after the WASM backend is
 * loaded (after `useBackend('wasm')`). Returns the names of the kernels digitkit provides.
 */
export function registerWasmTrainingKernels(): string[] {
  for (const name of NEEDED_SHIPPED) {
    if (!tf.getKernel(name, 'wasm')) {
      throw new DigitkitError(
        'WASM_NOT_LOADED',
        `The WASM backend is not loaded (no ${name} kernel): import "@tensorflow/tfjs-backend-wasm" (or call useBackend("wasm")) before registerWasmTrainingKernels().`,
      );
    }
  }
  for (const config of WASM_TRAINING_KERNELS) install(config);
  return WASM_TRAINING_KERNELS.map((k) => k.kernelName);
}

/** The names of `WASM_TRAINING_KERNELS` not registered for `wasm` (all of them before `registerWasmTrainingKernels()`). */
export function missingWasmTrainingKernels(): string[] {
  return WASM_TRAINING_KERNELS.map((k) => k.kernelName).filter((name) => !isDigitkitKernel(name));
}

function isDigitkitKernel(name: string): boolean {
  const kernel = tf.getKernel(name, 'wasm') as (tf.KernelConfig & { [DIGITKIT_KERNEL]?: boolean }) | undefined;
  // Ours by mark (registerWasmTrainingKernels) or by function (useBackend's `kernels` option registers the configs as they are).
  return Boolean(kernel?.[DIGITKIT_KERNEL]) || WASM_TRAINING_KERNELS.some((k) => k.kernelName === name && k.kernelFunc === kernel?.kernelFunc);
}

/** Puts our kernel in place of the shipped one (if any), keeping the shipped setup so it still initializes. */
function install(config: tf.KernelConfig): void {
  if (isDigitkitKernel(config.kernelName)) return;
  const shipped = tf.getKernel(config.kernelName, 'wasm');
  if (shipped) {
    rememberShipped(shipped);
    tf.unregisterKernel(config.kernelName, 'wasm');
  }
  tf.registerKernel({
    ...config,
    ...(shipped?.setupFunc ? { setupFunc: shipped.setupFunc } : {}),
    [DIGITKIT_KERNEL]: true,
  } as tf.KernelConfig);
}
