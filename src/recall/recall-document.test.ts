import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createTestDatabase } from '../../test/harness.ts';
import type { Database } from '../platform/db.ts';
import { recallDal, holdingsDocument, holdingsOfDocument, type StoredHolding } from './recall-dal.ts';

// The affected set's holdings are stored as one positional document (migration 0016). What goes in must come out,
// field for field and in order, and documents written in the old named-field form must read the same after the
// migration rewrites them.
let db: Database;
let drop: () => Promise<void>;
before(async () => { ({ db, drop } = await createTestDatabase()); });
after(async () => { await drop(); });

const A = '11111111-1111-4111-8111-111111111111';
const B = '22222222-2222-4222-8222-222222222222';
const holdings: StoredHolding[] = [
  { code: '350ABCDEFGHJKLMN', operator_id: B, unit: 'kg', depth: 0, reached: '12.5', passed_on: '10', sold_to_consumers: '0', processed: '0', destroyed: '0.125', on_hand: '2.375' },
  { code: '350ABCDEFGHJKLMN', operator_id: A, unit: '箱', depth: 0, reached: '3', passed_on: '0', sold_to_consumers: '1', processed: '0', destroyed: '0', on_hand: '2' },
  // A foreign identifier with characters JSON must escape.
  { code: 'urn:epc:class:lgtin:"x"\\y', operator_id: A, unit: '件 "pcs"', depth: 2, reached: '1', passed_on: '0', sold_to_consumers: '0', processed: '1', destroyed: '0', on_hand: '0' },
];

test('the positional document gives back every holding, field for field, in order', () => {
  const doc = holdingsDocument(holdings, [A, B]);
  assert.deepEqual(holdingsOfDocument(doc, [A, B]), holdings);
  assert.deepEqual(JSON.parse(doc)[0], ['350ABCDEFGHJKLMN', 1, 'kg', 0, '12.5', '10', '0', '0', '0.125', '2.375']);
  assert.deepEqual(holdingsOfDocument(holdingsDocument([], []), []), []);
  assert.throws(() => holdingsDocument(holdings, [A]), /not among the affected operators/);
});

test('stored and read through the store, and old named-field documents rewritten by migration 0016', async () => {
  const dal = recallDal(db.pool);
  const open = (codes: string[]) => dal.insertIncident({
    reason: 'complaint', severity: 'level_3', description: null, jurisdiction: '350000', warningId: null, codes, escalateAfterMinutes: 60,
    openedBy: 'test', openedRole: 'platform-admin', now: new Date(),
  });
  const fresh = await open(['350ABCDEFGHJKLMN']);
  const now = new Date('2026-11-23T08:00:00Z');
  await dal.replaceAffected(fresh.id, { codes: ['350ABCDEFGHJKLMN'], operators: [A, B], holdings, truncated: false, now });
  const read = await dal.affected(fresh.id);
  assert.deepEqual(read?.holdings, holdings);
  assert.deepEqual(read?.operators, [A, B]);
  assert.equal(read?.codes, 1);
  // A computation that began before the stored one (two refreshes side by side) does not replace it; a later one does.
  const earlier = new Date(now.getTime() - 60_000);
  assert.equal(await dal.replaceAffected(fresh.id, { codes: [], operators: [], holdings: [], truncated: false, now: earlier }), false);
  assert.deepEqual((await dal.affected(fresh.id))?.holdings, holdings);
  assert.equal(await dal.replaceAffected(fresh.id, { codes: ['350ABCDEFGHJKLMN'], operators: [A, B], holdings, truncated: false, now }), true, 'the same time again');

  // A document as the code before migration 0016 wrote it: named fields, operators by id.
  const old = await open(['350ABCDEFGHJKLMN']);
  await db.pool.query(
    `INSERT INTO incident_affected (incident_id, computed_at, truncated, codes, operators, holding_count, holdings) VALUES ($1, $2, false, $3, $4, $5, $6)`,
    [old.id, now, ['350ABCDEFGHJKLMN'], [A, B], holdings.length, JSON.stringify(holdings)]);
  // And one with no holdings at all.
  const empty = await open(['350ABCDEFGHJKLMN']);
  await db.pool.query(
    `INSERT INTO incident_affected (incident_id, computed_at, truncated, codes, operators, holding_count, holdings) VALUES ($1, $2, false, '{}', '{}', 0, '[]')`,
    [empty.id, now]);
  await db.pool.query(fs.readFileSync(new URL('../../migrations/0016_affected_holdings_rows.sql', import.meta.url), 'utf8'));
  assert.deepEqual((await dal.affected(old.id))?.holdings, holdings);
  // A document already positional is left as it is.
  assert.deepEqual((await dal.affected(fresh.id))?.holdings, holdings);
  assert.deepEqual((await dal.affected(empty.id))?.holdings, []);
});
