/**
 * Child process of bench/photos.ts: draws the photos of a benchmark zip and writes the zip, so that
 * neither the drawing nor the zip's bytes count in the measured process's memory.
 *
 *   node --import tsx bench/lib/photo-zip.ts draw IDS.json DIR PART PARTS   JPEGs of every PARTS-th id into DIR
 *   node --import tsx bench/lib/photo-zip.ts zip IDS.json DIR OUT.zip       the zip, with the bad entries
 *
 * Every 67th entry is bad in one of the ways the check refuses (about 1.5 %, "a few hundred" of 20,000).
 */
import fs from 'node:fs';
import path from 'node:path';
import sharp from 'sharp';
import yazl from 'yazl';
import { portraitJpeg } from '../../src/server/photos/fixtures.ts';
import { checkDigit } from '../../src/shared/idcard.ts';

export const BAD_EVERY = 67;
export const BAD_KINDS = ['png', 'cmyk', 'wrongSize', 'truncated', 'badName', 'unknownStudent', 'inFolder', 'macosx'] as const;

export const badKind = (i: number) => (i % BAD_EVERY === BAD_EVERY - 1 ? BAD_KINDS[Math.floor(i / BAD_EVERY) % BAD_KINDS.length] : null);

async function draw(ids: string[], dir: string, part: number, parts: number) {
  let next = part;
  const worker = async () => {
    while (next < ids.length) {
      const i = next;
      next += parts;
      const file = path.join(dir, `${i}.jpg`);
      if (fs.existsSync(file)) continue;
      let jpeg = await portraitJpeg(i + 1);
      switch (badKind(i)) {
        case 'png': jpeg = await sharp(jpeg).png({ compressionLevel: 9, palette: true }).toBuffer(); break;
        case 'cmyk': jpeg = await sharp(jpeg).toColourspace('cmyk').jpeg({ quality: 60 }).toBuffer(); break;
        case 'wrongSize': jpeg = await sharp(jpeg).resize(360, 480).jpeg({ quality: 90 }).toBuffer(); break;
        case 'truncated': jpeg = jpeg.subarray(0, Math.floor(jpeg.length * 0.8)); break;
        // Bad in their names, not their bytes.
        case 'badName': case 'unknownStudent': case 'inFolder': case 'macosx': case null: break;
      }
      fs.writeFileSync(`${file}.tmp`, jpeg);
      fs.renameSync(`${file}.tmp`, file);
    }
  };
  await Promise.all(Array.from({ length: 3 }, worker));
}

function entryName(ids: string[], i: number): string {
  switch (badKind(i)) {
    case 'badName': return `${ids[i].slice(0, 16)}.jpg`;
    case 'unknownStudent': {
      const first17 = `11010119000101${String(i % 1000).padStart(3, '0')}`;
      return `${first17}${checkDigit(first17)}.jpg`;
    }
    case 'inFolder': return `照片/${ids[i]}.jpg`;
    case 'macosx': return `__MACOSX/._${ids[i]}.jpg`;
    case 'png': case 'cmyk': case 'wrongSize': case 'truncated': case null: return `${ids[i]}.jpg`;
  }
}

async function zip(ids: string[], dir: string, out: string) {
  const z = new yazl.ZipFile();
  const done = new Promise<void>((resolve, reject) => {
    const w = fs.createWriteStream(`${out}.tmp`);
    w.on('close', () => resolve());
    w.on('error', reject);
    z.outputStream.pipe(w);
  });
  // As Windows' "send to compressed folder" does: every file deflated.
  for (let i = 0; i < ids.length; i++) z.addFile(path.join(dir, `${i}.jpg`), entryName(ids, i), { compress: true });
  z.end();
  await done;
  fs.renameSync(`${out}.tmp`, out);
}

if (process.argv[1] && import.meta.url.endsWith(path.basename(process.argv[1]))) {
  const [cmd, idsFile, dir, a, b] = process.argv.slice(2);
  const ids = JSON.parse(fs.readFileSync(idsFile, 'utf8')) as string[];
  if (cmd === 'draw') await draw(ids, dir, Number(a), Number(b));
  else if (cmd === 'zip') await zip(ids, dir, a);
  else throw new Error(`unknown command ${cmd}`);
}
