import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkDigit, idCardInfo, idCardProblem, maskIdCard } from './idcard.ts';

// GB 11643-1999's own example: 11010519491231002X.
test('MOD 11-2 check digit, including X', () => {
  assert.equal(checkDigit('11010519491231002'), 'X');
  assert.equal(idCardProblem('11010519491231002X'), null);
  assert.equal(idCardProblem('11010519491231002x'), null, 'lower-case x is fine');
  assert.match(idCardProblem('110105194912310021')!, /校验位不正确/);
});

test('length, characters and the birth date are checked', () => {
  assert.match(idCardProblem('1101051949123100')!, /应为 18 位，当前为 16 位/);
  assert.match(idCardProblem('11010519491231002Y')!, /最后一位为数字或 X/);
  const feb30 = '11010519490230002';
  assert.match(idCardProblem(feb30 + checkDigit(feb30))!, /出生日期无效/);
});

test('birth date and sex must agree with the record', () => {
  const id = '11010519491231002X'; // sequence 002: even → 女
  assert.deepEqual(idCardInfo(id), { birthDate: '1949-12-31', gender: '女' });
  assert.match(idCardProblem(id, { gender: '男' })!, /性别（女）与学籍记录（男）不一致/);
  assert.match(idCardProblem(id, { birthDate: '1950-01-01' })!, /出生日期 1949-12-31 与学籍记录 1950-01-01 不一致/);
  assert.equal(idCardProblem(id, { gender: '女', birthDate: '1949-12-31' }), null);
});

test('masked for lists', () => {
  assert.equal(maskIdCard('21010219900517123X'), '2101**********123X');
});
