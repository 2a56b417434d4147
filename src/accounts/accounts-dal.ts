import type { Queryable } from '../platform/db.ts';

export interface UserRow {
  id: string; username: string; password_hash: string; display_name: string; role: string;
  operator_id: string | null; jurisdiction: string | null; active: boolean; created_at: Date;
}
export interface ApiKeyRow {
  id: string; operator_id: string; name: string; prefix: string; created_at: Date; revoked_at: Date | null; last_used_at: Date | null;
}

/** Data access for users and API keys. */
export function accountsDal(q: Queryable) {
  return {
    async userByUsername(username: string) {
      return (await q.query<UserRow>('SELECT * FROM users WHERE username = $1', [username])).rows[0];
    },
    async userById(id: string) {
      return (await q.query<UserRow>('SELECT * FROM users WHERE id = $1', [id])).rows[0];
    },
    async insertUser(u: { username: string; passwordHash: string; displayName: string; role: string; operatorId?: string | null; jurisdiction?: string | null }) {
      return (await q.query<UserRow>(
        `INSERT INTO users (username, password_hash, display_name, role, operator_id, jurisdiction)
         VALUES ($1,$2,$3,$4,$5,$6) RETURNING *`,
        [u.username, u.passwordHash, u.displayName, u.role, u.operatorId ?? null, u.jurisdiction ?? null],
      )).rows[0];
    },
    async listUsers(filter: { operatorId?: string }) {
      return (await q.query<UserRow>(
        `SELECT * FROM users WHERE ($1::uuid IS NULL OR operator_id = $1) ORDER BY created_at, username`,
        [filter.operatorId ?? null],
      )).rows;
    },
    async setUserActive(id: string, active: boolean) {
      return (await q.query<UserRow>('UPDATE users SET active = $2 WHERE id = $1 RETURNING *', [id, active])).rows[0];
    },
    async insertApiKey(k: { operatorId: string; name: string; prefix: string; hash: string; createdBy: string | null }) {
      return (await q.query<ApiKeyRow>(
        `INSERT INTO api_keys (operator_id, name, prefix, key_hash, created_by) VALUES ($1,$2,$3,$4,$5)
         RETURNING id, operator_id, name, prefix, created_at, revoked_at, last_used_at`,
        [k.operatorId, k.name, k.prefix, k.hash, k.createdBy],
      )).rows[0];
    },
    async apiKeyByHash(hash: string) {
      return (await q.query<ApiKeyRow & { operator_status: string }>(
        `UPDATE api_keys k SET last_used_at = now() FROM operators o
          WHERE k.key_hash = $1 AND o.id = k.operator_id
          RETURNING k.id, k.operator_id, k.name, k.prefix, k.created_at, k.revoked_at, k.last_used_at, o.status AS operator_status`,
        [hash],
      )).rows[0];
    },
    async apiKeyById(id: string) {
      return (await q.query<ApiKeyRow>('SELECT id, operator_id, name, prefix, created_at, revoked_at, last_used_at FROM api_keys WHERE id = $1', [id])).rows[0];
    },
    async listApiKeys(operatorId: string) {
      return (await q.query<ApiKeyRow>(
        'SELECT id, operator_id, name, prefix, created_at, revoked_at, last_used_at FROM api_keys WHERE operator_id = $1 ORDER BY created_at',
        [operatorId],
      )).rows;
    },
    async revokeApiKey(id: string) {
      return (await q.query<ApiKeyRow>(
        `UPDATE api_keys SET revoked_at = coalesce(revoked_at, now()) WHERE id = $1
         RETURNING id, operator_id, name, prefix, created_at, revoked_at, last_used_at`, [id],
      )).rows[0];
    },
    async setting(key: string) {
      return (await q.query<{ value: string }>('SELECT value FROM node_settings WHERE key = $1', [key])).rows[0]?.value;
    },
    async putSettingIfAbsent(key: string, value: string) {
      await q.query('INSERT INTO node_settings (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, value]);
      return (await q.query<{ value: string }>('SELECT value FROM node_settings WHERE key = $1', [key])).rows[0].value;
    },
  };
}
export type AccountsDal = ReturnType<typeof accountsDal>;
