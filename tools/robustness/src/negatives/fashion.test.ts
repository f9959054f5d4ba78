// Fashion-MNIST as the verdict benchmark's pictures with no digit: read from its IDX files where they are installed.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { writeIdxFile } from '@digitkit/data';
import { FASHION_CLASSES, fashionPictures, findFashionMnist } from './fashion.js';

const dir = await mkdtemp(join(tmpdir(), 'fashion-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

/** A set of `count` 28x28 pictures, picture i all of level i + 1 and labelled i % 10, in the four files' names. */
async function writeSet(count: number): Promise<void> {
  for (const [prefix, n] of [['train', 2], ['t10k', count]] as const) {
    const images = new Uint8Array(n * 784);
    for (let i = 0; i < n; i++) images.fill(i + 1, i * 784, (i + 1) * 784);
    await writeIdxFile(join(dir, `${prefix}-images-idx3-ubyte`), { dtype: 'uint8', shape: [n, 28, 28], data: images });
    await writeIdxFile(join(dir, `${prefix}-labels-idx1-ubyte`), { dtype: 'uint8', shape: [n], data: Uint8Array.from({ length: n }, (_, i) => i % 10) });
  }
}

describe('fashionPictures', () => {
  it('gives the first pictures of the test set as 28x28 gray samples with no digit, named by their class', async () => {
    await writeSet(12);
    const samples = await fashionPictures(dir, 11);
    expect(samples).toHaveLength(11);
    expect(samples.map((s) => s.digits)).toEqual(samples.map(() => null));
    expect(samples[3]!.image).toMatchObject({ width: 28, height: 28, channels: 1 });
    expect(new Set(samples[3]!.image.data)).toEqual(new Set([4]));
    expect(samples[8]!.what).toBe(`${FASHION_CLASSES[8]} #8`);
    expect(await fashionPictures(dir, 100)).toHaveLength(12);
  });

  it('is looked for where DIGITKIT_FASHION_MNIST says, else where Debian installs it', () => {
    expect(findFashionMnist({ DIGITKIT_FASHION_MNIST: '/x/fashion' })).toBe('/x/fashion');
  });

  const installed = findFashionMnist();
  it.skipIf(!installed)('reads the real files: the first 1,000 test pictures, every class about a tenth of them', async () => {
    const samples = await fashionPictures(installed!, 1000);
    expect(samples).toHaveLength(1000);
    for (const name of FASHION_CLASSES) expect(samples.filter((s) => s.what.startsWith(`${name} #`)).length).toBeGreaterThan(70);
  });
});
