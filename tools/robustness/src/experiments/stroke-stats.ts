// Stroke width (2 * area / perimeter at half the maximum) of toMnistFormat's output per condition vs MNIST's own:
// where the pipeline's strokes leave MNIST's range. Usage: stroke-stats.ts [count]
import { loadMnist } from '@digitkit/data';
import { strokeWidth, toMnistFormat } from '@digitkit/preprocess';
import { CONDITIONS, drawCondition } from '../conditions.js';

const count = Number(process.argv[2] ?? 200);
const { test } = await loadMnist();
const q = (v: number[], p: number) => v.sort((a, b) => a - b)[Math.floor(p * (v.length - 1))]!.toFixed(2);
const widthOf = (pixels: Uint8Array) => {
  let max = 0;
  for (const v of pixels) max = Math.max(max, v);
  return strokeWidth({ data: pixels, width: 28, height: 28 }, 0.5 * max);
};
const mnist: number[] = [];
for (let i = 0; i < 2000; i++) mnist.push(widthOf(test.images.subarray(i * 784, (i + 1) * 784)));
console.log(`MNIST test           p10 ${q(mnist, 0.1)} p50 ${q(mnist, 0.5)} p90 ${q(mnist, 0.9)} p99 ${q(mnist, 0.99)}`);
for (const condition of CONDITIONS.filter((c) => !c.raw)) {
  const widths: number[] = [];
  for (const d of drawCondition(condition, test, count, 1)) {
    const r = toMnistFormat(d.image);
    if (!r.empty) widths.push(widthOf(r.pixels));
  }
  console.log(`${condition.name.padEnd(20)} p10 ${q(widths, 0.1)} p50 ${q(widths, 0.5)} p90 ${q(widths, 0.9)} p99 ${q(widths, 0.99)}`);
}
