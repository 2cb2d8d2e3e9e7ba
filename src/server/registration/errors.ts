/** The errors of 学历电子注册: each with its HTTP status, a stable code and what to do. */
import { AppError } from '../platform/errors.ts';

export const registrationErrors = {
  batchUnknown: (batch: string) =>
    new AppError(404, 'REGISTRATION_BATCH_NOT_FOUND', `毕业批次 ${batch} 不存在，请从列表中选择毕业批次。`, { batch }),
  roundUnknown: (round: number) =>
    new AppError(404, 'REGISTRATION_ROUND_NOT_FOUND', `审核批次 ${round} 不存在或不属于该毕业批次，请从列表中选择已发布的审核批次。`, { round }),
  noGraduates: (batch: string) =>
    new AppError(409, 'REGISTRATION_NO_GRADUATES',
      `毕业批次 ${batch} 没有待注册的毕业生。请先发布审核批次（审核通过的学生在发布后成为毕业），或把注册失败且已改正的学生重新注册。`, { batch }),
  serialOverflow: (year: number, level: string, needed: number, left: number) =>
    new AppError(409, 'REGISTRATION_SERIAL_OVERFLOW',
      `${year} 年${level}毕业证书流水号不足：本次需要 ${needed} 个，最多还剩 ${left} 个（流水号为 6 位，最大 999999）。请联系系统管理员处理，不能重复使用已用的证书编号。`,
      { year, level, needed, left }),
  noIssueDate: (batch: string) =>
    new AppError(409, 'REGISTRATION_NO_ISSUE_DATE', `毕业批次 ${batch} 没有发证日期，无法确定毕业年份和毕业日期。请先在毕业批次设置中填写发证日期。`, { batch }),
  buildRunning: (batch: string) =>
    new AppError(409, 'REGISTRATION_BUILD_RUNNING', `毕业批次 ${batch} 的注册数据正在生成，请等它完成（见“消息”）后再生成。`, { batch }),
  fileMissing: () =>
    new AppError(410, 'REGISTRATION_FILE_GONE', '注册数据文件已不存在，请重新生成注册数据。'),
  notExcel: (name: string) =>
    new AppError(400, 'REGISTRATION_RESULTS_NOT_EXCEL',
      `文件“${name}”不是 Excel 文件（.xlsx）。请上传学信网返回的注册结果 Excel 文件，列为：身份证号 或 证书编号、结果、原因。`, { name }),
  resultsColumns: (missing: string) =>
    new AppError(400, 'REGISTRATION_RESULTS_COLUMNS',
      `注册结果文件缺少列：${missing}。第一行应为列名：身份证号 或 证书编号、结果、原因（注册失败时必填）。`, { missing }),
  resultsEmpty: () =>
    new AppError(400, 'REGISTRATION_RESULTS_EMPTY', '注册结果文件没有数据行。请确认第一行为列名（身份证号 或 证书编号、结果、原因），从第二行起每行一名学生。'),
  profileTooNarrow: (name: string, width: number, min: number) =>
    new AppError(400, 'REGISTRATION_PROFILE_WIDTH',
      `字段 ${name} 的宽度 ${width} 太小：该字段至少需要 ${min} 字节。`, { name, width, min }),
  dateWidth: (name: string) =>
    new AppError(400, 'REGISTRATION_PROFILE_DATE_WIDTH', `字段 ${name} 是日期型（D），宽度固定为 8，不能修改。`, { name }),
};
