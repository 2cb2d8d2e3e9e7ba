import fs from 'node:fs';
import zlib from 'node:zlib';
import iconv from 'iconv-lite';
import yauzl from 'yauzl';

/**
 * Reading an uploaded zip safely and fast. yauzl reads the central directory (names as bytes: with
 * decodeStrings on it would guess CP437 and, worse, only then check for `..`); the entries' data is
 * then read in large sequential slices of the file and inflated here, with every limit enforced on
 * the bytes actually produced, never on the sizes the headers claim.
 */

export interface ZipLimits {
  /** More entries than this: the whole zip is refused before anything is inflated. */
  maxEntries: number;
  /** Total uncompressed bytes, declared (checked first) and actual (checked while inflating). */
  maxTotalBytes: number;
  /** One entry may inflate to at most this many bytes; more and it is refused as too large. */
  maxEntryBytes: number;
  /** Uncompressed ÷ compressed above this is a bomb, whatever the result would be. */
  maxRatio: number;
}

export type EntryKind = 'file' | 'folder' | 'symlink' | 'encrypted' | 'unsupported';

export interface ZipEntry {
  /** 1-based position in the central directory: the report's order. */
  seq: number;
  /** The name as the user's zip tool wrote it, decoded (UTF-8 when flagged, else GBK). */
  name: string;
  kind: EntryKind;
  compressedSize: number;
  declaredSize: number;
  method: number;
  crc32: number;
  offset: number;
}

/** The zip as a whole is unacceptable (not a zip, a bomb, too many entries). The message says why. */
export class ZipRefused extends Error {}

const UTF8_FLAG = 0x800;
const ENCRYPTED_FLAG = 0x1;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;
const S_IFDIR = 0o040000;

/** Names: bit 11 says UTF-8; without it, Windows' zip tools in China write the ANSI code page, GBK. */
export function decodeName(raw: Buffer, flags: number): string {
  return (flags & UTF8_FLAG) ? raw.toString('utf8') : iconv.decode(raw, 'gbk');
}

function kindOf(e: yauzl.Entry, name: string): EntryKind {
  const unixMode = (e.externalFileAttributes >>> 16) & S_IFMT;
  // Only Unix-made zips (version made by, high byte 3) carry a mode in the high attribute bits.
  const fromUnix = (e.versionMadeBy >> 8) === 3;
  if (fromUnix && unixMode === S_IFLNK) return 'symlink';
  if (name.endsWith('/') || name.endsWith('\\') || (fromUnix && unixMode === S_IFDIR) || (e.externalFileAttributes & 0x10) !== 0) return 'folder';
  if (e.generalPurposeBitFlag & ENCRYPTED_FLAG) return 'encrypted';
  if (e.compressionMethod !== 0 && e.compressionMethod !== 8) return 'unsupported';
  return 'file';
}

/**
 * yauzl reads the central directory a field at a time through this reader. Serving those reads from
 * one read of the file's tail (where the directory is) instead of a syscall and a stream each takes
 * listing 20,000 entries from two seconds to a few milliseconds.
 */
class TailCachedReader extends yauzl.RandomAccessReader {
  constructor(private readonly fd: number, private readonly tail: Buffer, private readonly tailStart: number) {
    super();
  }
  override read(buffer: Buffer, offset: number, length: number, position: number, callback: (err: Error | null) => void) {
    if (position >= this.tailStart && position + length <= this.tailStart + this.tail.length) {
      this.tail.copy(buffer, offset, position - this.tailStart, position - this.tailStart + length);
      process.nextTick(callback, null);
      return;
    }
    fs.read(this.fd, buffer, offset, length, position, (err, n) => callback(err ?? (n < length ? new Error('unexpected end of zip') : null)));
  }
  override _readStreamForRange(start: number, end: number) {
    return fs.createReadStream('', { fd: this.fd, start, end: end - 1, autoClose: false });
  }
}

// The central directory of 50,000 entries (the default cap) fits; a bigger one is read field by field.
const TAIL = 4 * 1024 * 1024;

async function openZip(file: string): Promise<{ zf: yauzl.ZipFile; close(): void }> {
  const fd = fs.openSync(file, 'r');
  try {
    const size = fs.fstatSync(fd).size;
    const tailStart = Math.max(0, size - TAIL);
    const tail = Buffer.allocUnsafe(size - tailStart);
    fs.readSync(fd, tail, 0, tail.length, tailStart);
    const reader = new TailCachedReader(fd, tail, tailStart);
    const zf = await new Promise<yauzl.ZipFile>((resolve, reject) => {
      yauzl.fromRandomAccessReader(reader, size, { lazyEntries: true, decodeStrings: false, autoClose: false, validateEntrySizes: false, strictFileNames: false }, (err, z) => {
        if (err || !z) reject(new ZipRefused('文件不是有效的 ZIP 压缩包（或已损坏），请重新压缩后上传。'));
        else resolve(z);
      });
    });
    return { zf, close: () => fs.closeSync(fd) };
  } catch (e) {
    fs.closeSync(fd);
    throw e;
  }
}

