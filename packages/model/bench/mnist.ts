// MNIST for the model benchmarks: the test kit's slices (through @digitkit/data), scaled to [0, 1].
import { mnistSlice } from '@digitkit/testkit';

export interface Digits {
  x: Float32Array; // count * 784, scaled to [0, 1]
  y: Uint8Array;
  count: number;
}

export async function loadDigits(split: 'train' | 'test'): Promise<Digits> {
  const set = await mnistSlice({ split });
  return { x: Float32Array.from(set.images, (v) => v / 255), y: set.labels, count: set.count };
}

/** Random shifts of up to `max` pixels in each direction, one per image (augmentation). */
export function shifted(d: Digits, max: number, random: () => number): Float32Array {
  const out = new Float32Array(d.x.length);
  for (let n = 0; n < d.count; n++) {
    const dx = Math.floor(random() * (2 * max + 1)) - max;
    const dy = Math.floor(random() * (2 * max + 1)) - max;
    const base = n * 784;
    for (let r = 0; r < 28; r++) {
      const sr = r - dy;
      if (sr < 0 || sr >= 28) continue;
      for (let c = 0; c < 28; c++) {
        const sc = c - dx;
        if (sc >= 0 && sc < 28) out[base + r * 28 + c] = d.x[base + sr * 28 + sc]!;
      }
    }
  }
  return out;
}
