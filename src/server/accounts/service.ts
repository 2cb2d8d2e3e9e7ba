import { sql, type Kysely } from 'kysely';
import type { DB } from '../platform/tables.ts';
import { ROLE_FOR_KIND, ROLE_NAMES } from '../../shared/org.ts';
import * as auth from '../platform/auth.ts';
import type { Actor } from '../platform/auth.ts';
import { hashPassword, verifyPassword } from '../platform/auth.ts';
import { recordOperation } from '../platform/oplog.ts';
import { inScope, mustFind } from '../platform/scope.ts';
import type { CreateUser, Me, UpdateUser, User, UsersQuery } from '../../shared/contract/accounts.ts';
import { accountErrors } from './errors.ts';
import { checkNewPassword } from './passwords.ts';

export async function me(db: Kysely<DB>, actor: Actor): Promise<Me> {
  const u = await db.selectFrom('app_user').select('must_change_password').where('id', '=', actor.id).executeTakeFirstOrThrow();
  return {
    id: actor.id,
    username: actor.username,
    display_name: actor.displayName,
    role: actor.role,
    role_name: ROLE_NAMES[actor.role],
    node: { id: actor.nodeId, kind: actor.nodeKind, code: actor.nodeCode, name: actor.nodeName },
    student_id: actor.studentId,
    must_change_password: u.must_change_password,
  };
}

/** Signs in: a new session id at every login, so a cookie planted before login is worth nothing after it. */
export async function login(db: Kysely<DB>, username: string, password: string, oldToken: string | undefined, address: string): Promise<{ token: string; me: Me }> {
  const { token } = await auth.login(db, username, password, address);
  if (oldToken) await auth.logout(db, oldToken);
  const actor = await auth.resolveSession(db, token);
  if (!actor) throw new Error('a session just made does not resolve');
  await recordOperation(db, actor, [{ action: '登录', objectType: 'user', objectId: actor.id, nodePath: actor.nodePath }]);
  return { token, me: await me(db, actor) };
}

export async function logout(db: Kysely<DB>, token: string | undefined): Promise<void> {
  if (token) await auth.logout(db, token);
}

/** 修改密码: only with the old password; every other session of the user ends (ASVS 7.4.3), this one stays. */
export async function changePassword(db: Kysely<DB>, actor: Actor, oldPassword: string, newPassword: string, currentToken: string | undefined): Promise<void> {
  const user = await db.selectFrom('app_user').select(['password_hash']).where('id', '=', actor.id).executeTakeFirstOrThrow();
  if (!(await verifyPassword(user.password_hash, oldPassword))) throw accountErrors.wrongOldPassword();
  await checkNewPassword(newPassword, actor.username, (p) => verifyPassword(user.password_hash, p));
  const hash = await hashPassword(newPassword);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('app_user').set({ password_hash: hash, must_change_password: false }).where('id', '=', actor.id).execute();
    await auth.endSessions(trx, actor.id, currentToken);
    await recordOperation(trx, actor, [{ action: '修改密码', objectType: 'user', objectId: actor.id, nodePath: actor.nodePath }]);
  });
}

/** Users with their unit and their name-wide sign-in wait (`locked`: failures from unknown places wait). */
function users(db: Kysely<DB>) {
  return db.selectFrom('app_user as u').innerJoin('org_node as n', 'n.id', 'u.node_id')
    .leftJoin('login_throttle as lt', (j) => j.on('lt.kind', '=', 'name').on('lt.address', '=', '').on('lt.name', '=', sql<string>`lower(u.username)`));
}

function scopedUsers(db: Kysely<DB>, actor: Actor) {
  return users(db).where(inScope(actor, 'n.path'));
}

const userColumns = ['u.id', 'u.username', 'u.display_name', 'u.role', 'u.node_id', 'n.code as node_code', 'n.name as node_name', 'u.disabled', 'lt.blocked_until as locked_until'] as const;

function present<R extends Omit<User, 'locked'> & { locked_until: Date | null }>(u: R): User {
  return {
    id: u.id, username: u.username, display_name: u.display_name, role: u.role, node_id: u.node_id,
    node_code: u.node_code, node_name: u.node_name, disabled: u.disabled,
    locked: !!u.locked_until && new Date(u.locked_until).getTime() > Date.now(),
  };
}

