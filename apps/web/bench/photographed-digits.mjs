// MNIST test digits photographed as a browser makes such a picture, for the benches that read pictures our generators
// did not make: Chromium draws 150 test digits never tuned on (7000-7149) on paper at 140-220 px in a 320x240 frame,
// lights the page (light from one side, or a shadow over part of it), encodes each picture with its own JPEG encoder
// (quality 0.7, colour at half resolution) and decodes it again; the shipped CNN's `recognize` reads them in Node.
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { launchChromium } from '../scripts/harness.mjs';

const [COUNT, FIRST, WIDTH, HEIGHT] = [150, 7000, 320, 240];

/**
 * @typedef {{ paper: string, ink: string, light: { side: [string, string] } | { shadow: string, blur: number } }} Look
 * `side`: the page darkens across it towards the first colour (odd pictures) or the second (even ones); `shadow`: a
 * half-plane through the middle is multiplied by this colour, its edge blurred `blur` px.
 */

/**
 * The share of each look's pictures `recognize` calls a digit, the right one, as "name 92.0%".
 * @param {Record<string, Look>} looks
 */
export async function readPhotographedDigits(looks) {
  const { test } = await loadMnist();
  const digits = Array.from({ length: COUNT }, (_, i) => Array.from(test.images.subarray((FIRST + i) * 784, (FIRST + i + 1) * 784)));
  const chromium = await launchChromium();
  const page = await chromium.context.newPage();
  const recognizer = await createRecognizer({ model: 'cnn', log: null });
  const cells = [];
  for (const [name, look] of Object.entries(looks)) {
    const pictures = await page.evaluate(photograph, { digits, look, width: WIDTH, height: HEIGHT });
    const right = pictures.filter((base64, i) => {
      const r = recognizer.recognize({ data: new Uint8Array(Buffer.from(base64, 'base64')), width: WIDTH, height: HEIGHT, channels: 4 });
      return r.verdict === 'digit' && r.label === test.labels[FIRST + i];
    }).length;
    cells.push(`${name} ${((100 * right) / COUNT).toFixed(1)}%`);
  }
  await chromium.close();
  return cells;
}

/** In the page: each digit drawn, lit, JPEG-encoded and decoded, as base64 RGBA. */
async function photograph({ digits, look, width, height }) {
  const rgb = [1, 3, 5].map((at) => Number.parseInt(look.ink.slice(at, at + 2), 16));
  const out = [];
  for (const [i, digit] of digits.entries()) {
    const small = new OffscreenCanvas(28, 28);
    const pixels = small.getContext('2d').createImageData(28, 28);
    digit.forEach((v, p) => pixels.data.set([...rgb, v], p * 4));
    small.getContext('2d').putImageData(pixels, 0, 0);
    const canvas = new OffscreenCanvas(width, height);
    const context = canvas.getContext('2d');
    context.fillStyle = look.paper;
    context.fillRect(0, 0, width, height);
    context.imageSmoothingQuality = 'high';
    const side = 140 + ((i * 37) % 80);
    context.drawImage(small, 20 + ((i * 53) % (300 - side)), Math.min(5 + ((i * 29) % 235), height - side), side, side);
    context.globalCompositeOperation = 'multiply';
    if ('side' in look.light) {
      // Light from one side: the page darkens across it, at an angle of its own for each picture.
      const [cos, sin] = [Math.cos(i * 0.7), Math.sin(i * 0.7)];
      const light = context.createLinearGradient(160 - 160 * cos, 120 - 120 * sin, 160 + 160 * cos, 120 + 120 * sin);
      light.addColorStop(0, '#ffffff');
      light.addColorStop(1, look.light.side[i % 2 ? 0 : 1]);
      context.fillStyle = light;
      context.fillRect(0, 0, width, height);
    } else {
      // A shadow over part of the page: a half-plane through a point near the middle, at an angle of its own.
      const [nx, ny] = [Math.cos(i * 2.39996), Math.sin(i * 2.39996)];
      const [cx, cy] = [width / 2 + ((i * 17) % 60) - 30, height / 2 + ((i * 23) % 40) - 20];
      const far = 1000;
      context.filter = look.light.blur ? `blur(${look.light.blur}px)` : 'none';
      context.fillStyle = look.light.shadow;
      context.beginPath();
      context.moveTo(cx - ny * far, cy + nx * far);
      context.lineTo(cx - ny * far + nx * far, cy + nx * far + ny * far);
      context.lineTo(cx + ny * far + nx * far, cy - nx * far + ny * far);
      context.lineTo(cx + ny * far, cy - nx * far);
      context.closePath();
      context.fill();
    }
    const jpeg = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.7 });
    const back = new OffscreenCanvas(width, height).getContext('2d');
    back.drawImage(await createImageBitmap(jpeg), 0, 0);
    // As base64 text: arrays of numbers this large do not come back through the protocol.
    const data = back.getImageData(0, 0, width, height).data;
    let text = '';
    for (let k = 0; k < data.length; k += 8192) text += String.fromCharCode(...data.subarray(k, k + 8192));
    out.push(btoa(text));
  }
  return out;
}
