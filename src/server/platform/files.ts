import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';

/**
 * Where stored files live: a folder under DATA_DIR, or an S3-compatible bucket so that several servers
 * share one store. Blobs are content-addressed (their SHA-256 is their name), so writing the same bytes
 * twice is one file and a version is a database row, never a rewritten file. Uploads waiting for their
 * job are kept under their own key, since the job may run on another server.
 */
export interface FileStore {
  readonly kind: 'local' | 's3';
  /** Stores the bytes (once) and answers their SHA-256, the key to read them back. */
  put(data: Buffer, sha256?: string): Promise<string>;
  /** The bytes of a blob, or null when there is none. */
  get(sha256: string): Promise<Buffer | null>;
  /** A derived file kept under its own name (a thumbnail of a blob, say); get answers null until then. */
  putDerived(name: string, data: Buffer): Promise<void>;
  getDerived(name: string): Promise<Buffer | null>;
  /** Moves a file from this machine's temp folder into the store, under an upload's key. */
  putUpload(id: string, localFile: string): Promise<void>;
  /** A local file with the upload's bytes; release() removes any copy made for the caller. */
  openUpload(id: string): Promise<{ file: string; release(): Promise<void> }>;
  deleteUpload(id: string): Promise<void>;
}

export const sha256Of = (data: Buffer) => crypto.createHash('sha256').update(data).digest('hex');

const SHA = /^[0-9a-f]{64}$/;
const SAFE_NAME = /^[0-9a-zA-Z._-]{1,200}$/;
const UUID = /^[0-9a-f-]{36}$/;

function checkKey(re: RegExp, key: string): string {
  // Keys come from hashes and ids we made, but they end up in paths: say so once, here.
  if (!re.test(key) || key.includes('..')) throw new Error(`invalid file-store key: ${key}`);
  return key;
}

/** The object keys of the layout, shared by both stores. One level of 256 folders: two levels would
 *  make nearly every photo of a 20,000-photo upload create its own folder (65,536 of them). */
export const keys = {
  blob: (sha: string) => `blobs/${checkKey(SHA, sha).slice(0, 2)}/${sha}`,
  derived: (name: string) => `derived/${checkKey(SAFE_NAME, name)}`,
  upload: (id: string) => `uploads/${checkKey(UUID, id)}.zip`,
};

