import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildBatch, buildChain, buildOperator, buildProduct, buildSite, buildUser } from '../../test/builders.ts';
import { aggregation, captureAs, receiving, shipping, type Party } from '../../test/event-builders.ts';
import { codeUri } from '../events/events-fns.ts';
import { canonicalGs1Uri } from '../events/epc-uri.ts';
import { generateCode } from '../codes/code-scheme.ts';
import { createTraceService } from './trace-service.ts';
import { pgLineageSource } from './trace-dal.ts';
import type { LineageSource } from './trace-types.ts';

// A farm packs two item codes of its batch onto a pallet with a foreign SSCC and ships the pallet to a packer.
const GTIN = '06901234567892';
const SSCC = 'urn:epc:id:sscc:0614141.1234567890';
// A foreign EPC is looked up as given and in its canonical Digital Link form, since captures may use either.
const SSCC_DL = canonicalGs1Uri(SSCC)!;
let t: TestApp;
let farm: Party;
let packer: Party;
let batch: { id: string; code: string; lot: string };
let items: string[];
const ev: Record<'production' | 'pack' | 'ship' | 'receive', string> = { production: '', pack: '', ship: '', receive: '' };
let admin: string;

async function party(division: string, kind: string, types: string[]): Promise<Party> {
  const op = await buildOperator(t, { division, types });
  const site = await buildSite(t, op, { divisionCode: division, kind });
  return { ...op, siteId: site.id, division };
}

before(async () => {
  t = await startTestApp();
  admin = await t.adminToken();
  farm = await party('350121', 'farm_plot', ['producer']);
  packer = await party('350102', 'warehouse', ['logistics']);
  const product = await buildProduct(t, farm, { gtin: GTIN });
  const b = await buildBatch(t, farm, { productId: product.id, siteId: farm.siteId, lotNumber: 'LOT-A1' });
  batch = { id: b.id, code: b.batchCode!.code, lot: 'LOT-A1' };
  items = (await t.call('POST', `/api/v1/batches/${b.id}/item-codes`, { as: farm.adminToken, body: { count: 2 } })).body.codes;
  ev.production = (await t.db.pool.query<{ event_id: string }>(
    `SELECT e.event_id FROM events e JOIN event_ids i ON i.seq = e.seq WHERE i.key = $1`, [batch.code])).rows[0].event_id;
  [ev.pack, ev.ship] = await captureAs(t, farm, [aggregation(farm, SSCC, items.map(codeUri)), shipping(farm, packer, SSCC)]);
  [ev.receive] = await captureAs(t, packer, [receiving(packer, farm, SSCC)]);
});
after(async () => { await t?.close(); });

const trace = (code: string, direction = 'both', as = admin) =>
  t.call('GET', `/api/v1/trace?code=${encodeURIComponent(code)}&direction=${direction}`, { as });
const eventIds = (body: any) => body.events.map((e: any) => e.eventID);

test('a code in any form starts the same trace: bare, spaced and lower case, scan URL, EPC URI, Digital Link with serial', async () => {
  const item = items[0];
  const spaced = `${item.slice(0, 4)} ${item.slice(4, 8)} ${item.slice(8)}`.toLowerCase();
  const forms = [item, spaced, `https://elsewhere.example/t/${item}`, codeUri(item), `https://scan.test/01/${GTIN}/21/${item}`];
  for (const form of forms) {
    const r = await trace(form, 'forward');
    assert.equal(r.status, 200, `${form}: ${r.text}`);
    assert.deepEqual(r.body.start, [item], form);
    assert.deepEqual(eventIds(r.body), [ev.pack, ev.ship, ev.receive], form);
  }
});

