// A gray contact sheet of square cells, for the experiments that show pictures beside what the pipeline made of them.
import { encode } from 'fast-png';

/** A sheet of `cols` x `rows` cells of `cell` pixels: `put` draws a gray image into a cell, `png` encodes the sheet. */
export function contactSheet(cols: number, rows: number, cell: number) {
  const width = cols * cell;
  const height = rows * cell;
  const data = new Uint8Array(width * height).fill(128);
  /** Draws a gray image into the cell at (col, row), scaled to fit (nearest pixel), with a 1 px gap round it. */
  const put = (image: Uint8Array, w: number, h: number, col: number, row: number): void => {
    const s = (cell - 2) / Math.max(w, h);
    for (let y = 0; y < cell - 2; y++) {
      for (let x = 0; x < cell - 2; x++) {
        const [sx, sy] = [Math.floor(x / s), Math.floor(y / s)];
        if (sx < w && sy < h) data[(row * cell + y + 1) * width + col * cell + x + 1] = image[sy * w + sx]!;
      }
    }
  };
  const png = () => encode({ width, height, data, channels: 1 });
  return { put, png };
}
