import type { Command } from 'commander';
import type { Actor } from '../accounts/actor.ts';
import { createServices } from '../app/services.ts';
import { configFrom, withStore } from './cli-support.ts';

// Whoever can run the CLI against the database already holds the platform: it acts as a platform admin with no user id.
const CLI_ACTOR: Actor = Object.freeze({ role: 'platform-admin', username: 'cli' });

/** Adds `suyuan risk run`: the scheduled risk rules once, for cron (after the captures waiting for their rules). */
export function register(program: Command) {
  const risk = program.command('risk').description('风险预警 / risk warnings');
  risk.command('run').description('运行定时预警规则 / run the scheduled risk rules now (skipped while another instance runs them)')
    .option('--json', 'print the result as JSON')
    .action(async (opts: { json?: boolean }, cmd: Command) => {
      const config = configFrom(cmd);
      const result = await withStore(config, (store) => createServices(store.db, config).risk.run(CLI_ACTOR));
      if (opts.json) return console.log(JSON.stringify(result, null, 2));
      if (!result.ran) return console.log('另一实例正在运行，本次跳过 / another instance holds the schedule lease; skipped');
      const o = result.outbox!;
      console.log([
        `待评估采集 / captures evaluated: ${o.captures} (${o.events} events${o.failed ? `, ${o.failed} failed, retried later` : ''})`,
        ...Object.entries(result.rules).map(([rule, r]) => `  ${rule}: ${r.findings} found, ${r.created} new, ${r.updated} updated`),
      ].join('\n'));
    });
}
