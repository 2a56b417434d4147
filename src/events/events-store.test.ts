import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildBatch, buildOperator, buildProduct, buildSite } from '../../test/builders.ts';
import { production, type Party } from '../../test/event-builders.ts';
import { captureInTx } from './events-service.ts';
import { copyField, type Queryable } from '../platform/db.ts';
import type { EpcisEvent } from './events-fns.ts';
import { eventHashId } from './epcis-hash.ts';
import { DomainError } from '../platform/errors.ts';

// The capture path stores rows with COPY under reserved sequence numbers, and falls back to the statement that skips
// stored events when a concurrent capture wins a race for the same event (src/events/events-dal.ts).
let t: TestApp;
let farm: Party;
let code: string;

before(async () => {
  t = await startTestApp();
  const op = await buildOperator(t, { division: '350121', types: ['producer'] });
  const site = await buildSite(t, op, { divisionCode: '350121', kind: 'farm_plot' });
  farm = { ...op, siteId: site.id, division: '350121' };
  const product = await buildProduct(t, farm, {});
  code = (await buildBatch(t, farm, { productId: product.id, siteId: farm.siteId })).batchCode!.code;
});
after(() => t.close());

const actor = () => ({ role: 'operator-admin' as const, operatorId: farm.id });

/** Waits until a session of this database is blocked on a lock (a COPY waiting for another's uncommitted row). */
async function waitForLockWaiter() {
  for (let i = 0; i < 100; i++) {
    const n = (await t.db.pool.query(
      `SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rows[0].n;
    if (n > 0) return;
    await sleep(50);
  }
  assert.fail('the second capture never waited for the first');
}
const input = (events: EpcisEvent[]) => ({ events, source: 'native' as const, errorBehaviour: 'rollback' as const });

test('COPY text escapes backslash, newline, carriage return and tab, and writes NULL as \\N', () => {
  assert.equal(copyField(null), '\\N');
  assert.equal(copyField('a\\b\nc\rd\te'), 'a\\\\b\\nc\\rd\\te');
  assert.equal(copyField('溯源 \u2028'), '溯源 \u2028');
});

test('events with backslashes, line breaks, tabs and CJK text in their fields come back from the store unchanged', async () => {
  const event = {
    ...production(farm, code).event,
    'sy:note': 'C:\\温室\\一号\n第二行\r\t制表符 "引号" \\N',
    'example:ext': { path: 'a\\b', list: ['\t', '\\\\', '\n'] },
  } as EpcisEvent;
  const r = await t.db.tx((q) => captureInTx(q, actor(), input([event])));
  assert.equal(r.stored.length, 1);
  const row = (await t.db.pool.query('SELECT body FROM events WHERE seq = $1', [r.stored[0].seq])).rows[0];
  assert.equal(row.body['sy:note'], event['sy:note']);
  assert.deepEqual(row.body['example:ext'], event['example:ext']);
  const ids = (await t.db.pool.query('SELECT key, role FROM event_ids WHERE seq = $1', [r.stored[0].seq])).rows;
  assert.deepEqual(ids, [{ key: code, role: 'q' }]);
});

test('a capture stores its events in order under increasing sequence numbers, across the chunks its rows are sent in', async () => {
  const events = Array.from({ length: 450 }, () => production(farm, code).event);
  const r = await t.db.tx((q) => captureInTx(q, actor(), input(events)));
  assert.deepEqual(r.stored.map((s) => s.index), events.map((_, k) => k));
  const seqs = r.stored.map((s) => BigInt(s.seq));
  assert.ok(seqs.every((s, k) => k === 0 || s > seqs[k - 1]), 'increasing');
  const rows = (await t.db.pool.query(
    `SELECT e.event_time, e.event_id, (SELECT count(*)::int FROM event_ids i WHERE i.seq = e.seq) AS ids FROM events e WHERE e.seq = ANY($1) ORDER BY e.seq`,
    [r.stored.map((s) => s.seq)])).rows;
  assert.deepEqual(rows.map((x) => x.event_time.toISOString()), events.map((e) => new Date(e.eventTime).toISOString()));
  assert.deepEqual(rows.map((x) => x.event_id), r.stored.map((s) => s.eventId));
  assert.ok(rows.every((x) => x.ids === 1), 'each event has its identifier row');
});

test('two captures of the same events at the same time store them once: the later one reports them as duplicates', async () => {
  const shared = production(farm, code).event;
  const own = production(farm, code).event;
  const first = await t.db.pool.connect();
  try {
    await first.query('BEGIN');
    const a = await captureInTx(first, actor(), input([shared]));
    assert.equal(a.stored.length, 1);
    // The second capture looks before the first commits, so its COPY meets the first one's uncommitted row and waits.
    const second = t.db.tx((q) => captureInTx(q, actor(), input([own, shared])));
    await waitForLockWaiter();
    await first.query('COMMIT');
    const b = await second;
    assert.deepEqual(b.stored.map((s) => s.index), [0], 'the event of its own is stored');
    assert.deepEqual(b.duplicates.map((d) => d.index), [1], 'the shared event is a duplicate, not an error');
    assert.equal(b.duplicates[0].hashId, a.stored[0].hashId);
    const n = (await t.db.pool.query('SELECT count(*)::int AS n FROM events WHERE hash_id = $1', [a.stored[0].hashId])).rows[0].n;
    assert.equal(n, 1);
  } finally {
    first.release();
  }
  const orphans = (await t.db.pool.query('SELECT count(*)::int AS n FROM event_ids i LEFT JOIN events e ON e.seq = i.seq WHERE e.seq IS NULL')).rows[0].n;
  assert.equal(orphans, 0);
});

test('a capture holds the lock an INSERT into events takes before it draws sequence numbers (the dashboard rollup waits on it)', async () => {
  const client = await t.db.pool.connect();
  const drawn: boolean[] = [];
  const held = async () => (await client.query(
    `SELECT count(*)::int AS n FROM pg_locks WHERE pid = pg_backend_pid() AND locktype = 'relation'
        AND relation = 'events'::regclass AND mode = 'RowExclusiveLock'`)).rows[0].n > 0;
  // The client, with a look at its locks whenever a statement draws from the events sequence.
  const watched = {
    query: async (statement: unknown, values?: unknown[]) => {
      const text = typeof statement === 'string' ? statement : (statement as { text?: string }).text ?? '';
      if (text.includes('nextval(')) drawn.push(await held());
      return typeof statement === 'string' ? client.query(statement, values) : client.query(statement as never);
    },
  } as unknown as Queryable;
  try {
    await client.query('BEGIN');
    assert.equal(await held(), false);
    const r = await captureInTx(watched, actor(), input([production(farm, code).event]));
    assert.equal(r.stored.length, 1);
    assert.deepEqual(drawn, [true]);
  } finally {
    await client.query('ROLLBACK');
    client.release();
  }
});

const refusedFor = (code: string) => (e: unknown) => e instanceof DomainError && e.code === code;

test('an eventID already used by a different event is refused with EVENT_ID_CONFLICT, and nothing of the capture is stored', async () => {
  const a = { ...production(farm, code).event, eventID: 'urn:uuid:6f1c0c38-7f0e-4c43-9a55-000000000001' } as EpcisEvent;
  await t.db.tx((q) => captureInTx(q, actor(), input([a])));
  const other = production(farm, code).event;
  const b = { ...production(farm, code).event, eventID: a.eventID } as EpcisEvent;
  await assert.rejects(t.db.tx((q) => captureInTx(q, actor(), input([other, b]))), refusedFor('EVENT_ID_CONFLICT'));
  const n = (await t.db.pool.query('SELECT count(*)::int AS n FROM events WHERE hash_id = $1', [eventHashId(other)])).rows[0].n;
  assert.equal(n, 0, 'rolled back whole');
});

test('an event whose own hash ID another event took as its eventID is refused too (found at insert, checked again)', async () => {
  const later = production(farm, code).event;
  // An earlier capture named itself with the hash ID of `later` (nothing forbids an eventID of that form).
  const squatter = { ...production(farm, code).event, eventID: eventHashId(later) } as EpcisEvent;
  await t.db.tx((q) => captureInTx(q, actor(), input([squatter])));
  await assert.rejects(t.db.tx((q) => captureInTx(q, actor(), input([later]))), refusedFor('EVENT_ID_CONFLICT'));
  // With `proceed`, the other events of the capture are stored and the clash is reported for its index.
  const fresh = production(farm, code).event;
  const r = await t.db.tx((q) => captureInTx(q, actor(), { ...input([later, fresh]), errorBehaviour: 'proceed' as const }));
  assert.deepEqual(r.stored.map((x) => x.index), [1]);
  assert.deepEqual(r.errors.map((e) => [e.index, e.code]), [[0, 'EVENT_ID_CONFLICT']]);
});
