/** 学历电子注册 (毕业 → 学历注册; seed 003 二.4, 四.2, 四.7): certificate numbers, the 学信网 files (DBF + Excel),
 *  each graduate's registration state, the deadline, partner-seal majors and the public query date.
 *  Headquarters acts; branches and teaching points see their own subtree. The contract between server and web. */
import { z } from 'zod';
import { defineRoutes, listOf, paged, paging } from '../contract.ts';
import { bulkResult } from '../bulk.ts';
import { studentListed } from './common.ts';
import { HQ, OFFICES } from '../org.ts';

/** A graduate's registration state, written once (the table's check constraint holds the same). */
export const REGISTRATION_STATES = ['待注册', '已生成', '已上报', '已注册', '注册失败'] as const;
export const registrationState = z.enum(REGISTRATION_STATES, '注册状态应为：待注册、已生成、已上报、已注册 或 注册失败');
export type RegistrationState = z.infer<typeof registrationState>;

/** What headquarters may set by hand (学信网's answer). */
export const RESULT_STATES = ['已注册', '注册失败'] as const;
export type ResultState = (typeof RESULT_STATES)[number];

/** The fields of the 学信网 graduate record, in the order of the file (FY/XSH/BH: 分部, 教学点, 班级). */
export const REGISTRATION_FIELDS = [
  'KSH', 'XH', 'XM', 'XB', 'CSRQ', 'SFZH', 'ZZMM', 'MZ', 'YXDM', 'YXMC', 'ZYDM', 'ZYMC', 'CC', 'XZ', 'XXXS', 'RXRQ',
  'BYRQ', 'BJYJL', 'ZSBH', 'XZM', 'BZ', 'FY', 'XSH', 'BH',
] as const;
export type RegistrationField = (typeof REGISTRATION_FIELDS)[number];
/** What each field holds, in the page's words. */
export const FIELD_NAMES: Record<RegistrationField, string> = {
  KSH: '考生号', XH: '学号', XM: '姓名', XB: '性别', CSRQ: '出生日期', SFZH: '身份证号', ZZMM: '政治面貌', MZ: '民族',
  YXDM: '院校代码', YXMC: '院校名称', ZYDM: '专业代码', ZYMC: '专业名称', CC: '层次', XZ: '学制', XXXS: '学习形式',
  RXRQ: '入学日期', BYRQ: '毕业日期', BJYJL: '毕结业结论', ZSBH: '证书编号', XZM: '校长姓名', BZ: '备注',
  FY: '分部', XSH: '教学点', BH: '班级',
};

/** A dBASE III field type: C character, D date (YYYYMMDD), N numeric. */
export const DBF_TYPES = ['C', 'D', 'N'] as const;

const batchCode = z.string().regex(/^\d{6}$/, '请选择毕业批次');
const roundId = z.coerce.number().int().positive('审核批次编号格式不正确');
const isoDate = z.string('请填写日期，格式为 YYYY-MM-DD').regex(/^\d{4}-\d{2}-\d{2}$/, '日期格式应为 YYYY-MM-DD，如 2021-01-20');

// ——— Rounds: the deadline of each published audit round ———

export const roundsQuery = z.object({ batch: batchCode });
export const stateCounts = z.object({ 待注册: z.number(), 已生成: z.number(), 已上报: z.number(), 已注册: z.number(), 注册失败: z.number() });
export type StateCounts = z.infer<typeof stateCounts>;
export const roundSchema = z.object({
  id: z.number(), name: z.string(),
  published_at: z.string(),
  /** 15 working days after publication (seed 003 二.4); null when the calendar cannot say. */
  deadline: z.string().nullable(),
  /** Working days from today to the deadline (0 on the day; negative once overdue); null with the deadline. */
  days_left: z.number().nullable(),
  /** The deadline passed and some graduate of the round is not yet 已注册. */
  overdue: z.boolean(),
  /** E.g. “2027 年节假日安排尚未录入，无法计算截止日期……”: shown as is. */
  calendar_error: z.string().nullable(),
  counts: stateCounts,
});
export type RegistrationRound = z.infer<typeof roundSchema>;
export const roundsResponse = z.object({
  batch: z.string(),
  /** The batch's 发证日期: 毕业日期 (BYRQ), and the date from which registered graduates are publicly queryable. */
  issue_date: z.string().nullable(),
  today: z.string(),
  counts: stateCounts,
  rounds: z.array(roundSchema),
});
export type RegistrationRounds = z.infer<typeof roundsResponse>;