/** This machine's scratch folder for uploads being received (never in the store). */
export function tempDir(dataDir = process.env.DATA_DIR || './data'): string {
  const dir = path.resolve(dataDir, 'tmp');
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

export class LocalFileStore implements FileStore {
  readonly kind = 'local' as const;
  readonly #root: string;
  readonly #tmp: string;

  constructor(root: string) {
    this.#root = path.resolve(root);
    this.#tmp = path.join(this.#root, '.incoming');
    fs.mkdirSync(this.#tmp, { recursive: true });
  }

  #path(key: string) {
    return path.join(this.#root, key);
  }

  readonly #dirs = new Set<string>();

  /** Write to a temp name and rename: a reader (or a crash) never sees half a file. */
  async #write(key: string, data: Buffer): Promise<void> {
    const target = this.#path(key);
    const dir = path.dirname(target);
    if (!this.#dirs.has(dir)) {
      await fs.promises.mkdir(dir, { recursive: true });
      this.#dirs.add(dir);
    }
    const tmp = path.join(this.#tmp, `${process.pid}-${crypto.randomUUID()}`);
    await fs.promises.writeFile(tmp, data);
    await fs.promises.rename(tmp, target);
  }

  async #read(key: string): Promise<Buffer | null> {
    try {
      return await fs.promises.readFile(this.#path(key));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
  }

  async put(data: Buffer, sha256 = sha256Of(data)): Promise<string> {
    const key = keys.blob(sha256);
    const target = this.#path(key);
    const dir = path.dirname(target);
    if (!this.#dirs.has(dir)) {
      await fs.promises.mkdir(dir, { recursive: true });
      this.#dirs.add(dir);
    }
    // Created exclusively under its final name (three syscalls, not five: 20,000 photos are a bulk
    // upload). No reader looks for a blob before a row names it, and an existing blob is the same
    // bytes — unless a crash cut an earlier write short, which its size shows; that one is replaced.
    try {
      await fs.promises.writeFile(target, data, { flag: 'wx' });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      if ((await fs.promises.stat(target)).size !== data.length) await this.#write(key, data);
    }
    return sha256;
  }

  async get(sha256: string) {
    return this.#read(keys.blob(sha256));
  }

  async putDerived(name: string, data: Buffer) {
    return this.#write(keys.derived(name), data);
  }

  async getDerived(name: string) {
    return this.#read(keys.derived(name));
  }

  async putUpload(id: string, localFile: string): Promise<void> {
    const target = this.#path(keys.upload(id));
    await fs.promises.mkdir(path.dirname(target), { recursive: true });
    try {
      await fs.promises.rename(localFile, target);
    } catch (e) {
      // DATA_DIR/tmp and the store on different file systems: copy instead.
      if ((e as NodeJS.ErrnoException).code !== 'EXDEV') throw e;
      await fs.promises.copyFile(localFile, target);
      await fs.promises.rm(localFile, { force: true });
    }
  }

  async openUpload(id: string) {
    const file = this.#path(keys.upload(id));
    await fs.promises.access(file);
    return { file, release: async () => {} };
  }

  async deleteUpload(id: string) {
    await fs.promises.rm(this.#path(keys.upload(id)), { force: true });
  }
}

export interface S3Settings {
  bucket: string;
  prefix: string;
  endpoint?: string;
  region: string;
  forcePathStyle: boolean;
}

/** S3-compatible bucket (AWS, MinIO, OSS, COS …). The SDK is loaded on first use only. */
export class S3FileStore implements FileStore {
  readonly kind = 's3' as const;
  #client: Promise<{ s3: import('@aws-sdk/client-s3').S3Client; sdk: typeof import('@aws-sdk/client-s3') }> | undefined;

  constructor(readonly settings: S3Settings) {}

  /** The object key of a store key: the configured prefix, then the shared layout. */
  objectKey(key: string): string {
    return `${this.settings.prefix}${key}`;
  }

  #sdk() {
    this.#client ??= import('@aws-sdk/client-s3').then((sdk) => ({
      sdk,
      // Credentials come from the SDK's usual chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, profile, role).
      s3: new sdk.S3Client({ region: this.settings.region, endpoint: this.settings.endpoint, forcePathStyle: this.settings.forcePathStyle }),
    }));
    return this.#client;
  }

  async #putObject(key: string, body: Buffer | Readable, length?: number) {
    const { s3, sdk } = await this.#sdk();
    await s3.send(new sdk.PutObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key), Body: body, ContentLength: length }));
  }

  async #getObject(key: string): Promise<Buffer | null> {
    const { s3, sdk } = await this.#sdk();
    try {
      const r = await s3.send(new sdk.GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(key) }));
      return Buffer.from(await r.Body!.transformToByteArray());
    } catch (e) {
      if ((e as { name?: string }).name === 'NoSuchKey') return null;
      throw e;
    }
  }

  async put(data: Buffer, sha256 = sha256Of(data)): Promise<string> {
    // Content-addressed: a second PUT of the same key writes the same bytes, so no HEAD first.
    await this.#putObject(keys.blob(sha256), data, data.length);
    return sha256;
  }

  async get(sha256: string) {
    return this.#getObject(keys.blob(sha256));
  }

  async putDerived(name: string, data: Buffer) {
    return this.#putObject(keys.derived(name), data, data.length);
  }

  async getDerived(name: string) {
    return this.#getObject(keys.derived(name));
  }

  async putUpload(id: string, localFile: string): Promise<void> {
    const size = (await fs.promises.stat(localFile)).size;
    await this.#putObject(keys.upload(id), fs.createReadStream(localFile), size);
    await fs.promises.rm(localFile, { force: true });
  }

  async openUpload(id: string) {
    const { s3, sdk } = await this.#sdk();
    const r = await s3.send(new sdk.GetObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(keys.upload(id)) }));
    const file = path.join(tempDir(), `${id}-${crypto.randomUUID()}.zip`);
    await pipeline(r.Body as Readable, fs.createWriteStream(file));
    return { file, release: () => fs.promises.rm(file, { force: true }) };
  }

  async deleteUpload(id: string) {
    const { s3, sdk } = await this.#sdk();
    await s3.send(new sdk.DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.objectKey(keys.upload(id)) }));
  }
}

/** The store the environment configures: FILES_S3_BUCKET for a bucket, else DATA_DIR/files. */
export function storeFromEnv(env: NodeJS.ProcessEnv = process.env): FileStore {
  if (env.FILES_S3_BUCKET) {
    const prefix = env.FILES_S3_PREFIX ?? '';
    return new S3FileStore({
      bucket: env.FILES_S3_BUCKET,
      prefix: prefix && !prefix.endsWith('/') ? `${prefix}/` : prefix,
      endpoint: env.FILES_S3_ENDPOINT || undefined,
      region: env.FILES_S3_REGION || env.AWS_REGION || 'us-east-1',
      forcePathStyle: env.FILES_S3_PATH_STYLE === 'true',
    });
  }
  return new LocalFileStore(path.resolve(env.DATA_DIR || './data', 'files'));
}

const stores = new Map<string, FileStore>();

/** One store per configuration for the process (the server and its jobs share it). */
export function fileStore(): FileStore {
  const id = `${process.env.FILES_S3_BUCKET ?? ''}|${process.env.DATA_DIR ?? ''}`;
  let s = stores.get(id);
  if (!s) stores.set(id, (s = storeFromEnv()));
  return s;
}
