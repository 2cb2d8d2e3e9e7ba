/**
 * The permission table: every route × every role × own / sibling / foreign object.
 * A route that the application registers but this table does not list fails the suite, so a new
 * route cannot ship without saying who may call it and what each caller sees.
 *
 * Subjects, per actor (see testing/factories.ts for the tree):
 *   own     — an object inside the actor's subtree
 *   sibling — an object under a sibling node (same parent as the actor's node)
 *   foreign — an object under another branch
 * Headquarters has no sibling or foreign objects: everything is its own.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { fileStore } from './platform/files.ts';
import { startTestApp, type TestApp } from './testing/harness.ts';
import { buildUser, buildWorld, type World } from './testing/factories.ts';
import type { Refusal } from '../shared/bulk.ts';
import type { Candidate, TpCount } from '../shared/contract/confirmation.ts';
import type { FormRow } from '../shared/contract/forms.ts';
import type { NotGraduatingRow } from '../shared/contract/materials.ts';
import type { Role } from '../shared/org.ts';
import { addDays, today } from './platform/clock.ts';
import { runRound } from './audit/service.ts';

type Subject = 'own' | 'sibling' | 'foreign';
type Kind =
  | { kind: 'global' } // not about one object: only the role decides
  | { kind: 'object' } // own → 2xx, others → 404
  | { kind: 'list'; contains: (json: any, probe: Probe) => boolean } // own listed, others not
  | { kind: 'action'; refusedAsMissing: (json: any) => boolean }; // bulk action: others refused as not found

interface Probe {
  studentId: number;
  studentNo: string;
  graduate: { id: number; version: number };
  classNodeId: number;
  tpNodeId: number;
  tpCode: string;
  userId: number;
  taskId: string;
  auditProbe: string;
  importId: string;
}

interface Row {
  access: 'public' | 'any' | readonly Role[];
  check: Kind;
  request: (p: Probe, n: number) => { method: string; url: string; body?: unknown };
  /** Statuses that count as success for an allowed caller on its own object (default any 2xx). */
  ok?: number[];
}

const ADMINS: Role[] = ['hq_admin', 'branch_admin'];
const OFFICES: Role[] = ['hq_admin', 'branch_admin', 'tp_admin'];
const STAFF: Role[] = ['hq_admin', 'branch_admin', 'tp_admin', 'head_teacher'];
const batchBody = (n: number) => ({ code: `20${31 + Math.floor(n / 12)}${String((n % 12) + 1).padStart(2, '0')}`, issue_date: '2031-01-20', windows: [] });
const missing = (json: { refused?: Refusal[] }) => json.refused?.length === 1 && /不存在，或不在您的管理范围内/.test(json.refused[0].message);

