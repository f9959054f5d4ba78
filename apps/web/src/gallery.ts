import type { Recognition, Recognizer } from '@digitkit/recognizer';
import galleryUrl from '../generated/gallery.bin?url';
import { byId, withArticle } from './result-view';

/** The gallery file made at build time by scripts/make-gallery.mjs: per digit, its test index (2 bytes), 1 label byte, 784 pixels. */
const RECORD = 787;

export interface GalleryDigit {
  /** Its place in the gallery. */
  readonly index: number;
  /** Its 0-based index in the MNIST test set (as every MNIST tool counts). */
  readonly testIndex: number;
  readonly label: number;
  readonly pixels: Uint8Array;
}

export async function loadGallery(): Promise<GalleryDigit[]> {
  const response = await fetch(galleryUrl);
  if (!response.ok) throw new Error(`the gallery file answered HTTP ${response.status}`);
  const bytes = new Uint8Array(await response.arrayBuffer());
  if (bytes.length === 0 || bytes.length % RECORD !== 0) throw new Error(`the gallery file has ${bytes.length} bytes, not a whole number of digits`);
  return Array.from({ length: bytes.length / RECORD }, (_, index) => ({
    index,
    testIndex: (bytes[index * RECORD]! << 8) | bytes[index * RECORD + 1]!,
    label: bytes[index * RECORD + 2]!,
    pixels: bytes.subarray(index * RECORD + 3, (index + 1) * RECORD),
  }));
}

/** A grid of MNIST test digits with the model's answer on each; mistakes are marked. */
export class GalleryView {
  private readonly grid = byId('gallery');
  private readonly summary = byId('gallery-summary');
  private readonly onlyWrong = byId<HTMLInputElement>('only-wrong');
  private readonly tiles: HTMLButtonElement[] = [];

  constructor(
    private readonly digits: GalleryDigit[],
    onPick: (digit: GalleryDigit) => void,
  ) {
    for (const digit of digits) {
      const tile = document.createElement('button');
      tile.type = 'button';
      tile.className = 'tile';
      tile.dataset.testIndex = String(digit.testIndex);
      const canvas = document.createElement('canvas');
      canvas.width = canvas.height = 28;
      canvas.getContext('2d')!.putImageData(toImageData(digit.pixels), 0, 0);
      const caption = document.createElement('span');
      caption.className = 'tile-caption';
      tile.append(canvas, caption);
      tile.tabIndex = digit.index === 0 ? 0 : -1;
      tile.addEventListener('click', () => {
        this.rove(tile);
        onPick(digit);
      });
      this.grid.append(tile);
      this.tiles.push(tile);
    }
    // One tab stop for the whole grid; arrow keys, Home and End move within it (a roving tabindex).
    this.grid.addEventListener('keydown', (e) => this.move(e));
    this.onlyWrong.addEventListener('change', () => {
      this.grid.classList.toggle('only-wrong', this.onlyWrong.checked);
      const first = this.visible()[0];
      if (first && first.tabIndex !== 0) this.rove(first);
    });
  }

  private visible(): HTMLButtonElement[] {
    return this.tiles.filter((t) => t.offsetParent !== null);
  }

  private rove(tile: HTMLButtonElement): void {
    for (const t of this.tiles) t.tabIndex = t === tile ? 0 : -1;
  }

  private move(e: KeyboardEvent): void {
    const tiles = this.visible();
    const at = tiles.indexOf(document.activeElement as HTMLButtonElement);
    if (at < 0) return;
    const columns = getComputedStyle(this.grid).gridTemplateColumns.split(' ').length;
    const steps: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: columns, ArrowUp: -columns, Home: -at, End: tiles.length - 1 - at };
    const step = steps[e.key];
    if (step === undefined) return;
    e.preventDefault();
    const next = tiles[Math.max(0, Math.min(tiles.length - 1, at + step))]!;
    this.rove(next);
    next.focus();
  }

  /** Runs the recognizer on every digit (one batch) and labels the tiles. */
  classify(recognizer: Recognizer): Recognition[] {
    const images = new Uint8Array(this.digits.length * 784);
    this.digits.forEach((d, i) => images.set(d.pixels, i * 784));
    const results = recognizer.recognizeMnistBatch(images);
    let wrong = 0;
    results.forEach((result, i) => {
      const digit = this.digits[i]!;
      const tile = this.tiles[i]!;
      // An MNIST test digit always has ink; should one come back empty, it counts as a mistake, shown as "?".
      const predicted = result.verdict === 'digit' ? String(result.label) : '?';
      const ok = predicted === String(digit.label);
      if (!ok) wrong++;
      tile.classList.toggle('wrong', !ok);
      tile.dataset.label = String(digit.label);
      tile.dataset.predicted = predicted;
      tile.querySelector('.tile-caption')!.textContent = ok ? predicted : `${predicted}≠${digit.label}`;
      tile.setAttribute('aria-label', `Test digit #${digit.testIndex}, ${withArticle(digit.label)}, ${ok ? '' : 'wrongly '}predicted ${predicted}`);
    });
    const n = this.digits.length;
    this.summary.textContent = `${n - wrong} of ${n} right (${((100 * (n - wrong)) / n).toFixed(1)}%) · ${wrong} mistake${wrong === 1 ? '' : 's'} marked in red · click one to inspect`;
    return results;
  }
}

/** MNIST bytes as a light-on-dark picture, exactly what the model reads. */
export function toImageData(pixels: Uint8Array, invert = false): ImageData {
  const image = new ImageData(28, 28);
  for (let i = 0; i < 784; i++) {
    const v = invert ? 255 - pixels[i]! : pixels[i]!;
    image.data[i * 4] = image.data[i * 4 + 1] = image.data[i * 4 + 2] = v;
    image.data[i * 4 + 3] = 255;
  }
  return image;
}
