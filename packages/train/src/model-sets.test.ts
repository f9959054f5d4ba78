import { describe, expect, it } from 'vitest';
import { mnistSlice } from '@digitkit/testkit';
import { classNamesForModel, setForModel, testSetForModel } from './index.js';

describe('setForModel', () => {
  it('gives the digit models their digits as they are, and kinds outside the table too', async () => {
    const digits = await mnistSlice({ split: 'train', count: 50 });
    expect(setForModel('mlp', digits, 1)).toBe(digits);
    expect(setForModel('cnn', digits, 1)).toBe(digits);
    expect(setForModel('custom', digits, 1)).toBe(digits);
    expect(classNamesForModel('cnn')).toBeUndefined();
  });

  it('makes the number reader 1.6 28x56 numbers a digit to train on, seeded, and one a digit to test on, from one fixed seed', async () => {
    const digits = await mnistSlice({ split: 'train', count: 300 });
    const numbers = setForModel('numbers', digits, 1);
    expect(numbers).toMatchObject({ count: 480, width: 56, height: 28, numClasses: 112 });
    expect(numbers.images).toEqual(setForModel('numbers', digits, 1).images);
    expect(numbers.images).not.toEqual(setForModel('numbers', digits, 2).images);
    // Pairs, singles, more and none all appear.
    const labels = Array.from(numbers.labels);
    expect(labels.some((l) => l < 100) && labels.some((l) => l >= 100 && l < 110) && labels.includes(110) && labels.includes(111)).toBe(true);
    const test = testSetForModel('numbers', digits);
    expect(test).toMatchObject({ count: 300, width: 56, height: 28 });
    expect(test.images).toEqual(testSetForModel('numbers', digits).images);
    expect(test.images).not.toEqual(numbers.images.subarray(0, test.images.length));
    expect(testSetForModel('mlp', digits)).toBe(digits);
  });

  it('names the number reader\'s classes: a pair, a single digit, more, none', () => {
    const names = classNamesForModel('numbers')!;
    expect(names).toHaveLength(112);
    expect([names[7], names[42], names[107], names[110], names[111]]).toEqual(['07', '42', '7', 'three or more', 'no digit']);
    expect(new Set(names).size).toBe(112);
  });
});