test('forward from an item: into its pallet (a foreign EPC, a bare node) and with the pallet to the packer', async () => {
  const r = await trace(items[0], 'forward');
  assert.deepEqual(r.body.nodes.map((n: any) => [n.key, n.kind, n.depth]), [[items[0], 'item', 0], [SSCC, 'epc', 1]]);
  const node = r.body.nodes[0];
  assert.deepEqual([node.batch.lotNumber, node.product.gtin, node.operator.id, node.site.divisionCode], ['LOT-A1', GTIN, farm.id, '350121']);
  assert.deepEqual(r.body.nodes[1], { key: SSCC, uri: SSCC, kind: 'epc', depth: 1 });
  const edges = r.body.edges.map((e: any) => `${e.kind}:${e.from === SSCC ? 'S' : 'I'}>${e.to === SSCC ? 'S' : 'I'}`).sort();
  assert.deepEqual(edges, ['aggregation:I>S', 'handover:S>S', 'handover:S>S']);
  const ship = r.body.edges.find((e: any) => e.eventID === ev.ship);
  assert.deepEqual([ship.fromOperator.id, ship.toOperator.id, ship.type, ship.bizStep], [farm.id, packer.id, 'ObjectEvent', 'shipping']);
  const recv = r.body.edges.find((e: any) => e.eventID === ev.receive);
  assert.deepEqual([recv.fromOperator.id, recv.toOperator.id], [farm.id, packer.id], 'the receipt runs from the supplier too');
  const shown = r.body.events[1];
  assert.equal(shown.eventID, ev.ship);
  assert.match(shown.recordTime, /^\d{4}-\d\d-\d\dT/);
  assert.match(shown['sy:seq'], /^\d+$/);
  assert.deepEqual([r.body.levels, r.body.truncated], [2, false]);
});

test('backward from the pallet by its EPC URI: its contents, and nothing of the batch the items belong to', async () => {
  const r = await trace(SSCC, 'backward');
  assert.deepEqual(r.body.start, [SSCC, SSCC_DL]);
  assert.deepEqual(r.body.nodes.map((n: any) => n.key).sort(), [SSCC, SSCC_DL, ...items].sort());
  assert.deepEqual(eventIds(r.body), [ev.pack, ev.ship, ev.receive]);
});

test('a Digital Link naming GTIN and lot starts from the batch\'s codes', async () => {
  const r = await trace(`https://scan.test/01/${GTIN}/10/${batch.lot}`, 'both');
  assert.deepEqual(r.body.start, [batch.code]);
  assert.deepEqual(eventIds(r.body), [ev.production]);
  assert.equal(r.body.nodes[0].batch.id, batch.id);
});

test('unknown and malformed codes: 404 CODE_UNKNOWN (still logged), 400 CODE_FORMAT; a foreign EPC nobody named is an empty graph', async () => {
  const before = Number((await t.db.pool.query('SELECT count(*) FROM query_log')).rows[0].count);
  const unknown = generateCode('350', 'batch');
  assert.deepEqual([(await trace(unknown)).status, (await trace(unknown)).body.code], [404, 'CODE_UNKNOWN']);
  assert.equal((await trace(codeUri(unknown))).status, 404);
  assert.equal(Number((await t.db.pool.query('SELECT count(*) FROM query_log')).rows[0].count), before + 3);
  assert.deepEqual([(await trace('not a code')).status, (await trace('not a code')).body.code], [400, 'CODE_FORMAT']);
  assert.equal((await trace(`urn:suyuan:code:${unknown.slice(0, 15)}${unknown[15] === '0' ? '1' : '0'}`)).body.code, 'CODE_CHECKSUM');
  const foreign = await trace('urn:epc:id:sgtin:0614141.107346.2017');
  assert.deepEqual([foreign.status, foreign.body.events, foreign.body.nodes[0].kind], [200, [], 'epc']);
});

test('one batched query per level, through a replaceable source; the service re-checks visibility whatever the source returns', async () => {
  const calls: string[][] = [];
  // A source that forgets the viewer, as a careless federated implementation might.
  const leaky = (q: Parameters<typeof pgLineageSource>[0]): LineageSource => ({
    expand: async (keys) => { calls.push([...keys]); return pgLineageSource(q).expand(keys, { role: 'platform-admin' }); },
  });
  const service = createTraceService({ db: t.db, codes: t.services.codes, source: leaky });
  const asAdmin = await service.trace({ role: 'platform-admin', userId: 'x' }, { code: items[0], direction: 'forward' });
  assert.deepEqual(calls, [[items[0]], [SSCC]]);
  assert.equal(asAdmin.events.length, 3);
  calls.length = 0;
  // The packer sees the pallet's hand-over to it, not the farm's packing: it does not reach the items.
  const asPacker = await service.trace({ role: 'operator-admin', operatorId: packer.id }, { code: SSCC, direction: 'backward' });
  assert.deepEqual(asPacker.events.map((e) => e.eventID), [ev.ship, ev.receive]);
  assert.deepEqual(asPacker.nodes.map((n) => n.key).sort(), [SSCC, SSCC_DL].sort());
  assert.equal(calls.length, 1);
});

