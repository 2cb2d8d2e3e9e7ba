/** The student card (学籍卡): the contract between server and web. */
import { z } from 'zod';
import { defineRoutes } from '../contract.ts';

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

export const studentsApi = defineRoutes(['学籍'], {
  card: { method: 'GET', path: '/api/students/:id', access: 'any',
    summary: '学籍卡', params: z.object({ id: z.coerce.number().int().positive() }), response: studentCard },
});
