import { useBackend } from '@digitkit/core';
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { VERDICT_SETS } from '../negatives/sets.js';
import { describe } from '../negatives/score.js';
await useBackend('wasm', { log: null });
const { test } = await loadMnist();
const r = await createRecognizer({ model: 'cnn', log: null });
const set = VERDICT_SETS.find((s) => s.kind === 'digit')!;
for (const half of ['tune', 'held-out'] as const) for (const s of set.draw(test, half, 105)) {
  const x = r.recognize(s.image);
  if (x.verdict === 'digit' && x.label === s.digits![0]) continue;
  console.log(half, s.what, s.digits![0], describe(x), x.verdict === 'digits' ? JSON.stringify(x.pieces.map((p) => p.box)) + ' ' + s.image.width + 'x' + s.image.height : x.verdict === 'unsure' ? x.reason.slice(0, 80) : '');
}
