// Ruled paper: a digit written in dark ink on a photographed page of a lined notebook.
import type { Rng } from '@digitkit/core';
import type { Raster } from '@digitkit/testkit';
import { linesPlane, type Plane, sample } from './planes.js';

/** How many times larger than 28x28 the page is drawn (a photo has more pixels than MNIST). */
const PAGE_SCALE = 3;
const PAPER = [246, 243, 234] as const;
const RULE = [140, 175, 225] as const;
const MARGIN = [225, 120, 120] as const;
const INK = [28, 32, 70] as const;

/**
 * The digit enlarged 3x in dark blue ink on off-white paper ruled with light-blue lines every 14-22 pixels (lines under
 * and through the digit, as in a school notebook), half the pages with a red margin line; RGB.
 */
export function ruledPaper(plane: Plane, rng: Rng): Raster {
  const side = plane.width * PAGE_SCALE;
  const gap = 14 + rng.next() * 8;
  const phase = rng.next() * gap;
  const rules: number[] = [];
  for (let y = phase; y < side; y += gap) rules.push(0, y, side, y);
  const ruled = linesPlane(rules, side, side, 1.5);
  const marginX = rng.next() < 0.5 ? 6 + rng.next() * 14 : -10;
  const margin = linesPlane([marginX, 0, marginX, side], side, side, 1.5);
  const data = new Uint8Array(side * side * 3);
  for (let y = 0; y < side; y++) {
    for (let x = 0; x < side; x++) {
      const i = y * side + x;
      const ink = Math.min(1, Math.max(0, sample(plane, (x + 0.5) / PAGE_SCALE - 0.5, (y + 0.5) / PAGE_SCALE - 0.5)));
      for (let c = 0; c < 3; c++) {
        let paper = PAPER[c]! + (RULE[c]! - PAPER[c]!) * 0.8 * ruled.data[i]!;
        paper += (MARGIN[c]! - paper) * 0.8 * margin.data[i]!;
        data[i * 3 + c] = Math.round(paper + (INK[c]! - paper) * ink);
      }
    }
  }
  return { data, width: side, height: side, channels: 3 };
}
