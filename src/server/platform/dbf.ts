import crypto from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import iconv from 'iconv-lite';
import { today } from './clock.ts';

/**
 * A small streaming dBASE III writer for the 学信网 files (学历电子注册, 退学): GBK text, fixed-width records.
 *
 * Why ours and not `dbffile`: that package writes 300,000 registration records in ~23 s and cuts GBK values by bytes,
 * splitting a character in two. A fixed-width record is simple: we encode straight into one reusable chunk buffer
 * (no allocation per row), write chunks to a temporary file, patch the record count into the header at the end with
 * a positional write (memory flat whatever the number of rows), and rename — a failed write leaves no file behind.
 *
 * "GBK" here means what every reader agrees on (the Windows code page 936 table without its user-defined areas,
 * which is what Python's `gbk` codec — and so `dbfread` — decodes). iconv-lite's `gbk` is wider: it maps the
 * private-use area and, following GB18030-2005, 80 characters such as 䶮 (U+4DAE → FE 9F) that CP936 readers cannot
 * decode. Those are refused as unencodable (the 学信网 生僻字 procedure handles them), never written as bytes a reader
 * would garble.
 */

export interface DbfField { name: string; type: 'C' | 'D' | 'N'; width: number; decimals?: number }

/** Why a value cannot be written into a C field of `width` GBK bytes; null when it fits. */
export type GbkProblem = { kind: 'unencodable'; chars: string[] } | { kind: 'too_wide'; bytes: number; width: number };

/** Why a value cannot be written into a field of any type; null when it can. */
export type DbfValueProblem = GbkProblem | { kind: 'bad_date'; value: string } | { kind: 'bad_number'; value: string };

export type DbfValue = string | number | null;

/** A value that does not fit its field: a programming error (callers check with gbkProblem / dbfValueProblem first). */
export class DbfValueError extends Error {
  constructor(readonly record: number, readonly field: string, readonly problem: DbfValueProblem) {
    super(`DBF 第 ${record} 条记录的字段 ${field}：${describeProblem(problem)}`);
    this.name = 'DbfValueError';
  }
}