// ——— Graduates of a batch and their registration state ———

/** The filter of the list without paging: also what “当前查询的全部学生” sends. */
export const graduatesFilter = z.object({
  batch: batchCode,
  round: roundId.optional(),
  state: registrationState.optional(),
  tp_code: z.string().max(40).optional(),
  /** 学号, 姓名, 身份证号 or 证书编号. */
  q: z.string().max(40).optional(),
});
export type GraduatesFilter = z.infer<typeof graduatesFilter>;
export const graduatesQuery = graduatesFilter.extend(paging(500, 50));

export const graduateRow = z.object({
  /** The registration entry: the id the ticks send. */
  id: z.number(), version: z.number(),
  graduate_id: z.number(), student_id: z.number(),
  ...studentListed,
  id_number_masked: z.string(),
  round_id: z.number().nullable(), round_name: z.string().nullable(),
  state: registrationState,
  certificate_no: z.string().nullable(),
  file_id: z.number().nullable(), file_name: z.string().nullable(),
  reported_on: z.string().nullable(),
  registered_at: z.string().nullable(),
  failure_reason: z.string().nullable(),
  /** The last build's row errors of this graduate (empty once it built). */
  errors: z.array(z.object({ field: z.string(), message: z.string() })),
  /** 合作高校盖章专业 (seed 003 四.2): the partner's name; the certificate waits for its seal (next issue). */
  partner_seal: z.string().nullable(),
  /** No 毕业证照片: not publicly queryable on 学信网 until one arrives (seed 003 四.7). */
  photo_missing: z.boolean(),
});
export type RegistrationGraduate = z.infer<typeof graduateRow>;
export const graduatesResponse = paged(graduateRow);

/** Either the ticked rows (each with the version the page showed) or every row of the current query. */
export const selection = z.union([
  z.object({ items: z.array(z.object({ id: z.number().int(), version: z.number().int() })).min(1, '请先勾选学生').max(50_000) }),
  z.object({ all: z.literal(true), filter: graduatesFilter }),
  /** Every graduate of a generated file (标记已上报 for the file that was sent). */
  z.object({ file_id: z.number().int().positive('请选择注册数据文件') }),
]);
export type RegistrationSelection = z.infer<typeof selection>;

// ——— Build (生成注册数据) and files ———

export const buildBody = z.object({ batch: batchCode, round: z.number().int().positive().optional() });
export const buildStarted = z.object({ task_id: z.string(), title: z.string() });

export const filesQuery = z.object({ batch: batchCode });
export const fileSchema = z.object({
  id: z.number(), batch: z.string(), round_id: z.number().nullable(),
  /** E.g. 51161_202101_1.dbf — the Excel has the same name with .xlsx. */
  file_name: z.string(),
  written: z.number(), errors: z.number(),
  /** Graduates of the file by state now. */
  counts: stateCounts,
  created_by: z.string().nullable(), created_at: z.string(),
  task_id: z.string().nullable(),
});
export type RegistrationFile = z.infer<typeof fileSchema>;
export const filesResponse = listOf(fileSchema);

