import { randomBytes } from 'node:crypto';
import type { Database, Queryable } from '../platform/db.ts';
import { isUniqueViolation } from '../platform/db.ts';
import { conflict, invalid, notFound, unauthenticated } from '../platform/errors.ts';
import { appendJournal } from '../platform/journal.ts';
import { type Actor, type UserRole, ensure } from './actor.ts';
import { accountsDal, type UserRow, type ApiKeyRow } from './accounts-dal.ts';
import { hashPassword, verifyPassword, newApiKey, hashApiKey, signSession, verifySession, randomPassword } from './secrets.ts';
import { operatorPolicy, userPolicy } from './policies.ts';
import { isJurisdiction } from '../registry/division.ts';

export interface UserView {
  id: string; username: string; displayName: string; role: string;
  operatorId: string | null; jurisdiction: string | null; active: boolean; createdAt: string;
}
export interface ApiKeyView { id: string; operatorId: string; name: string; prefix: string; createdAt: string; revokedAt: string | null; lastUsedAt: string | null }

export const presentUser = (u: UserRow): UserView => ({
  id: u.id, username: u.username, displayName: u.display_name, role: u.role,
  operatorId: u.operator_id, jurisdiction: u.jurisdiction, active: u.active, createdAt: u.created_at.toISOString(),
});
const presentKey = (k: ApiKeyRow): ApiKeyView => ({
  id: k.id, operatorId: k.operator_id, name: k.name, prefix: k.prefix, createdAt: k.created_at.toISOString(),
  revokedAt: k.revoked_at?.toISOString() ?? null, lastUsedAt: k.last_used_at?.toISOString() ?? null,
});

export interface NewUser {
  username: string; password: string; displayName: string; role: UserRole; operatorId?: string | null; jurisdiction?: string | null;
}

