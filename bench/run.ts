/**
 * Benchmark of the event store (issue: events, lineage and trace). Every figure is a ratio against a baseline
 * run in the same process on the same database:
 *   capture  — the real capture path (hash, checks, set-based insert) vs raw COPY of the very same rows, each
 *              capture's rows copied right after it into twin tables that grow alongside the real ones: with the
 *              same indexes, and with the same indexes and foreign keys;
 *   trace    — the trace service (level-by-level, visibility, node details, query log) vs one bare recursive SQL
 *              statement returning the same events, p50/p99 over random batch codes, backward and forward;
 *   scan     — consumer scan lookups per second (resolve, consumer facts, scan log) vs one raw SQL lookup.
 * Each part also says where its time goes, statement by statement (bench/clock.ts).
 *
 *   node --import tsx bench/run.ts [--events 1000000] [--samples 1000] [--data DIR] [--capture N] [--reuse]
 *
 * --capture N: only the first N events go through the capture path (and are measured against COPY); the rest up
 *   to --events are bulk-loaded with COPY as the same generated rows (same columns, hash IDs, eventIDs, event_ids
 *   rows, the node's sequence), so that a 10M store can be built in the time a run has. Capture throughput is
 *   then measured on those first N events only, and trace is measured twice: on the N captured events, then on
 *   the loaded store, so that the output states the growth from one size to the other in one process at one load.
 * --reuse: with --data naming a store an earlier run built, grow it to --events (bulk load, as above) if it holds
 *   fewer, then measure trace and scan on it.
 * --minutes M: stop the bulk load after M minutes even if --events is not reached (the output says the size reached).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { parseArgs } from 'node:util';
import { from as copyFrom, to as copyTo } from 'pg-copy-streams';
import { startEmbedded } from '../src/platform/embedded-pg.ts';
import { copyIn, openDatabase } from '../src/platform/db.ts';
import { migrate } from '../src/platform/migrate.ts';
import { loadConfig } from '../src/platform/config.ts';
import { createServices } from '../src/app/services.ts';
import { captureInTx } from '../src/events/events-service.ts';
import { Worker } from 'node:worker_threads';
import { EVENT_COPY_COLUMNS } from '../src/events/events-dal.ts';
import type { Actor } from '../src/accounts/actor.ts';
import { makeParties, makeFlows, type ChainShape, type Party } from './chain.ts';
import { StatementClock, breakdown } from './clock.ts';

const { values: args } = parseArgs({ options: {
  events: { type: 'string', default: '1000000' }, samples: { type: 'string', default: '1000' }, data: { type: 'string' },
  capture: { type: 'string' }, reuse: { type: 'boolean', default: false }, minutes: { type: 'string' },
} });
const TARGET = Number(args.events);
const CAPTURE = Math.min(TARGET, Number(args.capture ?? args.events));
if (args.reuse && !args.data) throw new Error('--reuse needs --data DIR (a store an earlier run built)');
const SAMPLES = Number(args.samples);
const ADMIN: Actor = { role: 'platform-admin', username: 'bench' };

const dir = args.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'suyuan-bench-'));
fs.mkdirSync(dir, { recursive: true });
fs.chmodSync(dir, 0o755);
const pg = await startEmbedded(dir);
const db = openDatabase(pg.url(), 4);
const clock = new StatementClock();
// The services run on the timed database; baselines run on the plain one.
const timed = clock.database(db);
const log = (m: string) => process.stderr.write(`${m}\n`);
const load = () => os.loadavg().map((x) => x.toFixed(2)).join(' ');
const pct = (xs: number[], p: number) => { const s = [...xs].sort((a, b) => a - b); return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))]; };
const ms = (x: number) => `${x.toFixed(2)} ms`;
// Results go to stdout as each part finishes, so a long run that fails late still reports what it measured.
const report = (...lines: string[]) => console.log(lines.join('\n'));

/** The parties an earlier run registered (one site and one product each), to grow its store with the same chain. */
async function partiesOf(): Promise<ChainShape> {
  const rows = (await db.pool.query<Party & { type: string }>(
    `SELECT o.id, o.uscc, o.division_code AS division, o.types[1] AS type, s.id AS site, p.id AS product
       FROM operators o JOIN sites s ON s.operator_id = o.id JOIN products p ON p.operator_id = o.id
      WHERE o.name LIKE 'bench %' ORDER BY o.created_at, o.id`)).rows;
  const of = (type: string) => rows.filter((r) => r.type === type).map(({ type: _, ...p }) => p);
  return { farms: of('producer'), processors: of('processor'), distributors: of('wholesale_market'), retailers: of('retailer') };
}