function oneUser(db: Kysely<DB>, id: number): Promise<User> {
  return users(db).select([...userColumns])
    .where('u.id', '=', id).executeTakeFirstOrThrow().then(present);
}

export async function listUsers(db: Kysely<DB>, actor: Actor, f: UsersQuery): Promise<{ total: number; rows: User[] }> {
  let q = scopedUsers(db, actor);
  if (f.node_id) q = q.where('u.node_id', '=', f.node_id);
  if (f.role) q = q.where('u.role', '=', f.role);
  if (f.q) q = q.where((eb) => eb.or([eb('u.username', 'ilike', `%${f.q}%`), eb('u.display_name', 'ilike', `%${f.q}%`)]));
  const [{ total }] = await q.select((eb) => eb.fn.countAll<number>().as('total')).execute();
  const rows = await q.select([...userColumns]).orderBy('u.id').limit(f.page_size).offset((f.page - 1) * f.page_size).execute();
  return { total: Number(total), rows: rows.map(present) };
}

export async function createUser(db: Kysely<DB>, actor: Actor, input: CreateUser): Promise<User> {
  const node = await mustFind(db.selectFrom('org_node as n').selectAll().where('n.id', '=', input.node_id).where(inScope(actor, 'n.path')).executeTakeFirst(), '单位');
  if (ROLE_FOR_KIND[node.kind] !== input.role) throw accountErrors.roleNotForNode(node.name, ROLE_NAMES[ROLE_FOR_KIND[node.kind]]);
  await checkNewPassword(input.password, input.username);
  const hash = await hashPassword(input.password);
  const id = await db.transaction().execute(async (trx) => {
    const taken = await trx.selectFrom('app_user').select('id').where('username', '=', input.username).executeTakeFirst();
    if (taken) throw accountErrors.usernameTaken(input.username);
    const u = await trx.insertInto('app_user').values({
      username: input.username, display_name: input.display_name, role: input.role, node_id: node.id,
      password_hash: hash, must_change_password: true,
    }).returning('id').executeTakeFirstOrThrow();
    if (input.role === 'head_teacher' && node.head_teacher_id == null) {
      await trx.updateTable('org_node').set({ head_teacher_id: u.id }).where('id', '=', node.id).execute();
    }
    await recordOperation(trx, actor, [{ action: '创建账号', objectType: 'user', objectId: u.id, nodePath: node.path,
      after: { username: input.username, display_name: input.display_name, role: input.role, node: node.code } }]);
    return u.id;
  });
  return oneUser(db, id);
}

async function findUser(db: Kysely<DB>, actor: Actor, id: number) {
  return mustFind(scopedUsers(db, actor).select([...userColumns, 'n.path']).where('u.id', '=', id).executeTakeFirst(), '账号');
}

export async function updateUser(db: Kysely<DB>, actor: Actor, id: number, input: UpdateUser): Promise<User> {
  const u = await findUser(db, actor, id);
  if (input.disabled && u.id === actor.id) throw accountErrors.cannotDisableSelf();
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('app_user').set(input).where('id', '=', id).execute();
    if (input.disabled) await auth.endSessions(trx, id);
    await recordOperation(trx, actor, [{ action: input.disabled === undefined ? '修改账号' : input.disabled ? '停用账号' : '启用账号',
      objectType: 'user', objectId: id, nodePath: u.path,
      before: { display_name: u.display_name, disabled: u.disabled }, after: input }]);
  });
  return oneUser(db, id);
}

/** 重置密码: only of an account of a unit strictly below the caller's — not one's own, not a peer's of the same
 *  unit. The user must change it at the next sign-in; their sessions end and their sign-in waits are lifted. */
export async function resetPassword(db: Kysely<DB>, actor: Actor, id: number, password: string): Promise<void> {
  const u = await findUser(db, actor, id);
  if (u.id === actor.id) throw accountErrors.resetOwn();
  if (u.path === actor.nodePath) throw accountErrors.resetPeer();
  await checkNewPassword(password, u.username);
  const hash = await hashPassword(password);
  await db.transaction().execute(async (trx) => {
    await trx.updateTable('app_user').set({ password_hash: hash, must_change_password: true }).where('id', '=', id).execute();
    await auth.endSessions(trx, id);
    await auth.clearThrottle(trx, u.username);
    await recordOperation(trx, actor, [{ action: '重置密码', objectType: 'user', objectId: id, nodePath: u.path }]);
  });
}