const TABLE: Record<string, Row> = {
  'GET /api/health': { access: 'public', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/health' }) },
  'GET /api/openapi.json': { access: 'public', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/openapi.json' }) },
  'POST /api/auth/login': { access: 'public', check: { kind: 'global' }, ok: [401], request: () => ({ method: 'POST', url: '/api/auth/login', body: { username: 'nobody', password: 'x' } }) },
  'POST /api/auth/logout': { access: 'public', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/health' }) }, // logging out would end the session under test; exercised in accounts tests
  'GET /api/me': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/me' }) },
  'POST /api/me/password': { access: 'any', check: { kind: 'global' }, ok: [400], request: () => ({ method: 'POST', url: '/api/me/password', body: { old_password: 'wrong-old-1', new_password: 'Another@2026' } }) },
  'GET /api/home': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/home' }) },
  'GET /api/batches': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/batches' }) },
  'GET /api/batches/:code': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/batches/202701' }) },
  'POST /api/batches': { access: ['hq_admin'], check: { kind: 'global' }, request: (_p, n) => ({ method: 'POST', url: '/api/batches', body: batchBody(n) }) },
  'PUT /api/batches/:code/windows': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'PUT', url: '/api/batches/202701/windows', body: { windows: [{ step: 'paste', starts_on: '2026-12-11', ends_on: '2026-12-20' }] } }) },
  'POST /api/batches/:code/eligibility': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/batches/202701/eligibility' }) },
  'POST /api/batches/:code/extensions': { access: ['hq_admin'], check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: '/api/batches/202701/extensions', body: { step: 'paste', node_id: p.classNodeId, ends_on: '2027-03-01', reason: '权限测试' } }) },
  'GET /api/users': { access: ADMINS, check: { kind: 'list', contains: (j, p) => j.rows.some((u: any) => u.id === p.userId) }, request: (p) => ({ method: 'GET', url: `/api/users?node_id=${p.classNodeId}` }) },
  'POST /api/users': { access: ADMINS, check: { kind: 'object' }, request: (p, n) => ({ method: 'POST', url: '/api/users', body: { username: `perm${n}`, display_name: '测试', role: 'head_teacher', node_id: p.classNodeId, password: 'Perm@2026x' } }) },
  'PATCH /api/users/:id': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'PATCH', url: `/api/users/${p.userId}`, body: { display_name: '受测账号' } }) },
  'POST /api/users/:id/reset-password': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/users/${p.userId}/reset-password`, body: { password: 'Reset@2026x' } }) },
  'GET /api/org/nodes': { access: STAFF, check: { kind: 'list', contains: (j, p) => j.some((n: any) => n.id === p.classNodeId) }, request: () => ({ method: 'GET', url: '/api/org/nodes?kind=class' }) },
  'POST /api/org/nodes': { access: ADMINS, check: { kind: 'object' }, request: (p, n) => ({ method: 'POST', url: '/api/org/nodes', body: { parent_id: p.tpNodeId, code: `PC${n}`, name: `权限测试班${n}` } }) },
  'PATCH /api/org/nodes/:id': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'PATCH', url: `/api/org/nodes/${p.classNodeId}`, body: { disabled: false } }) },
  'GET /api/operation-log/actions': { access: ADMINS, check: { kind: 'list', contains: (j, p) => j.includes(`探针 ${p.auditProbe}`) }, request: () => ({ method: 'GET', url: '/api/operation-log/actions' }) },
  'GET /api/programmes/majors': { access: STAFF, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/programmes/majors' }) },
  'GET /api/operation-log': { access: ADMINS, check: { kind: 'list', contains: (j) => j.total === 1 }, request: (p) => ({ method: 'GET', url: `/api/operation-log?object_id=${p.auditProbe}` }) },
  'GET /api/confirmation': { access: OFFICES, check: { kind: 'list', contains: (j, p) => j.rows.some((r: Candidate) => r.student_no === p.studentNo) }, request: (p) => ({ method: 'GET', url: `/api/confirmation?batch=202701&q=${p.studentNo}` }) },
  'GET /api/confirmation/counts': { access: OFFICES, check: { kind: 'list', contains: (j, p) => j.some((r: TpCount) => r.tp_code === p.tpCode) }, request: () => ({ method: 'GET', url: '/api/confirmation/counts?batch=202701' }) },
  'POST /api/confirmation/agree': { access: OFFICES, check: { kind: 'action', refusedAsMissing: missing }, request: (p) => ({ method: 'POST', url: '/api/confirmation/agree', body: { batch: '202701', selection: { items: [p.graduate] } } }) },
  'POST /api/confirmation/disagree': { access: OFFICES, check: { kind: 'action', refusedAsMissing: missing }, request: (p) => ({ method: 'POST', url: '/api/confirmation/disagree', body: { batch: '202701', selection: { items: [p.graduate] }, reason: '权限测试' } }) },
  'POST /api/confirmation/undo': { access: OFFICES, check: { kind: 'action', refusedAsMissing: missing }, request: (p) => ({ method: 'POST', url: '/api/confirmation/undo', body: { batch: '202701', selection: { items: [p.graduate] } } }) },
  'GET /api/students/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/students/${p.studentId}` }) },
  'GET /api/tasks/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/tasks/${p.taskId}` }) },
  // 毕业审核 (issue 3)
  'GET /api/courses': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/courses?q=C' }) },
  'GET /api/courses/categories': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/courses/categories' }) },
  'GET /api/students/:id/readiness': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/students/${p.studentId}/readiness` }) },
  'GET /api/audit/rounds': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/audit/rounds?batch=202701' }) },
  'POST /api/audit/rounds': { access: ['hq_admin'], check: { kind: 'global' }, request: (_p, n) => ({ method: 'POST', url: '/api/audit/rounds', body: { batch: '202701', name: `权限${n}`, starts_on: '2026-12-01', ends_on: '2026-12-31' } }) },
  'GET /api/audit/rounds/:id': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: `/api/audit/rounds/${rounds.published}` }) },
  'PATCH /api/audit/rounds/:id': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'PATCH', url: `/api/audit/rounds/${rounds.spare}`, body: { name: '权限备用批', starts_on: '2026-12-01', ends_on: '2026-12-30' } }) },
  'POST /api/audit/rounds/:id/cancel': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'POST', url: `/api/audit/rounds/${rounds.spare}/cancel`, body: { reason: '权限测试' } }) },
  'POST /api/audit/rounds/:id/run': { access: ['hq_admin'], check: { kind: 'global' }, ok: [409], request: () => ({ method: 'POST', url: `/api/audit/rounds/${rounds.published}/run` }) }, // published: headquarters is told it cannot run again
  'POST /api/audit/rounds/:id/publish': { access: ['hq_admin'], check: { kind: 'global' }, ok: [409], request: () => ({ method: 'POST', url: `/api/audit/rounds/${rounds.published}/publish` }) },
  'GET /api/audit/rounds/:id/summary': { access: OFFICES, check: { kind: 'list', contains: (j, p) => j.groups.some((g: any) => g.code === p.tpCode) }, request: () => ({ method: 'GET', url: `/api/audit/rounds/${rounds.published}/summary?by=tp` }) },
  'GET /api/audit/rounds/:id/results': { access: OFFICES, check: { kind: 'list', contains: (j, p) => j.rows.some((r: any) => r.student_no === p.studentNo) }, request: (p) => ({ method: 'GET', url: `/api/audit/rounds/${rounds.published}/results?q=${p.studentNo}` }) },
  'GET /api/audit/rounds/:id/results.xlsx': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: `/api/audit/rounds/${rounds.published}/results.xlsx` }) }, // its rows are the list's (audit.test.ts reads the file)
  'POST /api/audit/report': { access: ['branch_admin', 'tp_admin'], check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/audit/report', body: { batch: '202701' } }) },
  'POST /api/audit/urgent': { access: OFFICES, check: { kind: 'action', refusedAsMissing: missing }, request: (p) => ({ method: 'POST', url: '/api/audit/urgent', body: { batch: '202701', graduate_ids: [p.graduate.id], urgent: false } }) },
  'PUT /api/audit/batches/:code/urgent-deadline': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'PUT', url: '/api/audit/batches/202701/urgent-deadline', body: { urgent_deadline: null } }) },
  'GET /api/audit/urgent.xlsx': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/audit/urgent.xlsx?batch=202701' }) },
  'GET /api/students/:id/exceptions': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/students/${p.studentId}/exceptions` }) },
  'POST /api/students/:id/exceptions': { access: ['hq_admin'], check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/students/${p.studentId}/exceptions`, body: { kind: '免除', rule: 'total', reason: '权限测试用例' } }) },
  'POST /api/audit/exceptions/:id/revoke': { access: ['hq_admin'], check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/audit/exceptions/${auditProbe(p).exceptionId}/revoke` }) },
  'PUT /api/students/:id/extension': { access: ['hq_admin'], check: { kind: 'object' }, request: (p) => ({ method: 'PUT', url: `/api/students/${p.studentId}/extension`, body: { extension_until: null, reason: '权限测试用例' } }) },
  'GET /api/exemptions': { access: ['hq_admin', 'branch_admin', 'tp_admin', 'student'], check: { kind: 'list', contains: (j, p) => j.rows.some((r: any) => r.id === auditProbe(p).exemptionId) }, request: () => ({ method: 'GET', url: '/api/exemptions?page_size=200' }) },
  'POST /api/exemptions': { access: ['tp_admin', 'branch_admin', 'hq_admin'], check: { kind: 'object' }, ok: [409], request: (p) => ({ method: 'POST', url: '/api/exemptions', body: { student_no: p.studentNo, course_code: 'C2', grounds: '权限测试用例' } }) }, // the student passed C2: found, and told so
  'POST /api/exemptions/:id/decide': { access: ['branch_admin', 'hq_admin'], check: { kind: 'object' }, ok: [409], request: (p) => ({ method: 'POST', url: `/api/exemptions/${auditProbe(p).exemptionId}/decide`, body: { version: 99, approve: false, opinion: '权限测试' } }) }, // a stale version: found, and told to refresh
  // 学籍查询 (issue 5)
  'GET /api/records/students': { access: STAFF, check: { kind: 'list', contains: (j, p) => j.rows.some((r: any) => r.student_no === p.studentNo) }, request: (p) => ({ method: 'GET', url: `/api/records/students?q=${p.studentNo}` }) },
  'GET /api/me/enroll-form': { access: ['student'], check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/me/enroll-form' }) },
  'PUT /api/me/enroll-form': { access: ['student'], check: { kind: 'global' }, request: () => ({ method: 'PUT', url: '/api/me/enroll-form', body: { address: '辽宁省沈阳市和平区', phone: '13800000009' } }) },
  'GET /api/records/students/:id': { access: STAFF, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/records/students/${p.studentId}` }) },
  'GET /api/records/sort-orders': { access: OFFICES, check: { kind: 'list', contains: (j, p) => j.rows.some((r: any) => r.tp_code === p.tpCode) }, request: () => ({ method: 'GET', url: '/api/records/sort-orders' }) },
  'PUT /api/records/sort-orders/:tp_code': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'PUT', url: `/api/records/sort-orders/${p.tpCode}`, body: { sort: 'student_no' } }) },
  'POST /api/records/verification': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/records/verification', body: { grade: '2030' } }) },
  'GET /api/records/verification': { access: OFFICES, check: { kind: 'list', contains: (j, p) => j.rows.some((r: any) => r.student_no === p.studentNo) }, request: () => ({ method: 'GET', url: '/api/records/verification?grade=2021&page_size=500' }) },
  'GET /api/records/verification.xlsx': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/records/verification.xlsx?grade=2021' }) }, // its rows are the list's (records.test.ts reads the file)
  // 毕业生登记表 (issue 6). The student's draft and submit carry the page's version: the first call of the
  // three (own, sibling, foreign: the student's own form each time) saves, the later ones are told the page is
  // stale or the form is already submitted.
  'GET /api/me/graduate-form': { access: ['student'], check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/me/graduate-form' }) },
  'PUT /api/me/graduate-form/draft': { access: ['student'], check: { kind: 'global' }, ok: [200, 409], request: () => ({ method: 'PUT', url: '/api/me/graduate-form/draft', body: { version: 0, self_assessment: '权限测试草稿' } }) },
  'POST /api/me/graduate-form/submit': { access: ['student'], check: { kind: 'global' }, ok: [200, 409], request: () => ({ method: 'POST', url: '/api/me/graduate-form/submit', body: { version: 1, self_assessment: '权限测试：本人在校学习期间遵守校规校纪，认真学习各门课程，按时完成作业和考试，顺利修完教学计划规定的全部课程。' } }) },
  'GET /api/graduate-forms': { access: STAFF, check: { kind: 'list', contains: (j, p) => j.rows.some((r: FormRow) => r.student_no === p.studentNo) }, request: (p) => ({ method: 'GET', url: `/api/graduate-forms?q=${p.studentNo}` }) },
  'GET /api/graduate-forms/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/graduate-forms/${p.graduate.id}` }) },
  'POST /api/graduate-forms/opinions': { access: ['tp_admin', 'head_teacher'], check: { kind: 'action', refusedAsMissing: missing }, request: (p) => ({ method: 'POST', url: '/api/graduate-forms/opinions', body: { items: [{ ...p.graduate, head_teacher_opinion: '权限测试意见' }] } }) },
  'POST /api/graduate-forms/approve': { access: ADMINS, check: { kind: 'action', refusedAsMissing: missing }, request: (p) => ({ method: 'POST', url: '/api/graduate-forms/approve', body: { items: [{ ...p.graduate, school_opinion: '权限测试意见' }] } }) },
  'POST /api/graduate-forms/return': { access: OFFICES, check: { kind: 'action', refusedAsMissing: missing }, request: (p) => ({ method: 'POST', url: '/api/graduate-forms/return', body: { items: [p.graduate], reason: '权限测试' } }) },
  'GET /api/graduate-forms/phrases': { access: STAFF, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/graduate-forms/phrases' }) },
  'POST /api/graduate-forms/phrases': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/graduate-forms/phrases', body: { kind: '函授站意见', text: '权限测试意见' } }) },
  'DELETE /api/graduate-forms/phrases/:id': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'DELETE', url: `/api/graduate-forms/phrases/${formProbe(p).phraseId}` }) },
  // 数据导入 (issue 3)
  'POST /api/imports': { access: ADMINS, check: { kind: 'global' }, ok: [400], request: () => ({ method: 'POST', url: '/api/imports?kind=students', body: {} }) }, // no file: multipart is exercised in imports.test.ts
  'GET /api/imports': { access: ADMINS, check: { kind: 'list', contains: (j, p) => j.rows.some((r: any) => r.id === p.importId) }, request: () => ({ method: 'GET', url: '/api/imports?page_size=200' }) },
  'GET /api/imports/templates/:kind': { access: ADMINS, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/imports/templates/grades_practice' }) },
  'GET /api/imports/windows': { access: ADMINS, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/imports/windows?batch=202701' }) },
  'GET /api/imports/:id': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/imports/${p.importId}` }) },
  'GET /api/imports/:id/rows': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/imports/${p.importId}/rows` }) },
  'GET /api/imports/:id/report': { access: ADMINS, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/imports/${p.importId}/report` }) },
  'POST /api/imports/:id/apply': { access: ADMINS, check: { kind: 'object' }, ok: [409], request: (p) => ({ method: 'POST', url: `/api/imports/${p.importId}/apply`, body: { mode: 'all' } }) }, // the probe file is invalid: the owner is told why
  // 电子照片管理 (issue 4)
  'GET /api/photos/types': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/photos/types' }) },
  'PUT /api/photos/types/:code': { access: ['hq_admin'], check: { kind: 'global' }, request: () => ({ method: 'PUT', url: `/api/photos/types/${encodeURIComponent('录取照片')}`, body: { width: 480, height: 640, min_kb: 20, max_kb: 200, note: '权限测试', enabled: true } }) },
  'POST /api/photos/uploads': { access: OFFICES, check: { kind: 'global' }, ok: [400], request: () => ({ method: 'POST', url: `/api/photos/uploads?photo_type=${encodeURIComponent('毕业证照片')}`, body: {} }) }, // no file: the zip path is exercised in photos.test.ts
  'GET /api/photos/uploads': { access: OFFICES, check: { kind: 'list', contains: (j, p) => j.rows.some((r: any) => r.id === photoProbe(p).uploadId) }, request: () => ({ method: 'GET', url: '/api/photos/uploads?page_size=100' }) },
  'GET /api/photos/uploads/:id': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/photos/uploads/${photoProbe(p).uploadId}` }) },
  'GET /api/photos/uploads/:id/report.xlsx': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/photos/uploads/${photoProbe(p).uploadId}/report.xlsx` }) },
  'POST /api/photos/uploads/:id/save': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/photos/uploads/${photoProbe(p).uploadId}/save` }) }, // probes are saved already: 保存 again changes nothing
  'GET /api/photos/students/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/photos/students/${p.studentId}` }) },
  'POST /api/photos/students/:id': { access: OFFICES, check: { kind: 'object' }, ok: [400], request: (p) => ({ method: 'POST', url: `/api/photos/students/${p.studentId}?photo_type=${encodeURIComponent('录取照片')}`, body: {} }) }, // no file: the student is found (400) or not (404) first
  'GET /api/photos/:id/image': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/photos/${photoProbe(p).photoId}/image` }) },
  'GET /api/photos/:id/thumb': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/photos/${photoProbe(p).photoId}/thumb` }) },
  'GET /api/photos/missing': { access: STAFF, check: { kind: 'list', contains: (j, p) => j.rows.some((r: any) => r.student_no === p.studentNo) }, request: (p) => ({ method: 'GET', url: `/api/photos/missing?batch=202701&q=${p.studentNo}` }) },
  'GET /api/photos/missing.xlsx': { access: STAFF, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/photos/missing.xlsx?batch=202701' }) }, // its rows are the list's (photos.test.ts compares them)
  'GET /api/photos/flags': { access: OFFICES, check: { kind: 'list', contains: (j, p) => j.rows.some((f: any) => f.id === photoProbe(p).flagId) }, request: () => ({ method: 'GET', url: '/api/photos/flags?page_size=200' }) },
  'POST /api/photos/flags/:id/review': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/photos/flags/${photoProbe(p).flagId}/review` }) },
  // 消息与导出 (issue 5)
  'GET /api/materials': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/materials?batch=202701' }) }, // only agreed graduates are listed: materials.test.ts checks the scope
  'POST /api/materials/mark': { access: OFFICES, check: { kind: 'action', refusedAsMissing: (j: { refused?: Refusal[] }) => j.refused?.length === 1 && /不在您的管理范围内/.test(j.refused[0].message) }, request: (p) => ({ method: 'POST', url: '/api/materials/mark', body: { action: 'prepare', done: true, batch: '202701', items: [{ graduate_id: p.graduate.id, item: '成绩单' }] } }) },
  'GET /api/materials/summary': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/materials/summary?batch=202701' }) },
  'GET /api/materials/not-graduating': { access: OFFICES, check: { kind: 'list', contains: (j, p) => j.rows.some((r: NotGraduatingRow) => r.student_no === p.studentNo) }, request: () => ({ method: 'GET', url: '/api/materials/not-graduating?batch=202701' }) },
  'GET /api/materials/not-graduating.xlsx': { access: OFFICES, check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/materials/not-graduating.xlsx?batch=202701' }) },
  'GET /api/materials/not-graduating.pdf': { access: OFFICES, check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/materials/not-graduating.pdf?batch=202701&tp_code=${p.tpCode}` }) },
  'POST /api/exports': { access: STAFF, check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/exports', body: { kind: 'students.xlsx', filter: {} } }) }, // runs in the background: exports.test.ts follows one to its file
  'GET /api/exports': { access: 'any', check: { kind: 'list', contains: (j, p) => j.rows.some((r: any) => r.id === exportProbe(p).taskId) }, request: () => ({ method: 'GET', url: '/api/exports?page_size=100' }) },
  'GET /api/exports/:id': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/exports/${exportProbe(p).taskId}` }) },
  'POST /api/exports/:id/cancel': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/exports/${exportProbe(p).taskId}/cancel` }) }, // finished probes: found, and left as they are
  'GET /api/exports/:id/download': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'GET', url: `/api/exports/${exportProbe(p).taskId}/download` }) },
  'GET /api/messages': { access: 'any', check: { kind: 'list', contains: (j, p) => j.rows.some((m: any) => m.id === exportProbe(p).messageId) }, request: () => ({ method: 'GET', url: '/api/messages?page_size=100' }) },
  'GET /api/messages/unread-count': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'GET', url: '/api/messages/unread-count' }) },
  'POST /api/messages/:id/read': { access: 'any', check: { kind: 'object' }, request: (p) => ({ method: 'POST', url: `/api/messages/${exportProbe(p).messageId}/read` }) },
  'POST /api/messages/read-all': { access: 'any', check: { kind: 'global' }, request: () => ({ method: 'POST', url: '/api/messages/read-all' }) },
};