/**
 * Grows the store by about `count` events of the same chain without the capture path: the rows the capture path
 * would store (hash ID as eventID, indexed identifiers, attribution, the node's sequence taken from the events
 * identity), COPYed in one transaction per chunk. Two lanes, each hashing in its own worker thread (bench/bulk-rows.ts),
 * so that hashing overlaps the COPY. No risk outbox rows (the trace does not read them). Returns the events loaded.
 */
async function bulkLoad(shape: ChainShape, count: number): Promise<number> {
  // The indexes of events that no trace statement reads (unique hash ID and eventID, time, operator, …) are
  // dropped for the load and rebuilt with their own definitions after it; the ones the trace reads (events and
  // event_ids primary keys, event_ids by seq) are kept and grow row by row as under capture.
  const unique = (await db.pool.query<{ name: string; def: string }>(
    `SELECT conname AS name, pg_get_constraintdef(oid) AS def FROM pg_constraint WHERE conrelid = 'events'::regclass AND contype = 'u'`)).rows;
  const plain = (await db.pool.query<{ name: string; def: string }>(
    `SELECT indexname AS name, indexdef AS def FROM pg_indexes WHERE tablename = 'events' AND indexname <> 'events_pkey' AND indexname <> ALL($1)`,
    [unique.map((u) => u.name)])).rows;
  for (const u of unique) await db.pool.query(`ALTER TABLE events DROP CONSTRAINT ${u.name}`);
  for (const i of plain) await db.pool.query(`DROP INDEX ${i.name}`);
  let loaded = 0;
  const t0 = performance.now();
  const deadline = args.minutes ? t0 + Number(args.minutes) * 60_000 : Infinity;
  const lane = async () => {
    // A worker does not inherit the tsx loader: it registers it, then loads the TypeScript module.
    const worker = new Worker(`import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))}).then((t) => { t.register(); return import(${JSON.stringify(import.meta.resolve('./bulk-rows.ts'))}); })`, { eval: true });
    const client = await db.pool.connect();
    try {
      // Loading, not measured: no wait on each chunk's WAL flush (the rebuild and VACUUM after it are durable).
      await client.query('SET synchronous_commit = off');
      while (loaded < count && performance.now() < deadline) {
        const chunk = await makeFlows(db, shape, 200);
        loaded += chunk.length;
        // A block of the identity's values: the first is nextval, the sequence then stands at the last.
        const first = Number((await client.query<{ s: string }>(
          `SELECT setval(pg_get_serial_sequence('events', 'seq'), nextval(pg_get_serial_sequence('events', 'seq')) + $1 - 1) - $1 + 1 AS s`,
          [chunk.length])).rows[0].s);
        const rows = await new Promise<{ events: string; ids: string }>((resolve, reject) => {
          const fail = (e: Error) => reject(e);
          worker.once('error', fail);
          worker.once('message', (r) => { worker.off('error', fail); resolve(r); });
          worker.postMessage({ chunk, first });
        });
        await client.query('BEGIN');
        await copyIn(client, `COPY events (${EVENT_COPY_COLUMNS}) FROM STDIN`, rows.events);
        await copyIn(client, 'COPY event_ids (key, role, seq) FROM STDIN', rows.ids);
        await client.query('COMMIT');
        process.stderr.write(`\rbulk-loaded ${loaded.toLocaleString()} / ${count.toLocaleString()} events: ${Math.round(loaded / ((performance.now() - t0) / 1000)).toLocaleString()}/s   `);
      }
    } finally {
      await client.query('RESET synchronous_commit').catch(() => {});
      client.release();
      await worker.terminate();
    }
  };
  await Promise.all([lane(), lane()]);
  process.stderr.write('\n');
  const builder = await db.pool.connect();
  try {
    await builder.query(`SET maintenance_work_mem = '512MB'`);
    for (const u of unique) await builder.query(`ALTER TABLE events ADD CONSTRAINT ${u.name} ${u.def}`);
    for (const i of plain) await builder.query(i.def);
  } finally {
    builder.release();
  }
  log(`rebuilt ${unique.length + plain.length} indexes of events`);
  return loaded;
}

