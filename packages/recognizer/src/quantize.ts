// Affine uint8 quantization in TF.js's weight-quantization format, so stock tf.loadLayersModel dequantizes on load.

/** One entry of a TF.js weights manifest, as model.json lists it. */
export interface WeightSpec {
  name: string;
  shape: number[];
  dtype: 'float32' | 'int32' | 'bool' | 'string' | 'complex64';
  quantization?: { dtype: 'uint8' | 'uint16' | 'float16'; scale?: number; min?: number; original_dtype?: string };
}

const UINT8_MAX = 255;

/**
 * Quantizes every float32 weight to one byte per value: `q = round((v - min) / scale)`, read back as
 * `q * scale + min`. As TF.js's converter does, the range is widened to include 0 and nudged so 0 is exact
 * (zero biases and padding stay exactly zero). Returns the new manifest entries and the packed bytes.
 */
export function quantizeUint8(specs: readonly WeightSpec[], weights: ArrayBuffer): { specs: WeightSpec[]; bytes: Uint8Array } {
  const floats = specs.map((spec, i) => {
    if (spec.dtype !== 'float32' || spec.quantization) {
      throw new Error(`weight ${i} (${spec.name}) is ${spec.quantization ? `already quantized (${spec.quantization.dtype})` : spec.dtype}; only float32 weights are quantized`);
    }
    return spec.shape.reduce((a, b) => a * b, 1);
  });
  const total = floats.reduce((a, b) => a + b, 0);
  if (weights.byteLength !== total * 4) {
    throw new Error(`the manifest describes ${total} float32 values (${total * 4} bytes) but the weights hold ${weights.byteLength} bytes`);
  }
  const bytes = new Uint8Array(total);
  const out: WeightSpec[] = [];
  let offset = 0;
  specs.forEach((spec, i) => {
    const values = new Float32Array(weights, offset * 4, floats[i]!);
    const { scale, min } = affineRange(values);
    for (let j = 0; j < values.length; j++) {
      bytes[offset + j] = Math.min(UINT8_MAX, Math.max(0, Math.round((values[j]! - min) / scale)));
    }
    out.push({ ...spec, quantization: { dtype: 'uint8', scale, min, original_dtype: 'float32' } });
    offset += values.length;
  });
  return { specs: out, bytes };
}

/** The converter's range: [min(0, lo), max(0, hi)] over 255 steps, with min moved to a whole step so 0 is exact. */
function affineRange(values: Float32Array): { scale: number; min: number } {
  let lo = 0;
  let hi = 0;
  for (const v of values) {
    if (v < lo) lo = v;
    if (v > hi) hi = v;
  }
  if (hi === lo) return { scale: 1, min: lo };
  const scale = (hi - lo) / UINT8_MAX;
  const zeroPoint = Math.round(Math.min(UINT8_MAX, Math.max(0, -lo / scale)));
  return { scale, min: -zeroPoint * scale };
}
