import { after, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { keys, LocalFileStore, S3FileStore, sha256Of, storeFromEnv } from './files.ts';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'gm-files-'));
after(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('local file store', () => {
  const store = new LocalFileStore(path.join(dir, 'files'));

  test('stores bytes under their SHA-256 and reads them back; the same bytes twice are one file', async () => {
    const data = Buffer.from('照片内容');
    const sha = await store.put(data);
    assert.equal(sha, sha256Of(data));
    assert.deepEqual(await store.get(sha), data);
    assert.equal(await store.put(data), sha);
    const files = fs.readdirSync(path.join(dir, 'files', 'blobs', sha.slice(0, 2)));
    assert.deepEqual(files, [sha]);
    assert.deepEqual(fs.readdirSync(path.join(dir, 'files', '.incoming')), [], 'no temp file left behind');
  });

  test('a blob cut short by a crash is replaced by the next put of the same bytes', async () => {
    const data = Buffer.alloc(5000, 9);
    const sha = sha256Of(data);
    const file = path.join(dir, 'files', keys.blob(sha));
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, data.subarray(0, 1000));
    await store.put(data);
    assert.deepEqual(await store.get(sha), data);
  });

  test('a missing blob is null, and a key that is not a hash is refused before it becomes a path', async () => {
    assert.equal(await store.get('0'.repeat(64)), null);
    await assert.rejects(store.get('../../etc/passwd'), /invalid file-store key/);
    await assert.rejects(store.putDerived('../x', Buffer.from('x')), /invalid file-store key/);
  });

  test('derived files and uploads round-trip', async () => {
    await store.putDerived('thumb-abc.jpg', Buffer.from('t'));
    assert.deepEqual(await store.getDerived('thumb-abc.jpg'), Buffer.from('t'));
    const local = path.join(dir, 'incoming.zip');
    fs.writeFileSync(local, 'zip bytes');
    const id = '11111111-2222-3333-4444-555555555555';
    await store.putUpload(id, local);
    assert.equal(fs.existsSync(local), false, 'moved, not copied');
    const opened = await store.openUpload(id);
    assert.equal(fs.readFileSync(opened.file, 'utf8'), 'zip bytes');
    await opened.release();
    await store.deleteUpload(id);
    await assert.rejects(store.openUpload(id));
  });
});

describe('S3 file store', () => {
  test('object keys: the prefix, then the same layout as the local folder', () => {
    const s3 = new S3FileStore({ bucket: 'b', prefix: 'gm/', region: 'cn-north-1', forcePathStyle: true });
    const sha = sha256Of(Buffer.from('x'));
    assert.equal(s3.objectKey(keys.blob(sha)), `gm/blobs/${sha.slice(0, 2)}/${sha}`);
    assert.equal(s3.objectKey(keys.upload('11111111-2222-3333-4444-555555555555')), 'gm/uploads/11111111-2222-3333-4444-555555555555.zip');
    assert.equal(s3.objectKey(keys.derived('thumb-1.jpg')), 'gm/derived/thumb-1.jpg');
  });

  test('the environment chooses the store; a prefix gets its slash', () => {
    const s = storeFromEnv({ FILES_S3_BUCKET: 'photos', FILES_S3_PREFIX: 'prod', FILES_S3_ENDPOINT: 'http://minio:9000', FILES_S3_PATH_STYLE: 'true' });
    assert.equal(s.kind, 's3');
    assert.deepEqual((s as S3FileStore).settings, { bucket: 'photos', prefix: 'prod/', endpoint: 'http://minio:9000', region: 'us-east-1', forcePathStyle: true });
    assert.equal(storeFromEnv({ DATA_DIR: dir }).kind, 'local');
  });
});
