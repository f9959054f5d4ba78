// Digits photographed on white paper the camera clipped at white, with a shadow across part of the page, as a browser
// makes such a picture: Chromium draws 150 MNIST test digits (7000-7149, never tuned on) on pure white, lays a shadow
// over a half-plane through the middle at an angle of its own for each picture (multiplied in, its edge blurred),
// encodes them with its own JPEG encoder (quality 0.7) and decodes them again; the shipped CNN's `recognize` reads
// them in Node. Prints the share 'digit' and right per look. Run: node bench/overexposed-shadow.mjs (after a build of
// the workspace).
import { loadMnist } from '@digitkit/data';
import { createRecognizer } from '@digitkit/recognizer';
import { launchChromium } from '../scripts/harness.mjs';

const [COUNT, FIRST, WIDTH, HEIGHT] = [150, 7000, 320, 240];
const { test } = await loadMnist();
const digits = Array.from({ length: COUNT }, (_, i) => Array.from(test.images.subarray((FIRST + i) * 784, (FIRST + i + 1) * 784)));
const chromium = await launchChromium();
const page = await chromium.context.newPage();
const recognizer = await createRecognizer({ model: 'cnn', log: null });
const LOOKS = {
  'pen, shadow 60%': { ink: '#1c2050', shade: '#999999', blur: 3 },
  'pencil, shadow 55%': { ink: '#6e6e73', shade: '#8c8c8c', blur: 2 },
  'marker, hard shadow': { ink: '#111111', shade: '#a0a0a0', blur: 0 },
};
const cells = [];
for (const [name, look] of Object.entries(LOOKS)) {
  const pictures = await page.evaluate(
    async ({ digits, look, width, height }) => {
      const rgb = [1, 3, 5].map((at) => Number.parseInt(look.ink.slice(at, at + 2), 16));
      const out = [];
      for (const [i, digit] of digits.entries()) {
        const small = new OffscreenCanvas(28, 28);
        const pixels = small.getContext('2d').createImageData(28, 28);
        digit.forEach((v, p) => pixels.data.set([...rgb, v], p * 4));
        small.getContext('2d').putImageData(pixels, 0, 0);
        const canvas = new OffscreenCanvas(width, height);
        const context = canvas.getContext('2d');
        context.fillStyle = '#ffffff';
        context.fillRect(0, 0, width, height);
        context.imageSmoothingQuality = 'high';
        const side = 140 + ((i * 37) % 80);
        context.drawImage(small, 20 + ((i * 53) % (300 - side)), Math.min(5 + ((i * 29) % 235), height - side), side, side);
        // A shadow over part of the page: a half-plane through a point near the middle, at an angle of its own.
        const angle = i * 2.39996;
        const [cx, cy] = [width / 2 + ((i * 17) % 60) - 30, height / 2 + ((i * 23) % 40) - 20];
        const [nx, ny] = [Math.cos(angle), Math.sin(angle)];
        const far = 1000;
        context.save();
        context.filter = look.blur ? `blur(${look.blur}px)` : 'none';
        context.globalCompositeOperation = 'multiply';
        context.fillStyle = look.shade;
        context.beginPath();
        context.moveTo(cx - ny * far, cy + nx * far);
        context.lineTo(cx - ny * far + nx * far, cy + nx * far + ny * far);
        context.lineTo(cx + ny * far + nx * far, cy - nx * far + ny * far);
        context.lineTo(cx + ny * far, cy - nx * far);
        context.closePath();
        context.fill();
        context.restore();
        const jpeg = await canvas.convertToBlob({ type: 'image/jpeg', quality: 0.7 });
        const back = new OffscreenCanvas(width, height).getContext('2d');
        back.drawImage(await createImageBitmap(jpeg), 0, 0);
        const data = back.getImageData(0, 0, width, height).data;
        let text = '';
        for (let k = 0; k < data.length; k += 8192) text += String.fromCharCode(...data.subarray(k, k + 8192));
        out.push(btoa(text));
      }
      return out;
    },
    { digits, look, width: WIDTH, height: HEIGHT },
  );
  const right = pictures.filter((base64, i) => {
    const r = recognizer.recognize({ data: new Uint8Array(Buffer.from(base64, 'base64')), width: WIDTH, height: HEIGHT, channels: 4 });
    return r.verdict === 'digit' && r.label === test.labels[FIRST + i];
  }).length;
  cells.push(`${name} ${((100 * right) / COUNT).toFixed(1)}%`);
}
console.log(`overexposed paper, a shadow across: ${cells.join(', ')} (shipped CNN, recognize, 'digit' and right)`);
await chromium.close();
