/** A date window as the server judges it; the web shows `open` and `days_left` as they are, never its own clock. */
import { z } from 'zod';

export const windowStatus = z.object({
  /** First and last day, both inclusive (China's calendar); null where the window has no such bound. */
  starts_on: z.string().nullable(),
  ends_on: z.string().nullable(),
  open: z.boolean(),
  /** 'before' the first day, 'open', or 'after' the last day. */
  phase: z.enum(['before', 'open', 'after']),
  /** Calendar days from today to the last day while open; null otherwise. */
  days_left: z.number().nullable(),
});
export type WindowStatus = z.infer<typeof windowStatus>;
