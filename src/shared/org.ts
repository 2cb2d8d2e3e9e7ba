/** Roles and kinds of organisation node, named as the seeds name them; server and web share them. */
export const ROLES = ['hq_admin', 'branch_admin', 'tp_admin', 'head_teacher', 'student'] as const;
export type Role = (typeof ROLES)[number];
export type NodeKind = 'hq' | 'branch' | 'tp' | 'class';

export const ROLE_NAMES: Record<Role, string> = {
  hq_admin: '总部管理员',
  branch_admin: '分部管理员',
  tp_admin: '教学点教师',
  head_teacher: '班主任',
  student: '学生',
};

/** 总部 → 分部/学院 → 教学点 → 班级. */
export const KIND_NAMES: Record<NodeKind, string> = { hq: '总部', branch: '分部', tp: '教学点', class: '班级' };

/** The one account role each kind of node holds: the tree decides, not the form. */
export const ROLE_FOR_KIND: Record<NodeKind, Exclude<Role, 'student'>> = {
  hq: 'hq_admin',
  branch: 'branch_admin',
  tp: 'tp_admin',
  class: 'head_teacher',
};

/** The role sets that routes, pages and menus name: each written here once. */
export const STAFF: readonly Role[] = ['hq_admin', 'branch_admin', 'tp_admin', 'head_teacher'];
export const ADMINS: readonly Role[] = ['hq_admin', 'branch_admin'];
export const OFFICES: readonly Role[] = ['hq_admin', 'branch_admin', 'tp_admin'];
export const HQ: readonly Role[] = ['hq_admin'];
export const STUDENTS: readonly Role[] = ['student'];

/** Who may call a route or open a page: anyone, any signed-in account, or these roles. */
export type Access = 'public' | 'any' | readonly Role[];
