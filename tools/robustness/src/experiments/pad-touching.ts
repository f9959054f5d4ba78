// The web app's test drawings (DRAWN_DIGITS in its e2e harness) written in pairs whose strokes touch, drawn as its pad
// draws them (the 112 px ink canvas, the default 20 px pen: 8 px there, dark on white): all 100 pairs at each overlap
// (of the pad's width; 0 = their lines' extents just touch), read by each shipped model from the pixels alone and with
// the strokes that drew them (as the pad passes them). Prints how many are read exactly and what the rest became.
// `node --import tsx src/experiments/pad-touching.ts [overlaps=0,0.02,0.04] [models=cnn,mlp]`; DIGITKIT_VERDICTS a JSON of
// thresholds over the shipped ones.
import { useBackend } from '@digitkit/core';
import { createRecognizer } from '@digitkit/recognizer';
import { asBlackOnWhite, drawStrokes } from '@digitkit/testkit';
// @ts-expect-error: the harness is plain JavaScript without types (the web app's e2e tests and bench share it).
import { touchingDigits } from '../../../../apps/web/scripts/harness.mjs';

const overlaps = (process.argv[2] ?? '0,0.02,0.04').split(',').map(Number);
const models = (process.argv[3] ?? 'cnn,mlp').split(',');
const [SIDE, PEN] = [112, 8];
await useBackend('wasm', { log: null });
for (const model of models) {
  const recognizer = await createRecognizer({ model, log: null, ...(process.env.DIGITKIT_VERDICTS && { verdicts: JSON.parse(process.env.DIGITKIT_VERDICTS) }) });
  for (const overlap of overlaps) {
    for (const given of [false, true]) {
      let right = 0;
      const became: Record<string, number> = {};
      for (let left = 0; left < 10; left++) {
        for (let next = 0; next < 10; next++) {
          const strokes = touchingDigits(left, next, overlap) as [number, number][][];
          const ink = drawStrokes(strokes, SIDE, SIDE, { left: 0, top: 0, width: SIDE, height: SIDE }, PEN);
          const inPixels = strokes.map((stroke) => stroke.map(([x, y]) => [x * SIDE, y * SIDE] as [number, number]));
          const result = recognizer.recognize({ data: asBlackOnWhite(ink), width: SIDE, height: SIDE }, given ? { strokes: inPixels } : {});
          if (result.verdict === 'digits' && result.digits.join('') === `${left}${next}`) right++;
          else {
            const kind = result.verdict === 'digits' ? 'another number' : result.verdict;
            became[kind] = (became[kind] ?? 0) + 1;
          }
        }
      }
      console.log(`${model} overlap ${overlap} ${given ? 'with strokes' : 'pixels only '}: ${right} of 100 read exactly; the rest ${JSON.stringify(became)}`);
    }
  }
  recognizer.dispose();
}
