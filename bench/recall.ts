/**
 * Benchmark of incidents and recall: one ingredient batch that reaches `--downstream` batches (default 10,000) —
 * shipped to 100 processors, each making products from it (a fifth of the batches), each product repackaged into
 * four by distributors, every pack shipped to a retailer and sold — over a store with `--noise` unrelated events
 * from bench/chain.ts flows, and `--scans` consumer scans of the affected codes over two weeks. With `--items N`, every
 * pack is issued N item codes (一品一码) that never move on their own, and half the scans are of item codes: what
 * the walk and the scan counts must not read one by one. Measures, on the
 * embedded PostgreSQL, each `--runs` times:
 *   affected — opening an incident on the ingredient: forward trace, holdings, and storing the affected set;
 *   read     — what a regulator then reads: the stored affected set (every holding with operator and lot);
 *   impact   — the impact assessment (division tree, operator types, consumer scans by division and day);
 *   export   — the XLSX workbook and the FSMA 204 CSV.
 *
 * and says where the time of each goes, statement by statement (bench/clock.ts).
 *
 *   node --import tsx bench/recall.ts [--downstream 10000] [--noise 100000] [--scans 20000] [--items 0] [--runs 5] [--data DIR]
 *
 * With `--data DIR` the store is kept, and a later run on the same DIR measures again without building it anew.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import { randomInt } from 'node:crypto';
import { generateCode } from '../src/codes/code-scheme.ts';
import { startEmbedded } from '../src/platform/embedded-pg.ts';
import { openDatabase, type Queryable } from '../src/platform/db.ts';
import { migrate } from '../src/platform/migrate.ts';
import { captureInTx } from '../src/events/events-service.ts';
import type { Actor } from '../src/accounts/actor.ts';
import { createRecallService } from '../src/recall/recall-service.ts';
import { SYSTEM_ACTOR } from '../src/recall/recall-types.ts';
import { StatementClock, breakdown } from './clock.ts';
import { commission, handOver, makeBatches, makeFlows, makeParties, sale, transform, type ChainEvent, type ChainShape, type Party } from './chain.ts';

const { values: args } = parseArgs({
  options: {
    downstream: { type: 'string', default: '10000' }, noise: { type: 'string', default: '100000' }, scans: { type: 'string', default: '20000' },
    items: { type: 'string', default: '0' }, runs: { type: 'string', default: '5' }, data: { type: 'string' },
  },
});
const DOWNSTREAM = Number(args.downstream);
const NOISE = Number(args.noise);
const SCANS = Number(args.scans);
const ITEMS = Number(args.items);
const RUNS = Number(args.runs);
const ADMIN: Actor = { role: 'platform-admin', username: 'bench' };
const PROCESSORS = 100;
const PACKS_PER_PRODUCT = 4;

const dir = args.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'suyuan-bench-recall-'));
fs.mkdirSync(dir, { recursive: true });
fs.chmodSync(dir, 0o755);
const pg = await startEmbedded(dir);
const db = openDatabase(pg.url(), 4);
const clock = new StatementClock();
// What a kept store was built with: the ingredient's code and the scans.
const seeded = path.join(dir, 'bench-recall.json');
const log = (m: string) => process.stderr.write(`${m}\n`);
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const ms = (x: number) => `${x.toFixed(0)} ms`;

/**
 * CPU time spent so far by this process and by PostgreSQL (its backends, and the parallel workers and other children
 * the postmaster has reaped), in ms: on a machine shared with other jobs, CPU time says what a step costs when wall
 * time only says how busy the machine was.
 */
async function cpuMs(): Promise<number> {
  const pids: number[] = (await db.pool.query('SELECT pid FROM pg_stat_activity WHERE backend_type = \'client backend\'')).rows.map((r) => r.pid);
  const postmaster = Number(fs.readFileSync(path.join(dir, 'pg', 'postmaster.pid'), 'utf8').split('\n')[0]);
  const ticks = (pid: number, fields: number[]) => {
    try {
      const f = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      return fields.reduce((n, k) => n + Number(f[k]), 0);
    } catch { return 0; }
  };
  // Fields after the command: utime 11, stime 12, cutime 13, cstime 14 (clock ticks of 10 ms).
  const pgTicks = pids.reduce((n, pid) => n + ticks(pid, [11, 12]), 0) + ticks(postmaster, [13, 14]);
  const own = process.cpuUsage();
  return pgTicks * 10 + (own.user + own.system) / 1000;
}

/** Captures events through the real capture path, in chunks, as the platform admin. */
async function captureAll(events: ChainEvent[]): Promise<void> {
  for (let k = 0; k < events.length; k += 5000) {
    const chunk = events.slice(k, k + 5000);
    const r = await db.tx((q: Queryable) => captureInTx(q, ADMIN, { events: chunk.map((c) => c.event), attribution: chunk.map((c) => c.attribution), source: 'native', errorBehaviour: 'rollback' }));
    if (r.stored.length !== chunk.length) throw new Error(`stored ${r.stored.length} of ${chunk.length}`);
  }
}

