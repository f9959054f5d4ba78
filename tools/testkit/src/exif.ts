// JPEG files as phones write them: the pixels stored on their side and an EXIF orientation that says how to turn them.

/**
 * `jpeg` (a whole JPEG file) with an APP1 EXIF segment after its start marker, holding one tag: Orientation (0x0112),
 * a SHORT, in a big-endian TIFF structure, as cameras write it.
 */
export function withExifOrientation(jpeg: Uint8Array, orientation: number): Uint8Array {
  if (jpeg[0] !== 0xff || jpeg[1] !== 0xd8) throw new Error('withExifOrientation: not a JPEG (no FF D8 start marker)');
  // TIFF header (MM, 42, IFD0 at 8), IFD0 of one entry (tag, type 3 = SHORT, count 1, value left-justified), no next IFD.
  const tiff = [0x4d, 0x4d, 0x00, 0x2a, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, orientation, 0, 0, 0, 0, 0, 0];
  const payload = [...Buffer.from('Exif\0\0', 'latin1'), ...tiff];
  const length = payload.length + 2;
  const segment = [0xff, 0xe1, length >> 8, length & 0xff, ...payload];
  return Uint8Array.from([...jpeg.subarray(0, 2), ...segment, ...jpeg.subarray(2)]);
}
