import { Command } from 'commander';
import { loadConfig, type Config } from '../platform/config.ts';
import { createLogger } from '../platform/logger.ts';
import { openStore, type Store } from '../app/runtime.ts';
import { buildApp } from '../app/app.ts';

const program = new Command();
program.name('suyuan').description('溯源 Suyuan — traceability platform / 追溯平台').option('--data <dir>', 'data directory for the embedded PostgreSQL (default ./data)');

/** Loads config with the global --data flag and any per-command overrides. */
export function configFrom(cmd: Command, overrides: Record<string, string | number | undefined> = {}): Config {
  const g = cmd.optsWithGlobals();
  return loadConfig({ SUYUAN_DATA_DIR: g.data, ...overrides });
}

/** Opens the store, runs `fn`, and always closes the store (stopping an embedded server) afterwards. */
export async function withStore<T>(config: Config, fn: (store: Store) => Promise<T>): Promise<T> {
  const store = await openStore(config, (m) => console.error(m));
  try {
    return await fn(store);
  } finally {
    await store.close();
  }
}

program.command('serve').description('启动平台 / start the platform (HTTP API, docs, scan pages)')
  .option('--port <port>', 'port (or PORT)')
  .option('--no-demo', 'do not seed demo data on first start')
  .action(async (opts, cmd) => {
    const config = configFrom(cmd, { PORT: opts.port });
    const logger = createLogger(config.LOG_LEVEL);
    const store = await openStore(config, (m) => logger.info(m));
    const { app, services } = await buildApp({ db: store.db, config, logger });
    const admin = await services.accounts.ensureAdmin(config.SUYUAN_ADMIN_PASSWORD);
    const demoLogins: string[] = [];
    let closing = false;
    const shutdown = async (signal: string) => {
      if (closing) return;
      closing = true;
      logger.info({ signal }, 'shutting down');
      await app.close();
      await store.close();
      process.exit(0);
    };
    process.on('SIGINT', () => void shutdown('SIGINT'));
    process.on('SIGTERM', () => void shutdown('SIGTERM'));
    await app.listen({ port: config.PORT, host: config.HOST });
    const lines = [
      '',
      `  溯源 Suyuan 已启动 / is running:  ${config.publicUrl}`,
      `  API 文档 / API docs:              ${config.publicUrl}/docs`,
      admin.generatedPassword ? `  管理员 / admin:  admin / ${admin.generatedPassword}   (仅显示一次 / shown once)` : '  管理员 / admin:  admin (password from SUYUAN_ADMIN_PASSWORD or as printed on first start)',
      ...demoLogins.map((l) => `  ${l}`),
      '',
    ];
    console.log(lines.join('\n'));
  });

program.command('migrate').description('执行数据库迁移 / apply database migrations').action(async (_o, cmd) => {
  await withStore(configFrom(cmd), async () => { console.log('migrations up to date / 迁移完成'); });
});


try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
