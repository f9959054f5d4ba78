// Digits in coloured ink photographed as a browser makes such a picture: Chromium draws 150 MNIST test digits
// (7000-7149, never tuned on) in each ink on paper under light from one side, encodes them with its own JPEG encoder
// (quality 0.7, chroma at half resolution) and decodes them again; the shipped CNN's `recognize` reads them in Node.
// Prints the share 'digit' and right per ink. Run: node bench/coloured-ink.mjs (after a build of the workspace).
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { launchChromium } from '../scripts/harness.mjs';

const [COUNT, FIRST, WIDTH, HEIGHT] = [150, 7000, 320, 240];
const INKS = { yellow: '#ffd400', orange: '#ff8c00', 'light blue': '#5ab4ff', green: '#2faa50', pink: '#ff50aa', 'near black': '#1a1a28' };
const { test } = await loadMnist();
const digits = Array.from({ length: COUNT }, (_, i) => Array.from(test.images.subarray((FIRST + i) * 784, (FIRST + i + 1) * 784)));
const chromium = await launchChromium();
const page = await chromium.context.newPage();
const recognizer = await createRecognizer({ model: 'cnn', log: null });
const cells = [];
for (const [name, ink] of Object.entries(INKS)) {
  const pictures = await page.evaluate(
    async ({ digits, ink, width, height }) => {
      const rgb = [1, 3, 5].map((at) => Number.parseInt(ink.slice(at, at + 2), 16));
      const out = [];
      for (const [i, digit] of digits.entries()) {
        const small = new OffscreenCanvas(28, 28);
        const pixels = small.getContext('2d').createImageData(28, 28);
        digit.forEach((v, p) => pixels.data.set([...rgb, v], p * 4));
        small.getContext('2d').putImageData(pixels, 0, 0);
        const canvas = new OffscreenCanvas(width, height);
        const context = canvas.getContext('2d');
        context.fillStyle = '#f4f1ea';
        context.fillRect(0, 0, width, height);
        context.imageSmoothingQuality = 'high';
        const side = 140 + ((i * 37) % 80);
        context.drawImage(small, 20 + ((i * 53) % (300 - side)), Math.min(5 + ((i * 29) % 235), height - side), side, side);
        // Light from one side: the page darkens to 55-70% across it, at an angle of its own for each picture.
        const [cos, sin] = [Math.cos(i * 0.7), Math.sin(i * 0.7)];
        const light = context.createLinearGradient(160 - 160 * cos, 120 - 120 * sin, 160 + 160 * cos, 120 + 120 * sin);
        light.addColorStop(0, '#ffffff');
        light.addColorStop(1, i % 2 ? '#8a8680' : '#b0aca6');
        context.globalCompositeOperation = 'multiply';
        context.fillStyle = light;
        context.fillRect(0, 0, width, height);
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
    },
    { digits, ink, width: WIDTH, height: HEIGHT },
  );
  const right = pictures.filter((base64, i) => {
    const r = recognizer.recognize({ data: new Uint8Array(Buffer.from(base64, 'base64')), width: WIDTH, height: HEIGHT, channels: 4 });
    return r.verdict === 'digit' && r.label === test.labels[FIRST + i];
  }).length;
  cells.push(`${name} ${((100 * right) / COUNT).toFixed(1)}%`);
}
await chromium.close();
console.log(`coloured ink, photographed by Chromium (${COUNT} digits an ink, shipped CNN, 'digit' and right): ${cells.join(', ')}`);
