import crypto from 'node:crypto';
import { hash, verify } from '@node-rs/argon2';
import { sql, type Kysely } from 'kysely';
import type { NodeKind, Role } from '../../shared/org.ts';
import type { DB } from './tables.ts';
import { AppError, errors } from './errors.ts';
import { recordEvent, rootPath } from './oplog.ts';

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
};

/**
 * Sign-in throttling (OWASP ASVS 5.0 V6.3.1): failures are counted per user name (existing or not), per client
 * address and per (name, address). Past `free` failures the wait is `firstSeconds`, doubled by each further
 * failure up to `maxSeconds`. A pair
 * that signed in within `knownDays` passes by the name-wide and address-wide waits, so another's failures cannot
 * lock a user out of where they work; the pair's own wait always holds. Counts older than `forgetHours` start over.
 */
export const throttleSettings = {
  free: { pair: 3, name: 10, address: 20 },
  firstSeconds: 5,
  maxSeconds: 15 * 60,
  forgetHours: 24,
  knownDays: 90,
};

const ARGON = { algorithm: 2 /* Argon2id */, memoryCost: 19456, timeCost: 2, parallelism: 1 };

export function hashPassword(password: string): Promise<string> {
  return hash(password, ARGON);
}

export function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  return verify(passwordHash, password).catch(() => false);
}

const sha256 = (s: string) => crypto.createHash('sha256').update(s).digest('hex');

// A fixed hash to verify against when the user does not exist, so timing does not tell.
let dummyHash: Promise<string> | undefined;

type Counted = 'pair' | 'name' | 'address';

/** The seconds to wait after `failures` failures of a kind. */
function waitSeconds(kind: Counted, failures: number): number {
  const over = failures - throttleSettings.free[kind];
  return over < 0 ? 0 : Math.min(throttleSettings.maxSeconds, throttleSettings.firstSeconds * 2 ** over);
}

/**
 * Counts this attempt as a failure before the password is checked (a success takes it back), each counter in
 * one statement that also refuses while its wait runs: parallel guesses get no more tries than sequential ones.
 * Throws LOGIN_THROTTLED with the longest wait when any counter is waiting.
 */
async function countAttempt(db: Kysely<DB>, name: string, address: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    const known = await trx.selectFrom('login_throttle').select('kind')
      .where('kind', '=', 'known').where('name', '=', name).where('address', '=', address)
      .where('last_at', '>', new Date(Date.now() - throttleSettings.knownDays * 86_400_000)).executeTakeFirst();
    const counters: { kind: Counted; name: string; address: string }[] = [{ kind: 'pair', name, address }];
    if (!known) counters.push({ kind: 'name', name, address: '' }, { kind: 'address', name: '', address });
    let wait = 0;
    for (const c of counters) {
      const free = throttleSettings.free[c.kind];
      const failures = sql<number>`case when login_throttle.last_at < now() - make_interval(hours => ${throttleSettings.forgetHours}) then 1 else login_throttle.failures + 1 end`;
      const row = await trx.insertInto('login_throttle')
        .values({ ...c, failures: 1, blocked_until: waitSeconds(c.kind, 1) > 0 ? sql<Date>`now() + make_interval(secs => ${waitSeconds(c.kind, 1)})` : null, last_at: sql<Date>`now()` })
        .onConflict((oc) => oc.columns(['kind', 'name', 'address']).doUpdateSet({
          failures,
          // No wait is null, not now(): a concurrent attempt's transaction may have started a moment earlier.
          blocked_until: sql<Date>`case when ${failures} < ${free} then null
            else now() + make_interval(secs => least(${throttleSettings.maxSeconds}, ${throttleSettings.firstSeconds} * power(2, ${failures} - ${free}))) end`,
          last_at: sql<Date>`now()`,
        }).where((eb) => eb.or([eb('login_throttle.blocked_until', 'is', null), eb('login_throttle.blocked_until', '<=', sql<Date>`now()`)])))
        .returning('failures').executeTakeFirst();
      if (row) continue;
      const blocked = await trx.selectFrom('login_throttle').select(sql<number>`ceil(extract(epoch from blocked_until - now()))`.as('seconds'))
        .where('kind', '=', c.kind).where('name', '=', c.name).where('address', '=', c.address).executeTakeFirstOrThrow();
      wait = Math.max(wait, Number(blocked.seconds), 1);
    }
    // Nothing of a refused attempt is counted: the transaction is rolled back.
    if (wait > 0) throw errors.throttled(wait);
  });
}

