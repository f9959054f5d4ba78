// The shape of a generated src/shipped/<name>.ts module, and how it turns back into TF.js artifacts.
import type * as tf from '@tensorflow/tfjs-core';
import type { WeightSpec } from './quantize.js';

/** A trained model as a generated module holds it: model.json's parts plus the (quantized) weight bytes in base64. */
export interface EmbeddedModel {
  readonly modelTopology: object;
  readonly weightSpecs: readonly WeightSpec[];
  readonly userDefinedMetadata?: Record<string, unknown>;
  /** The weight bytes, base64: one byte per value for uint8-quantized weights. */
  readonly weightsBase64: string;
}

/** Rebuilds the in-memory artifacts `tf.io.fromMemory` takes (stock TF.js dequantizes the weights while loading). */
export function toArtifacts(model: EmbeddedModel): tf.io.ModelArtifacts {
  const bytes = fromBase64(model.weightsBase64);
  return {
    modelTopology: model.modelTopology,
    weightSpecs: model.weightSpecs.map((spec) => ({ ...spec, shape: [...spec.shape] })) as tf.io.WeightsManifestEntry[],
    weightData: bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer,
    ...(model.userDefinedMetadata ? { userDefinedMetadata: model.userDefinedMetadata as tf.io.ModelArtifacts['userDefinedMetadata'] } : {}),
  };
}

/** base64 -> bytes with `atob`, which Node (16+) and browsers both have. */
export function fromBase64(text: string): Uint8Array {
  const binary = atob(text);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
