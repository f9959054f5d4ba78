// Digits in coloured ink photographed as a browser makes such a picture (see photographed-digits.mjs): on paper under
// light from one side that darkens it to 55-70% across. Prints the share 'digit' and right per ink.
// Run: node bench/coloured-ink.mjs (after a build of the workspace).
import { readPhotographedDigits } from './photographed-digits.mjs';

const INKS = { yellow: '#ffd400', orange: '#ff8c00', 'light blue': '#5ab4ff', green: '#2faa50', pink: '#ff50aa', 'near black': '#1a1a28' };
const looks = Object.fromEntries(Object.entries(INKS).map(([name, ink]) => [name, { paper: '#f4f1ea', ink, light: { side: ['#8a8680', '#b0aca6'] } }]));
const cells = await readPhotographedDigits(looks);
console.log(`coloured ink, photographed by Chromium (150 digits an ink, shipped CNN, 'digit' and right): ${cells.join(', ')}`);
