/** 居民身份证号码 (GB 11643-1999): 6-digit region, 8-digit birth date, 3-digit sequence (odd = male),
 *  and a MOD 11-2 check character. */
const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2];
const CHECK = '10X98765432';

export function checkDigit(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += Number(first17[i]) * WEIGHTS[i];
  return CHECK[sum % 11];
}

export interface IdCardInfo {
  birthDate: string; // YYYY-MM-DD
  gender: '男' | '女';
}

/** Returns a Chinese reason when the number is not valid, or null. Lower-case x is accepted. */
export function idCardProblem(raw: string, expected?: { birthDate?: string; gender?: '男' | '女' }): string | null {
  const id = raw.trim().toUpperCase();
  if (id.length !== 18) return `身份证号应为 18 位，当前为 ${id.length} 位`;
  if (!/^\d{17}[\dX]$/.test(id)) return '身份证号前 17 位须为数字，最后一位为数字或 X';
  const info = idCardInfo(id);
  if (!info) return '身份证号中的出生日期无效';
  if (checkDigit(id.slice(0, 17)) !== id[17]) return '身份证号校验位不正确，请核对是否录入有误';
  if (expected?.birthDate && expected.birthDate !== info.birthDate) {
    return `身份证号中的出生日期 ${info.birthDate} 与学籍记录 ${expected.birthDate} 不一致`;
  }
  if (expected?.gender && expected.gender !== info.gender) {
    return `身份证号表示的性别（${info.gender}）与学籍记录（${expected.gender}）不一致`;
  }
  return null;
}

export function idCardInfo(id: string): IdCardInfo | null {
  const y = Number(id.slice(6, 10));
  const m = Number(id.slice(10, 12));
  const d = Number(id.slice(12, 14));
  const date = new Date(Date.UTC(y, m - 1, d));
  if (y < 1900 || date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) return null;
  return {
    birthDate: `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
    gender: Number(id[16]) % 2 === 1 ? '男' : '女',
  };
}

/** 2101**********123X: region prefix and last four, for lists. */
export function maskIdCard(id: string): string {
  return id.length === 18 ? `${id.slice(0, 4)}**********${id.slice(14)}` : id;
}