/** The central directory: every entry's name, kind and sizes. Refuses a zip over the limits. */
export async function listEntries(file: string, limits: ZipLimits): Promise<ZipEntry[]> {
  const { zf, close } = await openZip(file);
  try {
    if (zf.entryCount > limits.maxEntries) {
      throw new ZipRefused(`压缩包内有 ${zf.entryCount} 个文件，超过单次上传上限 ${limits.maxEntries} 个，请分成几个压缩包上传。`);
    }
    if (zf.entryCount === 0) throw new ZipRefused('压缩包是空的，请放入照片后重新压缩上传。');
    const entries: ZipEntry[] = [];
    let declared = 0;
    await new Promise<void>((resolve, reject) => {
      zf.on('error', () => reject(new ZipRefused('压缩包的目录已损坏，无法读取，请重新压缩后上传。')));
      zf.on('end', () => resolve());
      zf.on('entry', (e: yauzl.Entry) => {
        const raw = e.fileName as unknown as Buffer;
        const name = decodeName(raw, e.generalPurposeBitFlag);
        declared += e.uncompressedSize;
        entries.push({
          seq: entries.length + 1, name, kind: kindOf(e, name), compressedSize: e.compressedSize, declaredSize: e.uncompressedSize,
          method: e.compressionMethod, crc32: e.crc32, offset: e.relativeOffsetOfLocalHeader,
        });
        zf.readEntry();
      });
      zf.readEntry();
    });
    if (declared > limits.maxTotalBytes) {
      throw new ZipRefused(`压缩包解压后共 ${mb(declared)} MB，超过上限 ${mb(limits.maxTotalBytes)} MB（疑似压缩炸弹），已拒绝。请只放入照片后重新压缩。`);
    }
    // Entries whose data overlap share bytes to multiply output (a "non-recursive" bomb).
    const byOffset = entries.slice().sort((a, b) => a.offset - b.offset);
    for (let i = 1; i < byOffset.length; i++) {
      const prev = byOffset[i - 1];
      if (byOffset[i].offset < prev.offset + 30 + prev.compressedSize) {
        throw new ZipRefused('压缩包结构异常（多个文件共用同一段数据，疑似压缩炸弹），已拒绝。请重新压缩后上传。');
      }
    }
    return entries;
  } finally {
    close();
  }
}

const mb = (n: number) => Math.round(n / 1024 / 1024);

export type ReadProblem = 'tooLarge' | 'corrupt' | 'bomb';
export type ReadResult = { entry: ZipEntry; data: Buffer; problem?: undefined } | { entry: ZipEntry; data?: undefined; problem: ReadProblem };

const WINDOW = 4 * 1024 * 1024;

/**
 * The data of the given entries, in file order, each inflated under the limits. A file of any size is
 * read through one window of 4 MB; an entry is never held longer than the caller keeps it.
 */
export async function* readEntries(file: string, entries: ZipEntry[], limits: ZipLimits): AsyncGenerator<ReadResult> {
  const fd = await fs.promises.open(file, 'r');
  const size = (await fd.stat()).size;
  const window = Buffer.allocUnsafe(WINDOW);
  let winStart = 0;
  let winLen = 0;
  let total = 0;
  const slice = async (start: number, len: number): Promise<Buffer | null> => {
    if (start + len > size) return null;
    if (start < winStart || start + len > winStart + winLen) {
      const { bytesRead } = await fd.read(window, 0, WINDOW, start);
      winStart = start;
      winLen = bytesRead;
      if (len > winLen) return null;
    }
    return window.subarray(start - winStart, start - winStart + len);
  };
  try {
    for (const entry of entries.slice().sort((a, b) => a.offset - b.offset)) {
      // Bigger than any acceptable photo even before inflating (deflate never shrinks by much less).
      if (entry.compressedSize > limits.maxEntryBytes + 1024) {
        yield { entry, problem: 'tooLarge' };
        continue;
      }
      const header = await slice(entry.offset, 30);
      if (!header || header.readUInt32LE(0) !== 0x04034b50) { yield { entry, problem: 'corrupt' }; continue; }
      const dataStart = entry.offset + 30 + header.readUInt16LE(26) + header.readUInt16LE(28);
      const packed = await slice(dataStart, entry.compressedSize);
      if (!packed) { yield { entry, problem: 'corrupt' }; continue; }
      // The declared size is a claim, but a claim of a huge ratio is already an answer.
      if (entry.declaredSize > 1024 * 1024 && entry.declaredSize > Math.max(1, entry.compressedSize) * limits.maxRatio) {
        yield { entry, problem: 'bomb' };
        continue;
      }
      let data: Buffer;
      if (entry.method === 0) {
        data = Buffer.from(packed);
      } else {
        try {
          // At most maxEntryBytes + 1: one byte more proves "too large" without producing the rest.
          data = zlib.inflateRawSync(packed, { maxOutputLength: limits.maxEntryBytes + 1 });
        } catch (e) {
          yield { entry, problem: (e as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE' ? 'tooLarge' : 'corrupt' };
          continue;
        }
      }
      if (data.length > limits.maxEntryBytes) { yield { entry, problem: 'tooLarge' }; continue; }
      if (zlib.crc32(data) !== entry.crc32) { yield { entry, problem: 'corrupt' }; continue; }
      total += data.length;
      if (total > limits.maxTotalBytes) {
        throw new ZipRefused(`压缩包解压后超过上限 ${mb(limits.maxTotalBytes)} MB（疑似压缩炸弹），已拒绝。请只放入照片后重新压缩。`);
      }
      yield { entry, data };
    }
  } finally {
    await fd.close();
  }
}
