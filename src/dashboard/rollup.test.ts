import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Queryable } from '../platform/db.ts';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildBatch, buildOperator, buildSite, buildUser } from '../../test/builders.ts';
import { dayWindow, scopeOf } from './dashboard-fns.ts';
import { createEventsRollup } from './rollup.ts';

let t: TestApp;
let fjReg: string, xmReg: string;
const DAY = 86_400_000;

/** One event written straight to the store (the rollup reads only seq, event_time and division_code); its seq. */
async function insertEvent(q: Queryable, division: string | null, eventTime: Date): Promise<number> {
  const id = randomUUID();
  return Number((await q.query<{ seq: string }>(
    `INSERT INTO events (hash_id, event_id, event_type, action, event_time, division_code, source, body)
     VALUES ($1, $2, 'ObjectEvent', 'OBSERVE', $3, $4, 'native', '{}') RETURNING seq`, [`ni:///sha-256;${id}`, `urn:uuid:${id}`, eventTime, division])).rows[0].seq);
}

/** A spread of events: today, at China midnight (still the previous UTC day), days and months back, unplaced. */
async function insertSpread() {
  const today = dayWindow(new Date(), 1).to;
  const times = [new Date(), new Date(`${today}T00:10:00+08:00`), new Date(Date.now() - 3 * DAY), new Date(Date.now() - 40 * DAY), new Date(Date.now() - 200 * DAY)];
  for (const division of ['350203', '350206', '350102', '440305', null]) {
    for (const at of times) await insertEvent(t.db.pool, division, at);
  }
}

const state = async () => (await t.db.pool.query('SELECT events_seq::int AS seq, events_pending_seq::int AS pending FROM dashboard_rollup')).rows[0];
const rollupRows = async () => (await t.db.pool.query(`SELECT day::text, division_code, n::int FROM event_day_counts ORDER BY 1, 2`)).rows;

/** What the dashboard must answer for events, counted straight from the events table. */
async function directCount(division: string, days: number) {
  const scope = scopeOf(division);
  const w = dayWindow(new Date(), days);
  const rows = (await t.db.pool.query<{ day: string; k: string; n: number }>(
    `SELECT to_char(event_time AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD') AS day, left(coalesce(division_code, ''), $3) AS k, count(*)::int AS n
       FROM events WHERE event_time >= $1 AND event_time < $2 AND coalesce(division_code, '') LIKE $4 GROUP BY 1, 2`,
    [w.since, new Date(w.since.getTime() + days * DAY), scope.childDigits, `${scope.prefix}%`])).rows;
  const perDay = Object.fromEntries(w.dates.map((d) => [d, 0]));
  const perChild: Record<string, number> = {};
  for (const r of rows) {
    perDay[r.day] += r.n;
    if (r.k.length === scope.childDigits) perChild[r.k.padEnd(6, '0')] = (perChild[r.k.padEnd(6, '0')] ?? 0) + r.n;
  }
  return { perDay, perChild, total: rows.reduce((a, r) => a + r.n, 0) };
}

/** Asserts that the dashboard's event figures (series, window total, map) equal a direct count, for several scopes. */
async function assertExact(label: string) {
  for (const [token, division] of [[await t.adminToken(), '000000'], [fjReg, '350000'], [xmReg, '350200']] as const) {
    for (const days of [7, 90]) {
      const d = (await t.call('GET', `/api/v1/dashboard?days=${days}`, { as: token })).body;
      const want = await directCount(division, days);
      const got = Object.fromEntries(d.series.map((s: { date: string; events: number }) => [s.date, s.events]));
      assert.deepEqual(got, want.perDay, `${label}: per day, ${division}, ${days} days`);
      assert.equal(d.totals.window.events, want.total, `${label}: window total, ${division}`);
      const map = Object.fromEntries(d.map.items.filter((i: { events: number }) => i.events > 0).map((i: { code: string; events: number }) => [i.code, i.events]));
      assert.deepEqual(map, want.perChild, `${label}: per child division, ${division}, ${days} days`);
    }
  }
}

before(async () => {
  t = await startTestApp();
  // Real captures too: an operator's batches with their commissioning events.
  const xm = await buildOperator(t, { division: '350203' });
  const site = await buildSite(t, xm, { divisionCode: '350203' });
  await buildBatch(t, xm, { siteId: site.id });
  await buildBatch(t, xm, { siteId: site.id });
  fjReg = (await buildUser(t, 'regulator', { jurisdiction: '350000' })).token;
  xmReg = (await buildUser(t, 'regulator', { jurisdiction: '350200' })).token;
});
after(async () => { await t.close(); });