try {
  await migrate(db.pool);
  const recall = createRecallService({ db: clock.database(db), capture: captureInTx, publicUrl: 'http://bench.test' });
  const kept: { ingredient: string; scans: number; items?: number } | null = fs.existsSync(seeded) ? JSON.parse(fs.readFileSync(seeded, 'utf8')) : null;
  // A kept store says what it was built with, whatever this run's --scans and --items.
  const { ingredient, scans, items = 0 } = kept ?? await build();
  const totalEvents = Number((await db.pool.query('SELECT count(*) FROM events')).rows[0].count);

  // ── Measurements ────────────────────────────────────────────────────────────
  const affected: number[] = []; const read: number[] = []; const impact: number[] = []; const xlsx: number[] = []; const csv: number[] = [];
  const cpu: Record<'affected' | 'impact' | 'xlsx' | 'csv', number[]> = { affected: [], impact: [], xlsx: [], csv: [] };
  const shares: Record<'affected' | 'impact' | 'xlsx' | 'csv', ReturnType<StatementClock['take']>[]> = { affected: [], impact: [], xlsx: [], csv: [] };
  let sizes = { codes: 0, operators: 0, holdings: 0, xlsxBytes: 0, csvRows: 0 };
  for (let run = 0; run < RUNS; run++) {
    clock.take();
    let c0 = await cpuMs();
    let t0 = performance.now();
    const opened = await recall.openIncident(SYSTEM_ACTOR, { codes: [ingredient], reason: 'failed_inspection', severity: 'level_1' });
    affected.push(performance.now() - t0);
    cpu.affected.push(await cpuMs() - c0);
    shares.affected.push(clock.take());
    const id = opened.incident.id;
    t0 = performance.now();
    await recall.affected(ADMIN, id);
    read.push(performance.now() - t0);
    clock.take();
    c0 = await cpuMs();
    t0 = performance.now();
    const view = await recall.impact(ADMIN, id);
    impact.push(performance.now() - t0);
    cpu.impact.push(await cpuMs() - c0);
    shares.impact.push(clock.take());
    c0 = await cpuMs();
    t0 = performance.now();
    const book = await recall.export(ADMIN, id, 'xlsx');
    xlsx.push(performance.now() - t0);
    cpu.xlsx.push(await cpuMs() - c0);
    shares.xlsx.push(clock.take());
    c0 = await cpuMs();
    t0 = performance.now();
    const sheet = await recall.export(ADMIN, id, 'csv');
    csv.push(performance.now() - t0);
    cpu.csv.push(await cpuMs() - c0);
    shares.csv.push(clock.take());
    if (view.scans.total !== scans) throw new Error(`impact counted ${view.scans.total} scans of ${scans}`);
    const { codes, operators, holdings } = opened.incident.affected!;
    sizes = { codes, operators, holdings, xlsxBytes: book.body.length, csvRows: sheet.body.toString('utf8').split('\r\n').length - 2 };
  }
  const both = affected.map((a, k) => a + impact[k]);
  const reading = read.map((r, k) => r + impact[k]);
  // The breakdown of the median run of each part.
  const median = (xs: number[], taken: ReturnType<StatementClock['take']>[]) => {
    const k = xs.indexOf(pct(xs, 50));
    return breakdown(taken[k], xs[k], 1, 1, 'call');
  };
  console.log([
    `store: ${totalEvents.toLocaleString()} events; incident: ${sizes.codes.toLocaleString()} affected codes, ${sizes.holdings.toLocaleString()} holdings, ${sizes.operators} operators, `
      + `${items ? `${items} item codes per pack, ` : ''}${scans.toLocaleString()} scans; ${RUNS} runs`,
    `affected set (open incident: trace, holdings, store): p50 ${ms(pct(affected, 50))}, max ${ms(Math.max(...affected))}`,
    `impact assessment: p50 ${ms(pct(impact, 50))}, max ${ms(Math.max(...impact))}`,
    `affected set + impact: p50 ${ms(pct(both, 50))}, max ${ms(Math.max(...both))} (target < 1000 ms)`,
    `stored affected set read (${sizes.holdings.toLocaleString()} holdings presented): p50 ${ms(pct(read, 50))}; read + impact: p50 ${ms(pct(reading, 50))}, max ${ms(Math.max(...reading))}`,
    `export XLSX (${(sizes.xlsxBytes / 1e6).toFixed(1)} MB, 9 sheets): p50 ${ms(pct(xlsx, 50))}, max ${ms(Math.max(...xlsx))} (target < 5000 ms)`,
    `export FSMA 204 CSV (${sizes.csvRows.toLocaleString()} CTE rows): p50 ${ms(pct(csv, 50))}, max ${ms(Math.max(...csv))} (target < 5000 ms)`,
    `CPU (Node + PostgreSQL), p50: open ${ms(pct(cpu.affected, 50))}, impact ${ms(pct(cpu.impact, 50))}, open + impact ${ms(pct(cpu.affected.map((a, k) => a + cpu.impact[k]), 50))}, `
      + `XLSX ${ms(pct(cpu.xlsx, 50))}, CSV ${ms(pct(cpu.csv, 50))}; load average at the end ${os.loadavg().map((x) => x.toFixed(1)).join(' ')}`,
    '', '### open incident: where the time goes (median run)', ...median(affected, shares.affected),
    '', '### impact assessment', ...median(impact, shares.impact),
    '', '### export XLSX', ...median(xlsx, shares.xlsx),
    '', '### export CSV', ...median(csv, shares.csv),
  ].join('\n'));
} finally {
  await db.close();
  await pg.stop();
  if (!args.data) fs.rmSync(dir, { recursive: true, force: true });
}

