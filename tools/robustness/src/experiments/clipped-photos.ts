// Photo conditions brightened until the paper clips to white (every channel times a gain, clipped at 255), through
// copies of the preprocess sources: a flat white background round soft, noisy ink, which a rule for flat-background
// thumbnails must not mistake for one. Usage:
//   clipped-photos.ts <count> <seed> <condition,...> <gain,...> name=path/to/index.ts [...]
import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import type { Raster } from '@digitkit/testkit';
import { CONDITIONS, drawCondition } from '../conditions.js';
import { plainMnist } from '../corruptions/plain.js';
import { WHOLE_INK_AS_DIGIT } from '../models.js';
import { preprocessCopies } from './copies.js';

const [count = '300', seed = '1', names = 'photo,photo-hard', gains = '1,1.3,1.6', ...copies] = process.argv.slice(2);
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const recognizer = await createRecognizer({ model: 'cnn', log: null, verdicts: WHOLE_INK_AS_DIGIT });
const variants = { plain: plainMnist, ...(await preprocessCopies(copies)) };

const brightened = (picture: Raster, gain: number): Raster => ({
  ...picture,
  data: Uint8Array.from(picture.data, (v, i) => (picture.channels === 4 && i % 4 === 3 ? v : Math.min(255, Math.round(v * gain)))),
});

console.log(['condition'.padEnd(12), 'gain'.padStart(5), ...Object.keys(variants).map((v) => v.padStart(9))].join(' '));
for (const name of names.split(',')) {
  const condition = CONDITIONS.find((c) => c.name === name)!;
  const digits = drawCondition(condition, test, Number(count), Number(seed));
  for (const gain of gains.split(',').map(Number)) {
    const pictures = digits.map((d) => brightened(d.image, gain));
    const cells = Object.values(variants).map((pre) => {
      const batch = new Uint8Array(pictures.length * 784);
      pictures.forEach((p, i) => batch.set(pre(p) ?? new Uint8Array(784), i * 784));
      const right = recognizer.recognizeMnistBatch(batch).filter((r, i) => r.verdict === 'digit' && r.label === digits[i]!.label).length;
      return `${((100 * right) / pictures.length).toFixed(1)}%`.padStart(9);
    });
    console.log([name.padEnd(12), String(gain).padStart(5), ...cells].join(' '));
  }
}