let t: TestApp;
let w: World;
const actors: { role: Role; username: string; subjects: Partial<Record<Subject, number>> }[] = [];
const probes = new Map<string, Probe>();
const cookies = new Map<string, string>();

before(async () => {
  t = await startTestApp();
  w = await buildWorld(t.db);
  const s = w.students;
  actors.push(
    { role: 'hq_admin', username: 'hq', subjects: { own: s.sA1 } },
    { role: 'branch_admin', username: 'brA', subjects: { own: s.sA1, sibling: s.sB1, foreign: s.sB1 } },
    { role: 'tp_admin', username: 'tpA1', subjects: { own: s.sA1, sibling: s.sA3, foreign: s.sB1 } },
    { role: 'head_teacher', username: 'teacherA1', subjects: { own: s.sA1, sibling: s.sA2, foreign: s.sB1 } },
    { role: 'student', username: 'studentA1', subjects: { own: s.sA1, sibling: s.sA1b, foreign: s.sB1 } },
  );
  // Accounts to act on (user routes), one per class, so that resetting them harms no test actor.
  const victims = new Map<number, number>();
  for (const node of [w.nodes.classA1, w.nodes.classA2, w.nodes.classA3, w.nodes.classB1]) {
    victims.set(node.id, (await buildUser(t.db, { username: `victim${node.id}`, role: 'head_teacher', nodeId: node.id })).id);
  }
  for (const a of actors) {
    const me = await t.db.selectFrom('app_user as u').innerJoin('org_node as n', 'n.id', 'u.node_id').select(['u.id', 'n.path']).where('u.username', '=', a.username).executeTakeFirstOrThrow();
    for (const [subject, studentId] of Object.entries(a.subjects) as [Subject, number][]) {
      const st = await t.db.selectFrom('student as s').innerJoin('org_node as tp', 'tp.id', 's.tp_id')
        .select(['s.id', 's.student_no', 's.class_id', 's.node_path', 'tp.id as tp_id', 'tp.code as tp_code']).where('s.id', '=', studentId).executeTakeFirstOrThrow();
      // A task the actor may see when own (its own task), and one of someone under the subject's class otherwise.
      const task = await t.db.insertInto('task').values({
        kind: 'probe', title: '权限测试任务', owner_id: subject === 'own' ? me.id : victims.get(st.class_id!)!, node_path: subject === 'own' ? me.path : st.node_path, payload: '{}',
      }).returning('id').executeTakeFirstOrThrow();
      const auditProbe = `probe-${a.username}-${subject}`;
      // An import the actor may see when own (its own upload), and one uploaded under the subject's class otherwise.
      const imp = await t.db.insertInto('import_file').values({
        kind: 'students', file_name: '权限测试.xlsx', state: 'invalid', file_error: '权限测试',
        owner_id: subject === 'own' ? me.id : victims.get(st.class_id!)!,
        node_id: subject === 'own' ? (await t.db.selectFrom('app_user').select('node_id').where('id', '=', me.id).executeTakeFirstOrThrow()).node_id : st.class_id!,
        node_path: subject === 'own' ? me.path : st.node_path,
      }).returning('id').executeTakeFirstOrThrow();
      await t.db.insertInto('operation_log').values({ actor_name: '测试', node_path: st.node_path, action: `探针 ${auditProbe}`, object_type: 'probe', object_id: auditProbe }).execute();
      probes.set(`${a.username}/${subject}`, {
        studentId: st.id, studentNo: st.student_no, graduate: await w.graduateOf(st.id), classNodeId: st.class_id!, tpNodeId: st.tp_id, tpCode: st.tp_code,
        userId: victims.get(st.class_id!)!, taskId: task.id, auditProbe, importId: imp.id,
      });
    }
    cookies.set(a.username, await t.login(a.username));
  }
});
after(async () => t?.close());

