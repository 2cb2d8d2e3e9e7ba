import fs from 'node:fs';
import yauzl from 'yauzl';

/**
 * Pages of a PDF counted from its page objects (`/Type /Page`, not `/Pages`), streaming, so that counting a
 * merged PDF of 20,000 pages or a zip of 20,000 PDFs does not itself raise the benchmark's memory. Both
 * pdfkit and Chromium (Skia) write page dictionaries uncompressed, outside object streams.
 */
export class PageCounter {
  pages = 0;
  #carry = '';
  // The character after "Page" must be there (and not a letter): a match at a chunk's end waits for the next.
  static readonly #re = /\/Type\s*\/Page[^A-Za-z]/g;

  push(chunk: Buffer): void {
    const text = this.#carry + chunk.toString('latin1');
    const re = PageCounter.#re;
    re.lastIndex = 0;
    for (let m = re.exec(text); m; m = re.exec(text)) {
      // A match that ended inside the carried tail was counted with the previous chunk.
      if (m.index + m[0].length > this.#carry.length) this.pages++;
    }
    this.#carry = text.slice(-64);
  }
}

export function countPdfPages(pdf: Buffer): number {
  const c = new PageCounter();
  c.push(pdf);
  c.push(Buffer.from(' '));
  return c.pages;
}

export async function countPdfFilePages(file: string): Promise<number> {
  const c = new PageCounter();
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) c.push(chunk as Buffer);
  c.push(Buffer.from(' '));
  return c.pages;
}

/** Entries and pages of a zip of PDFs, one entry at a time. */
export function countZipPages(file: string): Promise<{ entries: number; pdfs: number; pages: number }> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: true }, (err, zip) => {
      if (err || !zip) return reject(err ?? new Error('zip not opened'));
      let entries = 0;
      let pdfs = 0;
      let pages = 0;
      zip.on('error', reject);
      zip.on('end', () => resolve({ entries, pdfs, pages }));
      zip.on('entry', (entry: yauzl.Entry) => {
        entries++;
        if (!/\.pdf$/i.test(entry.fileName)) return zip.readEntry();
        pdfs++;
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e ?? new Error(`entry ${entry.fileName} not readable`));
          const c = new PageCounter();
          stream.on('data', (chunk: Buffer) => c.push(chunk));
          stream.on('error', reject);
          stream.on('end', () => {
            c.push(Buffer.from(' '));
            pages += c.pages;
            zip.readEntry();
          });
        });
      });
      zip.readEntry();
    });
  });
}