type Percentiles = { p50: number; p99: number };
/**
 * Trace, service against one bare recursive SQL statement, over `SAMPLES` random batch codes each way; `at` names
 * the store size in the report. Answers the sample, which the scan measurement reuses, and the service's percentiles.
 */
async function measureTraces(services: ReturnType<typeof createServices>, at: string): Promise<{ sample: string[]; svc: Record<'backward' | 'forward', Percentiles> }> {
  const stats = {} as Record<'backward' | 'forward', Percentiles>;
  const sample = (await db.pool.query<{ code: string }>(
    `SELECT code FROM codes WHERE kind = 'batch' ORDER BY random() LIMIT $1`, [SAMPLES + 20])).rows.map((r) => r.code);
  const warmup = sample.splice(SAMPLES);
  // The events the service keeps: everything naming a reached key, except linking events that lead the other way.
  const recursive = `
    WITH RECURSIVE walk(key) AS (
      SELECT $1::text
      UNION
      SELECT nxt.key FROM walk w
        JOIN event_ids cur ON cur.key = w.key AND cur.role = ANY($2::"char"[])
        JOIN event_ids nxt ON nxt.seq = cur.seq AND nxt.role = ANY($3::"char"[]))
    SELECT DISTINCT e.seq, e.event_id, e.event_time, e.record_time, e.body
      FROM walk w JOIN event_ids i ON i.key = w.key JOIN events e ON e.seq = i.seq
     WHERE e.event_type NOT IN ('TransformationEvent', 'AggregationEvent') OR i.role = ANY($2::"char"[])
     ORDER BY e.event_time, e.seq`;
  const roles = { backward: [['o', 'k', 'p'], ['i', 'j', 'c', 'd']], forward: [['i', 'j', 'c', 'd'], ['o', 'k', 'p']] } as const;
  for (const direction of ['backward', 'forward'] as const) {
    for (const code of warmup) {
      await services.trace.trace(ADMIN, { code, direction });
      await db.pool.query(recursive, [code, roles[direction][0], roles[direction][1]]);
    }
    clock.take();
    const svc: number[] = []; const raw: number[] = []; const events: number[] = []; const levels: number[] = [];
    let mismatches = 0;
    for (const [n, code] of sample.entries()) {
      // Alternate which goes first, so that neither always finds the pages the other just read.
      const runService = async () => {
        const t0 = performance.now();
        const r = await services.trace.trace(ADMIN, { code, direction });
        svc.push(performance.now() - t0);
        events.push(r.events.length);
        levels.push(r.levels);
        return r.events.length;
      };
      const runRaw = async () => {
        const t0 = performance.now();
        const r = await db.pool.query(recursive, [code, roles[direction][0], roles[direction][1]]);
        raw.push(performance.now() - t0);
        return r.rowCount;
      };
      const [a, b] = n % 2 === 0 ? [await runService(), await runRaw()] : [await runRaw(), await runService()].reverse();
      if (a !== b) mismatches++;
    }
    stats[direction] = { p50: pct(svc, 50), p99: pct(svc, 99) };
    report(
      `trace ${direction} at ${at} (${sample.length} random batch codes after ${warmup.length} warm-up traces): p50 ${ms(pct(svc, 50))}, p99 ${ms(pct(svc, 99))}; recursive SQL p50 ${ms(pct(raw, 50))}, p99 ${ms(pct(raw, 99))}; ratio p50 ${(pct(svc, 50) / pct(raw, 50)).toFixed(1)}×, p99 ${(pct(svc, 99) / pct(raw, 99)).toFixed(1)}× (events per trace p50 ${pct(events, 50)}, p99 ${pct(events, 99)}, max ${Math.max(...events)}; levels max ${Math.max(...levels)}; ${mismatches} traces where the two event counts differ) [load ${load()}]`,
      '', `### trace ${direction}: where the time goes`, ...breakdown(clock.take(), svc.reduce((a, b) => a + b, 0), svc.length, svc.length, 'trace'), '',
    );
  }
  return { sample, svc: stats };
}