/** Accounts: users, sessions and API keys. */
export function createAccountsService(deps: { db: Database; sessionSecret?: string }) {
  const { db } = deps;
  let secret: Uint8Array | null = null;

  async function signingKey(): Promise<Uint8Array> {
    if (secret) return secret;
    // A configured secret wins; otherwise one is generated once per node and kept in the database.
    const value = deps.sessionSecret ?? (await accountsDal(db.pool).putSettingIfAbsent('session_secret', randomBytes(32).toString('base64url')));
    secret = new TextEncoder().encode(value);
    return secret;
  }

  async function operatorOf(q: Queryable, id: string) {
    return (await q.query<{ id: string; division_code: string; status: string; types: string[] }>(
      'SELECT id, division_code, status, types FROM operators WHERE id = $1', [id])).rows[0];
  }

  /** Inserts a user after checking the role's binding; used by the service and by registration. */
  async function insertUser(q: Queryable, actor: Actor, u: NewUser): Promise<UserRow> {
    if (!/^[A-Za-z0-9_.@-]{3,64}$/.test(u.username)) {
      throw invalid('USERNAME_INVALID', '用户名须为 3–64 位字母、数字或 _ . @ -', 'Username must be 3–64 letters, digits or _ . @ -', { field: 'username' });
    }
    if (u.password.length < 8) throw invalid('PASSWORD_TOO_SHORT', '密码至少 8 位', 'Password must be at least 8 characters', { field: 'password' });
    const needsOperator = u.role === 'operator-admin' || u.role === 'operator-staff' || u.role === 'printer';
    if (needsOperator !== !!u.operatorId) {
      throw invalid('ROLE_BINDING', '经营主体角色须绑定一个主体，其他角色不得绑定', 'Operator roles must be bound to one operator; other roles must not', { field: 'operatorId' });
    }
    if ((u.role === 'regulator') !== !!u.jurisdiction || (u.jurisdiction && !isJurisdiction(u.jurisdiction))) {
      throw invalid('JURISDICTION_INVALID', '监管账号须有有效的行政区划辖区', 'A regulator needs a valid division code as jurisdiction', { field: 'jurisdiction' });
    }
    if (u.operatorId) {
      const op = await operatorOf(q, u.operatorId);
      if (!op) throw notFound('OPERATOR_NOT_FOUND', '经营主体不存在', 'Operator not found', { field: 'operatorId' });
      if (u.role === 'printer' && !op.types.includes('printer')) {
        throw invalid('NOT_A_PRINTER', '印刷账号只能绑定印刷企业', 'A printer account must belong to a printing operator', { field: 'operatorId' });
      }
    }
    try {
      const row = await accountsDal(q).insertUser({ ...u, passwordHash: await hashPassword(u.password) });
      await appendJournal(q, actor, { type: 'user.created', subjectType: 'user', subjectId: row.id, payload: { username: u.username, role: u.role } });
      return row;
    } catch (e) {
      if (isUniqueViolation(e, 'users_username_key')) throw conflict('USERNAME_TAKEN', '用户名已被使用', 'This username is taken', { field: 'username' });
      throw e;
    }
  }

  return {
    insertUser,

    /** Checks a username and password and returns a signed session token. */
    async login(username: string, password: string): Promise<{ token: string; user: UserView }> {
      const u = await accountsDal(db.pool).userByUsername(username);
      // Verify against a dummy hash when the user is unknown, so timing does not reveal usernames.
      const ok = u ? await verifyPassword(password, u.password_hash) : (await verifyPassword(password, DUMMY_HASH), false);
      if (!u || !ok) throw unauthenticated('LOGIN_FAILED', '用户名或密码错误', 'Wrong username or password');
      if (!u.active) throw unauthenticated('ACCOUNT_DISABLED', '账号已停用', 'This account is disabled');
      const token = await signSession(await signingKey(), { sub: u.id, role: u.role, op: u.operator_id ?? undefined, jur: u.jurisdiction ?? undefined, usr: u.username });
      return { token, user: presentUser(u) };
    },

    /** Resolves a bearer session token to an actor; the user must still exist and be active. */
    async actorFromToken(token: string): Promise<Actor> {
      const claims = await verifySession(await signingKey(), token);
      if (!claims) throw unauthenticated('TOKEN_INVALID', '登录已失效，请重新登录', 'Session is invalid or expired; sign in again');
      const u = await accountsDal(db.pool).userById(claims.sub);
      if (!u || !u.active) throw unauthenticated('ACCOUNT_DISABLED', '账号已停用', 'This account is disabled');
      return { role: u.role as UserRole, userId: u.id, username: u.username, operatorId: u.operator_id ?? undefined, jurisdiction: u.jurisdiction ?? undefined };
    },

    /** Resolves an API key to a machine actor acting as staff of its operator. */
    async actorFromApiKey(key: string): Promise<Actor> {
      const k = await accountsDal(db.pool).apiKeyByHash(hashApiKey(key));
      if (!k || k.revoked_at) throw unauthenticated('API_KEY_INVALID', 'API 密钥无效或已撤销', 'API key is invalid or revoked');
      return { role: 'operator-staff', apiKeyId: k.id, operatorId: k.operator_id };
    },

    async me(actor: Actor): Promise<UserView | { role: string; apiKeyId?: string; operatorId?: string }> {
      if (actor.userId) return presentUser((await accountsDal(db.pool).userById(actor.userId))!);
      return { role: actor.role, apiKeyId: actor.apiKeyId, operatorId: actor.operatorId };
    },

    async createUser(actor: Actor, u: NewUser): Promise<UserView> {
      ensure(actor, userPolicy.create(actor, u));
      return presentUser(await db.tx((q) => insertUser(q, actor, u)));
    },

    async listUsers(actor: Actor): Promise<UserView[]> {
      ensure(actor, userPolicy.list(actor));
      const rows = await accountsDal(db.pool).listUsers({ operatorId: actor.role === 'platform-admin' ? undefined : actor.operatorId });
      return rows.map(presentUser);
    },

    async setUserActive(actor: Actor, id: string, active: boolean): Promise<UserView> {
      return db.tx(async (q) => {
        const dal = accountsDal(q);
        const u = await dal.userById(id);
        if (!u) throw notFound('USER_NOT_FOUND', '用户不存在', 'User not found');
        const allowed = actor.role === 'platform-admin' || (actor.role === 'operator-admin' && u.operator_id === actor.operatorId && u.role === 'operator-staff');
        ensure(actor, allowed);
        const row = await dal.setUserActive(id, active);
        await appendJournal(q, actor, { type: active ? 'user.enabled' : 'user.disabled', subjectType: 'user', subjectId: id });
        return presentUser(row);
      });
    },

    /** Issues an API key for an operator; the key itself is returned once and only its hash is kept. */
    async createApiKey(actor: Actor, operatorId: string, name: string): Promise<ApiKeyView & { key: string }> {
      return db.tx(async (q) => {
        const op = await operatorOf(q, operatorId);
        if (!op) throw notFound('OPERATOR_NOT_FOUND', '经营主体不存在', 'Operator not found');
        ensure(actor, operatorPolicy.manage(actor, op));
        const { key, prefix, hash } = newApiKey();
        const row = await accountsDal(q).insertApiKey({ operatorId, name, prefix, hash, createdBy: actor.userId ?? null });
        await appendJournal(q, actor, { type: 'apikey.created', subjectType: 'operator', subjectId: operatorId, payload: { keyId: row.id, name } });
        return { ...presentKey(row), key };
      });
    },

    async listApiKeys(actor: Actor, operatorId: string): Promise<ApiKeyView[]> {
      const op = await operatorOf(db.pool, operatorId);
      if (!op) throw notFound('OPERATOR_NOT_FOUND', '经营主体不存在', 'Operator not found');
      ensure(actor, operatorPolicy.manage(actor, op));
      return (await accountsDal(db.pool).listApiKeys(operatorId)).map(presentKey);
    },

    async revokeApiKey(actor: Actor, keyId: string): Promise<ApiKeyView> {
      return db.tx(async (q) => {
        const dal = accountsDal(q);
        const k = await dal.apiKeyById(keyId);
        if (!k) throw notFound('API_KEY_NOT_FOUND', 'API 密钥不存在', 'API key not found');
        const op = await operatorOf(q, k.operator_id);
        ensure(actor, operatorPolicy.manage(actor, op));
        const row = await dal.revokeApiKey(keyId);
        await appendJournal(q, actor, { type: 'apikey.revoked', subjectType: 'operator', subjectId: k.operator_id, payload: { keyId } });
        return presentKey(row);
      });
    },

    /**
     * Creates the first `admin` account when it does not exist, from the given password or a generated one.
     * Returns the password only when it was generated (to be printed once).
     */
    async ensureAdmin(password?: string): Promise<{ created: boolean; generatedPassword?: string }> {
      const existing = await accountsDal(db.pool).userByUsername('admin');
      if (existing) return { created: false };
      const pw = password ?? randomPassword();
      await db.tx((q) => insertUser(q, { role: 'platform-admin' }, { username: 'admin', password: pw, displayName: '平台管理员', role: 'platform-admin' }));
      return { created: true, generatedPassword: password ? undefined : pw };
    },
  };
}
export type AccountsService = ReturnType<typeof createAccountsService>;

const DUMMY_HASH = 'scrypt$16384$8$1$AAAAAAAAAAAAAAAAAAAAAA$AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA';
