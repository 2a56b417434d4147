import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createTestDatabase } from '../../test/harness.ts';
import type { Database } from '../platform/db.ts';
import type { Actor } from '../accounts/actor.ts';
import { generateCode } from '../codes/code-scheme.ts';
import { codeUri, siteUri } from '../events/events-fns.ts';
import { captureInTx } from '../events/events-service.ts';
import { makeBatches, makeParties, type Party } from '../../bench/chain.ts';
import { recallDal, type StoredHolding } from './recall-dal.ts';
import { createRecallService } from './recall-service.ts';

// Item codes (一品一码) are reached through their lot without reading every item code the lot was issued: capture
// keeps the items that move on their own by lot (moved_items), and each scan keeps the lot it resolved
// (scans.batch_id). Migration 0017 builds both from what was stored before it.
const ADMIN: Actor = { role: 'platform-admin', username: 'scale-test' };
let db: Database;
let drop: () => Promise<void>;
let maker: Party;
// B: an affected lot with a second batch code B2 and items i1 (moves on its own), i2 and i3 (never move);
// C: a lot that is not affected, whose item j1 moves on its own and is affected.
const c = { B: '', B2: '', C: '', i1: '', i2: '', i3: '', j1: '' };
const lotOf = { B: '', C: '' };
let dlLot = '';

const MIGRATION = fs.readFileSync(new URL('../../migrations/0017_item_codes_by_lot.sql', import.meta.url), 'utf8');
let clock = Date.parse('2026-05-01T00:00:00Z');
async function observe(...codes: string[]) {
  const event = {
    type: 'ObjectEvent', action: 'OBSERVE', bizStep: 'inspecting', eventTime: new Date((clock += 1000)).toISOString(), eventTimeZoneOffset: '+08:00',
    bizLocation: { id: siteUri(maker.site) }, epcList: codes.map(codeUri),
  };
  const r = await db.tx((q) => captureInTx(q, ADMIN, {
    events: [event], attribution: [{ operatorId: maker.id, divisionCode: maker.division, counterpartyId: null }], source: 'native', errorBehaviour: 'rollback',
  }));
  assert.equal(r.stored.length, 1);
}
const movedItems = async () => (await db.pool.query<{ batch_id: string; code: string }>('SELECT batch_id, code FROM moved_items ORDER BY code')).rows
  .map((r) => [r.batch_id, r.code]);

before(async () => {
  ({ db, drop } = await createTestDatabase());
  [maker] = await makeParties(db.pool, 'processor', 1);
  [c.B, c.C] = await makeBatches(db.pool, [maker, maker]);
  const lots = (await db.pool.query<{ code: string; batch_id: string; lot_number: string; product_id: string }>(
    'SELECT c.code, c.batch_id, b.lot_number, b.product_id FROM codes c JOIN batches b ON b.id = c.batch_id WHERE c.code = ANY($1)', [[c.B, c.C]])).rows;
  const b = lots.find((l) => l.code === c.B)!;
  lotOf.B = b.batch_id;
  lotOf.C = lots.find((l) => l.code === c.C)!.batch_id;
  await db.pool.query(`UPDATE products SET gtin = '06901234567892' WHERE id = $1`, [b.product_id]);
  dlLot = `01/06901234567892/10/${b.lot_number}`;
  [c.B2, c.i1, c.i2, c.i3, c.j1] = [generateCode('350', 'batch'), ...Array.from({ length: 4 }, () => generateCode('350', 'item'))];
  await db.pool.query(
    `INSERT INTO codes (code, kind, status, owner_operator_id, batch_id, issued_via, activated_at)
     SELECT x.code, x.kind, 'active', $3, x.batch, 'platform', now() FROM unnest($1::text[], $2::text[], $4::uuid[]) AS x(code, kind, batch)`,
    [[c.B2, c.i1, c.i2, c.i3, c.j1], ['batch', 'item', 'item', 'item', 'item'], maker.id, [lotOf.B, lotOf.B, lotOf.B, lotOf.B, lotOf.C]]);
});
after(async () => { await drop?.(); });

