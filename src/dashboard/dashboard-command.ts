import type { Command } from 'commander';
import type { Actor } from '../accounts/actor.ts';
import { createServices } from '../app/services.ts';
import { configFrom, withStore } from '../cli/cli-support.ts';

// Whoever can run the CLI against the database already holds the platform: it acts as a platform admin with no user id.
const CLI_ACTOR: Actor = Object.freeze({ role: 'platform-admin', username: 'cli' });

/** Adds `suyuan dashboard rollup`: folds new events into the dashboard's day counts now (cron, or after a bulk load). */
export function register(program: Command) {
  const dashboard = program.command('dashboard').description('监管概览 / regulator dashboard');
  dashboard.command('rollup').description('汇总新事件到按日计数 / fold new events into the dashboard\'s day counts now')
    .option('--wait <seconds>', 'wait this long for capture transactions in flight to finish', '10')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { wait: string; json?: boolean }, cmd: Command) => {
      const waitMs = Math.max(0, Number(opts.wait) || 0) * 1000;
      const config = configFrom(cmd);
      const result = await withStore(config, (store) => createServices(store.db, config).dashboard.rollup(CLI_ACTOR, { waitMs }));
      if (opts.json) return console.log(JSON.stringify(result, null, 2));
      if (!result.ran) return console.log('另一实例正在汇总，本次跳过 / another instance is folding; skipped');
      console.log([
        `已汇总事件 / events folded: ${result.folded}; 水位 / watermark: seq ${result.watermark}`,
        ...(result.pending !== null ? [`进行中的采集事务结束后可汇总至 seq ${result.pending} / up to seq ${result.pending} once the capture transactions in flight end`] : []),
      ].join('\n'));
    });
}
