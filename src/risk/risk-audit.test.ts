import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { riskKit } from '../../test/risk-kit.ts';
import { buildOperator, buildProduct, buildSite } from '../../test/builders.ts';
import { aggregation, captureAs } from '../../test/event-builders.ts';
import { captureInTx } from '../events/events-service.ts';
import { chinaDate } from '../catalog/catalog-fns.ts';

// Findings of the risk-rule audits: events declared erroneous, item codes in hold proposals, closed warnings that came
// back at the next scheduled run; mass balance across units, banned inputs sold, complaints naming products counted
// against their operator. Its own database: the scheduled runs here sweep only what these tests record.
let t: TestApp;
let admin: string;
type Kit = ReturnType<typeof riskKit>;
let record: Kit['record'];
let warnings: Kit['warnings'];
let grower: Kit['grower'];
let settings: Kit['settings'];
before(async () => {
  t = await startTestApp();
  admin = await t.adminToken();
  ({ record, warnings, grower, settings } = riskKit(t, admin));
});
after(async () => { await t.close(); });

const ADMIN = { role: 'platform-admin' as const };
const today = () => chinaDate(new Date());
/** A market that records receipts from a smallholder with no upstream record (entry admission missing). */
async function receiverWithoutUpstream() {
  const market = await grower({ division: '350203', types: ['wholesale_market'] });
  const unrecorded = () => record(market.adminToken, 'receiving', {
    siteId: market.siteId, from: { name: '散户王某' }, noUpstreamRecord: { productId: market.productId, quantity: 20 },
  });
  return { market, unrecorded };
}
/** The recorder declares a stored event erroneous: the event re-sent with an errorDeclaration (EPCIS 2.0). */
async function declareErroneous(operatorId: string, seq: string) {
  const { body } = (await t.db.pool.query('SELECT body FROM events WHERE seq = $1', [seq])).rows[0];
  const r = await t.db.tx((q) => captureInTx(q, { role: 'operator-admin', operatorId }, {
    source: 'epcis', errorBehaviour: 'rollback',
    events: [{ ...body, errorDeclaration: { declarationTime: new Date().toISOString(), reason: 'incorrect_data' } }],
  }));
  assert.deepEqual(r.declared.map((d) => d.seq), [seq], JSON.stringify(r));
}
const close = async (id: string) => {
  const r = await t.call('POST', `/api/v1/risk/warnings/${id}/close`, { as: admin, body: { reason: '已核实 / checked' } });
  assert.equal(r.status, 200, r.text);
};

test('an event declared erroneous counts for no rule: the 1000 kg shipping that should have read 100 kg, and a receipt without upstream record', async () => {
  const g = await grower();
  const buyer = await grower({ division: '350102', types: ['wholesale_market'] });
  const code = (await record(g.adminToken, 'harvest', { productId: g.productId, siteId: g.siteId, quantity: 500, harvestedOn: today() })).batches[0].batchCode.code;
  const ship = (quantity: number) => record(g.adminToken, 'shipping', { siteId: g.siteId, to: { operatorId: buyer.id }, goods: [{ code, quantity }] });
  const wrong = await ship(1000);
  const [w] = await warnings('mass_balance', g.id);
  assert.deepEqual([w.facts.in, w.facts.out, w.occurrences], [500, 1000, 1]);

  // The farm declares the shipping erroneous and records what it shipped.
  await declareErroneous(g.id, wrong.event.seq);
  await ship(100);
  const after = await warnings('mass_balance', g.id);
  // The open warning is left for a person to close (not closed by the correction), gains nothing, and shows its
  // evidence as declared erroneous.
  assert.deepEqual(after.map((x) => [x.id, x.status, x.occurrences]), [[w.id, 'open', 1]], '100 of 500 kg went out: nothing to add');
  const detail = (await t.call('GET', `/api/v1/risk/warnings/${w.id}`, { as: admin })).body;
  assert.deepEqual(detail.events.map((e: any) => [e.seq, e.errorDeclared]), [[wrong.event.seq, true]]);
  // Closed, neither the schedule nor another shipping within the balance raises it again.
  await close(w.id);
  await t.services.risk.run(ADMIN);
  await ship(300);
  assert.deepEqual((await warnings('mass_balance', g.id)).map((x) => x.status), ['closed'], '400 of 500 kg');

  // A rate: a receipt without upstream record declared erroneous is not a receipt.
  assert.equal((await settings('entry_admission_missing', { minReceipts: 2, maxRatePercent: 50 })).status, 200);
  try {
    const { market, unrecorded } = await receiverWithoutUpstream();
    await declareErroneous(market.id, (await unrecorded()).event.seq);
    await unrecorded();
    assert.deepEqual(await warnings('entry_admission_missing', market.id), [], 'one live receipt is too few to judge');
    await t.services.risk.run(ADMIN);
    assert.deepEqual(await warnings('entry_admission_missing', market.id), [], 'nor does the schedule count it');
  } finally {
    await settings('entry_admission_missing', {});
  }
});

