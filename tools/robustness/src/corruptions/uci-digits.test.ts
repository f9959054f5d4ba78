// UCI's digits by other writers: read from sklearn's digits.csv.gz when it is there, refused clearly when malformed.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { findUciDigits, loadUciDigits } from './uci-digits.js';

const dir = await mkdtemp(join(tmpdir(), 'uci-digits-'));
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('loadUciDigits', () => {
  it('enlarges each 8x8 row 4x to 32x32 light-on-dark bytes, 16 counts -> 255, and keeps its label', async () => {
    const path = join(dir, 'two.csv.gz');
    const counts = Array.from({ length: 64 }, (_, i) => ([27, 28, 35, 36].includes(i) ? 16 : 0));
    await writeFile(path, gzipSync(`${[...counts, 7].join(',')}\n${[...counts.map(() => 8), 3].join(',')}\n`));
    const { pictures, labels } = await loadUciDigits(path);
    expect([...labels]).toEqual([7, 3]);
    expect([pictures[0]!.width, pictures[0]!.height, pictures[0]!.channels]).toEqual([32, 32, 1]);
    expect(Math.max(...pictures[0]!.data)).toBe(255);
    expect(pictures[0]!.data[0]).toBe(0);
    expect(new Set(pictures[1]!.data)).toEqual(new Set([128]));
  });

  it('names the file and row of a malformed line', async () => {
    const path = join(dir, 'bad.csv.gz');
    await writeFile(path, gzipSync('1,2,3\n'));
    await expect(loadUciDigits(path)).rejects.toThrow(/bad\.csv\.gz row 1: expected 64 counts/);
  });

  it('is looked for where DIGITKIT_UCI_DIGITS says, else in an installed python3-sklearn', () => {
    expect(findUciDigits({ DIGITKIT_UCI_DIGITS: '/x/digits.csv.gz' })).toBe('/x/digits.csv.gz');
  });

  const installed = findUciDigits();
  it.skipIf(!installed)('reads the real file: 1,797 digits, every label 0-9 about 180 times', async () => {
    const { pictures, labels } = await loadUciDigits(installed!);
    expect(pictures).toHaveLength(1797);
    for (let d = 0; d < 10; d++) expect(labels.filter((l) => l === d).length).toBeGreaterThan(170);
  });
});
