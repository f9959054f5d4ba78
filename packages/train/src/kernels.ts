import * as tf from '@tensorflow/tfjs-core';
import { DigitkitError, type DigitModel } from '@digitkit/core';
import { missingWasmTrainingKernels } from '@digitkit/model';

/** The kernels each kind of layer's backward pass runs beyond element-wise ones (tfjs-layers class names). */
const GRADIENT_KERNELS: Readonly<Record<string, readonly string[]>> = {
  Dense: ['BatchMatMul'],
  Conv2D: ['Conv2DBackpropFilter', 'Conv2DBackpropInput'],
  MaxPooling2D: ['MaxPoolGrad'],
};

/**
 * Throws a DigitkitError, before any training, when `backend` cannot compute the gradients of
 * `model` (a kernel is missing, e.g. Conv2DBackpropFilter on the shipped WASM backend) or, on WASM,
 * when @digitkit/model's training kernels are not registered (the MLP would train 3x slower).
 */
export function checkGradientKernels(model: DigitModel, backend: string): void {
  const needed = new Set(model.net.layers.flatMap((layer) => GRADIENT_KERNELS[layer.getClassName()] ?? []));
  const missing = [...needed].filter((name) => !tf.getKernel(name, backend));
  const unregistered = backend === 'wasm' ? missingWasmTrainingKernels() : [];
  if (missing.length === 0 && unregistered.length === 0) return;
  const what = missing.length > 0 ? `has no ${missing.join(', ')} kernel` : `runs without digitkit's training kernels (${unregistered.join(', ')})`;
  const fix =
    backend === 'wasm'
      ? 'Start the backend with them: `import { WASM_TRAINING_KERNELS } from "@digitkit/model"; await useBackend("wasm", { kernels: WASM_TRAINING_KERNELS });` (or call registerWasmTrainingKernels() after setting the backend yourself).'
      : `Train on a backend that has them (useBackend("wasm", { kernels: WASM_TRAINING_KERNELS }) with WASM_TRAINING_KERNELS from @digitkit/model, or "cpu").`;
  throw new DigitkitError('MISSING_KERNELS', `The "${backend}" backend ${what}, which training this ${model.kind} needs. ${fix}`);
}