// 毕业审核 (issue 3): a published round with every world graduate's result, a spare round to edit and
// cancel, and per probe an exemption application and an exception of the probe student.
const rounds = { published: 0, spare: 0 };
const auditProbes = new Map<string, { exemptionId: number; exceptionId: number }>();
function auditProbe(p: Probe) {
  return auditProbes.get(p.auditProbe)!;
}
before(async () => {
  for (const giveUp = Date.now() + 120_000; !(actors.length > 0 && cookies.size === actors.length);) {
    if (Date.now() > giveUp) throw new Error('the permission probes were never built');
    await new Promise((r) => setTimeout(r, 20));
  }
  const sub = await t.db.insertInto('submission').values({ batch_code: w.batch, node_id: w.nodes.hq.id, node_path: w.nodes.hq.path, kind: '毕业审核数据' }).returning('id').executeTakeFirstOrThrow();
  // Agreed as an office would (the version moves), so the probes' older versions stay stale for the confirmation rows.
  await t.db.updateTable('graduate').set((eb) => ({ confirm_status: '同意毕业', submission_id: sub.id, version: eb('version', '+', 1) }))
    .where('batch_code', '=', w.batch).where('eligible', '=', true).execute();
  const round = await t.db.insertInto('audit_round').values({ batch_code: w.batch, name: '权限第一批', starts_on: addDays(today(), -1), ends_on: addDays(today(), 10) }).returning('id').executeTakeFirstOrThrow();
  await runRound(t.db, round.id);
  await t.db.updateTable('audit_round').set({ published_at: new Date() }).where('id', '=', round.id).execute();
  rounds.published = round.id;
  rounds.spare = (await t.db.insertInto('audit_round').values({ batch_code: w.batch, name: '权限备用批', starts_on: '2026-12-01', ends_on: '2026-12-31' }).returning('id').executeTakeFirstOrThrow()).id;
  for (const p of probes.values()) {
    const st = await t.db.selectFrom('student').select('node_path').where('id', '=', p.studentId).executeTakeFirstOrThrow();
    const ex = await t.db.insertInto('exemption').values({ student_id: p.studentId, course_code: 'C3', node_path: st.node_path, applied_on: today(), grounds: `探针 ${p.auditProbe}`, status: '已驳回' })
      .returning('id').executeTakeFirstOrThrow();
    const exc = await t.db.insertInto('audit_exception').values({ student_id: p.studentId, kind: '免除', rule: 'validity', reason: '权限测试', node_path: st.node_path })
      .returning('id').executeTakeFirstOrThrow();
    auditProbes.set(p.auditProbe, { exemptionId: ex.id, exceptionId: exc.id });
  }
});

