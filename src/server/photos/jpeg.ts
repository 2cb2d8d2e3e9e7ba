/**
 * What a photo check needs from a JPEG without decoding it: its format, pixel size, colour components
 * and whether it is whole — read from the markers, in microseconds, so that a zip of 20,000 photos is
 * judged at the speed of reading it. Decoding (thumbnails, the similarity hash) happens later, capped.
 */

export type ImageFormat = 'jpeg' | 'png' | 'gif' | 'bmp' | 'webp' | 'tiff' | 'heic' | 'zip' | 'unknown';

export function sniff(b: Buffer): ImageFormat {
  if (b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff) return 'jpeg';
  if (b.length >= 8 && b.readUInt32BE(0) === 0x89504e47) return 'png';
  if (b.length >= 4 && b.toString('latin1', 0, 4) === 'GIF8') return 'gif';
  if (b.length >= 2 && b[0] === 0x42 && b[1] === 0x4d) return 'bmp';
  if (b.length >= 12 && b.toString('latin1', 0, 4) === 'RIFF' && b.toString('latin1', 8, 12) === 'WEBP') return 'webp';
  if (b.length >= 4 && (b.readUInt32BE(0) === 0x49492a00 || b.readUInt32BE(0) === 0x4d4d002a)) return 'tiff';
  if (b.length >= 12 && b.toString('latin1', 4, 8) === 'ftyp') return 'heic';
  if (b.length >= 4 && b.readUInt32BE(0) === 0x504b0304) return 'zip';
  return 'unknown';
}

export const FORMAT_NAMES: Record<ImageFormat, string> = {
  jpeg: 'JPEG', png: 'PNG', gif: 'GIF', bmp: 'BMP', webp: 'WebP', tiff: 'TIFF', heic: 'HEIC', zip: 'ZIP 压缩包', unknown: '未知格式',
};

export interface JpegInfo {
  width: number;
  height: number;
  /** 1 grey, 3 YCbCr/RGB, 4 CMYK/YCCK. */
  components: number;
  precision: number;
  /** Ends with the EOI marker: a cut-off file does not. */
  complete: boolean;
}

/** Parses the markers up to the first scan; null when the file is not a well-formed JPEG. */
export function jpegInfo(b: Buffer): JpegInfo | null {
  if (sniff(b) !== 'jpeg') return null;
  let i = 2;
  let frame: Omit<JpegInfo, 'complete'> | null = null;
  while (i + 4 <= b.length) {
    if (b[i] !== 0xff) return null;
    const marker = b[i + 1];
    if (marker === 0xff) { i++; continue; } // fill bytes
    if (marker === 0xd8 || (marker >= 0xd0 && marker <= 0xd7) || marker === 0x01) { i += 2; continue; }
    if (marker === 0xd9) return null; // EOI before any scan
    const len = b.readUInt16BE(i + 2);
    if (len < 2 || i + 2 + len > b.length) return null;
    // SOF0–SOF15 except DHT (C4), JPG (C8) and DAC (CC).
    if (marker >= 0xc0 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      if (len < 8) return null;
      frame = { precision: b[i + 4], height: b.readUInt16BE(i + 5), width: b.readUInt16BE(i + 7), components: b[i + 9] };
    }
    if (marker === 0xda) {
      if (!frame) return null;
      return { ...frame, complete: endsWithEoi(b) };
    }
    i += 2 + len;
  }
  return null;
}

function endsWithEoi(b: Buffer): boolean {
  // Some cameras pad after EOI with zeros; look back over a little padding.
  let end = b.length;
  while (end > 2 && b.length - end < 64 && b[end - 1] === 0x00) end--;
  return end >= 2 && b[end - 2] === 0xff && b[end - 1] === 0xd9;
}

/**
 * The same JPEG without metadata: EXIF/XMP (APP1), IPTC/Photoshop (APP13), comments and other
 * application segments are dropped; JFIF (APP0), the ICC profile (APP2) and Adobe's colour
 * transform flag (APP14) stay, since they change how the pixels look. Lossless and deterministic,
 * so the same upload always stores the same bytes (and the same SHA-256).
 */
export function stripMetadata(b: Buffer): Buffer {
  const keep: Buffer[] = [b.subarray(0, 2)];
  let dropped = false;
  let i = 2;
  while (i + 4 <= b.length) {
    const marker = b[i + 1];
    if (b[i] !== 0xff) break;
    if (marker === 0xff) { i++; continue; }
    if (marker === 0xda) break;
    const len = b.readUInt16BE(i + 2);
    const isApp = marker >= 0xe0 && marker <= 0xef;
    const drop = marker === 0xfe || (isApp && marker !== 0xe0 && marker !== 0xe2 && marker !== 0xee);
    if (drop) dropped = true;
    else keep.push(b.subarray(i, i + 2 + len));
    i += 2 + len;
  }
  // Nothing to remove (most exported photos): the same buffer, no copy.
  if (!dropped) return b;
  keep.push(b.subarray(i));
  return Buffer.concat(keep);
}
