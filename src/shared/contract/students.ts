/** The student card (学籍卡) and a student's graduation (毕业, 撤销毕业): the contract between server and web. */
import { z } from 'zod';
import { defineRoutes } from '../contract.ts';
import { HQ } from '../org.ts';

export const gradeSchema = z.object({
  course_code: z.string(), course_name: z.string(), category: z.string(), credits: z.number(),
  score: z.number().nullable(), passed: z.boolean(), term: z.string(), source: z.string(),
});

export const studentCard = z.object({
  id: z.number(), student_no: z.string(), name: z.string(), gender: z.string(), id_number: z.string(), ethnicity: z.string(),
  political_status: z.string(), cohort: z.string(), level: z.string(), major: z.string(), status: z.string(),
  entry_date: z.string(), valid_until: z.string(), extension_until: z.string().nullable(), tp_code: z.string(), tp_name: z.string(),
  grades: z.array(gradeSchema),
  graduations: z.array(z.object({ batch_code: z.string(), confirm_status: z.string(), eligible: z.boolean(), reasons: z.array(z.string()) })),
});
export type StudentCard = z.infer<typeof studentCard>;

/** 撤销毕业: headquarters says why (kept with the revocation and in the operation log). */
export const revokeGraduationBody = z.object({
  reason: z.string().trim().min(2, '请填写撤销毕业的原因（不少于 2 个字）').max(200, '撤销原因不超过 200 字'),
});
export type RevokeGraduationInput = z.infer<typeof revokeGraduationBody>;

/** A student's 学籍状态 and graduation after a change. */
export const graduationState = z.object({
  id: z.number(), status: z.string(),
  graduation_batch: z.string().nullable(), graduation_date: z.string().nullable(), graduation_conclusion: z.string().nullable(),
});
export type GraduationState = z.infer<typeof graduationState>;

const studentIdParam = z.object({ id: z.coerce.number().int().positive('学生编号格式不正确') });

export const studentsApi = defineRoutes(['学籍'], {
  card: { method: 'GET', path: '/api/students/:id', access: 'any',
    summary: '学籍卡', params: studentIdParam, response: studentCard },
  revokeGraduation: { method: 'POST', path: '/api/students/:id/revoke-graduation', access: HQ,
    summary: '撤销毕业（总部，须填写原因）：学籍状态恢复为在籍，毕业批次、毕业日期、毕结业结论清空', params: studentIdParam,
    body: revokeGraduationBody, response: graduationState },
});