/** Builds the store: unrelated history, the ingredient with everything made from it, and consumer scans. */
async function build(): Promise<{ ingredient: string; scans: number; items: number }> {
  // ── Unrelated history, so that the indexes hold more than the incident ──────
  const shape: ChainShape = await db.tx(async (q) => ({
    farms: await makeParties(q, 'producer', 200), processors: await makeParties(q, 'processor', 30),
    distributors: await makeParties(q, 'wholesale_market', 10), retailers: await makeParties(q, 'retailer', 150),
  }));
  let noise = 0;
  while (noise < NOISE) {
    const chunk = await makeFlows(db, shape, 100);
    await captureAll(chunk);
    noise += chunk.length;
    process.stderr.write(`\rnoise: ${noise.toLocaleString()} events   `);
  }
  process.stderr.write('\n');

  // ── The ingredient and everything made from it ─────────────────────────────
  const products = Math.round(DOWNSTREAM / (1 + PACKS_PER_PRODUCT));
  const parties = await db.tx(async (q) => ({
    supplier: (await makeParties(q, 'processor', 1))[0], processors: await makeParties(q, 'processor', PROCESSORS),
    distributors: await makeParties(q, 'wholesale_market', 50), retailers: await makeParties(q, 'retailer', 500),
  }));
  const [ingredient] = await db.tx((q) => makeBatches(q, [parties.supplier]));
  const makers: Party[] = Array.from({ length: products }, (_, k) => parties.processors[k % PROCESSORS]);
  const productCodes = await db.tx((q) => makeBatches(q, makers));
  const packers: Party[] = productCodes.flatMap((_, k) => Array(PACKS_PER_PRODUCT).fill(parties.distributors[k % parties.distributors.length]));
  const packCodes = await db.tx((q) => makeBatches(q, packers));
  const events: ChainEvent[] = [commission(parties.supplier, ingredient)];
  for (const p of parties.processors) events.push(...handOver(parties.supplier, p, ingredient, 100));
  productCodes.forEach((code, k) => {
    events.push(transform(makers[k], [ingredient], code));
    events.push(...handOver(makers[k], packers[k * PACKS_PER_PRODUCT], code, 100));
  });
  packCodes.forEach((code, k) => {
    const retailer = parties.retailers[k % parties.retailers.length];
    events.push(transform(packers[k], [productCodes[Math.floor(k / PACKS_PER_PRODUCT)]], code), ...handOver(packers[k], retailer, code, 25), sale(retailer, code));
  });
  await captureAll(events);
  log(`incident chain: ${(productCodes.length + packCodes.length).toLocaleString()} downstream batches, ${events.length.toLocaleString()} events`);

  // Item codes of every pack, issued with it (一品一码), in statements of 100,000.
  const itemCodes: string[] = [];
  for (let k = 0; k < packCodes.length * ITEMS; k += 100_000) {
    const packs = Array.from({ length: Math.min(100_000, packCodes.length * ITEMS - k) }, (_, n) => packCodes[Math.floor((k + n) / ITEMS)]);
    const codes = packs.map(() => generateCode('350', 'item'));
    await db.pool.query(
      `INSERT INTO codes (code, kind, status, owner_operator_id, batch_id, issued_via, activated_at)
       SELECT x.code, 'item', 'active', b.owner_operator_id, b.batch_id, 'platform', now()
         FROM unnest($1::text[], $2::text[]) AS x(code, pack) JOIN codes b ON b.code = x.pack::bpchar`, [codes, packs]);
    itemCodes.push(...codes);
  }
  if (ITEMS) log(`item codes: ${itemCodes.length.toLocaleString()}`);
  // Consumer scans of the packs (and, with items, of item codes for half of them) over the last two weeks, logged with
  // their lot as the scan path logs them.
  const scanned = Array.from({ length: SCANS }, (_, k) => (ITEMS && k % 2
    ? itemCodes[randomInt(itemCodes.length)] : packCodes[randomInt(packCodes.length)]));
  await db.pool.query(
    `INSERT INTO scans (code, at, result, batch_id)
     SELECT x.code, now() - random() * interval '14 days', 'active', c.batch_id FROM unnest($1::text[]) AS x(code) JOIN codes c ON c.code = x.code::bpchar`,
    [scanned]);
  await db.pool.query('VACUUM ANALYZE');
  if (args.data) fs.writeFileSync(seeded, JSON.stringify({ ingredient, scans: SCANS, items: ITEMS }));
  return { ingredient, scans: SCANS, items: ITEMS };
}
