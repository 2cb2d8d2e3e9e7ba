import { z } from 'zod';

export const roleEnum = z.enum(['hq_admin', 'branch_admin', 'tp_admin', 'head_teacher', 'student']);

export const loginBody = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(200),
});

export const meSchema = z.object({
  id: z.number(),
  username: z.string(),
  display_name: z.string(),
  role: roleEnum,
  role_name: z.string(),
  node: z.object({ id: z.number(), kind: z.string(), code: z.string(), name: z.string() }),
  student_id: z.number().nullable(),
  must_change_password: z.boolean(),
});

export const passwordBody = z.object({
  old_password: z.string().min(1, '请输入原密码'),
  new_password: z.string().min(1, '请输入新密码').max(200),
});

export const userSchema = z.object({
  id: z.number(),
  username: z.string(),
  display_name: z.string(),
  role: roleEnum,
  node_id: z.number(),
  node_code: z.string(),
  node_name: z.string(),
  disabled: z.boolean(),
  locked: z.boolean(),
});

export const usersQuery = z.object({
  node_id: z.coerce.number().int().optional(),
  role: roleEnum.optional(),
  q: z.string().max(64).optional(),
  page: z.coerce.number().int().min(1).default(1),
  page_size: z.coerce.number().int().min(1).max(200).default(50),
});

export const createUserBody = z.object({
  username: z.string().trim().regex(/^[A-Za-z0-9_.-]{2,32}$/, '用户名为 2–32 位字母、数字、下划线、点或短横线'),
  display_name: z.string().trim().min(1, '请填写姓名').max(50),
  role: roleEnum.exclude(['student']),
  node_id: z.number().int(),
  password: z.string().min(1).max(200),
});

export const updateUserBody = z.object({
  display_name: z.string().trim().min(1).max(50).optional(),
  disabled: z.boolean().optional(),
});

export const resetPasswordBody = z.object({ password: z.string().min(1).max(200) });
export const idParam = z.object({ id: z.coerce.number().int().positive() });
export const ok = z.object({ ok: z.literal(true) });