test('the hold proposal of a failed inspection covers item codes of the batch that moved on their own, and where they went', async () => {
  const farm = await grower();
  const shop = await grower({ division: '350102', types: ['retailer'] });
  const batch = (await record(farm.adminToken, 'harvest', { productId: farm.productId, siteId: farm.siteId, quantity: 10, harvestedOn: today() })).batches[0];
  const issued = await t.call('POST', `/api/v1/batches/${batch.id}/item-codes`, { as: farm.adminToken, body: { count: 2 } });
  assert.equal(issued.status, 201, issued.text);
  const [moved, stayed] = issued.body.codes as string[];
  // One item is shipped on its own; the shop packs it into a pallet.
  await record(farm.adminToken, 'shipping', { siteId: farm.siteId, to: { operatorId: shop.id }, goods: [{ code: moved }] });
  const pallet = 'urn:epc:id:sscc:0614141.1234567890';
  await captureAs(t, shop, [aggregation(shop, pallet, [`urn:suyuan:code:${moved}`])]);

  await record(farm.adminToken, 'inspection', {
    code: batch.batchCode.code, kind: 'rapid_test', lab: '基地快检室', reportNo: 'KJ-ITEM', result: 'fail', items: [{ name: '有机磷', value: '70%', limit: '50%', result: 'fail' }],
  });
  const [w] = await warnings('inspection_failed', farm.id);
  const hold = (await t.call('GET', `/api/v1/risk/warnings/${w.id}`, { as: admin })).body.holdProposal;
  assert.deepEqual(hold.startCodes, [batch.batchCode.code]);
  assert.ok(hold.affectedCodes.includes(moved), `the item that moved on its own: ${hold.affectedCodes}`);
  assert.ok(hold.affectedCodes.includes(pallet), 'and the pallet it went into');
  assert.ok(!hold.affectedCodes.includes(stayed), 'an item that never moved is held through its batch');
  assert.ok(hold.affectedOperatorIds.includes(shop.id), 'the shop holds the item');
});

test('a closed complaint cluster stays closed at the next scheduled runs until another complaint comes', async () => {
  const maker = await buildOperator(t, { division: '350206' });
  const product = await buildProduct(t, maker, { name: '速冻汤圆' });
  const complain = (ago: string) => t.db.pool.query(
    `INSERT INTO complaints (product_id, summary, channel, received_at) VALUES ($1, '吃后腹泻', '12315', now() - $2::interval)`, [product.id, ago]);
  for (const ago of ['3 days', '2 days', '1 day']) await complain(ago);
  await t.services.risk.run(ADMIN);
  const [w] = await warnings('complaint_cluster', maker.id);
  assert.deepEqual([w.subject, w.facts.complaints], [`product:${product.id}`, 3]);
  await close(w.id);

  await t.services.risk.run(ADMIN);
  await t.services.risk.run(ADMIN);
  assert.deepEqual((await warnings('complaint_cluster', maker.id)).map((x) => x.status), ['closed'], 'the same three complaints raise nothing');

  await complain('0 seconds');
  await t.services.risk.run(ADMIN);
  const again = await warnings('complaint_cluster', maker.id);
  assert.deepEqual(again.map((x) => [x.status, x.facts.complaints]), [['open', 4], ['closed', 3]], 'a new complaint raises it again');
});

