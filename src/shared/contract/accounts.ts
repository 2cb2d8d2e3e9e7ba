/** 登录 and 用户管理: the contract between server and web. */
import { z } from 'zod';
import { defineRoutes, listOf, paging } from '../contract.ts';
import { ADMINS, ROLES } from '../org.ts';
import { nodeKind } from './org.ts';

export const role = z.enum(ROLES);

export const loginBody = z.object({
  username: z.string().trim().min(1, '请输入用户名').max(64),
  password: z.string().min(1, '请输入密码').max(200),
});

const account = z.object({ id: z.number(), username: z.string(), display_name: z.string(), role });

/** The signed-in account, its role and its unit. */
export const meSchema = account.extend({
  role_name: z.string(),
  node: z.object({ id: z.number(), kind: nodeKind, code: z.string(), name: z.string() }),
  student_id: z.number().nullable(),
  must_change_password: z.boolean(),
});
export type Me = z.infer<typeof meSchema>;

export const passwordBody = z.object({
  old_password: z.string().min(1, '请输入原密码'),
  new_password: z.string().min(1, '请输入新密码').max(200),
});

export const userSchema = account.extend({
  node_id: z.number(),
  node_code: z.string(),
  node_name: z.string(),
  disabled: z.boolean(),
  locked: z.boolean(),
});
export type User = z.infer<typeof userSchema>;

export const usersQuery = z.object({
  node_id: z.coerce.number().int().optional(),
  role: role.optional(),
  q: z.string().max(64).optional(),
  ...paging(200, 50),
});
export type UsersQuery = z.infer<typeof usersQuery>;
export type UsersFilter = z.input<typeof usersQuery>;

export const createUserBody = z.object({
  username: z.string().trim().regex(/^[A-Za-z0-9_.-]{2,32}$/, '用户名为 2–32 位字母、数字、下划线、点或短横线'),
  display_name: z.string().trim().min(1, '请填写姓名').max(50),
  role: role.exclude(['student']),
  node_id: z.number().int(),
  password: z.string().min(1).max(200),
});
export type CreateUser = z.infer<typeof createUserBody>;

export const updateUserBody = z.object({
  display_name: z.string().trim().min(1).max(50).optional(),
  disabled: z.boolean().optional(),
});
export type UpdateUser = z.infer<typeof updateUserBody>;

export const resetPasswordBody = z.object({ password: z.string().min(1).max(200) });
export const idParam = z.object({ id: z.coerce.number().int().positive() });
export const ok = z.object({ ok: z.literal(true) });

export const accountsApi = defineRoutes(['登录'], {
  login: { method: 'POST', path: '/api/auth/login', access: 'public', summary: '登录：成功后设置会话 Cookie', body: loginBody, response: meSchema },
  logout: { method: 'POST', path: '/api/auth/logout', access: 'public', summary: '退出登录', response: ok },
  me: { method: 'GET', path: '/api/me', access: 'any', summary: '当前用户、角色和所属单位', response: meSchema },
  changePassword: { method: 'POST', path: '/api/me/password', access: 'any', summary: '修改自己的密码', body: passwordBody, response: ok },
  users: { method: 'GET', path: '/api/users', access: ADMINS, tags: ['用户管理'], summary: '本单位及下级单位的账号', query: usersQuery, response: listOf(userSchema) },
  createUser: { method: 'POST', path: '/api/users', access: ADMINS, tags: ['用户管理'], summary: '在本单位或下级单位创建账号', body: createUserBody, response: userSchema },
  updateUser: { method: 'PATCH', path: '/api/users/:id', access: ADMINS, tags: ['用户管理'],
    summary: '修改、停用或启用账号', params: idParam, body: updateUserBody, response: userSchema },
  resetPassword: { method: 'POST', path: '/api/users/:id/reset-password', access: ADMINS, tags: ['用户管理'],
    summary: '重置密码（下次登录须修改）', params: idParam, body: resetPasswordBody, response: ok },
});
