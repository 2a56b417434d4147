import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openDatabase, type Database } from '../src/platform/db.ts';
import { loadConfig, type Config } from '../src/platform/config.ts';
import { createLogger } from '../src/platform/logger.ts';
import { buildApp } from '../src/app/app.ts';
import type { Services } from '../src/app/services.ts';
import type { App } from '../src/platform/http.ts';

/** A fresh database cloned from the migrated template that `npm test` prepares. */
export async function createTestDatabase(): Promise<{ db: Database; url: string; drop(): Promise<void> }> {
  const base = process.env.SUYUAN_TEST_PG;
  if (!base) throw new Error('SUYUAN_TEST_PG is not set: run tests with `npm test`');
  const name = `t_${randomBytes(6).toString('hex')}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name} TEMPLATE suyuan_template`);
  await admin.end();
  const url = base.replace(/\/postgres$/, `/${name}`);
  const db = openDatabase(url, 5);
  return {
    db, url,
    async drop() {
      await db.close();
      const c = new pg.Client({ connectionString: base });
      await c.connect();
      await c.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await c.end();
    },
  };
}

export interface TestResponse<T = any> { status: number; body: T; headers: Headers; text: string }
export interface TestApp {
  url: string; app: App; services: Services; db: Database; config: Config;
  /** Calls the real HTTP server. `as` is a session token or an API key (prefixed `sy_`). */
  call<T = any>(method: string, path: string, opts?: { as?: string; body?: unknown; headers?: Record<string, string> }): Promise<TestResponse<T>>;
  login(username: string, password: string): Promise<string>;
  /** The admin's session token (password `admin-pass-1`). */
  adminToken(): Promise<string>;
  close(): Promise<void>;
}

export const ADMIN_PASSWORD = 'admin-pass-1';

/** Starts the whole application on a random port against its own fresh database. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const t = await createTestDatabase();
  const config = loadConfig({ DATABASE_URL: t.url, PORT: 0, LOG_LEVEL: 'silent', PUBLIC_URL: 'http://scan.test', ...env });
  const { app, services } = await buildApp({ db: t.db, config, logger: createLogger('silent') });
  await services.accounts.ensureAdmin(ADMIN_PASSWORD);
  await app.listen({ port: 0, host: '127.0.0.1' });
  const addr = app.server.address() as { port: number };
  const url = `http://127.0.0.1:${addr.port}`;
  let adminTok: string | undefined;
  const call: TestApp['call'] = async (method, path, opts = {}) => {
    const headers: Record<string, string> = { ...(opts.headers ?? {}) };
    if (opts.as) headers[opts.as.startsWith('sy_') ? 'x-api-key' : 'authorization'] = opts.as.startsWith('sy_') ? opts.as : `Bearer ${opts.as}`;
    let body: BodyInit | undefined;
    if (opts.body instanceof FormData || typeof opts.body === 'string' || opts.body instanceof Uint8Array) body = opts.body as BodyInit;
    else if (opts.body !== undefined) { body = JSON.stringify(opts.body); headers['content-type'] ??= 'application/json'; }
    const res = await fetch(url + path, { method, headers, body });
    const text = await res.text();
    let parsed: any = text;
    if ((res.headers.get('content-type') ?? '').includes('json')) parsed = text ? JSON.parse(text) : undefined;
    return { status: res.status, body: parsed, headers: res.headers, text };
  };
  const login = async (username: string, password: string) => {
    const r = await call('POST', '/api/v1/auth/login', { body: { username, password } });
    if (r.status !== 200) throw new Error(`login ${username} failed: ${r.status} ${r.text}`);
    return r.body.token as string;
  };
  return {
    url, app, services, db: t.db, config, call, login,
    adminToken: async () => (adminTok ??= await login('admin', ADMIN_PASSWORD)),
    async close() { await app.close(); await t.drop(); },
  };
}
