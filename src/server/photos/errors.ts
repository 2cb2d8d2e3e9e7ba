/** The errors of 电子照片管理: each a status, a stable code, and a Chinese message that says what to do. */
import { AppError } from '../platform/errors.ts';

export const photoErrors = {
  typeUnknown: (code: string) => new AppError(404, 'PHOTO_TYPE_UNKNOWN', `上传图片类型“${code}”不存在或已停用，请从下拉列表中选择上传图片类型。`),
  limitsInverted: () => new AppError(400, 'PHOTO_LIMITS_INVERTED', '文件大小下限应小于上限，请修改。'),
  noFile: () => new AppError(400, 'PHOTO_NO_FILE', '没有收到文件：请点击“浏览”选择文件后再上传。'),
  zipTooLarge: (maxMb: number) =>
    new AppError(413, 'PHOTO_ZIP_TOO_LARGE', `压缩包超过上传上限 ${maxMb} MB，请分成几个压缩包分别上传。`),
  notZip: () => new AppError(400, 'PHOTO_NOT_ZIP', '所选文件不是 ZIP 压缩包：请把照片压缩成一个 .zip 文件后再上传。'),
  uploadNotReady: () => new AppError(409, 'PHOTO_UPLOAD_NOT_READY', '照片还在检查中，请等检查完成、查看检查结果后再保存。'),
  uploadFailed: (why: string) => new AppError(409, 'PHOTO_UPLOAD_FAILED', `该压缩包未通过检查，不能保存：${why}`),
  rejected: (reason: string) => new AppError(400, 'PHOTO_REJECTED', `照片不符合要求：${reason}。`, { reason }),
};
