// False digits on blank photos (paper only: light gradient, vignette, noise, blur, JPEG) vs missed faint digits, for
// copies of the preprocess sources. Usage: blank-photos.ts <count> name=path/to/index.ts ...
import { createRng } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { CONDITIONS, drawCondition } from '../conditions.js';
import { toPhoto } from '@digitkit/testkit';

const [n, ...copies] = process.argv.slice(2) as [string, ...string[]];
const count = Number(n);
const { test } = await loadMnist();
const hard = drawCondition(CONDITIONS.find((c) => c.name === 'photo-hard')!, test, count, 1);
const rng = createRng(99);
const blanks = Array.from({ length: count }, (_, i) => {
  const [w, h] = [[320, 240], [400, 400], [480, 360]][i % 3]!;
  const look = {
    paper: [200 + rng.next() * 45, 215, 210] as [number, number, number],
    ink: [40, 40, 40] as [number, number, number],
    gradient: 0.05 + rng.next() * 0.5,
    gradientAngle: rng.next() * 6.28,
    vignette: rng.next() * 0.4,
    blur: 0.5 + rng.next() * 1.7,
    noise: 2 + rng.next() * 14,
    jpegQuality: Math.round(25 + rng.next() * 65),
  };
  return toPhoto(new Float32Array(w! * h!), w!, h!, look, rng);
});
for (const copy of copies) {
  const [name, path] = copy.split('=') as [string, string];
  const { toMnistFormat } = await import(path);
  const missed = hard.filter((d) => toMnistFormat(d.image).empty).length;
  const falseDigits = blanks.filter((b) => !toMnistFormat(b).empty).length;
  console.log(`${name.padEnd(10)} photo-hard missed ${missed}/${count}   blank photos taken for a digit ${falseDigits}/${count}`);
}