/** A short Chinese description of a problem (the capabilities word their own row errors; this is for logs and throws). */
export function describeProblem(p: DbfValueProblem): string {
  switch (p.kind) {
    case 'unencodable': return `含 GBK 无法表示的字：${p.chars.join('')}`;
    case 'too_wide': return `长度 ${p.bytes} 字节，超过字段宽度 ${p.width} 字节`;
    case 'bad_date': return `日期格式不正确：${p.value}（应为 YYYYMMDD 或 YYYY-MM-DD）`;
    case 'bad_number': return `数值格式不正确：${p.value}`;
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The GBK table: UTF-16 code unit → GBK double-byte code (lead << 8 | trail), 0 when not encodable. ASCII is itself.

/** Code points iconv-lite's `gbk` encodes that CP936 readers do not decode (GB18030-2005 remappings, €, …). */
const NOT_CP936: [number, number][] = [
  [0x01f9, 0x01f9], [0x1e3f, 0x1e3f], [0x20ac, 0x20ac],
  [0x2e81, 0x2e81], [0x2e84, 0x2e84], [0x2e88, 0x2e88], [0x2e8b, 0x2e8c], [0x2e97, 0x2e97], [0x2ea7, 0x2ea7],
  [0x2eaa, 0x2eaa], [0x2eae, 0x2eae], [0x2eb3, 0x2eb3], [0x2eb6, 0x2eb7], [0x2ebb, 0x2ebb], [0x2eca, 0x2eca],
  [0x2ff0, 0x2ffb], [0x303e, 0x303e],
  [0x3447, 0x3447], [0x3473, 0x3473], [0x359e, 0x359e], [0x360e, 0x360e], [0x361a, 0x361a], [0x3918, 0x3918],
  [0x396e, 0x396e], [0x39cf, 0x39d0], [0x39df, 0x39df], [0x3a73, 0x3a73], [0x3b4e, 0x3b4e], [0x3c6e, 0x3c6e],
  [0x3ce0, 0x3ce0], [0x4056, 0x4056], [0x415f, 0x415f], [0x4337, 0x4337], [0x43ac, 0x43ac], [0x43b1, 0x43b1],
  [0x43dd, 0x43dd], [0x44d6, 0x44d6], [0x464c, 0x464c], [0x4661, 0x4661], [0x4723, 0x4723], [0x4729, 0x4729],
  [0x477c, 0x477c], [0x478d, 0x478d], [0x4947, 0x4947], [0x497a, 0x497a], [0x497d, 0x497d], [0x4982, 0x4983],
  [0x4985, 0x4986], [0x499b, 0x499b], [0x499f, 0x499f], [0x49b6, 0x49b7], [0x4c77, 0x4c77], [0x4c9f, 0x4ca3],
  [0x4d13, 0x4d19], [0x4dae, 0x4dae],
  [0xe000, 0xf8ff], // the private-use area (GBK's user-defined areas): meaningless outside the machine that made it
];

let table: Uint16Array | null = null;

/** Built once, from iconv-lite's own table (one encode of every BMP character, ~10 ms). */
function gbkTable(): Uint16Array {
  if (table) return table;
  const t = new Uint16Array(0x10000);
  const chars: number[] = [];
  for (let c = 0x80; c < 0x10000; c++) if (c < 0xd800 || c > 0xdfff) chars.push(c);
  let s = '';
  for (let i = 0; i < chars.length; i += 4096) s += String.fromCharCode(...chars.slice(i, i + 4096));
  const b = iconv.encode(s, 'gbk');
  let o = 0;
  for (const c of chars) {
    const lead = b[o];
    if (lead === 0x3f || lead === 0x80) { o += 1; continue; } // '?' = not in the table; 0x80 = € (single byte in CP936 only)
    const trail = b[o + 1];
    if (trail >= 0x30 && trail <= 0x39) { o += 4; continue; } // a four-byte GB18030 sequence: not GBK
    t[c] = (lead << 8) | trail;
    o += 2;
  }
  if (o !== b.length) throw new Error('iconv-lite 的 GBK 编码表与预期不符');
  for (const [from, to] of NOT_CP936) t.fill(0, from, to + 1);
  table = t;
  return t;
}

/** The characters of `value` GBK cannot hold (each once, in order of appearance; astral characters whole). */
function unencodable(value: string, t: Uint16Array): string[] {
  const out: string[] = [];
  for (const ch of value) {
    const c = ch.charCodeAt(0);
    if (c < 0x80) continue;
    if (ch.length > 1 || t[c] === 0) if (!out.includes(ch)) out.push(ch);
  }
  return out;
}

/** The GBK bytes of `value`: ASCII one byte, any other character two (what it would take once it is encodable). */
export function gbkByteLength(value: string): number {
  let n = 0;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c >= 0xdc00 && c <= 0xdfff && i > 0 && value.charCodeAt(i - 1) >= 0xd800 && value.charCodeAt(i - 1) <= 0xdbff) continue;
    else n += 2;
  }
  return n;
}

/** Why a value cannot be written into a C field of `width` GBK bytes; null when it fits. Unencodable is reported first. */
export function gbkProblem(value: string, width: number): GbkProblem | null {
  const t = gbkTable();
  const chars = unencodable(value, t);
  if (chars.length) return { kind: 'unencodable', chars };
  const bytes = gbkByteLength(value);
  return bytes > width ? { kind: 'too_wide', bytes, width } : null;
}

/** True when every character of `value` is GBK (whatever its length). */
export function isGbk(value: string): boolean {
  return unencodable(value, gbkTable()).length === 0;
}

