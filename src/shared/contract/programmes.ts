/** 教学计划: 专业, 层次 and courses, reference data for filters (the same for every unit). */
import { z } from 'zod';
import { defineRoutes } from '../contract.ts';
import { STAFF } from '../org.ts';

export const majorSchema = z.object({ major: z.string(), level: z.string() });
export type Major = z.infer<typeof majorSchema>;

export const courseSchema = z.object({ code: z.string(), name: z.string(), credits: z.number(), category: z.string() });
export type Course = z.infer<typeof courseSchema>;

export const coursesQuery = z.object({ q: z.string().trim().max(40).optional() });

export const programmesApi = defineRoutes(['教学计划'], {
  majors: { method: 'GET', path: '/api/programmes/majors', access: STAFF, summary: '专业列表（含层次）', response: z.array(majorSchema) },
  courses: { method: 'GET', path: '/api/courses', access: 'any', summary: '课程查询（代码或名称）', query: coursesQuery, response: z.array(courseSchema) },
  categories: { method: 'GET', path: '/api/courses/categories', access: 'any', summary: '课程类别', response: z.array(z.string()) },
});
