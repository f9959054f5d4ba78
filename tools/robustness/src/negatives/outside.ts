// Sets for the verdict benchmark that none of our generators made, never tuned on, scored whole (no halves) when
// found on this machine: digits by other writers (UCI's 1,797, digits in handwriting fonts) and pictures that hold no
// digit (Fashion-MNIST's clothes, shoes and bags).
import { FONT_DIGITS_HOWTO, drawFontDigits, findHandwritingFonts } from '../corruptions/font-digits.js';
import { UCI_DIGITS_HOWTO, findUciDigits, loadUciDigits } from '../corruptions/uci-digits.js';
import { FASHION_MNIST_HOWTO, fashionPictures, findFashionMnist } from './fashion.js';
import type { VerdictSample, VerdictSet } from './sets.js';

export interface OutsideSet {
  readonly set: VerdictSet;
  /** Empty when the source is not on this machine; `missing` says how to get it. */
  readonly samples: VerdictSample[];
  readonly missing: string;
}

/** How many of Fashion-MNIST's test pictures are scored (about 100 of each class; each takes a recognize call). */
export const FASHION_COUNT = 1000;

export async function outsideSets(): Promise<OutsideSet[]> {
  const uciPath = findUciDigits();
  const fashionDir = findFashionMnist();
  return [
    {
      set: { name: 'UCI digits', kind: 'digit', description: "UCI's 8x8 digits by 43 writers outside MNIST", draw: () => [] },
      samples: uciPath ? await loadUciDigits(uciPath).then(({ pictures, labels }) => pictures.map((image, i) => ({ image, digits: [labels[i]!], what: `UCI #${i}` }))) : [],
      missing: `UCI's digits: ${UCI_DIGITS_HOWTO}`,
    },
    {
      set: { name: 'font digits', kind: 'digit', description: 'digits in handwriting fonts, drawn on a canvas or photographed', draw: () => [] },
      samples: drawFontDigits(findHandwritingFonts(), 2).map((d) => ({ image: d.image, digits: [d.label], what: d.what })),
      missing: `handwriting fonts: ${FONT_DIGITS_HOWTO}`,
    },
    {
      set: { name: 'fashion items', kind: 'not-a-digit', description: "Fashion-MNIST's clothes, shoes and bags (28x28, light on black)", draw: () => [] },
      samples: fashionDir ? await fashionPictures(fashionDir, FASHION_COUNT) : [],
      missing: `Fashion-MNIST: ${FASHION_MNIST_HOWTO}`,
    },
  ];
}
