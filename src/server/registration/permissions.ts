import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileStore, tempDir } from '../platform/files.ts';
import { OFFICES, type PermissionRows, type ProbeSetup } from '../testing/permissions.ts';

/**
 * 学历电子注册: headquarters acts; branches and teaching points read. The lists are batch-wide and scoped
 * (registration.test.ts checks that a branch sees only its subtree and that foreign ids are refused as missing);
 * here every route is called by every role. The probes' students are not graduates (毕业) of the batch, so the
 * bulk actions refuse them as not found even for headquarters.
 */
let fileId = 0;

export async function setup({ t, w }: ProbeSetup): Promise<void> {
  // A stored file, so that headquarters' download is a real one.
  const key = crypto.randomUUID();
  const local = path.join(tempDir(), `perm-${key}.dbf`);
  fs.writeFileSync(local, 'dbf');
  await fileStore().putUpload(key, local);
  const f = await t.db.insertInto('registration_file').values({
    batch_code: w.batch, file_name: '51161_202701_perm.dbf', dbf_key: key, xlsx_key: key, created_by: w.users.hq,
  }).returning('id').executeTakeFirstOrThrow();
  fileId = f.id;
}

const B = '202701';
const ticked = (p: { graduate: { id: number; version: number } }) => ({ items: [{ id: p.graduate.id, version: p.graduate.version }] });
const HQ_ONLY: ['hq_admin'] = ['hq_admin'];

export const rows: PermissionRows = {
  'GET /api/registration/rounds': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: `/api/registration/rounds?batch=${B}` }) },
  'GET /api/registration/graduates': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: `/api/registration/graduates?batch=${B}` }) },
  // No graduate is 待注册 in the probes' batch: headquarters is told so (409), the others are refused first.
  'POST /api/registration/build': { access: HQ_ONLY, check: { kind: 'global' }, ok: [409], request: () => ({ method: 'POST', url: '/api/registration/build', body: { batch: B } }) },
  'GET /api/registration/files': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: `/api/registration/files?batch=${B}` }) },
  'GET /api/registration/files/:id/errors': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: `/api/registration/files/${fileId}/errors` }) },
  'GET /api/registration/files/:id/download': { access: HQ_ONLY, check: { kind: 'global' }, request: () => ({ method: 'GET', url: `/api/registration/files/${fileId}/download?format=dbf` }) },
  'POST /api/registration/report': { access: HQ_ONLY, check: { kind: 'global' }, request: (p) => ({ method: 'POST', url: '/api/registration/report', body: { batch: B, selection: ticked(p), reported_on: '2020-01-02' } }) },
  'POST /api/registration/state': { access: HQ_ONLY, check: { kind: 'global' }, request: (p) => ({ method: 'POST', url: '/api/registration/state', body: { batch: B, selection: ticked(p), state: '已注册' } }) },
  'POST /api/registration/retry': { access: HQ_ONLY, check: { kind: 'global' }, request: (p) => ({ method: 'POST', url: '/api/registration/retry', body: { batch: B, selection: ticked(p) } }) },
  'POST /api/registration/results': { access: HQ_ONLY, check: { kind: 'global' }, ok: [400], request: () => ({ method: 'POST', url: `/api/registration/results?batch=${B}`, body: {} }) }, // no file: registration.test.ts uploads real ones
  'GET /api/registration/profile': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/registration/profile' }) },
  'PUT /api/registration/profile': { access: HQ_ONLY, check: { kind: 'global' }, request: () => ({ method: 'PUT', url: '/api/registration/profile', body: { widths: [{ name: 'XM', width: 40 }] } }) },
  'GET /api/registration/partner-seals': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/registration/partner-seals' }) },
  'PUT /api/registration/partner-seals/:programme': { access: HQ_ONLY, check: { kind: 'global' }, request: (_p, n) => ({ method: 'PUT', url: '/api/registration/partner-seals/1', body: { partner_seal: `合作高校${n}` } }) },
  'GET /api/registration/photo-missing': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: `/api/registration/photo-missing?batch=${B}` }) },
};