try {
  await migrate(db.pool);
  const config = loadConfig({ DATABASE_URL: pg.url(), LOG_LEVEL: 'silent' });
  const services = createServices(timed, config);
  const pgVersion = (await db.pool.query('SHOW server_version')).rows[0].server_version;
  const buffers = (await db.pool.query('SHOW shared_buffers')).rows[0].shared_buffers;
  report(`PostgreSQL ${pgVersion} (shared_buffers ${buffers}); load average at start (1, 5, 15 min): ${load()}`);

  const stored = async () => Number((await db.pool.query<{ n: string }>('SELECT count(*) AS n FROM events')).rows[0].n);
  let shape: ChainShape;
  let have: number;
  if (args.reuse) {
    // Twin tables of a run stopped while capturing.
    await db.pool.query('DROP TABLE IF EXISTS bench_event_ids_plain, bench_events_plain, bench_event_ids_keys, bench_events_keys');
    have = await stored();
    shape = await partiesOf();
    report(`events: ${have.toLocaleString()} in a store built by an earlier run (--reuse ${args.data})`, '');
  } else {
    // ── Master data ───────────────────────────────────────────────────────────
    const scale = Math.max(1, Math.round(TARGET / 100_000));
    shape = await db.tx(async (q) => ({
      farms: await makeParties(q, 'producer', 200 * scale),
      processors: await makeParties(q, 'processor', 30 * scale),
      distributors: await makeParties(q, 'wholesale_market', 10 * scale),
      retailers: await makeParties(q, 'retailer', 150 * scale),
    }));
    log(`parties: ${Object.values(shape).reduce((n, xs) => n + xs.length, 0)}`);

    // ── Capture through the real path, and raw COPY of the very same rows ─────
    // After each capture its rows are copied out (untimed) and COPYed (timed, in one transaction per capture too)
    // into twin tables that grow alongside the real ones, under the same conditions: `plain` has the same columns
    // and indexes, `keys` also the foreign keys every captured row is checked against (LIKE copies none).
    const cols = 'seq, hash_id, event_id, event_type, action, biz_step, disposition, event_time, record_time, read_point, biz_location, operator_id, division_code, counterparty_id, source, capture_id, captured_by, body';
    await db.pool.query(`
      CREATE TABLE bench_events_plain (LIKE events INCLUDING ALL); CREATE TABLE bench_event_ids_plain (LIKE event_ids INCLUDING ALL);
      CREATE TABLE bench_events_keys (LIKE events INCLUDING ALL); CREATE TABLE bench_event_ids_keys (LIKE event_ids INCLUDING ALL);
      ALTER TABLE bench_events_keys ADD FOREIGN KEY (operator_id) REFERENCES operators(id),
        ADD FOREIGN KEY (counterparty_id) REFERENCES operators(id), ADD FOREIGN KEY (capture_id) REFERENCES capture_jobs(id);
      ALTER TABLE bench_event_ids_keys ADD FOREIGN KEY (seq) REFERENCES bench_events_keys(seq);`);
    const copier = await db.pool.connect();
    const dump = async (sql: string) => {
      const parts: Buffer[] = [];
      await pipeline(copier.query(copyTo(sql)), new Writable({ write(c, _e, done) { parts.push(c); done(); } }));
      return Buffer.concat(parts);
    };
    const copyMs: Record<'plain' | 'keys', number> = { plain: 0, keys: 0 };
    let captured = 0;
    let captureMs = 0;
    let captures = 0;
    let lastSeq = 0;
    const CHUNK_FLOWS = 100;
    clock.take();
    try {
      while (captured < CAPTURE) {
        // Batches and codes are master data made by the records that commission them; not part of the timing.
        const chunk = await makeFlows(db, shape, CHUNK_FLOWS);
        const t0 = performance.now();
        const r = await timed.tx((q) => captureInTx(q, ADMIN, { events: chunk.map((c) => c.event), attribution: chunk.map((c) => c.attribution), source: 'native', errorBehaviour: 'rollback' }));
        captureMs += performance.now() - t0;
        if (r.stored.length !== chunk.length) throw new Error(`stored ${r.stored.length} of ${chunk.length}`);
        captured += chunk.length;
        captures++;

        const events = await dump(`COPY (SELECT ${cols} FROM events WHERE seq > ${lastSeq} ORDER BY seq) TO STDOUT`);
        const ids = await dump(`COPY (SELECT key, role, seq FROM event_ids WHERE seq > ${lastSeq}) TO STDOUT`);
        lastSeq = Math.max(...r.stored.map((s) => Number(s.seq)));
        // Alternate which goes first, so that neither always follows the capture's writes.
        for (const variant of captures % 2 ? (['plain', 'keys'] as const) : (['keys', 'plain'] as const)) {
          const t1 = performance.now();
          await copier.query('BEGIN');
          // The dumped bytes as they are (copyIn takes text): the baseline spends nothing on decoding them.
          await pipeline(Readable.from([events]), copier.query(copyFrom(`COPY bench_events_${variant} (${cols}) FROM STDIN`)));
          await pipeline(Readable.from([ids]), copier.query(copyFrom(`COPY bench_event_ids_${variant} (key, role, seq) FROM STDIN`)));
          await copier.query('COMMIT');
          copyMs[variant] += performance.now() - t1;
        }
        const rateOf = (ms: number) => Math.round(captured / (ms / 1000)).toLocaleString();
        process.stderr.write(`\rcaptured ${captured.toLocaleString()} / ${CAPTURE.toLocaleString()} events: ${rateOf(captureMs)}/s; COPY ${rateOf(copyMs.plain)}/s, with foreign keys ${rateOf(copyMs.keys)}/s   `);
      }
    } finally {
      copier.release();
    }
    process.stderr.write('\n');
    const captureShares = clock.take();
    await db.pool.query('DROP TABLE bench_event_ids_plain, bench_events_plain, bench_event_ids_keys, bench_events_keys');
    const rate = (n: number, t: number) => Math.round(n / (t / 1000));
    const size = (await db.pool.query(`SELECT pg_size_pretty(pg_total_relation_size('events') + pg_total_relation_size('event_ids')) AS s`)).rows[0].s;
    report(
      `events: ${captured.toLocaleString()} (${size} with indexes) in ${captures} captures of ~${Math.round(captured / captures)} events`,
      `capture: ${rate(captured, captureMs).toLocaleString()} events/s through the capture path; raw COPY ${rate(captured, copyMs.plain).toLocaleString()} events/s (capture = ${(copyMs.plain / captureMs * 100).toFixed(1)}% of it), with the same foreign keys ${rate(captured, copyMs.keys).toLocaleString()} events/s (${(copyMs.keys / captureMs * 100).toFixed(1)}%) [load at the end ${load()}]`,
      '', '### capture: where the time goes', ...breakdown(captureShares, captureMs, captures, captured, 'event'), '',
    );
    have = captured;
  }
  let small: { events: number; svc: Record<'backward' | 'forward', Percentiles> } | null = null;
  if (TARGET > have && !args.reuse) {
    // Traces on the captured store first, so that growth to the bulk-loaded size is measured in this one process.
    for (const table of ['events', 'event_ids', 'codes', 'batches']) await db.pool.query(`VACUUM ANALYZE ${table}`);
    small = { events: have, svc: (await measureTraces(services, `${have.toLocaleString()} events (captured, before the bulk load)`)).svc };
  }
  if (TARGET > have) {
    const t0 = performance.now();
    const loaded = await bulkLoad(shape, TARGET - have);
    const size = (await db.pool.query(`SELECT pg_size_pretty(pg_total_relation_size('events') + pg_total_relation_size('event_ids')) AS s`)).rows[0].s;
    report(
      `bulk load: ${loaded.toLocaleString()} more events of the same generated chain COPYed straight into events and event_ids (not through the capture path; not measured) in ${((performance.now() - t0) / 60000).toFixed(1)} min; store now ${(await stored()).toLocaleString()} events (${size} with indexes) [load ${load()}]`, '',
    );
  }
  if (TARGET > have || !args.reuse) {
    for (const table of ['events', 'event_ids', 'codes', 'batches']) await db.pool.query(`VACUUM ANALYZE ${table}`);
  }

  const { sample, svc: large } = await measureTraces(services, `${(await stored()).toLocaleString()} events`);
  if (small) {
    // Growth in one process at one load: the captured store, then the store the bulk load grew it into.
    const [n0, n1] = [small.events, await stored()];
    const bound = Math.log(n1) / Math.log(n0);
    for (const d of ['backward', 'forward'] as const) {
      report(`growth ${d} ${n0.toLocaleString()} → ${n1.toLocaleString()} events (${(n1 / n0).toFixed(1)}× the size; a logarithmic bound is ${bound.toFixed(2)}×): p50 ${ms(small.svc[d].p50)} → ${ms(large[d].p50)} (${(large[d].p50 / small.svc[d].p50).toFixed(2)}×), p99 ${ms(small.svc[d].p99)} → ${ms(large[d].p99)} (${(large[d].p99 / small.svc[d].p99).toFixed(2)}×)`);
    }
    report('');
  }

  // ── Consumer scans per second ─────────────────────────────────────────────
  const scanFor = async (fn: (code: string) => Promise<unknown>) => {
    const t0 = performance.now(); let n = 0;
    while (performance.now() - t0 < 5000) { await fn(sample[n % sample.length]); n++; }
    return { rate: n / ((performance.now() - t0) / 1000), n, ms: performance.now() - t0 };
  };
  clock.take();
  const scan = await scanFor((code) => services.scan.scan({ by: 'code', code }, { userAgent: 'bench', ip: '127.0.0.1' }));
  const scanShares = clock.take();
  const rawScan = await scanFor((code) => db.pool.query(
    `SELECT c.code, c.status, p.name, o.name, s.name, s.division_code, b.produced_on, b.expires_on
       FROM codes c JOIN batches b ON b.id = c.batch_id JOIN products p ON p.id = b.product_id
       JOIN operators o ON o.id = b.operator_id JOIN sites s ON s.id = b.site_id WHERE c.code = $1`, [code]));
  report(
    `scan: ${Math.round(scan.rate).toLocaleString()} lookups/s (sequential, one at a time); one raw SQL origin lookup ${Math.round(rawScan.rate).toLocaleString()}/s; ratio ${(scan.rate / rawScan.rate * 100).toFixed(0)}% [load ${load()}]`,
    '', '### scan: where the time goes', ...breakdown(scanShares, scan.ms, scan.n, scan.n, 'scan'),
  );
} finally {
  await db.close();
  await pg.stop();
  if (!args.data) fs.rmSync(dir, { recursive: true, force: true });
}
