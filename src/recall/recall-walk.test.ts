import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createTestDatabase } from '../../test/harness.ts';
import type { Database } from '../platform/db.ts';
import type { Actor } from '../accounts/actor.ts';
import { generateCode } from '../codes/code-scheme.ts';
import { codeUri, partyUri, siteUri, type EpcisEvent } from '../events/events-fns.ts';
import { captureInTx, type Attribution } from '../events/events-service.ts';
import { commission, handOver, makeBatches, makeParties, sale, transform, type ChainEvent, type Party } from '../../bench/chain.ts';
import { walkLineage } from './recall-service.ts';
import { holdingsOf, onHand, type Holding, type Movement } from './recall-fns.ts';

// Opening an incident reads lean movements (no event id, time or details; linking events carry only the identifiers
// the walk follows); exports read detailed ones with every identifier. Both must find the same nodes, the same
// linking events and the same holdings, on a chain with every kind of step the holdings count.
const ADMIN: Actor = { role: 'platform-admin', username: 'walk-test' };
let db: Database;
let drop: () => Promise<void>;
const c: Record<'H' | 'X' | 'Y' | 'K' | 'N' | 'i1' | 'i2', string> = { H: '', X: '', Y: '', K: '', N: '', i1: '', i2: '' };

let clock = Date.parse('2026-03-01T00:00:00Z');
function event(type: string, who: Party, counterparty: Party | null, extra: EpcisEvent): ChainEvent {
  const attribution: Attribution = { operatorId: who.id, divisionCode: who.division, counterpartyId: counterparty?.id ?? null };
  return { event: { type, eventTime: new Date((clock += 1000)).toISOString(), eventTimeZoneOffset: '+08:00', bizLocation: { id: siteUri(who.site) }, ...extra }, attribution };
}
const qty = (code: string, quantity: number, unit = 'kg') => ({
  quantityList: [{ epcClass: codeUri(code), quantity, uom: 'KGM' }], 'sy:units': [{ epcClass: codeUri(code), unit }],
});

before(async () => {
  ({ db, drop } = await createTestDatabase());
  const [farm] = await makeParties(db.pool, 'producer', 1);
  const [processor, other] = await makeParties(db.pool, 'processor', 2);
  const [distributor] = await makeParties(db.pool, 'wholesale_market', 1);
  const [retailer] = await makeParties(db.pool, 'retailer', 1);
  [c.H, c.X, c.Y, c.K, c.N] = await makeBatches(db.pool, [farm, processor, distributor, distributor, other]);
  // Two item codes of X: one moves on its own (一品一码), one is packed.
  [c.i1, c.i2] = [generateCode('350', 'item'), generateCode('350', 'item')];
  await db.pool.query(
    `INSERT INTO codes (code, kind, status, owner_operator_id, batch_id, issued_via, activated_at)
     SELECT k, 'item', 'active', b.owner_operator_id, b.batch_id, 'platform', now() FROM unnest($1::text[]) AS k, codes b WHERE b.code = $2`,
    [[c.i1, c.i2], c.X]);
  const events: ChainEvent[] = [
    commission(farm, c.H),
    ...handOver(farm, processor, c.H, 800),
    // Received from a supplier with no record of its own.
    event('ObjectEvent', distributor, null, { action: 'OBSERVE', bizStep: 'receiving', ...qty(c.H, 50) }),
    transform(processor, [c.H, c.N], c.X),
    // Only the sender records this hand-over.
    handOver(processor, distributor, c.X, 60)[0],
    event('AggregationEvent', distributor, null, {
      action: 'ADD', bizStep: 'packing', parentID: codeUri(c.K), childEPCs: [codeUri(c.i1)],
      childQuantityList: [{ epcClass: codeUri(c.X), quantity: 20, uom: 'KGM' }], 'sy:units': [{ epcClass: codeUri(c.X), unit: '箱' }],
    }),
    transform(distributor, [c.X], c.Y),
    event('ObjectEvent', distributor, null, { action: 'DELETE', bizStep: 'destroying', disposition: 'destroyed', ...qty(c.Y, 5) }),
    ...handOver(distributor, retailer, c.Y, 30),
    ...handOver(distributor, retailer, c.K, 1),
    sale(retailer, c.Y),
    event('ObjectEvent', retailer, null, { action: 'OBSERVE', bizStep: 'retail_selling', disposition: 'retail_sold', epcList: [codeUri(c.i2)],
      sourceList: [{ type: 'owning_party', source: partyUri(retailer.uscc) }] }),
    // Unrelated to H.
    commission(other, c.N),
  ];
  const r = await db.tx((q) => captureInTx(q, ADMIN, { events: events.map((e) => e.event), attribution: events.map((e) => e.attribution), source: 'native', errorBehaviour: 'rollback' }));
  assert.equal(r.stored.length, events.length, JSON.stringify(r));
});
after(async () => { await drop?.(); });