test('the rollup-backed figures equal a direct count before, after and between folds, and re-running the job changes nothing', async () => {
  await insertSpread();
  assert.equal((await state()).seq, 0);
  await assertExact('nothing folded (all live)');

  // Small chunks: several transactions, each moving the counts and the watermark together.
  const r = await createEventsRollup({ db: t.db, chunk: 4 }).run();
  assert.ok(r.ran);
  const total = (await t.db.pool.query<{ n: number; top: string }>('SELECT count(*)::int AS n, max(seq) AS top FROM events')).rows[0];
  assert.equal(r.folded, total.n);
  assert.equal(r.watermark, Number(total.top));
  assert.deepEqual(await state(), { seq: Number(total.top), pending: null });
  assert.equal((await t.db.pool.query('SELECT sum(n)::int AS n FROM event_day_counts')).rows[0].n, total.n);
  // Every (day, division) count equals a GROUP BY over the events.
  assert.deepEqual(await rollupRows(), (await t.db.pool.query(
    `SELECT (event_time AT TIME ZONE 'Asia/Shanghai')::date::text AS day, coalesce(division_code, '') AS division_code, count(*)::int AS n
       FROM events GROUP BY 1, 2 ORDER BY 1, 2`)).rows);
  await assertExact('all folded');

  const before = { rows: await rollupRows(), state: await state() };
  const again = await t.services.dashboard.rollup({ role: 'platform-admin', username: 'test' });
  assert.deepEqual(again, { ran: true, folded: 0, watermark: before.state.seq, pending: null });
  assert.deepEqual({ rows: await rollupRows(), state: await state() }, before);

  // New events beyond the watermark are counted live until the next fold.
  await insertSpread();
  await assertExact('folded plus a live tail');
  await t.services.dashboard.rollup({ role: 'platform-admin', username: 'test' });
  await assertExact('folded again');
});

test('a lower seq that commits after a higher one is neither skipped nor counted twice', async () => {
  const rollup = createEventsRollup({ db: t.db });
  await rollup.run();
  const start = (await state()).seq;

  const a = await t.db.pool.connect();
  try {
    await a.query('BEGIN');
    const low = await insertEvent(a, '350203', new Date());
    const high = await insertEvent(t.db.pool, '350203', new Date());
    assert.ok(low < high);

    // The writer of `low` is in flight: nothing past it is folded; `high` waits as the next candidate.
    const r1 = await rollup.run();
    assert.deepEqual(r1, { ran: true, folded: 0, watermark: start, pending: high });
    await assertExact('low in flight, high committed (counted live)');
    assert.deepEqual(await rollup.run(), { ran: true, folded: 0, watermark: start, pending: high }, 'still in flight: still waiting');

    await a.query('COMMIT');
    const r2 = await rollup.run();
    assert.deepEqual(r2, { ran: true, folded: 2, watermark: high, pending: null });
    const today = dayWindow(new Date(), 1).to;
    assert.equal((await t.db.pool.query(`SELECT n::int FROM event_day_counts WHERE day = $1 AND division_code = '350203'`, [today])).rows[0].n,
      (await t.db.pool.query(`SELECT count(*)::int AS n FROM events WHERE division_code = '350203' AND (event_time AT TIME ZONE 'Asia/Shanghai')::date = $1`, [today])).rows[0].n);
    await assertExact('both folded');
  } finally {
    await a.query('ROLLBACK').catch(() => {});
    a.release();
  }
});

test('a seq whose transaction rolls back leaves a hole the fold passes over; the CLI pass waits for writers in flight', async () => {
  const rollup = createEventsRollup({ db: t.db });
  const a = await t.db.pool.connect();
  try {
    await a.query('BEGIN');
    await insertEvent(a, '350102', new Date());
    const high = await insertEvent(t.db.pool, '350102', new Date());
    assert.equal((await rollup.run()).pending, high);
    await a.query('ROLLBACK');
    assert.deepEqual(await rollup.run(), { ran: true, folded: 1, watermark: high, pending: null });

    // With a wait, the pass folds what a writer leaves once it commits.
    await a.query('BEGIN');
    const low = await insertEvent(a, '440305', new Date());
    const top = await insertEvent(t.db.pool, '440305', new Date());
    const pass = rollup.run({ waitMs: 5000 });
    await sleep(300);
    await a.query('COMMIT');
    const r = await pass;
    assert.ok(r.ran && r.watermark === top && r.pending === null && low < top, JSON.stringify(r));
    await assertExact('after the waiting pass');
  } finally {
    await a.query('ROLLBACK').catch(() => {});
    a.release();
  }
});

test('one process folds at a time; only an admin may run the job', async () => {
  await insertEvent(t.db.pool, '350203', new Date());
  const other = await t.db.pool.connect();
  try {
    await other.query('BEGIN');
    await other.query('SELECT 1 FROM dashboard_rollup FOR UPDATE');
    assert.deepEqual(await createEventsRollup({ db: t.db }).run(), { ran: false });
  } finally {
    await other.query('ROLLBACK');
    other.release();
  }
  assert.equal((await createEventsRollup({ db: t.db }).run()).pending, null);
  await assert.rejects(t.services.dashboard.rollup({ role: 'regulator', username: 'r', jurisdiction: '350000' }), { code: 'FORBIDDEN' });
});