/** The GBK bytes of a value GBK can hold (throws on one it cannot: check with gbkProblem first). */
export function encodeGbk(value: string): Buffer {
  const buf = Buffer.alloc(gbkByteLength(value));
  const end = encodeInto(value, buf, 0, buf.length);
  if (end < 0) throw new Error(`含 GBK 无法表示的字：${unencodable(value, gbkTable()).join('')}`);
  return buf;
}

/** Writes `value` as GBK into buf[at, limit); returns the end offset, -1 if unencodable, -2 if it does not fit. */
function encodeInto(value: string, buf: Buffer, at: number, limit: number): number {
  const t = gbkTable();
  let o = at;
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x80) {
      if (o >= limit) return -2;
      buf[o++] = c;
    } else {
      const code = t[c];
      if (code === 0) return -1;
      if (o + 2 > limit) return -2;
      buf[o++] = code >> 8;
      buf[o++] = code & 0xff;
    }
  }
  return o;
}

// ---------------------------------------------------------------------------------------------------------------
// Dates and numbers (parsed by hand: these run for every record, and a RegExp plus a Date per value cost more than
// the rest of the record)

const digit = (s: string, i: number): number => {
  const c = s.charCodeAt(i) - 48;
  return c >= 0 && c <= 9 ? c : -1;
};
const DAYS = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];

/** The offsets of Y, M, D in a date given as YYYYMMDD, YYYY-MM-DD or an ISO timestamp; null unless a real date. */
function dateAt(v: string): number | null {
  let mo: number, d: number;
  if (v.length === 8) [mo, d] = [4, 6];
  else if (v.length >= 10 && v.charCodeAt(4) === 45 && v.charCodeAt(7) === 45 && (v.length === 10 || v.charCodeAt(10) === 84)) [mo, d] = [5, 8];
  else return null;
  for (const i of [0, 1, 2, 3, mo, mo + 1, d, d + 1]) if (digit(v, i) < 0) return null;
  const y = digit(v, 0) * 1000 + digit(v, 1) * 100 + digit(v, 2) * 10 + digit(v, 3);
  const m = digit(v, mo) * 10 + digit(v, mo + 1);
  const day = digit(v, d) * 10 + digit(v, d + 1);
  if (m < 1 || m > 12 || day < 1) return null;
  const leap = m === 2 && (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0));
  if (day > DAYS[m - 1] + (leap ? 1 : 0)) return null;
  return mo === 4 ? 0 : 1;
}

/** Writes the date as YYYYMMDD at buf[at]; false when `v` is not a real date. */
function writeDate(v: string, buf: Buffer, at: number): boolean {
  const sep = dateAt(v);
  if (sep == null) return false;
  for (let i = 0; i < 4; i++) buf[at + i] = v.charCodeAt(i);
  buf[at + 4] = v.charCodeAt(4 + sep);
  buf[at + 5] = v.charCodeAt(5 + sep);
  buf[at + 6] = v.charCodeAt(6 + 2 * sep);
  buf[at + 7] = v.charCodeAt(7 + 2 * sep);
  return true;
}

/** The length of `v` as an N field's text with `decimals` places (fraction padded with zeros, never rounded); -1 if
 *  malformed: an optional minus, digits, and a fraction of at most `decimals` digits. */
function numberLength(v: string, decimals: number): number {
  let i = v.charCodeAt(0) === 45 ? 1 : 0;
  const intStart = i;
  while (i < v.length && digit(v, i) >= 0) i++;
  if (i === intStart) return -1;
  if (i === v.length) return decimals === 0 ? v.length : v.length + 1 + decimals;
  if (v.charCodeAt(i) !== 46) return -1;
  const fracStart = ++i;
  while (i < v.length && digit(v, i) >= 0) i++;
  const frac = i - fracStart;
  if (i !== v.length || frac === 0 || frac > decimals) return -1;
  return v.length + decimals - frac;
}