const holdingRows = (hs: Holding[]) => hs.map((h) => [h.code, h.operatorId, h.unit, h.reached, h.passedOn, h.soldToConsumers, h.processed, h.destroyed].join('|')).sort();
const movementRows = (ms: readonly Movement[]) =>
  ms.map((m) => JSON.stringify([m.seq, m.key, m.role, m.eventType, m.action, m.bizStep, m.disposition, m.operatorId, m.counterpartyId, m.amount, !!m.links])).sort();

test('forward: the lean walk finds the nodes, movements and holdings of the detailed walk', async () => {
  const lean = await walkLineage(db.pool, [c.H], 'forward', 1000);
  const full = await walkLineage(db.pool, [c.H], 'forward', 1000, true);
  assert.deepEqual([...lean.state.nodes].sort(), [...full.state.nodes].sort());
  assert.deepEqual([...lean.state.nodes.keys()].sort(), [c.H, c.X, c.Y, c.K, c.i1, c.i2].sort(), 'outputs, containers and items that moved on their own');
  assert.deepEqual([...lean.state.events.keys()].sort(), [...full.state.events.keys()].sort());
  assert.equal(lean.state.truncated, full.state.truncated);
  assert.deepEqual(movementRows(lean.movements), movementRows(full.movements));
  assert.ok(lean.movements.every((m) => !('eventTime' in m) && !('eventId' in m)), 'opening reads no event time or id');

  const holdings = holdingsOf(lean.movements);
  assert.deepEqual(holdingRows(holdings), holdingRows(holdingsOf(full.movements)));
  // Every kind of step shows up, so the comparison covers them all.
  const sum = (f: (h: Holding) => number) => holdings.reduce((n, h) => n + f(h), 0);
  assert.ok([sum((h) => h.reached), sum((h) => h.passedOn), sum((h) => h.soldToConsumers), sum((h) => h.processed), sum((h) => h.destroyed), sum(onHand)].every((n) => n > 0));
  assert.ok(holdings.some((h) => h.unit === '箱') && holdings.some((h) => h.unit === '件'), 'written units and pieces');
});

test('backward: the lean walk finds the same upstream nodes and keeps the same linking events', async () => {
  for (const start of [c.Y, c.K]) {
    const lean = await walkLineage(db.pool, [start], 'backward', 1000);
    const full = await walkLineage(db.pool, [start], 'backward', 1000, true);
    assert.deepEqual([...lean.state.nodes].sort(), [...full.state.nodes].sort());
    assert.ok(lean.state.nodes.has(c.H) && lean.state.nodes.has(c.N), 'back to the farm and the other input');
    assert.deepEqual([...lean.state.events.keys()].sort(), [...full.state.events.keys()].sort());
    assert.deepEqual(movementRows(lean.movements), movementRows(full.movements));
  }
});

test('a walk stopped at the size limit stops at the same nodes', async () => {
  const lean = await walkLineage(db.pool, [c.H], 'forward', 3);
  const full = await walkLineage(db.pool, [c.H], 'forward', 3, true);
  assert.equal(lean.state.truncated, true);
  assert.deepEqual([...lean.state.nodes].sort(), [...full.state.nodes].sort());
  assert.deepEqual(holdingRows(holdingsOf(lean.movements)), holdingRows(holdingsOf(full.movements)));
});

test('a level read in several statements at once: same movements, and a linking event split across them links all its inputs', async () => {
  // 1,200 products of one ingredient: the second level is read in chunks (MOVEMENT_CHUNK keys each, in key order),
  // and one mix takes the first and the last product in key order, so its inputs come back in different statements.
  const [maker] = await makeParties(db.pool, 'processor', 1);
  const [g, mix, ...products] = await makeBatches(db.pool, Array.from({ length: 1202 }, () => maker));
  const sorted = [...products].sort();
  const [first, last] = [sorted[0], sorted[sorted.length - 1]];
  const events = [commission(maker, g), ...products.map((p) => transform(maker, [g], p)), transform(maker, [first, last], mix)];
  const r = await db.tx((q) => captureInTx(q, ADMIN, { events: events.map((e) => e.event), attribution: events.map((e) => e.attribution), source: 'native', errorBehaviour: 'rollback' }));
  assert.equal(r.stored.length, events.length);

  const lean = await walkLineage(db.pool, [g], 'forward', 5000);
  const full = await walkLineage(db.pool, [g], 'forward', 5000, true);
  assert.equal(lean.state.nodes.size, 1202);
  assert.equal(lean.state.nodes.get(mix), 2);
  assert.deepEqual([...lean.state.nodes].sort(), [...full.state.nodes].sort());
  assert.deepEqual(movementRows(lean.movements), movementRows(full.movements));
  assert.deepEqual(holdingRows(holdingsOf(lean.movements)), holdingRows(holdingsOf(full.movements)));
  const into = (s: typeof lean.state) => [...s.edges.values()].filter((e) => e.to === mix).map((e) => e.from).sort();
  assert.deepEqual(into(lean.state), [first, last]);
  assert.deepEqual(into(full.state), [first, last]);
  // Through one connection (a transaction) the chunks queue, with the same outcome.
  const queued = await db.tx((q) => walkLineage(q, [g], 'forward', 5000));
  assert.deepEqual(movementRows(queued.movements), movementRows(lean.movements));
});