// 电子照片管理 (issue 4): per probe, a saved upload under the probe student's class, a photo of the
// student (with its file in a store of this run's own) and a flag of that photo to review.
const photoProbes = new Map<string, { uploadId: string; photoId: number; flagId: number }>();
function photoProbe(p: Probe) {
  return photoProbes.get(p.auditProbe)!;
}
before(async () => {
  // Node 20 starts top-level hooks without waiting for the one before: wait for the probes.
  for (const giveUp = Date.now() + 120_000; !(actors.length > 0 && cookies.size === actors.length);) {
    if (Date.now() > giveUp) throw new Error('the permission probes were never built');
    await new Promise((r) => setTimeout(r, 20));
  }
  process.env.DATA_DIR = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-perm-'));
  const jpeg = await sharp({ create: { width: 480, height: 640, channels: 3, background: '#e8eef5' } }).jpeg().toBuffer();
  const sha = await fileStore().put(jpeg);
  for (const p of probes.values()) {
    const st = await t.db.selectFrom('student').select('node_path').where('id', '=', p.studentId).executeTakeFirstOrThrow();
    const upload = await t.db.insertInto('photo_upload').values({ photo_type: '毕业证照片', file_name: '权限测试.zip', file_size: 1, node_path: st.node_path, state: 'saved' })
      .returning('id').executeTakeFirstOrThrow();
    const photo = await t.db.insertInto('photo').values({ student_id: p.studentId, photo_type: '录取照片', node_path: st.node_path, sha256: sha, size_bytes: jpeg.length, width: 480, height: 640, is_current: false, source: '单张上传' })
      .returning('id').executeTakeFirstOrThrow();
    const flag = await t.db.insertInto('photo_flag').values({ photo_id: photo.id, other_photo_id: photo.id, kind: '相同图片', node_path: st.node_path }).returning('id').executeTakeFirstOrThrow();
    photoProbes.set(p.auditProbe, { uploadId: upload.id, photoId: photo.id, flagId: flag.id });
  }
});
after(() => fs.rmSync(process.env.DATA_DIR!, { recursive: true, force: true }));