test('closed mass-balance, clone and entry-admission warnings are not raised again by the schedule re-reading its overlap', async () => {
  // Mass balance, raised on capture and closed: the next run sweeps the same shipping again.
  const g = await grower();
  const buyer = await grower({ division: '350102', types: ['wholesale_market'] });
  const code = (await record(g.adminToken, 'harvest', { productId: g.productId, siteId: g.siteId, quantity: 100, harvestedOn: today() })).batches[0].batchCode.code;
  const ship = (quantity: number) => record(g.adminToken, 'shipping', { siteId: g.siteId, to: { operatorId: buyer.id }, goods: [{ code, quantity }] });
  await ship(150);
  const [mb] = await warnings('mass_balance', g.id);
  await close(mb.id);

  // A copied item code, raised by the schedule and closed.
  const maker = await buildOperator(t, { division: '350206' });
  const batch = await t.call('POST', '/api/v1/batches', {
    as: maker.adminToken, body: { productId: (await buildProduct(t, maker)).id, siteId: (await buildSite(t, maker)).id, lotNumber: 'CLONE-1', quantity: 10, producedOn: today() },
  });
  const [item] = (await t.call('POST', `/api/v1/batches/${batch.body.id}/item-codes`, { as: maker.adminToken, body: { count: 1 } })).body.codes as string[];
  const scan = (ago: string, lat: number, lng: number) => t.db.pool.query(
    `INSERT INTO scans (code, at, result, lat, lng, located_at) VALUES ($1, now() - $2::interval, 'active', $3, $4, now() - $2::interval)`, [item, ago, lat, lng]);
  await scan('2 hours', 24.5, 118.1);
  await scan('10 minutes', 39.9, 116.4);

  // Receipts without upstream record above the rate, raised on capture and closed.
  assert.equal((await settings('entry_admission_missing', { minReceipts: 2, maxRatePercent: 50 })).status, 200);
  try {
    const { market, unrecorded } = await receiverWithoutUpstream();
    await unrecorded();
    await unrecorded();
    const [ea] = await warnings('entry_admission_missing', market.id);
    await close(ea.id);

    await t.services.risk.run(ADMIN);
    const [clone] = await warnings('suspected_clone', maker.id);
    await close(clone.id);
    await t.services.risk.run(ADMIN);
    await t.services.risk.run(ADMIN);
    const statuses = async () => [
      (await warnings('mass_balance', g.id)).map((x) => x.status),
      (await warnings('suspected_clone', maker.id)).map((x) => x.status),
      (await warnings('entry_admission_missing', market.id)).map((x) => x.status),
    ];
    assert.deepEqual(await statuses(), [['closed'], ['closed'], ['closed']], 'nothing new since they were closed');

    // Something new: more goods out, another scan far away, another receipt without upstream record.
    await ship(10);
    await scan('0 seconds', 26.1, 119.3);
    await unrecorded();
    await t.services.risk.run(ADMIN);
    assert.deepEqual(await statuses(), [['open', 'closed'], ['open', 'closed'], ['open', 'closed']]);
  } finally {
    await settings('entry_admission_missing', {});
  }
});

test('mass balance compares like with like: 20 pieces retailed from 100 kg received raise nothing; kg over the tolerance does', async () => {
  const farm = await grower();
  const shop = await grower({ division: '350102', types: ['retailer'] });
  const code = (await record(farm.adminToken, 'harvest', { productId: farm.productId, siteId: farm.siteId, quantity: 100, harvestedOn: today() })).batches[0].batchCode.code;
  await record(farm.adminToken, 'shipping', { siteId: farm.siteId, to: { operatorId: shop.id }, goods: [{ code, quantity: 100 }] });
  await record(shop.adminToken, 'receiving', { siteId: shop.siteId, from: { operatorId: farm.id }, goods: [{ code, quantity: 100 }] });
  const sell = (quantity: number, unit?: string) => record(shop.adminToken, 'sale', { siteId: shop.siteId, goods: [{ code, quantity, unit }], price: { amount: 10 } });
  await sell(20, '件');
  assert.deepEqual(await warnings('mass_balance', shop.id), [], '20 pieces cannot be judged against 100 kg');
  await t.services.risk.run(ADMIN);
  assert.deepEqual(await warnings('mass_balance', shop.id), [], 'nor by the schedule');
  await sell(90);
  await sell(20);
  const [w] = await warnings('mass_balance', shop.id);
  assert.deepEqual([w.facts.dimension, w.facts.in, w.facts.out], ['kg', 100, 110]);
});

