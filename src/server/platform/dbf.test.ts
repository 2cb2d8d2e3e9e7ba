import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import iconv from 'iconv-lite';
import { DbfValueError, dbfValueProblem, encodeGbk, gbkByteLength, gbkProblem, isGbk, writeDbf, type DbfField } from './dbf.ts';

/**
 * The DBF writer, checked by an independent reader: Debian's python3-dbfread (the system python, which has it;
 * a pyenv shim earlier on PATH may not), decoding with Python's own GBK codec.
 */
const PYTHON = process.env.DBF_PYTHON ?? '/usr/bin/python3';
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-dbf-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

interface Read { fields: { name: string; type: string; length: number; decimals: number }[]; count: number; records: Record<string, string | number | null>[] }

function dbfread(file: string, limit = 1_000_000): Read {
  const script = `
import json, sys, datetime, dbfread
t = dbfread.DBF(sys.argv[1], encoding='gbk', char_decode_errors='strict')
v = lambda x: x.isoformat() if isinstance(x, datetime.date) else x
recs = []
for i, r in enumerate(t):
    if i >= int(sys.argv[2]): break
    recs.append({k: v(x) for k, x in r.items()})
print(json.dumps({'fields': [{'name': f.name, 'type': f.type, 'length': f.length, 'decimals': f.decimal_count} for f in t.fields],
                  'count': len(t), 'records': recs}, ensure_ascii=False))
`;
  return JSON.parse(execFileSync(PYTHON, ['-c', script, file, String(limit)], { encoding: 'utf8', maxBuffer: 64 << 20 })) as Read;
}

const FIELDS: DbfField[] = [
  { name: 'KSH', type: 'C', width: 14 },
  { name: 'XM', type: 'C', width: 40 },
  { name: 'XB', type: 'C', width: 2 },
  { name: 'CSRQ', type: 'D', width: 8 },
  { name: 'XZ', type: 'N', width: 4, decimals: 1 },
  { name: 'ZSBH', type: 'C', width: 18 },
  { name: 'BZ', type: 'C', width: 20 },
];
const FORTY = '欧阳'.repeat(10); // 20 characters = 40 GBK bytes: exactly C40
const ROWS: (string | number | null)[][] = [
  ['21110101000001', '张三', '男', '1990-01-31', '2.5', '511611202105000001', null],
  ['21110101000002', FORTY, '女', '20000229', 3, '511611202105000002', ''],
  ['21110101000003', 'Zhang San·李', null, null, null, null, '问号?保留'],
  ['21110101000004', '〇丽', '女', '1988-12-01T00:00:00.000Z', '-1', '511611202105000004', '备注'],
];

