/** Background tasks (后台任务): their state and progress, for whoever started them. */
import { z } from 'zod';
import { defineRoutes } from '../contract.ts';

/** The states of a task, written once (the task table's check constraint holds the same). */
export const TASK_STATES = ['queued', 'running', 'done', 'failed', 'cancelled'] as const;
export const taskState = z.enum(TASK_STATES);
export type TaskState = z.infer<typeof taskState>;

export const taskSchema = z.object({
  id: z.string(),
  kind: z.string(),
  title: z.string(),
  state: taskState,
  progress: z.number(),
  total: z.number(),
  eta_seconds: z.number().nullable(),
  result: z.unknown(),
  error: z.string().nullable(),
  created_at: z.string(),
  finished_at: z.string().nullable(),
});
export type Task = z.infer<typeof taskSchema>;

export const tasksApi = defineRoutes(['消息'], {
  get: { method: 'GET', path: '/api/tasks/:id', access: 'any', summary: '后台任务的状态和进度', params: z.object({ id: z.uuid('任务编号格式不正确') }), response: taskSchema },
});