export const fileIdParam = z.object({ id: z.coerce.number().int().positive('文件编号格式不正确') });
export const errorsQuery = z.object(paging(500, 50));
export const errorRow = z.object({
  id: z.number(), graduate_id: z.number(), student_no: z.string(), name: z.string(), tp_code: z.string(), tp_name: z.string(),
  field: z.string(), field_name: z.string(), message: z.string(),
});
export type RegistrationError = z.infer<typeof errorRow>;
export const errorsResponse = paged(errorRow);
export const downloadQuery = z.object({ format: z.enum(['dbf', 'xlsx'], '格式应为 dbf 或 xlsx').default('dbf') });

// ——— States ———

export const reportBody = z.object({ batch: batchCode, selection, reported_on: isoDate });
export const stateBody = z.object({
  batch: batchCode, selection,
  state: z.enum(RESULT_STATES, '请选择：已注册 或 注册失败'),
  reason: z.string().trim().max(200, '原因不超过 200 字').optional(),
}).refine((b) => b.state !== '注册失败' || (b.reason?.length ?? 0) >= 2, { message: '请填写学信网给出的注册失败原因', path: ['reason'] });
export const retryBody = z.object({ batch: batchCode, selection });

export const resultsQuery = z.object({ batch: batchCode });
export const resultRowError = z.object({ row_no: z.number(), value: z.string(), message: z.string() });
export const resultsResponse = z.object({
  /** Rows read from the file. */
  rows: z.number(),
  registered: z.number(), failed: z.number(), unchanged: z.number(),
  /** Refused rows; when there is any, nothing was written. */
  errors: z.array(resultRowError),
  applied: z.boolean(),
});
export type ResultsSummary = z.infer<typeof resultsResponse>;

// ——— Export profile ———

export const profileField = z.object({
  name: z.enum(REGISTRATION_FIELDS),
  type: z.enum(DBF_TYPES),
  /** Bytes (GBK) for C; 8 for D. */
  width: z.number().int().min(1, '宽度至少为 1').max(254, '宽度不超过 254 字节'),
  position: z.number().int(),
  label: z.string(),
});
export type ProfileField = z.infer<typeof profileField>;
export const profileSchema = z.object({
  school_code: z.string(), school_type: z.string(), school_name: z.string(), president: z.string(),
  fields: z.array(profileField),
});
export type RegistrationProfile = z.infer<typeof profileSchema>;
export const profileBody = z.object({
  school_code: z.string().regex(/^\d{5}$/, '院校代码应为 5 位数字，如 51161').optional(),
  school_type: z.string().regex(/^\d$/, '办学类型应为 1 位数字').optional(),
  school_name: z.string().trim().min(1, '请填写院校名称').max(60).optional(),
  president: z.string().trim().min(1, '请填写校长姓名').max(20).optional(),
  /** Widths to change, by field name. */
  widths: z.array(z.object({ name: z.enum(REGISTRATION_FIELDS), width: z.number().int().min(1, '宽度至少为 1').max(254, '宽度不超过 254 字节') })).optional(),
});

// ——— Partner-seal majors ———

export const partnerSealRow = z.object({
  programme_id: z.number(), level: z.string(), major: z.string(), cohort: z.string(), major_code: z.string().nullable(),
  partner_seal: z.string().nullable(),
});
export type PartnerSealRow = z.infer<typeof partnerSealRow>;
export const partnerSealsResponse = z.array(partnerSealRow);
export const programmeParam = z.object({ programme: z.coerce.number().int().positive('专业编号格式不正确') });
export const partnerSealBody = z.object({
  /** The partner university's name; null clears the flag. */
  partner_seal: z.string().trim().min(2, '请填写合作高校名称').max(60).nullable(),
  /** 专业代码 (ZYDM) when the programme lacks one. */
  major_code: z.string().trim().regex(/^[0-9A-Za-z]{1,12}$/, '专业代码应为 1 至 12 位数字或字母').nullable().optional(),
});

// ——— Public query date ———