// 消息与导出 (issue 5): per probe, a finished export with its file in the store and its message, owned
// as the probe task is (the actor's own, or someone's under the subject's class).
const exportProbes = new Map<string, { taskId: string; messageId: number }>();
function exportProbe(p: Probe) {
  return exportProbes.get(p.auditProbe)!;
}
before(async () => {
  // The store is this run's own once the photo probes exist (that hook sets DATA_DIR).
  for (const giveUp = Date.now() + 120_000; !(probes.size > 0 && photoProbes.size === probes.size);) {
    if (Date.now() > giveUp) throw new Error('the permission probes were never built');
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const p of probes.values()) {
    const probeTask = await t.db.selectFrom('task').select(['owner_id', 'node_path']).where('id', '=', p.taskId).executeTakeFirstOrThrow();
    const task = await t.db.insertInto('task').values({
      kind: 'students.xlsx', title: '学生名单导出', owner_id: probeTask.owner_id, node_path: probeTask.node_path, payload: '{}', state: 'done', progress: 1, total: 1,
      started_at: new Date(), finished_at: new Date(),
    }).returning('id').executeTakeFirstOrThrow();
    const tmp = path.join(process.env.DATA_DIR!, `probe-${task.id}.xlsx`);
    fs.writeFileSync(tmp, 'probe');
    await fileStore().putUpload(task.id, tmp);
    await t.db.insertInto('export_file').values({
      task_id: task.id, owner_id: probeTask.owner_id!, node_path: probeTask.node_path, kind: 'students.xlsx', file_name: '权限测试.xlsx', size_bytes: 5,
      content_type: 'application/octet-stream', item_count: 1, expires_at: new Date(Date.now() + 86_400_000),
    }).execute();
    const m = await t.db.insertInto('message').values({
      recipient_id: probeTask.owner_id!, kind: 'export_done', title: '学生名单导出 已完成', body: `探针 ${p.auditProbe}`, link: `/api/exports/${task.id}/download`, task_id: task.id,
    }).returning('id').executeTakeFirstOrThrow();
    exportProbes.set(p.auditProbe, { taskId: task.id, messageId: m.id });
  }
});

