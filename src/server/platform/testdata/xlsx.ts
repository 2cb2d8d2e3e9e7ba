import crypto from 'node:crypto';
import zlib from 'node:zlib';

/**
 * Hand-built .xlsx files for the reader's tests, including what Excel never writes: parts that inflate
 * to a thousand times their size, sizes that lie. Built in memory at run time; nothing large is committed.
 */

export interface ZipPart {
  name: string;
  /** The part's bytes: deflated here (or stored with `store`). */
  data?: Buffer;
  store?: boolean;
  /** Already deflated (raw) bytes with their true size and CRC, for parts too large to hold unpacked. */
  packed?: { bytes: Buffer; size: number; crc: number };
  /** Claim another unpacked size than the truth. */
  declaredSize?: number;
}

export function buildZip(parts: ZipPart[]): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const p of parts) {
    const name = Buffer.from(p.name, 'utf8');
    const method = p.store ? 0 : 8;
    const packed = p.packed?.bytes ?? (p.store ? p.data! : zlib.deflateRawSync(p.data!));
    const crc = p.packed?.crc ?? zlib.crc32(p.data!);
    const size = p.declaredSize ?? p.packed?.size ?? p.data!.length;
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x800, 6);
    local.writeUInt16LE(method, 8);
    local.writeUInt32LE(0x21, 10);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(packed.length, 18);
    local.writeUInt32LE(size, 22);
    local.writeUInt16LE(name.length, 26);
    locals.push(local, name, packed);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt16LE(0x800, 8);
    central.writeUInt16LE(method, 10);
    central.writeUInt32LE(0x21, 12);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(packed.length, 20);
    central.writeUInt32LE(size, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    centrals.push(central, name);
    offset += 30 + name.length + packed.length;
  }
  const cd = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(parts.length, 8);
  end.writeUInt16LE(parts.length, 10);
  end.writeUInt32LE(cd.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, end]);
}

const NS = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main';
const REL = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships';

/** The parts around the sheet that every workbook has, for one sheet at xl/worksheets/sheet1.xml. */
export function workbookParts(sheetName = '数据'): ZipPart[] {
  const xml = (s: string) => Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n${s}`);
  return [
    { name: '[Content_Types].xml', data: xml('<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>') },
    { name: '_rels/.rels', data: xml(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>`) },
    { name: 'xl/workbook.xml', data: xml(`<workbook xmlns="${NS}" xmlns:r="${REL}"><sheets><sheet name="${sheetName}" sheetId="1" r:id="rId1"/></sheets></workbook>`) },
    { name: 'xl/_rels/workbook.xml.rels', data: xml(`<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="${REL}/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`) },
  ];
}

const cell = (ref: string, v: string) => `<c r="${ref}" t="inlineStr"><is><t>${v}</t></is></c>`;

/** A sheet's XML: the header in row 1, then the rows, every value an inline string. */
export function sheetXml(header: string[], rows: string[][]): Buffer {
  const col = (i: number) => String.fromCharCode(65 + i);
  const line = (r: number, values: string[]) => `<row r="${r}">${values.map((v, i) => cell(`${col(i)}${r}`, v)).join('')}</row>`;
  return Buffer.from(`<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n<worksheet xmlns="${NS}"><sheetData>${
    [line(1, header), ...rows.map((r, i) => line(i + 2, r))].join('')}</sheetData></worksheet>`);
}

export interface Bomb {
  xlsx: Buffer;
  /** What the worksheet really inflates to. */
  unpacked: number;
}

/**
 * The issue's file: a worksheet of one header and millions of identical rows (~70 bytes each), deflated
 * a mebibyte at a time (each piece sync-flushed, so the pieces concatenate into one valid stream), padded
 * with an incompressible picture to about `fileBytes`. `declaredSize` makes the zip lie about the sheet.
 */
export function xlsxBomb(header: string[], opts: { unpacked?: number; fileBytes?: number; declaredSize?: (packed: number, unpacked: number) => number } = {}): Bomb {
  const unpacked = opts.unpacked ?? 1024 * 1024 * 1024;
  // One cell, ~70 bytes: 17 million rows make a gibibyte.
  const row = `<row r="2">${cell('A2', '2021210100001')}</row>`;
  const headXml = sheetXml(header, []).toString().replace('</sheetData></worksheet>', '');
  const head = Buffer.from(headXml);
  const tail = Buffer.from('</sheetData></worksheet>');
  const MiB = 1024 * 1024;
  const block = Buffer.from(row.repeat(Math.ceil(MiB / row.length))).subarray(0, MiB);
  // The block must end where a row ends, so that the repeated blocks are still rows.
  const whole = block.subarray(0, block.lastIndexOf('</row>') + '</row>'.length);
  const count = Math.floor((unpacked - head.length - tail.length) / whole.length);
  const flush = { finishFlush: zlib.constants.Z_SYNC_FLUSH, level: 9 };
  const packedBlock = zlib.deflateRawSync(whole, flush);
  const pieces = [zlib.deflateRawSync(head, flush), ...Array<Buffer>(count).fill(packedBlock), zlib.deflateRawSync(tail, flush), zlib.deflateRawSync(Buffer.alloc(0))];
  let crc = zlib.crc32(head);
  for (let i = 0; i < count; i++) crc = zlib.crc32(whole, crc);
  crc = zlib.crc32(tail, crc);
  const size = head.length + count * whole.length + tail.length;
  const bytes = Buffer.concat(pieces);
  const parts: ZipPart[] = [...workbookParts(), {
    name: 'xl/worksheets/sheet1.xml', packed: { bytes, size, crc }, declaredSize: opts.declaredSize?.(bytes.length, size),
  }];
  const padding = (opts.fileBytes ?? 3 * MiB) - bytes.length - 4096;
  if (padding > 0) parts.push({ name: 'xl/media/image1.png', data: crypto.randomBytes(padding), store: true });
  return { xlsx: buildZip(parts), unpacked: size };
}
