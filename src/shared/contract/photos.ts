/** 电子照片管理 (seed 000 step 三): the contract between server and web. */
import { z } from 'zod';
import { defineRoutes, listOf, paging } from '../contract.ts';
import { studentListed } from './common.ts';
import { HQ, OFFICES, STAFF } from '../org.ts';

// ---------------------------------------------------------------- enumerations, written once

/** What the check says of one file of a zip (新增 is shown as 通过). */
export const PHOTO_VERDICTS = ['新增', '替换', '无变化', '不通过'] as const;
export const photoVerdict = z.enum(PHOTO_VERDICTS);
export type PhotoVerdict = z.infer<typeof photoVerdict>;

/** How a photo came in. */
export const PHOTO_SOURCES = ['批量上传', '单张上传', '演示数据'] as const;
export const photoSource = z.enum(PHOTO_SOURCES);
export type PhotoSource = z.infer<typeof photoSource>;

/** A batch upload: checked in the background, then saved (or refused whole). */
export const UPLOAD_STATES = ['checking', 'checked', 'failed', 'saved'] as const;
export const uploadState = z.enum(UPLOAD_STATES);
export type UploadState = z.infer<typeof uploadState>;

/** A picture stored for two students: the same bytes, or a near-identical picture. */
export const FLAG_KINDS = ['相同图片', '相似图片'] as const;
export const flagKind = z.enum(FLAG_KINDS);
export type FlagKind = z.infer<typeof flagKind>;

export const FLAG_STATUSES = ['待核查', '已核查'] as const;
export const flagStatus = z.enum(FLAG_STATUSES);
export type FlagStatus = z.infer<typeof flagStatus>;

// ---------------------------------------------------------------- schemas

const photoTypeCode = z.string().trim().min(1, '请选择上传图片类型').max(40);
const positiveId = z.object({ id: z.coerce.number().int().positive() });

export const photoTypeSchema = z.object({
  code: z.string(), width: z.number(), height: z.number(), min_kb: z.number(), max_kb: z.number(), note: z.string(), enabled: z.boolean(),
  /** The 图片限制 as one sentence, for the page. */
  limits_text: z.string(),
});
export type PhotoType = z.infer<typeof photoTypeSchema>;

export const typeParam = z.object({ code: photoTypeCode });
export const updateTypeBody = z.object({
  width: z.number().int().min(50, '宽度至少 50 像素').max(4096, '宽度不超过 4096 像素'),
  height: z.number().int().min(50, '高度至少 50 像素').max(4096, '高度不超过 4096 像素'),
  min_kb: z.number().int().min(0).max(10_000),
  max_kb: z.number().int().min(1).max(10_000, '文件大小上限不超过 10000 KB'),
  note: z.string().max(200).default(''),
  enabled: z.boolean().default(true),
});
export type TypeLimits = z.infer<typeof updateTypeBody>;

export const uploadQuery = z.object({ photo_type: photoTypeCode });
export const uploadStarted = z.object({ upload_id: z.string(), task_id: z.string() });

export const uploadIdParam = z.object({ id: z.uuid('上传编号格式不正确') });
export const entriesQuery = z.object({ verdict: photoVerdict.optional(), ...paging(500, 50) });
export type EntriesFilter = z.infer<typeof entriesQuery>;

export const uploadSchema = z.object({
  id: z.string(), photo_type: z.string(), file_name: z.string(), file_size: z.number(), state: uploadState, error: z.string().nullable(),
  task_id: z.string().nullable(), progress: z.number(), total: z.number(),
  accepted: z.number(), replacing: z.number(), unchanged: z.number(), rejected: z.number(), created_at: z.string(), saved_at: z.string().nullable(),
});
export type PhotoUpload = z.infer<typeof uploadSchema>;

export const entrySchema = z.object({
  seq: z.number(), entry_name: z.string(), id_number: z.string().nullable(), student_no: z.string().nullable(), student_name: z.string().nullable(),
  verdict: photoVerdict, reason: z.string(), size_kb: z.number().nullable(), duplicate_note: z.string().nullable(),
});
export type UploadEntry = z.infer<typeof entrySchema>;

export const uploadReport = z.object({ upload: uploadSchema, total: z.number(), rows: z.array(entrySchema) });
export type UploadReport = z.infer<typeof uploadReport>;

export const uploadsQuery = z.object(paging(100, 10));
export const uploadRow = uploadSchema.extend({ owner_name: z.string().nullable() });
export type UploadRow = z.infer<typeof uploadRow>;
export const uploadsPage = listOf(uploadRow);

export const saveResult = z.object({ applied: z.number(), unchanged: z.number(), rejected: z.number(), flagged: z.number() });

