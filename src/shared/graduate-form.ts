/** 毕业生登记表: its states, the parts a student writes and their limits. Server and web share them. */

export const FORM_STATES = ['学生未填写', '函授站未填写', '函授站已填写', '总部已填写'] as const;
export type FormState = (typeof FORM_STATES)[number];

export const OPINION_KINDS = ['班主任意见', '函授站意见', '学校意见'] as const;
export type OpinionKind = (typeof OPINION_KINDS)[number];

/**
 * The student's parts and what the boxes of the printed form hold (A4, 五号字 about 34 characters a line):
 * 自我鉴定 fills most of a page (about 24 lines), the other boxes about a third of one. `lines` caps the
 * line breaks, since each starts a new printed line. `min` applies when submitting, not to a draft.
 */
export const FORM_FIELDS = {
  self_assessment: { label: '自我鉴定', max: 800, lines: 20, min: 50 },
  study_summary: { label: '学习总结', max: 400, lines: 10, min: 0 },
  practice_summary: { label: '实践总结', max: 400, lines: 10, min: 0 },
  rewards: { label: '奖励情况', max: 200, lines: 5, min: 0 },
  punishments: { label: '惩处情况', max: 200, lines: 5, min: 0 },
} as const;
export type FormField = keyof typeof FORM_FIELDS;
export const FORM_FIELD_KEYS = Object.keys(FORM_FIELDS) as FormField[];

/** Each opinion box of the printed form: a few lines. */
export const OPINION_MAX = 200;
/** …and at most this many lines. */
export const OPINION_LINES = 5;
