import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import type { Kysely } from 'kysely';
import type { NodeKind, Role } from '../../shared/org.ts';
import type { DB } from './tables.ts';
import { errors } from './errors.ts';

/** Who is asking: resolved once per request from the session cookie. */
export interface Actor {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  nodeId: number;
  nodeKind: NodeKind;
  nodeName: string;
  nodeCode: string;
  /** The subtree this actor may see: every object whose node_path starts with it. */
  nodePath: string;
  studentId: number | null;
}

export { ROLE_NAMES } from '../../shared/org.ts';

export const SESSION_COOKIE = 'gm_session';
export const authSettings = {
  idleMinutes: Number(process.env.SESSION_IDLE_MINUTES || 30),
  maxFailures: 5,
  lockMinutes: 15,
};

const ARGON = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON);
}

/** 8+ characters with letters and digits: the least a school account should have. */
export function checkPasswordStrength(password: string): void {
  if (password.length < 8 || !/[A-Za-z]/.test(password) || !/\d/.test(password)) {
    throw errors.validation('新密码至少 8 位，且须同时包含字母和数字，请重新设置。');
  }
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

// A fixed hash to verify against when the user does not exist, so timing does not tell.
let dummyHash: Promise<string> | undefined;

export async function login(db: Kysely<DB>, username: string, password: string): Promise<{ token: string; userId: number }> {
  const user = await db.selectFrom('app_user').selectAll().where('username', '=', username).executeTakeFirst();
  if (!user) {
    await verify((await (dummyHash ??= hashPassword('not-a-password-1'))), password).catch(() => false);
    throw errors.badCredentials();
  }
  if (user.locked_until && user.locked_until.getTime() > Date.now()) {
    throw errors.locked(Math.ceil((user.locked_until.getTime() - Date.now()) / 60_000));
  }
  const ok = await verify(user.password_hash, password).catch(() => false);
  if (!ok) {
    const failures = user.failed_logins + 1;
    const lock = failures >= authSettings.maxFailures;
    await db.updateTable('app_user')
      .set({ failed_logins: lock ? 0 : failures, locked_until: lock ? new Date(Date.now() + authSettings.lockMinutes * 60_000) : null })
      .where('id', '=', user.id).execute();
    if (lock) throw errors.locked(authSettings.lockMinutes);
    throw errors.badCredentials();
  }
  if (user.disabled) throw errors.disabled();
  const token = crypto.randomBytes(32).toString('base64url');
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('app_user').set({ failed_logins: 0, locked_until: null }).where('id', '=', user.id).execute();
    await trx.insertInto('session').values({ id_hash: sha256(token), user_id: user.id }).execute();
  });
  return { token, userId: user.id };
}

export async function logout(db: Kysely<DB>, token: string): Promise<void> {
  await db.deleteFrom('session').where('id_hash', '=', sha256(token)).execute();
}

/** The actor behind a session token, or null when it is unknown, idle too long or the user is disabled. */
export async function resolveSession(db: Kysely<DB>, token: string): Promise<Actor | null> {
  const idHash = sha256(token);
  const row = await db.selectFrom('session as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .innerJoin('org_node as n', 'n.id', 'u.node_id')
    .select(['s.last_seen_at', 'u.id', 'u.username', 'u.display_name', 'u.role', 'u.node_id', 'u.student_id', 'u.disabled',
      'n.kind', 'n.name as node_name', 'n.code as node_code', 'n.path', 'n.disabled as node_disabled'])
    .where('s.id_hash', '=', idHash)
    .executeTakeFirst();
  if (!row) return null;
  const idleMs = authSettings.idleMinutes * 60_000;
  if (row.disabled || row.node_disabled || Date.now() - new Date(row.last_seen_at).getTime() > idleMs) {
    await db.deleteFrom('session').where('id_hash', '=', idHash).execute();
    return null;
  }
  // Touch at most once a minute: a busy page should not write on every request.
  if (Date.now() - new Date(row.last_seen_at).getTime() > 60_000) {
    await db.updateTable('session').set({ last_seen_at: new Date() }).where('id_hash', '=', idHash).execute();
  }
  return {
    id: row.id,
    username: row.username,
    displayName: row.display_name,
    role: row.role,
    nodeId: row.node_id,
    nodeKind: row.kind,
    nodeName: row.node_name,
    nodeCode: row.node_code,
    nodePath: row.path,
    studentId: row.student_id,
  };
}

export async function changePassword(db: Kysely<DB>, userId: number, oldPassword: string, newPassword: string): Promise<void> {
  const user = await db.selectFrom('app_user').select(['password_hash']).where('id', '=', userId).executeTakeFirstOrThrow();
  if (!(await verify(user.password_hash, oldPassword).catch(() => false))) {
    throw errors.validation('原密码不正确，请重新输入。');
  }
  checkPasswordStrength(newPassword);
  await db.updateTable('app_user').set({ password_hash: await hashPassword(newPassword), must_change_password: false })
    .where('id', '=', userId).execute();
}