describe('writeDbf', () => {
  test('a dBASE III GBK file dbfread reads back field by field and value by value', async () => {
    const file = path.join(dir, 'graduates.dbf');
    const r = await writeDbf(file, FIELDS, ROWS, { day: '2021-01-20' });
    assert.equal(r.records, 4);
    const recordLength = 1 + 14 + 40 + 2 + 8 + 4 + 18 + 20;
    const headerLength = 32 + 32 * FIELDS.length + 1;
    assert.equal(r.bytes, headerLength + 4 * recordLength + 1);
    assert.equal(fs.statSync(file).size, r.bytes);

    const read = dbfread(file);
    assert.deepEqual(read.fields, FIELDS.map((f) => ({ name: f.name, type: f.type, length: f.width, decimals: f.decimals ?? 0 })));
    assert.equal(read.count, 4);
    assert.deepEqual(read.records, [
      { KSH: '21110101000001', XM: '张三', XB: '男', CSRQ: '1990-01-31', XZ: 2.5, ZSBH: '511611202105000001', BZ: '' },
      { KSH: '21110101000002', XM: FORTY, XB: '女', CSRQ: '2000-02-29', XZ: 3, ZSBH: '511611202105000002', BZ: '' },
      { KSH: '21110101000003', XM: 'Zhang San·李', XB: '', CSRQ: null, XZ: null, ZSBH: '', BZ: '问号?保留' },
      { KSH: '21110101000004', XM: '〇丽', XB: '女', CSRQ: '1988-12-01', XZ: -1, ZSBH: '511611202105000004', BZ: '备注' },
    ]);
  });

  test('the header and the records byte for byte: GBK as iconv-lite encodes it, padded with spaces', async () => {
    const file = path.join(dir, 'bytes.dbf');
    await writeDbf(file, FIELDS, ROWS, { day: '2021-01-20' });
    const b = fs.readFileSync(file);
    const headerLength = 32 + 32 * FIELDS.length + 1;
    const recordLength = 1 + FIELDS.reduce((n, f) => n + f.width, 0);
    assert.equal(b[0], 0x03, 'dBASE III without memo');
    assert.deepEqual([...b.subarray(1, 4)], [121, 1, 20], 'last update 2021-01-20');
    assert.equal(b.readUInt32LE(4), 4);
    assert.equal(b.readUInt16LE(8), headerLength);
    assert.equal(b.readUInt16LE(10), recordLength);
    assert.equal(b[29], 0x4d, 'language driver: GBK (CP936)');
    assert.equal(b[headerLength - 1], 0x0d);
    assert.equal(b[b.length - 1], 0x1a);
    assert.equal(b.toString('latin1', 32, 43), 'KSH\0\0\0\0\0\0\0\0');
    assert.equal(String.fromCharCode(b[32 + 32 + 11]), 'C');
    assert.equal(b[32 + 32 + 16], 40);

    const xm = (row: number) => {
      const at = headerLength + row * recordLength + 1 + 14;
      return b.subarray(at, at + 40);
    };
    assert.equal(b[headerLength], 0x20, 'record not deleted');
    assert.deepEqual(xm(0), Buffer.concat([iconv.encode('张三', 'gbk'), Buffer.alloc(36, 0x20)]));
    assert.deepEqual(xm(1), iconv.encode(FORTY, 'gbk'));
    assert.deepEqual(xm(2), Buffer.concat([iconv.encode('Zhang San·李', 'gbk'), Buffer.alloc(40 - 13, 0x20)]));
    // The N field right-aligned, its decimals padded: '2.5' in N4,1 is ' 2.5'; 3 is ' 3.0'; blank is spaces.
    const xz = (row: number) => b.toString('latin1', headerLength + row * recordLength + 1 + 14 + 40 + 2 + 8, headerLength + row * recordLength + 1 + 14 + 40 + 2 + 8 + 4);
    assert.deepEqual([xz(0), xz(1), xz(2), xz(3)], [' 2.5', ' 3.0', '    ', '-1.0']);
  });

  test('no rows: a valid empty file', async () => {
    const file = path.join(dir, 'empty.dbf');
    const r = await writeDbf(file, FIELDS, [], { day: '2021-01-20' });
    assert.equal(r.records, 0);
    const read = dbfread(file);
    assert.equal(read.count, 0);
    assert.equal(read.fields.length, FIELDS.length);
    assert.equal(fs.statSync(file).size, 32 + 32 * FIELDS.length + 1 + 1);
  });

  test('many rows from an async iterable span several chunks; the count is patched into the header', async () => {
    const file = path.join(dir, 'many.dbf');
    const n = 25_000; // 107-byte records: ~9,800 to a 1 MiB chunk
    async function* rows() {
      for (let i = 0; i < n; i++) yield [`2111${String(i).padStart(10, '0')}`, i % 3 ? '李四' : '王小明', '男', '1999-09-09', i % 10, null, `第${i}行`];
    }
    let progress = 0;
    const r = await writeDbf(file, FIELDS, rows(), { onProgress: (k) => { progress = k; } });
    assert.equal(r.records, n);
    assert.equal(progress, n);
    // Every record: a short name after a long one in the same chunk slot must not keep the long one's tail.
    const read = dbfread(file);
    assert.equal(read.count, n);
    const wrong = read.records.filter((rec, i) => rec.XM !== (i % 3 ? '李四' : '王小明') || rec.BZ !== `第${i}行` || rec.XZ !== i % 10);
    assert.deepEqual(wrong, []);
    assert.deepEqual(read.records[n - 1], { KSH: '21110000024999', XM: '王小明', XB: '男', CSRQ: '1999-09-09', XZ: 9, ZSBH: '', BZ: '第24999行' });
  });

  test('a value over its width or not GBK throws, and leaves neither the file nor a temporary one', async () => {
    const file = path.join(dir, 'bad.dbf');
    const before = fs.readdirSync(dir).length;
    const tooWide = [...ROWS, ['21110101000005', FORTY + '李', '男', null, null, null, null]];
    await assert.rejects(writeDbf(file, FIELDS, tooWide), (e: unknown) => {
      assert.ok(e instanceof DbfValueError);
      assert.equal(e.record, 5);
      assert.equal(e.field, 'XM');
      assert.deepEqual(e.problem, { kind: 'too_wide', bytes: 42, width: 40 });
      return true;
    });
    assert.equal(fs.existsSync(file), false);
    await assert.rejects(writeDbf(file, FIELDS, [['1', '王䶮', null, null, null, null, null]]), (e: unknown) => {
      assert.ok(e instanceof DbfValueError);
      assert.deepEqual(e.problem, { kind: 'unencodable', chars: ['䶮'] });
      assert.match(e.message, /XM.*䶮/);
      return true;
    });
    await assert.rejects(writeDbf(file, FIELDS, [['1', '王', null, '2021-02-29', null, null, null]]), /CSRQ.*日期格式不正确/);
    await assert.rejects(writeDbf(file, FIELDS, [['1', '王', null, null, '2.55', null, null]]), /XZ.*数值格式不正确/);
    await assert.rejects(writeDbf(file, FIELDS, [['1', '王', null, null, '12345', null, null]]), /XZ.*超过字段宽度/);
    assert.equal(fs.readdirSync(dir).length, before, 'no file left behind');
  });

  test('a failed write leaves an earlier file of the same name as it was', async () => {
    const file = path.join(dir, 'keep.dbf');
    await writeDbf(file, FIELDS, ROWS.slice(0, 1));
    const old = fs.readFileSync(file);
    await assert.rejects(writeDbf(file, FIELDS, [...ROWS, ['1', '䶮', null, null, null, null, null]]), DbfValueError);
    assert.deepEqual(fs.readFileSync(file), old);
  });

  test('bad field definitions are refused', async () => {
    const file = path.join(dir, 'fields.dbf');
    await assert.rejects(writeDbf(file, [{ name: 'TOO_LONG_NAME', type: 'C', width: 4 }], []), /字段名不合法/);
    await assert.rejects(writeDbf(file, [{ name: 'XM', type: 'C', width: 255 }], []), /宽度/);
    await assert.rejects(writeDbf(file, [{ name: 'D', type: 'D', width: 10 }], []), /宽度/);
    await assert.rejects(writeDbf(file, [{ name: 'XM', type: 'C', width: 4 }, { name: 'xm', type: 'C', width: 4 }], []), /重复/);
    await assert.rejects(writeDbf(file, [{ name: 'XM', type: 'C', width: 4 }], [['a', 'b']]), /2 个值，应为 1 个/);
    assert.equal(fs.existsSync(file), false);
  });
});