// 毕业生登记表 (issue 6): per probe, a common phrase (常用意见) kept by the actor's own node when own, and by
// the probe student's teaching point otherwise.
const formProbes = new Map<string, { phraseId: number }>();
function formProbe(p: Probe) {
  return formProbes.get(p.auditProbe)!;
}
before(async () => {
  for (const giveUp = Date.now() + 120_000; !(actors.length > 0 && cookies.size === actors.length);) {
    if (Date.now() > giveUp) throw new Error('the permission probes were never built');
    await new Promise((r) => setTimeout(r, 20));
  }
  for (const [key, p] of probes) {
    const [username, subject] = key.split('/');
    const node = subject === 'own'
      ? await t.db.selectFrom('app_user as u').innerJoin('org_node as n', 'n.id', 'u.node_id').select(['n.id', 'n.path']).where('u.username', '=', username).executeTakeFirstOrThrow()
      : await t.db.selectFrom('org_node').select(['id', 'path']).where('id', '=', p.tpNodeId).executeTakeFirstOrThrow();
    const phrase = await t.db.insertInto('opinion_phrase').values({ node_id: node.id, node_path: node.path, kind: '函授站意见', text: `探针 ${p.auditProbe}` })
      .returning('id').executeTakeFirstOrThrow();
    formProbes.set(p.auditProbe, { phraseId: phrase.id });
  }
});

