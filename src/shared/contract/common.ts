/** What several contracts say alike. */
import { z } from 'zod';

/** Who a row of a list of students is, as every such list shows it: 学号, 姓名, 层次, 专业 and the 教学点. */
export const studentListed = {
  student_no: z.string(), name: z.string(), level: z.string(), major: z.string(), tp_code: z.string(), tp_name: z.string(),
};
