import { idCardProblem } from '../../shared/idcard.ts';
import { sha256Of } from '../platform/files.ts';
import { FORMAT_NAMES, jpegInfo, sniff, stripMetadata } from './jpeg.ts';
import type { EntryKind, ReadProblem } from './zip.ts';

/** The 图片限制 of a photo type, as headquarters configured it. */
export interface PhotoLimits {
  code: string;
  width: number;
  height: number;
  min_kb: number;
  max_kb: number;
}

/** Decoding is capped in pixels (thumbnails, the similarity hash): a header can claim anything. */
export const MAX_DECODE_PIXELS = 4096 * 4096;

const PHOTO_EXT = /\.(jpe?g|jfif)$/i;
const SYSTEM_FILES = new Set(['thumbs.db', '.ds_store', 'desktop.ini']);

export type NameVerdict = { ok: true; idNumber: string } | { ok: false; reason: string };

/**
 * What an entry's name says before its bytes are read. Names never become paths: anything with a
 * folder part — `a/b.jpg`, `../../x.jpg`, `C:\x.jpg` — is refused as "inside a folder".
 */
export function judgeName(name: string, kind: EntryKind): NameVerdict {
  const normal = name.replace(/\\/g, '/');
  const base = normal.replace(/\/+$/, '').split('/').pop() ?? '';
  if (normal.startsWith('__MACOSX/') || base.startsWith('._')) return { ok: false, reason: '不是照片（苹果电脑压缩时附带的 __MACOSX 文件），已忽略' };
  if (SYSTEM_FILES.has(base.toLowerCase())) return { ok: false, reason: `不是照片（Windows/苹果系统自动生成的 ${base} 文件），已忽略` };
  switch (kind) {
    case 'folder': return { ok: false, reason: '这是一个文件夹。压缩包内不能有文件夹，请直接选中照片文件压缩' };
    case 'symlink': return { ok: false, reason: '这是一个符号链接（快捷方式），不是照片文件，已拒绝' };
    case 'encrypted': return { ok: false, reason: '文件已加密，无法读取。请不要给压缩包设置密码' };
    case 'unsupported': return { ok: false, reason: '文件使用了不支持的压缩方式，请用“存储”或“标准（Deflate）”方式重新压缩' };
    case 'file': break;
  }
  if (normal.includes('/') || /^[a-zA-Z]:/.test(normal)) {
    return { ok: false, reason: '文件位于文件夹内（或文件名含路径）。压缩包内不能有文件夹，请直接选中照片文件压缩' };
  }
  if (/\.(zip|rar|7z|tar|gz)$/i.test(base)) return { ok: false, reason: '压缩包内又套了一个压缩包，请解开后直接压缩照片文件' };
  if (!PHOTO_EXT.test(base)) {
    return { ok: false, reason: `文件名“${base}”的扩展名不是 .jpg。照片应为 JPEG 格式，以“身份证号.jpg”命名` };
  }
  const stem = base.replace(PHOTO_EXT, '').trim();
  const problem = idCardProblem(stem);
  if (problem) return { ok: false, reason: `文件名不是有效的身份证号：${problem}。照片应以学生身份证号命名，如 110101199003071233.jpg` };
  return { ok: true, idNumber: stem.toUpperCase() };
}

export const READ_PROBLEMS: Record<ReadProblem, (l: PhotoLimits) => string> = {
  tooLarge: (l) => `文件过大，超过上限 ${l.max_kb} KB，请压缩图片后重新上传`,
  bomb: () => '压缩比异常（一个小文件解压后极大，疑似压缩炸弹），已拒绝',
  corrupt: () => '文件在压缩包中已损坏（校验失败），请重新压缩后上传',
};

export type PhotoJudgement =
  | { ok: true; stored: Buffer; sha256: string; width: number; height: number; size: number }
  | { ok: false; reason: string };

/**
 * One photo against its type's 图片限制. `stored` is what is kept: the same JPEG without EXIF and
 * other metadata (location, camera, thumbnails of the uncropped picture).
 */
export function judgePhoto(data: Buffer, l: PhotoLimits): PhotoJudgement {
  const format = sniff(data);
  if (format !== 'jpeg') {
    return { ok: false, reason: `不是 JPEG 图片（实际为 ${FORMAT_NAMES[format]}，与扩展名无关），请另存为 JPG 格式后重新上传` };
  }
  const kb = data.length / 1024;
  if (kb > l.max_kb) return { ok: false, reason: `文件大小为 ${kb.toFixed(1)} KB，超过上限 ${l.max_kb} KB，请降低图片质量后重新上传` };
  const info = jpegInfo(data);
  if (!info) return { ok: false, reason: '不是有效的 JPEG 图片（文件结构已损坏），请重新导出照片' };
  if (info.width * info.height > MAX_DECODE_PIXELS || info.width !== l.width || info.height !== l.height) {
    return { ok: false, reason: `像素尺寸为 ${info.width}×${info.height}，应为 ${l.width}×${l.height}（宽×高），请裁剪或缩放后重新上传` };
  }
  if (info.components === 4) return { ok: false, reason: '图片为 CMYK 色彩模式（印刷用），应为 24 位真彩色（RGB），请转换颜色模式后重新上传' };
  if (info.components === 1) return { ok: false, reason: '图片为灰度（黑白）图片，应为 24 位真彩色，请使用彩色照片' };
  if (info.components !== 3 || info.precision !== 8) {
    return { ok: false, reason: `图片色彩为 ${info.components * info.precision} 位，应为 24 位真彩色（RGB），请转换后重新上传` };
  }
  if (!info.complete) return { ok: false, reason: '图片文件不完整（可能在复制或传输时被截断），请重新导出照片' };
  if (kb < l.min_kb) return { ok: false, reason: `文件大小为 ${kb.toFixed(1)} KB，小于下限 ${l.min_kb} KB（图片质量过低），请使用更清晰的照片` };
  const stored = stripMetadata(data);
  return { ok: true, stored, sha256: sha256Of(stored), width: info.width, height: info.height, size: data.length };
}
