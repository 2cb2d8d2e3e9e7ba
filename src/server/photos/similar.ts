import { sql, type Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import type { FileStore } from '../platform/files.ts';
import { MAX_DECODE_PIXELS } from './check.ts';

/**
 * Near-identical pictures: a difference hash (dHash) of the picture shrunk to 9×8 grey pixels, one bit
 * per horizontal neighbour pair. A re-encoded, slightly cropped or recoloured copy differs in a few of
 * the 64 bits. Computed after 保存 by a job, since it needs a decode (about 2 ms a photo) and a flag is
 * for a person to look at later, not a reason to hold up the upload.
 */
export async function dHash(jpeg: Buffer): Promise<bigint> {
  const { default: sharp } = await import('sharp');
  const px = await sharp(jpeg, { limitInputPixels: MAX_DECODE_PIXELS, failOn: 'none' })
    .greyscale().resize(9, 8, { fit: 'fill' }).raw().toBuffer();
  let h = 0n;
  for (let y = 0; y < 8; y++) {
    for (let x = 0; x < 8; x++) h = (h << 1n) | (px[y * 9 + x] > px[y * 9 + x + 1] ? 1n : 0n);
  }
  // As a signed 64-bit value, the way PostgreSQL's bigint holds it.
  return BigInt.asIntN(64, h);
}

export const popcount = (h: bigint) => BigInt.asUintN(64, h).toString(2).replace(/0/g, '').length;

/** Differing bits at most: near-identical. Beyond about 10 different photos start to match. */
export const SIMILAR_BITS = 6;

/** A picture with almost no structure (a blank page) hashes to nearly all zeros: nothing to compare. */
const informative = (h: bigint) => {
  const n = popcount(h);
  return n >= 8 && n <= 56;
};

/**
 * Hashes the given photos that have no hash yet, then flags pairs with another student's current photo
 * of the same type within SIMILAR_BITS. Candidates come from four 16-bit bands: two hashes within 3
 * bits share at least one band exactly, and most within 6 do, so the join stays an equality join.
 */
export async function hashAndFlag(db: Kysely<DB>, store: FileStore, photoIds: number[], progress?: (done: number) => Promise<unknown>): Promise<number> {
  const todo = await db.selectFrom('photo').select(['id', 'sha256']).where('id', '=', sql<number>`any(${photoIds}::bigint[])`).where('dhash', 'is', null).execute();
  const ids: number[] = [];
  const hashes: string[] = [];
  let next = 0;
  const worker = async () => {
    while (next < todo.length) {
      const p = todo[next++];
      const bytes = await store.get(p.sha256);
      if (!bytes) continue;
      try {
        const h = await dHash(bytes);
        ids.push(p.id);
        hashes.push(informative(h) ? h.toString() : '0');
      } catch {
        // Undecodable despite the checks: no hash, no flag; the picture is still shown to people.
      }
      if (ids.length % 1000 === 0) await progress?.(ids.length);
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  if (ids.length === 0) return 0;
  await sql`update photo p set dhash = nullif(x.h, 0) from unnest(${ids}::bigint[], ${hashes}::bigint[]) as x(id, h) where p.id = x.id`.execute(db);
  const bands = [48n, 32n, 16n, 0n].map((shift) => sql`
      select n.id as a, o.id as b, bit_count((n.dhash # o.dhash)::bit(64)) as d, n.node_path
        from photo n join photo o
          on ((o.dhash >> ${sql.lit(Number(shift))}) & 65535) = ((n.dhash >> ${sql.lit(Number(shift))}) & 65535)
         and o.is_current and o.photo_type = n.photo_type and o.student_id <> n.student_id and o.sha256 <> n.sha256
       where n.id = any(${ids}::bigint[]) and n.dhash is not null and o.dhash is not null`);
  const r = await sql`
    insert into photo_flag (photo_id, other_photo_id, kind, distance, node_path)
    select distinct on (a, b) a, b, '相似图片', d, node_path
      from (${sql.join(bands, sql` union all `)}) c
     where d <= ${SIMILAR_BITS}
    on conflict (photo_id, other_photo_id) do nothing`.execute(db);
  return Number(r.numAffectedRows ?? 0);
}

/** A small JPEG for lists and the student card; decoding capped like everything else. */
export async function thumbnail(jpeg: Buffer): Promise<Buffer> {
  // Loaded on first use: libvips is not needed to check or store an upload.
  const { default: sharp } = await import('sharp');
  return sharp(jpeg, { limitInputPixels: MAX_DECODE_PIXELS, failOn: 'none' }).resize(120, 160, { fit: 'cover' }).jpeg({ quality: 75 }).toBuffer();
}
