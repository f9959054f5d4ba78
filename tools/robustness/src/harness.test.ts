import { describe, expect, it } from 'vitest';
import { type BenchmarkRow, formatTable } from './harness.js';

const row = (condition: string, cnn: number): BenchmarkRow => ({ condition, count: 500, accuracy: { cnn }, empty: 0, ms: 1 });

describe('formatTable', () => {
  it("marks drawn conditions under the target '!', and '!*' only when beyond chance; never the raw reference", () => {
    // 485 of 500 against 98%: p 0.081; 480 of 500: p < 0.05.
    const table = formatTable([row('mnist-raw', 0.95), row('mixed', 0.97), row('photo-hard', 0.96), row('web-pad', 0.99)], 0.98);
    const line = (name: string) => table.split('\n').find((l) => l.startsWith(name))!;
    expect(line('mixed')).toMatch(/97\.0%! (?!\*)/);
    expect(line('photo-hard')).toMatch(/96\.0%!\*/);
    expect(line('web-pad')).toMatch(/99\.0% {2}/);
    expect(line('mnist-raw')).not.toMatch(/!/);
    expect(table).toMatch(/^! under 98%/m);
  });

  it('prints no marks and no key without a target', () => {
    const table = formatTable([row('mixed', 0.9)]);
    expect(table).not.toMatch(/!/);
    expect(table.split('\n').find((l) => l.startsWith('mixed'))).toMatch(/ {3}90\.0% {2}/);
  });
});
