// MNIST slices: the real files through @digitkit/data, read once.
import { loadMnist } from '@digitkit/data';
import { describe, expect, it } from 'vitest';
import { createRng, mnist, mnistSlice } from './index.js';

describe('mnistSlice', () => {
  it('gives the images and labels of the loaded split, from start, as a copy', async () => {
    const { train, test } = await loadMnist();
    const slice = await mnistSlice({ split: 'train', start: 100, count: 50 });
    expect(slice).toMatchObject({ count: 50, width: 28, height: 28, numClasses: 10 });
    expect(slice.images).toEqual(train.images.subarray(100 * 784, 150 * 784));
    expect(slice.labels).toEqual(train.labels.subarray(100, 150));
    expect(slice.images.buffer).not.toBe((await mnist()).train.images.buffer);
    const tail = await mnistSlice({ split: 'test', start: 9990 });
    expect(tail.count).toBe(10);
    expect(tail.labels).toEqual(test.labels.subarray(9990));
  });

  it('reads the files once per process', async () => {
    expect(mnist()).toBe(mnist());
    expect(await mnistSlice({ split: 'test' })).toBe((await mnist()).test);
  });

  it('says what fits when the slice does not', async () => {
    await expect(mnistSlice({ split: 'test', start: 9990, count: 20 })).rejects.toMatchObject({
      code: 'INVALID_ARGUMENT',
      message: expect.stringContaining('the test split has 10000 images'),
    });
    await expect(mnistSlice({ split: 'train', count: -1 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    await expect(mnistSlice({ split: 'train', start: 1.5, count: 2 })).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
  });
});

describe('createRng', () => {
  it('is core\'s seeded generator: the same seed, the same numbers', () => {
    const a = createRng(3);
    const b = createRng(3);
    expect(Array.from({ length: 5 }, () => a.next())).toEqual(Array.from({ length: 5 }, () => b.next()));
  });
});