/** Writes `v` right-aligned in buf[at, at + width) with `decimals` places; the length written (checked by the caller). */
function writeNumber(v: string, len: number, buf: Buffer, at: number, width: number): void {
  let o = at + width - len;
  for (let i = 0; i < v.length; i++) buf[o++] = v.charCodeAt(i);
  if (o < at + width && v.indexOf('.') < 0) buf[o++] = 46;
  while (o < at + width) buf[o++] = 48;
}

const asText = (v: DbfValue): string => (typeof v === 'number' ? String(v) : v ?? '');

/** Why `value` cannot be written into `field`; null when it can (null and '' are blank and always fit). */
export function dbfValueProblem(field: DbfField, value: DbfValue): DbfValueProblem | null {
  const v = asText(value);
  if (v === '') return null;
  switch (field.type) {
    case 'C': return gbkProblem(v, field.width);
    case 'D': return dateAt(v) == null ? { kind: 'bad_date', value: v } : null;
    case 'N': {
      const len = numberLength(v, field.decimals ?? 0);
      if (len < 0) return { kind: 'bad_number', value: v };
      return len > field.width ? { kind: 'too_wide', bytes: len, width: field.width } : null;
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// The file

const FIELD_NAME = /^[A-Za-z][A-Za-z0-9_]{0,9}$/;
const LANGUAGE_DRIVER_GBK = 0x4d; // CP936
const CHUNK_BYTES = 1 << 20;

function checkFields(fields: DbfField[]): void {
  if (fields.length === 0 || fields.length > 128) throw new Error(`DBF 字段数 ${fields.length} 不在 1–128 之间`);
  const seen = new Set<string>();
  for (const f of fields) {
    if (!FIELD_NAME.test(f.name)) throw new Error(`DBF 字段名不合法：${f.name}（最多 10 个 ASCII 字母、数字或下划线，以字母开头）`);
    if (seen.has(f.name.toUpperCase())) throw new Error(`DBF 字段名重复：${f.name}`);
    seen.add(f.name.toUpperCase());
    const dec = f.decimals ?? 0;
    const ok = f.type === 'C' ? Number.isInteger(f.width) && f.width >= 1 && f.width <= 254 && dec === 0
      : f.type === 'D' ? f.width === 8 && dec === 0
        : Number.isInteger(f.width) && f.width >= 1 && f.width <= 20 && Number.isInteger(dec) && dec >= 0 && (dec === 0 || dec <= f.width - 2);
    if (!ok) throw new Error(`DBF 字段 ${f.name} 的类型、宽度或小数位不合法：${f.type}${f.width}${dec ? `,${dec}` : ''}`);
  }
}

function header(fields: DbfField[], records: number, day: string): Buffer {
  const headerLength = 32 + 32 * fields.length + 1;
  const recordLength = 1 + fields.reduce((n, f) => n + f.width, 0);
  if (recordLength > 0xffff) throw new Error(`DBF 记录长度 ${recordLength} 超过 65535`);
  const h = Buffer.alloc(headerLength);
  h[0] = 0x03; // dBASE III, no memo
  writeDay(h, day);
  h.writeUInt32LE(records, 4);
  h.writeUInt16LE(headerLength, 8);
  h.writeUInt16LE(recordLength, 10);
  h[29] = LANGUAGE_DRIVER_GBK;
  fields.forEach((f, i) => {
    const at = 32 + 32 * i;
    h.write(f.name.toUpperCase(), at, 'ascii'); // the rest of the 11 bytes stays 0
    h[at + 11] = f.type.charCodeAt(0);
    h[at + 16] = f.width;
    h[at + 17] = f.decimals ?? 0;
  });
  h[headerLength - 1] = 0x0d;
  return h;
}

/** The last-update date, YY (years since 1900) MM DD, at bytes 1–3. */
function writeDay(h: Buffer, day: string): void {
  h[1] = Number(day.slice(0, 4)) - 1900;
  h[2] = Number(day.slice(5, 7));
  h[3] = Number(day.slice(8, 10));
}

export interface WriteDbfOptions {
  /** The header's last-update date (YYYY-MM-DD); default today in China. */
  day?: string;
  /** Called after each chunk is written with the records so far (progress for jobs). */
  onProgress?: (records: number) => void;
}

/**
 * Writes the rows (values in field order; null/'' = blank) to `file`; returns the count. A value that does not fit
 * or cannot be encoded throws a DbfValueError (a programming error: callers check with gbkProblem first) — never
 * truncates. The file appears only when complete (written under a temporary name, then renamed).
 */
export async function writeDbf(file: string, fields: DbfField[],
  rows: AsyncIterable<DbfValue[]> | Iterable<DbfValue[]>, options: WriteDbfOptions = {}): Promise<{ records: number; bytes: number }> {
  checkFields(fields);
  const head = header(fields, 0, options.day ?? today());
  const recordLength = head.readUInt16LE(10);
  const perChunk = Math.max(1, Math.floor(CHUNK_BYTES / recordLength));
  const chunk = Buffer.alloc(perChunk * recordLength, 0x20); // spaces: every field blank until written
  const n = fields.length;
  const widths = fields.map((f) => f.width);
  const types = fields.map((f) => f.type);
  const decimals = fields.map((f) => f.decimals ?? 0);

  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.part`);
  const fh = await fs.open(tmp, 'wx');
  let records = 0;
  let used = 0; // bytes of `chunk` filled
  let position = head.length;
  const flush = async () => {
    if (used === 0) return;
    await fh.write(chunk, 0, used, position);
    position += used;
    used = 0;
    chunk.fill(0x20); // every field blank until written
    options.onProgress?.(records);
  };
  const put = (row: DbfValue[]) => {
    if (row.length !== n) throw new Error(`DBF 第 ${records + 1} 条记录有 ${row.length} 个值，应为 ${n} 个`);
    let at = used + 1; // byte 0 stays 0x20: not deleted
    for (let i = 0; i < n; i++) {
      const raw = row[i];
      const w = widths[i];
      if (raw != null && raw !== '') {
        const v = typeof raw === 'number' ? String(raw) : raw;
        if (types[i] === 'C') {
          const end = encodeInto(v, chunk, at, at + w);
          if (end < 0) throw new DbfValueError(records + 1, fields[i].name, gbkProblem(v, w) ?? { kind: 'too_wide', bytes: gbkByteLength(v), width: w });
        } else if (types[i] === 'D') {
          if (!writeDate(v, chunk, at)) throw new DbfValueError(records + 1, fields[i].name, { kind: 'bad_date', value: v });
        } else {
          const len = numberLength(v, decimals[i]);
          if (len < 0) throw new DbfValueError(records + 1, fields[i].name, { kind: 'bad_number', value: v });
          if (len > w) throw new DbfValueError(records + 1, fields[i].name, { kind: 'too_wide', bytes: len, width: w });
          writeNumber(v, len, chunk, at, w); // right-aligned
        }
      }
      at += w;
    }
    used += recordLength;
    records++;
  };

  try {
    await fh.write(head, 0, head.length, 0);
    if (Symbol.iterator in rows) {
      // A plain iterable: no promise per row.
      for (const row of rows) {
        put(row);
        if (used === chunk.length) await flush();
      }
    } else {
      for await (const row of rows) {
        put(row);
        if (used === chunk.length) await flush();
      }
    }
    await flush();
    await fh.write(Buffer.from([0x1a]), 0, 1, position);
    // The last-update date and the record count, known only now (bytes 1–7), with one positional write.
    const patch = Buffer.alloc(8);
    writeDay(patch, options.day ?? today());
    patch.writeUInt32LE(records, 4);
    await fh.write(patch, 1, 7, 1);
    await fh.close();
    await fs.rename(tmp, file);
    return { records, bytes: position + 1 };
  } catch (e) {
    await fh.close().catch(() => undefined);
    await fs.rm(tmp, { force: true });
    throw e;
  }
}
