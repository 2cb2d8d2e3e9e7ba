import sharp from 'sharp';

/** A small deterministic generator (mulberry32): the same seed draws the same picture. */
function random(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * A made-up ID photo: a light background with a soft gradient, a head and shoulders placed and
 * coloured by the seed, and a little grain (real photos have it, and it gives realistic file sizes).
 * Different seeds give pictures that differ in more than a few dHash bits.
 */
export function portraitPixels(seed: number, width = 480, height = 640): Buffer {
  const rnd = random(seed);
  const bg = [200 + rnd() * 50, 200 + rnd() * 50, 205 + rnd() * 50];
  const gx = (rnd() - 0.5) * 60;
  const gy = (rnd() - 0.5) * 60;
  const cx = width * (0.3 + rnd() * 0.4);
  const cy = height * (0.3 + rnd() * 0.15);
  const rx = width * (0.16 + rnd() * 0.1);
  const ry = rx * (1.2 + rnd() * 0.2);
  const skin = [150 + rnd() * 80, 110 + rnd() * 60, 80 + rnd() * 50];
  const coat = [rnd() * 90, rnd() * 90, rnd() * 120];
  const shoulders = cy + ry * (1.1 + rnd() * 0.3);
  // Hair, a collar, shadows: a few shapes whose place and tone the seed decides.
  const blobs = Array.from({ length: 6 }, () => ({
    x: width * rnd(), y: height * rnd(), r: width * (0.08 + rnd() * 0.2), tone: (rnd() - 0.5) * 120,
  }));
  const grain = 16 + rnd() * 6;
  const noise = Buffer.alloc(65536);
  for (let k = 0; k < noise.length; k++) noise[k] = Math.floor(rnd() * 256);
  const px = Buffer.alloc(width * height * 3);
  const rowShade = new Float32Array(width);
  let i = 0;
  for (let y = 0; y < height; y++) {
    // The blobs' shade along this row, span by span rather than pixel by pixel.
    rowShade.fill(0);
    for (const b of blobs) {
      const dy = y - b.y;
      if (dy * dy >= b.r * b.r) continue;
      const half = Math.sqrt(b.r * b.r - dy * dy);
      for (let x = Math.max(0, Math.ceil(b.x - half)); x < Math.min(width, b.x + half); x++) rowShade[x] += b.tone;
    }
    const dyHead = (y - cy) / ry;
    const headHalf = dyHead * dyHead <= 1 ? rx * Math.sqrt(1 - dyHead * dyHead) : -1;
    const bodyHalf = y > shoulders ? rx * 2.2 + (y - shoulders) * 0.6 : -1;
    for (let x = 0; x < width; x++) {
      const inHead = Math.abs(x - cx) <= headHalf;
      const inBody = !inHead && Math.abs(x - cx) < bodyHalf;
      const base = inHead ? skin : inBody ? coat : bg;
      const shade = (inHead || inBody ? 0 : (x / width) * gx + (y / height) * gy) + rowShade[x];
      const n = (noise[(i * 7919 + y) & 65535] / 255 - 0.5) * grain;
      px[i++] = Math.max(0, Math.min(255, base[0] + shade + n));
      px[i++] = Math.max(0, Math.min(255, base[1] + shade + n));
      px[i++] = Math.max(0, Math.min(255, base[2] + shade + n));
    }
  }
  return px;
}

export function portraitJpeg(seed: number, o: { width?: number; height?: number; quality?: number } = {}): Promise<Buffer> {
  const width = o.width ?? 480;
  const height = o.height ?? 640;
  // Drawn at half size and enlarged: four times less JavaScript per picture, the same file sizes.
  const w2 = Math.ceil(width / 2);
  const h2 = Math.ceil(height / 2);
  return sharp(portraitPixels(seed, w2, h2), { raw: { width: w2, height: h2, channels: 3 } })
    .resize(width, height, { kernel: 'nearest' }).jpeg({ quality: o.quality ?? 72 }).toBuffer();
}
