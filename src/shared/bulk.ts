/** The one answer of every bulk action (预毕业确认, 加急, 填写意见, 学校意见, 退回, 材料). */
import { z } from 'zod';

export const refusal = z.object({
  id: z.number(),
  /** Stable: NOT_FOUND, WINDOW_CLOSED, STALE, or the capability's own (NOT_ELIGIBLE, WRONG_STATE …). */
  code: z.string(),
  /** Chinese: what is wrong and what to do. */
  message: z.string(),
  /** Who, for the table of refusals (absent for a row the caller may not see). */
  student_no: z.string().optional(),
  name: z.string().optional(),
});
export type Refusal = z.infer<typeof refusal>;

export const bulkResult = z.object({
  changed: z.number(),
  unchanged: z.number(),
  refused: z.array(refusal),
});
export type BulkResult = z.infer<typeof bulkResult>;
