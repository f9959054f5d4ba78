// Digits by other writers for the verdict benchmark, never tuned on: UCI's 1,797 and digits in handwriting fonts,
// scored whole (no halves) when found on this machine.
import { FONT_DIGITS_HOWTO, drawFontDigits, findHandwritingFonts } from '../corruptions/font-digits.js';
import { UCI_DIGITS_HOWTO, findUciDigits, loadUciDigits } from '../corruptions/uci-digits.js';
import type { VerdictSample, VerdictSet } from './sets.js';

export interface OtherWritersSet {
  readonly set: VerdictSet;
  /** Empty when the source is not on this machine; `missing` says how to get it. */
  readonly samples: VerdictSample[];
  readonly missing: string;
}

export async function digitsByOtherWriters(): Promise<OtherWritersSet[]> {
  const uciPath = findUciDigits();
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
  ];
}
