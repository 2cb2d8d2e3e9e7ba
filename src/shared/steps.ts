/** The teaching-point steps of seed 000 (一 … 九), each with its own date window in a batch. */
export const STEPS = [
  { key: 'confirm', no: '一', name: '预毕业确认' },
  { key: 'student_forms', no: '二', name: '完善入学登记表、填写毕业生登记表' },
  { key: 'photos', no: '三', name: '上传毕业生登记表照片' },
  { key: 'opinions', no: '四', name: '填写毕业生登记表意见' },
  { key: 'print_forms', no: '四', name: '毕业生登记表打印、盖章' },
  { key: 'print_enroll', no: '五', name: '打印入学登记表' },
  { key: 'print_transcript', no: '六', name: '打印学生成绩单' },
  { key: 'submit', no: '七', name: '到校提交毕业审核材料' },
  { key: 'paste', no: '八', name: '毕业证书照片粘贴' },
  { key: 'handout', no: '九', name: '毕业证及档案发放' },
] as const;

export type StepKey = (typeof STEPS)[number]['key'];
export const STEP_KEYS = STEPS.map((s) => s.key) as [StepKey, ...StepKey[]];
export const stepName = (key: string) => STEPS.find((s) => s.key === key)?.name ?? key;