export const studentParam = positiveId;
export const photoSchema = z.object({
  id: z.number(), photo_type: z.string(), is_current: z.boolean(), size_kb: z.number(), width: z.number(), height: z.number(), source: photoSource,
  uploaded_by: z.string().nullable(), uploaded_at: z.string(), replaced_at: z.string().nullable(),
});
export type StudentPhoto = z.infer<typeof photoSchema>;
export const studentPhotos = z.object({
  student: z.object({ id: z.number(), student_no: z.string(), name: z.string(), id_number_masked: z.string(), tp_name: z.string() }),
  types: z.array(z.object({ code: z.string(), limits_text: z.string(), current: photoSchema.nullable(), history: z.array(photoSchema) })),
});
export type StudentPhotos = z.infer<typeof studentPhotos>;
export const singleUploadResult = z.object({ verdict: photoVerdict, reason: z.string(), photo_id: z.number().nullable() });

export const photoParam = positiveId;

/** The filter of 缺照片名单 without paging: also what its Excel export takes. */
export const missingFilter = z.object({
  batch: z.string().regex(/^\d{6}$/, '请选择毕业批次'),
  tp_code: z.string().max(40).optional(),
  q: z.string().max(40).optional(),
});
export const missingQuery = missingFilter.extend(paging(500, 50));
export type MissingFilter = z.infer<typeof missingQuery>;
export const missingRow = z.object({ student_id: z.number(), ...studentListed, id_number_masked: z.string(), confirm_status: z.string() });
export type MissingRow = z.infer<typeof missingRow>;
export const missingPage = listOf(missingRow);

export const flagsQuery = z.object({ status: flagStatus.default('待核查'), ...paging(200, 50) });
export type FlagsFilter = z.infer<typeof flagsQuery>;
/** A side outside the caller's subtree is shown without who it is: only that it exists. */
export const flagSide = z.object({
  photo_id: z.number(), student_id: z.number().nullable(), student_no: z.string().nullable(), name: z.string().nullable(), tp_name: z.string().nullable(),
});
export type FlagSide = z.infer<typeof flagSide>;
export const flagRow = z.object({
  id: z.number(), kind: flagKind, distance: z.number(), status: flagStatus, created_at: z.string(), photo: flagSide, other: flagSide,
});
export type PhotoFlag = z.infer<typeof flagRow>;
export const flagsPage = listOf(flagRow);
export const flagParam = positiveId;

const ok = z.object({ ok: z.literal(true) });

// ---------------------------------------------------------------- routes

export const photosApi = defineRoutes(['电子照片管理'], {
  types: { method: 'GET', path: '/api/photos/types', access: 'any', summary: '上传图片类型及其图片限制', response: z.array(photoTypeSchema) },
  updateType: { method: 'PUT', path: '/api/photos/types/:code', access: HQ,
    summary: '设置图片限制，或新增图片类型（总部）', params: typeParam, body: updateTypeBody, response: photoTypeSchema },
  uploads: { method: 'GET', path: '/api/photos/uploads', access: OFFICES, summary: '最近的批量上传（本单位及下级）', query: uploadsQuery, response: uploadsPage },
  report: { method: 'GET', path: '/api/photos/uploads/:id', access: OFFICES,
    summary: '批量上传的检查进度与逐个文件的检查结果', params: uploadIdParam, query: entriesQuery, response: uploadReport },
  reportXlsx: { method: 'GET', path: '/api/photos/uploads/:id/report.xlsx', access: OFFICES, summary: '下载检查结果（Excel）', params: uploadIdParam },
  save: { method: 'POST', path: '/api/photos/uploads/:id/save', access: OFFICES, summary: '保存：把检查通过的照片一次性全部保存', params: uploadIdParam, response: saveResult },
  student: { method: 'GET', path: '/api/photos/students/:id', access: 'any', summary: '学籍卡：学生各类照片的当前照片及历史', params: studentParam, response: studentPhotos },
  image: { method: 'GET', path: '/api/photos/:id/image', access: 'any', summary: '照片原图（JPEG，已去除 EXIF）', params: photoParam },
  thumb: { method: 'GET', path: '/api/photos/:id/thumb', access: 'any', summary: '照片缩略图（JPEG，120×160）', params: photoParam },
  missing: { method: 'GET', path: '/api/photos/missing', access: STAFF, summary: '缺照片名单：本批次毕业生中没有毕业证照片的学生', query: missingQuery, response: missingPage },
  missingXlsx: { method: 'GET', path: '/api/photos/missing.xlsx', access: STAFF, summary: '导出缺照片名单（Excel）', query: missingFilter },
  flags: { method: 'GET', path: '/api/photos/flags', access: OFFICES, summary: '疑似重复照片（同一或相似图片用于不同学生），待人工核查', query: flagsQuery, response: flagsPage },
  reviewFlag: { method: 'POST', path: '/api/photos/flags/:id/review', access: OFFICES, summary: '标记为已核查', params: flagParam, response: ok },
  upload: { method: 'POST', path: '/api/photos/uploads', access: OFFICES, upload: true,
    summary: '批量上传电子照片：一个 ZIP 压缩包（multipart/form-data，字段 file），检查在后台进行', query: uploadQuery, response: uploadStarted },
  uploadOne: { method: 'POST', path: '/api/photos/students/:id', access: OFFICES, upload: true,
    summary: '学籍卡：上传或更换一张照片（multipart/form-data，字段 file）', params: studentParam, query: uploadQuery, response: singleUploadResult },
});
