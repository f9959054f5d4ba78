import { loadMnist } from '@digitkit/data';
import { toGrayscale } from '@digitkit/preprocess';
import { inkStatistics } from '/tmp/thumbs-copies/dbg/image.ts';
import { removeBackground, hasDarkInk } from '/tmp/thumbs-copies/dbg/mnist-format.ts';
import { corruptFamily, FAMILIES } from './src/corruptions/families.js';
const { test } = await loadMnist();
const set = corruptFamily(FAMILIES.find((f) => f.name === 'uci-format')!, test, 300, 1);
for (const i of (process.argv[2] ?? '60,66,9').split(',').map(Number)) {
  const p = set.pictures[i]!;
  const g = toGrayscale(p);
  const work = { data: Float32Array.from(g.data), width: g.width, height: g.height };
  const dark = hasDarkInk(work);
  const ink = removeBackground(work, dark);
  const zeros = ink.data.filter((v) => v === 0).length;
  console.log(i, 'dark', dark, 'zeros in picture', g.data.filter((v) => v === 0).length, 'after tophat zeros', zeros, JSON.stringify(inkStatistics(ink.data, 4)));
  for (let y = 0; y < 32; y += 2) console.log([...g.data.subarray(y * 32, y * 32 + 32)].filter((_, x) => x % 2 === 0).map((v) => ' .:-=+*#%@'[Math.floor(v / 25.6)]).join('') + '   ' + [...ink.data.subarray(y * 32, y * 32 + 32)].filter((_, x) => x % 2 === 0).map((v) => ' .:-=+*#%@'[Math.min(9, Math.floor(v / 25.6))]).join(''));
}