test('a banned pesticide sold is flagged critical whoever sells it, a designated dealer too; an ordinary input is not', async () => {
  const maker = await grower({ division: '350102', types: ['processor'], categoryCode: 'INPUT.PESTICIDE', productName: '40%甲胺磷乳油' });
  const designated = await grower({ division: '350102', types: ['retailer'] });
  const other = await grower({ division: '350102', types: ['retailer'] });
  const l = await t.call('POST', `/api/v1/operators/${designated.id}/licences`, { as: designated.adminToken, body: { type: '农药经营许可证（限制使用农药）', number: '农药经许（闽）35010220002', validUntil: null } });
  assert.equal(l.status, 201, l.text);
  const code = (await record(maker.adminToken, 'harvest', { productId: maker.productId, siteId: maker.siteId, quantity: 500, harvestedOn: today() })).batches[0].batchCode.code;
  for (const dealer of [designated, other]) {
    await record(maker.adminToken, 'shipping', { siteId: maker.siteId, to: { operatorId: dealer.id }, goods: [{ code, quantity: 100 }] });
    await record(dealer.adminToken, 'sale', { siteId: dealer.siteId, goods: [{ code, quantity: 5 }], price: { amount: 60 } });
    const [w] = await warnings('banned_input', dealer.id);
    assert.deepEqual([w?.subject, w?.severity, w?.codes, w?.facts.substance], [`operator:${dealer.id}:sold:甲胺磷`, 'critical', [code], '甲胺磷'], dealer === designated ? 'designated dealer' : 'other dealer');
  }
  assert.equal((await warnings('banned_input', maker.id))[0]?.severity, 'critical', 'the maker shipping it');

  const fertiliser = await grower({ division: '350102', types: ['processor'], categoryCode: 'INPUT.FERTILIZER', productName: '复合肥' });
  const shop = await grower({ division: '350102', types: ['retailer'] });
  const ordinary = (await record(fertiliser.adminToken, 'harvest', { productId: fertiliser.productId, siteId: fertiliser.siteId, quantity: 500, harvestedOn: today() })).batches[0].batchCode.code;
  await record(fertiliser.adminToken, 'shipping', { siteId: fertiliser.siteId, to: { operatorId: shop.id }, goods: [{ code: ordinary, quantity: 100 }] });
  await record(shop.adminToken, 'sale', { siteId: shop.siteId, goods: [{ code: ordinary, quantity: 5 }], price: { amount: 60 } });
  assert.deepEqual([await warnings('banned_input', fertiliser.id), await warnings('banned_input', shop.id)], [[], []]);
});

test('complaints naming products count against their operator: 2 about A, 2 about B and 2 general make one operator warning of 6', async () => {
  const maker = await buildOperator(t, { division: '350206' });
  const [a, b] = [await buildProduct(t, maker, { name: '鲜切生菜' }), await buildProduct(t, maker, { name: '鲜切菠菜' })];
  const complain = (productId: string | null, operatorId: string | null) => t.db.pool.query(
    `INSERT INTO complaints (product_id, operator_id, summary, channel, received_at) VALUES ($1, $2, '吃后腹泻', '12315', now() - interval '1 day')`, [productId, operatorId]);
  for (const [p, o] of [[a.id, null], [a.id, null], [b.id, null], [b.id, null], [null, maker.id], [null, maker.id]]) await complain(p, o);
  await t.services.risk.run(ADMIN);
  const found = await warnings('complaint_cluster', maker.id);
  assert.deepEqual(found.map((w) => [w.subject, w.facts.complaints, w.facts.namingProduct]), [[`operator:${maker.id}`, 6, 4]]);

  // One product's cluster is one warning, not a second about the operator for the same complaints.
  const single = await buildOperator(t, { division: '350206' });
  const p = await buildProduct(t, single, { name: '速冻水饺' });
  for (let i = 0; i < 3; i++) await complain(p.id, null);
  await t.services.risk.run(ADMIN);
  assert.deepEqual((await warnings('complaint_cluster', single.id)).map((w) => w.subject), [`product:${p.id}`]);
});