export const photoMissingQuery = z.object({ batch: batchCode, tp_code: z.string().max(40).optional(), ...paging(500, 50) });
export const photoMissingRow = z.object({
  id: z.number(), student_id: z.number(), ...studentListed, state: registrationState, certificate_no: z.string().nullable(),
  /** 缺照片，学信网暂不可公开查询. */
  message: z.string(),
});
export const photoMissingResponse = paged(photoMissingRow).extend({
  /** The batch's 发证日期: registered graduates with a photo are publicly queryable from this date. */
  public_from: z.string().nullable(),
});

export const registrationApi = defineRoutes(['学历注册'], {
  rounds: { method: 'GET', path: '/api/registration/rounds', access: OFFICES,
    summary: '已发布的审核批次：注册截止日期（发布后 15 个工作日）、剩余工作日、各状态人数', query: roundsQuery, response: roundsResponse },
  graduates: { method: 'GET', path: '/api/registration/graduates', access: OFFICES,
    summary: '本批次毕业生的注册状态、证书编号、所在文件', query: graduatesQuery, response: graduatesResponse },
  build: { method: 'POST', path: '/api/registration/build', access: HQ,
    summary: '生成注册数据（后台任务）：检查字段，编制证书编号，写出 DBF 与 Excel；完成后在“消息”中', body: buildBody, response: buildStarted },
  files: { method: 'GET', path: '/api/registration/files', access: OFFICES, summary: '本批次已生成的注册数据文件', query: filesQuery, response: filesResponse },
  errors: { method: 'GET', path: '/api/registration/files/:id/errors', access: OFFICES,
    summary: '生成注册数据时的逐行错误（学生、字段、问题）', params: fileIdParam, query: errorsQuery, response: errorsResponse },
  download: { method: 'GET', path: '/api/registration/files/:id/download', access: HQ,
    summary: '下载注册数据文件（DBF 或 Excel；总部）', params: fileIdParam, query: downloadQuery },
  report: { method: 'POST', path: '/api/registration/report', access: HQ,
    summary: '标记已上报（一个文件，或勾选的学生；填写上报日期）', body: reportBody, response: bulkResult },
  setState: { method: 'POST', path: '/api/registration/state', access: HQ,
    summary: '设置注册结果：已注册，或注册失败（须填写原因）', body: stateBody, response: bulkResult },
  retry: { method: 'POST', path: '/api/registration/retry', access: HQ,
    summary: '重新注册：注册失败的学生改正后回到待注册', body: retryBody, response: bulkResult },
  importResults: { method: 'POST', path: '/api/registration/results', access: HQ, upload: true,
    summary: '导入注册结果（Excel，multipart 字段 file：身份证号 或 证书编号、结果、原因）；有错误的行时全部不导入',
    query: resultsQuery, response: resultsResponse },
  profile: { method: 'GET', path: '/api/registration/profile', access: OFFICES, summary: '导出方案：院校信息与各字段类型、宽度', response: profileSchema },
  updateProfile: { method: 'PUT', path: '/api/registration/profile', access: HQ,
    summary: '修改导出方案（总部）：院校代码、办学类型、院校名称、校长姓名、字段宽度', body: profileBody, response: profileSchema },
  partnerSeals: { method: 'GET', path: '/api/registration/partner-seals', access: OFFICES,
    summary: '各专业：专业代码与合作高校盖章（seed 003 四.2）', response: partnerSealsResponse },
  updatePartnerSeal: { method: 'PUT', path: '/api/registration/partner-seals/:programme', access: HQ,
    summary: '设置专业的合作高校盖章、专业代码（总部）', params: programmeParam, body: partnerSealBody, response: partnerSealRow },
  photoMissing: { method: 'GET', path: '/api/registration/photo-missing', access: OFFICES,
    summary: '缺照片，学信网暂不可公开查询的毕业生（已注册或注册中）；其余自发证日期起可查询', query: photoMissingQuery, response: photoMissingResponse },
});
