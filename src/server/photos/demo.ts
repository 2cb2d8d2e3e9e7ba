import { sql, type Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import { fileStore } from '../platform/files.ts';
import { jpegInfo } from './jpeg.ts';
import { GRADUATION_PHOTO } from './queries.ts';

/**
 * 毕业证照片 for most demo graduates, so the first start shows photos — and, for one graduate in eight,
 * none, so the 缺照片 list has something to show. Pictures are drawn, not real people.
 */
export async function seedDemoPhotos(db: Kysely<DB>): Promise<number> {
  const students = await db.selectFrom('graduate as g').innerJoin('student as s', 's.id', 'g.student_id')
    .select(['s.id', 's.node_path']).distinct().where(sql<boolean>`s.id % 8 <> 3`).orderBy('s.id').execute();
  const store = fileStore();
  const { portraitJpeg } = await import('./fixtures.ts');
  const rows: { student_id: number; node_path: string; sha256: string; size_bytes: number; width: number; height: number }[] = [];
  let next = 0;
  // Four at a time: drawing is JavaScript, encoding runs on sharp's threads meanwhile.
  const worker = async () => {
    while (next < students.length) {
      const s = students[next++];
      const jpeg = await portraitJpeg(s.id * 7919);
      const info = jpegInfo(jpeg)!;
      const sha256 = await store.put(jpeg);
      rows.push({ student_id: s.id, node_path: s.node_path, sha256, size_bytes: jpeg.length, width: info.width, height: info.height });
    }
  };
  await Promise.all(Array.from({ length: 4 }, worker));
  if (rows.length === 0) return 0;
  await db.insertInto('photo').values(rows.map((r) => ({ ...r, photo_type: GRADUATION_PHOTO, is_current: true, source: '演示数据' as const }))).execute();
  return rows.length;
}