test('capture keeps the item codes that move on their own by lot; migration 0017 rebuilds them and the scans\' lots', async () => {
  await observe(c.i1, c.B);
  await observe(c.j1, c.i1);
  assert.deepEqual(await movedItems(), [[lotOf.B, c.i1], [lotOf.C, c.j1]].sort((x, y) => (x[1] < y[1] ? -1 : 1)));

  // Scans logged before migration 0017, with no lot.
  const unknown = generateCode('350', 'batch');
  await db.pool.query(
    `INSERT INTO scans (code, result) SELECT * FROM unnest($1::text[], $2::text[])`,
    [[c.B, c.i2, dlLot, c.j1, unknown, 'not a code'], ['active', 'active', 'active', 'active', 'unknown', 'malformed']]);
  const before = await movedItems();
  await db.pool.query('DELETE FROM moved_items');
  await db.pool.query(MIGRATION);
  assert.deepEqual(await movedItems(), before, 'rebuilt from the stored events');
  const lots = (await db.pool.query<{ code: string; batch_id: string | null }>('SELECT code, batch_id FROM scans')).rows;
  assert.deepEqual(Object.fromEntries(lots.map((s) => [s.code, s.batch_id])), {
    [c.B]: lotOf.B, [c.i2]: lotOf.B, [dlLot]: lotOf.B, [c.j1]: lotOf.C, [unknown]: null, 'not a code': null,
  });
  await db.pool.query('DELETE FROM scans');
});

test('consumer scans count once, for the scanned code when it is affected, else for its lot, and are placed by the lot\'s holdings', async () => {
  const dal = recallDal(db.pool);
  const incident = await dal.insertIncident({
    reason: 'complaint', severity: 'level_3', description: null, jurisdiction: maker.division, warningId: null, codes: [c.B], escalateAfterMinutes: 60,
    openedBy: 'test', openedRole: 'platform-admin', now: new Date(),
  });
  // Both of B's batch codes are affected, but only the higher one has holdings (the lower was activated into the lot
  // and never used): the lot's scans must still be placed where the lot's goods are, not nowhere.
  const [low, high] = [c.B, c.B2].sort();
  const held = (code: string): StoredHolding => ({
    code, operator_id: maker.id, unit: 'kg', depth: 0, reached: '10', passed_on: '0', sold_to_consumers: '10', processed: '0', destroyed: '0', on_hand: '0',
  });
  await dal.replaceAffected(incident.id, {
    codes: [low, high, c.i1, c.j1], operators: [maker.id], holdings: [held(high), held(c.i1), held(c.j1)], truncated: false, now: new Date(),
  });
  const scans: Array<[string, string, number]> = [
    [high, lotOf.B, 1], [c.i1, lotOf.B, 2], [c.i2, lotOf.B, 3], [dlLot, lotOf.B, 1],
    [c.j1, lotOf.C, 2],
    // C is not affected: its batch code's scans count nowhere.
    [c.C, lotOf.C, 4],
  ];
  await db.pool.query(
    `INSERT INTO scans (code, result, batch_id, at) SELECT x.code, 'active', x.lot, '2026-05-02T04:00:00Z' FROM unnest($1::text[], $2::uuid[], $3::int[]) AS x(code, lot, n), generate_series(1, x.n)`,
    [scans.map((x) => x[0]), scans.map((x) => x[1]), scans.map((x) => x[2])]);
  const counted = await dal.scansByDay(incident.id);
  assert.deepEqual(counted.map((r) => [r.codes.join('+'), r.scans]).sort(), [
    [high, 1], [c.i1, 2], [c.j1, 2],
    // i2 (never moved) and the Digital Link lot count for the lot.
    [`${low}+${high}`, 3 + 1],
  ].sort());
  assert.deepEqual([...new Set(counted.map((r) => r.day))], ['2026-05-02']);

  const impact = await createRecallService({ db, capture: captureInTx, publicUrl: 'http://scale.test' }).impact(ADMIN, incident.id);
  assert.equal(impact.scans.total, 9, 'every scan of affected goods once, none of the lot that is not affected');
  assert.deepEqual(impact.scans.byDivisionAndDay.map((r) => [r.divisionCode, r.day, r.scans]), [[maker.division, '2026-05-02', 9]]);
});
