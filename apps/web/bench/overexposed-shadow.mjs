// Digits photographed on white paper the camera clipped at white, with a shadow across part of the page, as a browser
// makes such a picture (see photographed-digits.mjs): pure white paper, a shadow over a half-plane through the middle
// at an angle of its own for each picture, multiplied in, its edge blurred. Prints the share 'digit' and right per look.
// Run: node bench/overexposed-shadow.mjs (after a build of the workspace).
import { readPhotographedDigits } from './photographed-digits.mjs';

const cells = await readPhotographedDigits({
  'pen, shadow 60%': { paper: '#ffffff', ink: '#1c2050', light: { shadow: '#999999', blur: 3 } },
  'pencil, shadow 55%': { paper: '#ffffff', ink: '#6e6e73', light: { shadow: '#8c8c8c', blur: 2 } },
  'marker, hard shadow': { paper: '#ffffff', ink: '#111111', light: { shadow: '#a0a0a0', blur: 0 } },
});
console.log(`overexposed paper, a shadow across (150 digits a look, shipped CNN, 'digit' and right): ${cells.join(', ')}`);