/** A good password: the pair and the name start over, the address forgets this attempt, and the pair is known. */
async function forgetAttempt(db: Kysely<DB>, name: string, address: string): Promise<void> {
  await db.transaction().execute(async (trx) => {
    await trx.deleteFrom('login_throttle').where((eb) => eb.or([
      eb.and([eb('kind', '=', 'pair'), eb('name', '=', name), eb('address', '=', address)]),
      eb.and([eb('kind', '=', 'name'), eb('name', '=', name)]),
    ])).execute();
    await trx.updateTable('login_throttle').set((eb) => ({ failures: sql<number>`greatest(${eb.ref('failures')} - 1, 0)` }))
      .where('kind', '=', 'address').where('address', '=', address).execute();
    await trx.insertInto('login_throttle').values({ kind: 'known', name, address, last_at: sql<Date>`now()` })
      .onConflict((oc) => oc.columns(['kind', 'name', 'address']).doUpdateSet({ last_at: sql<Date>`now()` })).execute();
  });
}

/** Lifts the waits of a user name (an administrator reset its password). */
export async function clearThrottle(db: Kysely<DB>, username: string): Promise<void> {
  await db.deleteFrom('login_throttle').where('kind', 'in', ['name', 'pair']).where('name', '=', throttleName(username)).execute();
}

export const throttleName = (username: string) => username.trim().toLowerCase();

/**
 * Signs in from `address`. A wrong password and an unknown name answer alike (the same message, a password
 * verified either way, the same counters), so sign-in does not tell which names exist.
 */
export async function login(db: Kysely<DB>, username: string, password: string, address = ''): Promise<{ token: string; userId: number }> {
  const name = throttleName(username);
  // 操作日志: every refused sign-in with the name tried and the address (never the password), and every sign-in.
  const failed = async (e: AppError, nodePath?: string) => {
    await recordEvent(db, null, {
      action: '登录失败', objectType: 'login', objectId: username.slice(0, 200), nodePath: nodePath ?? (await rootPath(db)),
      actorName: username.slice(0, 200), after: { username: username.slice(0, 200), address, reason: e.code },
    });
    return e;
  };
  try {
    await countAttempt(db, name, address);
  } catch (e) {
    throw e instanceof AppError ? await failed(e) : e;
  }
  const user = await db.selectFrom('app_user as u').innerJoin('org_node as n', 'n.id', 'u.node_id')
    .selectAll('u').select('n.path as node_path').where('u.username', '=', username).executeTakeFirst();
  const ok = await verifyPassword(user?.password_hash ?? (await (dummyHash ??= hashPassword('not-a-password-1'))), password);
  if (!user || !ok) throw await failed(errors.badCredentials(), user?.node_path);
  await forgetAttempt(db, name, address);
  if (user.disabled) throw await failed(errors.disabled(), user.node_path);
  const token = crypto.randomBytes(32).toString('base64url');
  await db.insertInto('session').values({ id_hash: sha256(token), user_id: user.id }).execute();
  await recordEvent(db, null, {
    action: '登录', objectType: 'app_user', objectId: user.id, nodePath: user.node_path,
    actorName: `${user.display_name}（${user.username}）`, after: { address },
  });
  return { token, userId: user.id };
}

export async function logout(db: Kysely<DB>, token: string): Promise<void> {
  await db.deleteFrom('session').where('id_hash', '=', sha256(token)).execute();
}

/** The actor behind a session token, or null when it is unknown, idle too long or the user is disabled. */
export async function resolveSession(db: Kysely<DB>, token: string): Promise<(Actor & { mustChangePassword: boolean }) | null> {
  const idHash = sha256(token);
  const row = await db.selectFrom('session as s')
    .innerJoin('app_user as u', 'u.id', 's.user_id')
    .innerJoin('org_node as n', 'n.id', 'u.node_id')
    .select(['s.last_seen_at', 'u.id', 'u.username', 'u.display_name', 'u.role', 'u.node_id', 'u.student_id', 'u.disabled', 'u.must_change_password',
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
    mustChangePassword: row.must_change_password,
  };
}

/** Ends every session of a user but `keepToken`'s (a password change keeps the session that made it). */
export async function endSessions(db: Kysely<DB>, userId: number, keepToken?: string): Promise<void> {
  let q = db.deleteFrom('session').where('user_id', '=', userId);
  if (keepToken) q = q.where('id_hash', '<>', sha256(keepToken));
  await q.execute();
}