describe('GBK checks', () => {
  test('too wide: a 13-character name is 26 bytes, over C24', () => {
    const name = '爱新觉罗溥仪爱新觉罗溥仪某';
    assert.equal(name.length, 13);
    assert.equal(gbkByteLength(name), 26);
    assert.deepEqual(gbkProblem(name, 24), { kind: 'too_wide', bytes: 26, width: 24 });
    assert.equal(gbkProblem(name, 26), null);
    assert.equal(gbkProblem('Zhang San·李', 13), null);
    assert.equal(gbkProblem('', 1), null);
  });

  test('unencodable: 䶮 (iconv-lite maps it to FE 9F, which CP936 readers cannot decode), astral and private-use characters, €', () => {
    // iconv-lite alone would write 䶮 as bytes Python's gbk refuses: the very reason for our own table.
    assert.deepEqual(iconv.encode('䶮', 'gbk'), Buffer.from([0xfe, 0x9f]));
    assert.throws(() => execFileSync(PYTHON, ['-c', "b'\\xfe\\x9f'.decode('gbk')"], { stdio: 'pipe' }));
    assert.deepEqual(gbkProblem('刘䶮', 24), { kind: 'unencodable', chars: ['䶮'] });
    assert.deepEqual(gbkProblem('䶮𠀀䶮\uE000€', 2), { kind: 'unencodable', chars: ['䶮', '𠀀', '\uE000', '€'] });
    assert.equal(isGbk('?'), true, "a '?' the user typed is fine");
    assert.equal(isGbk('张三?'), true);
    assert.throws(() => encodeGbk('䶮'), /䶮/);
  });

  test('our GBK is exactly Python’s gbk codec, character by character over the whole BMP', () => {
    const script = `
import sys
out = []
for cp in range(0x80, 0x10000):
    if 0xD800 <= cp < 0xE000: continue
    try: out.append('%x:%s' % (cp, chr(cp).encode('gbk').hex()))
    except UnicodeEncodeError: pass
sys.stdout.write(' '.join(out))
`;
    const expected = new Map(execFileSync(PYTHON, ['-c', script], { encoding: 'utf8', maxBuffer: 16 << 20 }).split(' ').map((e) => {
      const [cp, hex] = e.split(':');
      return [parseInt(cp, 16), hex] as const;
    }));
    assert.ok(expected.size > 21_000);
    const wrong: string[] = [];
    for (let cp = 0x80; cp < 0x10000; cp++) {
      if (cp >= 0xd800 && cp < 0xe000) continue;
      const ch = String.fromCharCode(cp);
      const ours = isGbk(ch) ? encodeGbk(ch).toString('hex') : undefined;
      if (ours !== expected.get(cp)) wrong.push(`U+${cp.toString(16)}: ours ${ours}, python ${expected.get(cp)}`);
    }
    assert.deepEqual(wrong.slice(0, 10), []);
  });

  test('dbfValueProblem for dates and numbers', () => {
    const d: DbfField = { name: 'BYRQ', type: 'D', width: 8 };
    const n: DbfField = { name: 'XZ', type: 'N', width: 3, decimals: 1 };
    assert.equal(dbfValueProblem(d, '2021-01-20'), null);
    assert.equal(dbfValueProblem(d, null), null);
    assert.deepEqual(dbfValueProblem(d, '2021-13-01'), { kind: 'bad_date', value: '2021-13-01' });
    assert.deepEqual(dbfValueProblem(d, '1900-02-29'), { kind: 'bad_date', value: '1900-02-29' });
    assert.equal(dbfValueProblem(d, '2000-02-29'), null);
    assert.equal(dbfValueProblem(n, '2.5'), null);
    assert.equal(dbfValueProblem(n, 3), null);
    assert.deepEqual(dbfValueProblem(n, '10'), { kind: 'too_wide', bytes: 4, width: 3 });
    assert.deepEqual(dbfValueProblem(n, '2.55'), { kind: 'bad_number', value: '2.55' });
    assert.deepEqual(dbfValueProblem(n, '二'), { kind: 'bad_number', value: '二' });
    assert.deepEqual(dbfValueProblem({ name: 'XM', type: 'C', width: 2 }, '张三'), { kind: 'too_wide', bytes: 4, width: 2 });
  });
});
