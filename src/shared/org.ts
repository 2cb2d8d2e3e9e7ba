/** Roles and kinds of organisation node, named as the seeds name them; server and web share them. */
export type Role = 'hq_admin' | 'branch_admin' | 'tp_admin' | 'head_teacher' | 'student';
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
