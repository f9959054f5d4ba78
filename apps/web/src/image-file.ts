/** The longest side a decoded picture is scaled to: plenty for a digit, cheap to read back. */
const MAX_SIDE = 320;

export interface DecodedImage {
  /** The picture at (at most) MAX_SIDE px, composited on white so transparent PNGs read as paper. */
  readonly canvas: HTMLCanvasElement;
  readonly pixels: ImageData;
}

/** Thrown when a file is not a picture this browser can decode; the message is for the user. */
export class UnreadableImageError extends Error {
  override readonly name = 'UnreadableImageError';
}

/** Decodes a PNG/JPEG (or any format the browser knows) into pixels. */
export async function decodeImageFile(file: File): Promise<DecodedImage> {
  if (file.size === 0) throw new UnreadableImageError(`“${file.name}” is empty (0 bytes).`);
  if (file.type && !file.type.startsWith('image/')) {
    throw new UnreadableImageError(`“${file.name}” is not an image (${file.type}). Open a PNG or JPEG photo of a digit.`);
  }
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(file);
  } catch {
    throw new UnreadableImageError(`Could not read “${file.name}”: it is not a PNG or JPEG this browser can decode, or the file is damaged.`);
  }
  try {
    const scale = Math.min(1, MAX_SIDE / Math.max(bitmap.width, bitmap.height));
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const canvas = document.createElement('canvas');
    canvas.width = width;
    canvas.height = height;
    const ctx = canvas.getContext('2d', { willReadFrequently: true, alpha: false });
    if (!ctx) throw new UnreadableImageError('This browser cannot draw images on a canvas.');
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(0, 0, width, height);
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, width, height);
    return { canvas, pixels: ctx.getImageData(0, 0, width, height) };
  } finally {
    bitmap.close();
  }
}