test('size guard: a trace stops admitting nodes at the limit and says truncated', async () => {
  const small = createTraceService({ db: t.db, codes: t.services.codes, maxNodes: 3 });
  const r = await small.trace({ role: 'platform-admin' }, { code: SSCC, direction: 'backward' });
  assert.deepEqual([r.nodes.length, r.truncated], [3, true]);
  for (const e of r.edges) assert.ok(r.nodes.some((n) => n.key === e.from) && r.nodes.some((n) => n.key === e.to));
});

test('event by id: 404 EVENT_NOT_FOUND for an unknown id, logged with no result', async () => {
  const r = await t.call('GET', `/api/v1/events/${encodeURIComponent('urn:uuid:00000000-0000-4000-8000-000000000000')}`, { as: admin });
  assert.deepEqual([r.status, r.body.code], [404, 'EVENT_NOT_FOUND']);
  const last = (await t.db.pool.query('SELECT kind, result_count, subject_division FROM query_log ORDER BY id DESC LIMIT 1')).rows[0];
  assert.deepEqual(last, { kind: 'event', result_count: 0, subject_division: null });
  const ok = await t.call('GET', `/api/v1/events/${encodeURIComponent(ev.ship)}`, { as: farm.adminToken });
  assert.deepEqual([ok.status, ok.body.eventID, ok.body.type], [200, ev.ship, 'ObjectEvent']);
});

test('a chain recorded through the native records traces end to end, backward from the processed batch', async () => {
  const chain = await buildChain(t);
  const r = await trace(chain.codes.processed, 'backward');
  const e = chain.events;
  assert.deepEqual(eventIds(r.body), [
    e.harvest, e.farmShipping, e.processorReceiving, e.transformation, e.processorShipping, e.marketReceiving, e.marketSale, e.supermarketReceiving, e.retailSale,
  ].map((x) => x.eventId));
  assert.deepEqual(r.body.edges.filter((x: any) => x.kind === 'transformation').map((x: any) => [x.from, x.to]), [[chain.codes.harvest, chain.codes.processed]]);
  const sale = r.body.edges.find((x: any) => x.eventID === e.marketSale.eventId);
  assert.deepEqual([sale.fromOperator.id, sale.toOperator.id], [chain.market.id, chain.supermarket.id]);
});

test('the query log: admins read all of it, a regulator the entries asked from or about its jurisdiction, nobody else', async () => {
  const xiamen = await buildUser(t, 'regulator', { jurisdiction: '350200' });
  await trace(items[0], 'both', xiamen.token);
  const all = await t.call('GET', '/api/v1/query-log?kind=trace&limit=500', { as: admin });
  assert.equal(all.status, 200);
  assert.ok(all.body.items.length > 10 && all.body.items.every((i: any) => i.kind === 'trace'));
  assert.ok(all.body.items.some((i: any) => i.subjectDivision === '350121' && i.query.code === items[0]));
  const mine = await t.call('GET', '/api/v1/query-log', { as: xiamen.token });
  assert.equal(mine.status, 200);
  assert.ok(mine.body.items.length >= 1);
  for (const i of mine.body.items) assert.ok([i.actorDivision, i.subjectDivision].some((d) => d?.startsWith('3502')), JSON.stringify(i));
  const page = await t.call('GET', `/api/v1/query-log?limit=2&before=${all.body.items[0].id}`, { as: admin });
  assert.ok(page.body.items.length === 2 && page.body.items.every((i: any) => Number(i.id) < Number(all.body.items[0].id)));
  assert.equal((await t.call('GET', '/api/v1/query-log', { as: farm.adminToken })).status, 403);
  assert.equal((await t.call('GET', '/api/v1/query-log')).status, 401);
});
