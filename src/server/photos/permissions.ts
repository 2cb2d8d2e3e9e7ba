import { photosApi } from '../../shared/contract/photos.ts';
import sharp from 'sharp';
import { fileStore } from '../platform/files.ts';
import { listed, OFFICES, perProbe, STAFF, type PermissionRows, type ProbeSetup } from '../testing/permissions.ts';

// Per probe, a saved upload under the probe student's class, a photo of the student (its file in the
// run's own store) and a flag of that photo to review.
const photos = perProbe<{ uploadId: string; photoId: number; flagId: number }>();

export async function setup({ t, probes }: ProbeSetup): Promise<void> {
  const jpeg = await sharp({ create: { width: 480, height: 640, channels: 3, background: '#e8eef5' } }).jpeg().toBuffer();
  const sha = await fileStore().put(jpeg);
  for (const p of probes) {
    const st = await t.db.selectFrom('student').select('node_path').where('id', '=', p.studentId).executeTakeFirstOrThrow();
    const upload = await t.db.insertInto('photo_upload').values({ photo_type: '毕业证照片', file_name: '权限测试.zip', file_size: 1, node_path: st.node_path, state: 'saved' })
      .returning('id').executeTakeFirstOrThrow();
    const photo = await t.db.insertInto('photo').values({ student_id: p.studentId, photo_type: '录取照片', node_path: st.node_path, sha256: sha, size_bytes: jpeg.length, width: 480, height: 640, is_current: false, source: '单张上传' })
      .returning('id').executeTakeFirstOrThrow();
    const flag = await t.db.insertInto('photo_flag').values({ photo_id: photo.id, other_photo_id: photo.id, kind: '相同图片', node_path: st.node_path }).returning('id').executeTakeFirstOrThrow();
    photos.set(p, { uploadId: upload.id, photoId: photo.id, flagId: flag.id });
  }
}

export const rows: PermissionRows = {
  'GET /api/photos/types': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/photos/types' }) },
  'PUT /api/photos/types/:code': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'PUT', url: `/api/photos/types/${encodeURIComponent('录取照片')}`, body: { width: 480, height: 640, min_kb: 20, max_kb: 200, note: '权限测试', enabled: true } }) },
  'POST /api/photos/uploads': { access: OFFICES, check: { kind: 'global' }, ok: [400], request: () => ({ method: 'POST', url: `/api/photos/uploads?photo_type=${encodeURIComponent('毕业证照片')}`, body: {} }) }, // no file: the zip path is exercised in photos.test.ts
  'GET /api/photos/uploads': { access: OFFICES, check: listed(photosApi.uploads, (j, p) => j.rows.some((r) => r.id === photos.of(p).uploadId)), request: () => ({ method: 'GET', url: '/api/photos/uploads?page_size=100' }) },
  'GET /api/photos/uploads/:id': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/photos/uploads/${photos.of(p).uploadId}` }) },
  'GET /api/photos/uploads/:id/report.xlsx': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/photos/uploads/${photos.of(p).uploadId}/report.xlsx` }) },
  'POST /api/photos/uploads/:id/save': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/photos/uploads/${photos.of(p).uploadId}/save` }) }, // probes are saved already: 保存 again changes nothing
  'GET /api/photos/students/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/photos/students/${p.studentId}` }) },
  'POST /api/photos/students/:id': { access: OFFICES, check: { kind: 'object' }, ok: [400], request: (p) => ({ method: 'POST', url: `/api/photos/students/${p.studentId}?photo_type=${encodeURIComponent('录取照片')}`, body: {} }) }, // no file: the student is found (400) or not (404) first
  'GET /api/photos/:id/image': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/photos/${photos.of(p).photoId}/image` }) },
  'GET /api/photos/:id/thumb': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/photos/${photos.of(p).photoId}/thumb` }) },
  'GET /api/photos/missing': { access: STAFF, check: listed(photosApi.missing, (j, p) => j.rows.some((r) => r.student_no === p.studentNo)), request: (p) => ({ method: 'GET', url: `/api/photos/missing?batch=202701&q=${p.studentNo}` }) },
  'GET /api/photos/missing.xlsx': { access: STAFF, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/photos/missing.xlsx?batch=202701' }) }, // its rows are the list's (photos.test.ts compares them)
  'GET /api/photos/flags': { access: OFFICES, check: listed(photosApi.flags, (j, p) => j.rows.some((f) => f.id === photos.of(p).flagId)), request: () => ({ method: 'GET', url: '/api/photos/flags?page_size=200' }) },
  'POST /api/photos/flags/:id/review': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/photos/flags/${photos.of(p).flagId}/review` }) },
};