describe('permission table', () => {
  test('every registered route is in the table, and declares the access the table says', () => {
    const registered = t.running.app.routeList.map((r) => `${r.method} ${r.url}`).sort();
    const listed = Object.keys(TABLE).sort();
    assert.deepEqual(registered.filter((r) => !listed.includes(r)), [], 'routes missing from the permission table');
    assert.deepEqual(listed.filter((r) => !registered.includes(r)), [], 'table rows for routes that do not exist');
    for (const r of t.running.app.routeList) {
      const row = TABLE[`${r.method} ${r.url}`];
      assert.deepEqual(r.access, row.access, `${r.method} ${r.url} declares ${JSON.stringify(r.access)}`);
    }
  });

  let n = 0;
  for (const [route, row] of Object.entries(TABLE)) {
    test(route, async () => {
      // Anonymous callers: only public routes answer.
      const anon = await t.call(...spread(row.request(probes.get('hq/own')!, n++)));
      if (row.access !== 'public') assert.equal(anon.status, 401, `${route} anonymous`);

      for (const a of actors) {
        const allowed = row.access === 'public' || row.access === 'any' || row.access.includes(a.role);
        for (const subject of ['own', 'sibling', 'foreign'] as Subject[]) {
          const p = probes.get(`${a.username}/${subject}`);
          if (!p) continue;
          const req = row.request(p, n++);
          const res = await t.call(req.method, req.url, { cookie: cookies.get(a.username), body: req.body });
          const where = `${route} as ${a.role} on ${subject}: ${res.status} ${JSON.stringify(res.json).slice(0, 200)}`;
          if (!allowed) {
            assert.equal(res.status, 403, where);
            assert.match(res.json.message, /无权/, where);
            continue;
          }
          const okStatus = row.ok ? row.ok.includes(res.status) : res.status >= 200 && res.status < 300;
          const c = row.check;
          switch (c.kind) {
            case 'global':
              assert.ok(okStatus, where);
              break;
            case 'object':
              if (subject === 'own') assert.ok(okStatus, where);
              else {
                assert.equal(res.status, 404, where);
                assert.match(res.json.message, /不存在，或不在您的管理范围内/, where);
              }
              break;
            case 'list':
              assert.ok(okStatus, where);
              assert.equal(c.contains(res.json, p), subject === 'own', where);
              break;
            case 'action':
              assert.ok(okStatus, where);
              assert.equal(c.refusedAsMissing(res.json), subject !== 'own', where);
              break;
          }
        }
      }
    });
  }
});

function spread(r: { method: string; url: string; body?: unknown }): [string, string, { body?: unknown }] {
  return [r.method, r.url, { body: r.body }];
}
