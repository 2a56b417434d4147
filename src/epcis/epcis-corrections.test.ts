import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildBatch, buildOperator, buildProduct, buildSite, buildUser, type BuiltOperator } from '../../test/builders.ts';
import { codeUri, siteUri } from '../events/events-fns.ts';

// Error declarations, Digital Link ⇄ EPC URN queries, and the operator-status rule at every capture door.
let t: TestApp;
let admin: string;
let farm: BuiltOperator;
let processor: BuiltOperator;

type Json = Record<string, any>;
const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld', { sy: 'https://suyuan.dev/ns/epcis/' }];
const documentOf = (events: Json[]) => JSON.stringify({
  '@context': CONTEXT, type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2024-05-05T00:00:00Z', epcisBody: { eventList: events },
});
const capture = (events: Json[], as: string) =>
  t.call('POST', '/epcis/capture', { as, body: documentOf(events), headers: { 'content-type': 'application/ld+json' } });
const get = (path: string, as = admin) => t.call('GET', path, { as, headers: { 'GS1-EPC-Format': 'Never_Translates' } });
const eventList = (doc: Json): Json[] => doc.epcisBody.queryResults.resultsBody.eventList;
const ledgerFile = (csv: string) => { const form = new FormData(); form.append('file', new Blob([csv]), 'ledger.csv'); return form; };
const count = async (sql: string, params: unknown[] = []) => (await t.db.pool.query(`SELECT count(*)::int AS n FROM ${sql}`, params)).rows[0].n as number;

const SHIPPED: Json = {
  type: 'ObjectEvent', eventID: 'urn:uuid:6d1c0f3e-0000-4000-8000-0000000000e1', eventTime: '2024-05-02T00:00:00Z', eventTimeZoneOffset: '+08:00',
  action: 'OBSERVE', epcList: ['urn:epc:id:sgtin:0614141.812345.6789'], bizStep: 'shipping', disposition: 'in_transit',
  quantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.812345.LOT9', quantity: 3, uom: 'KGM' }],
};
const DECLARATION = { declarationTime: '2024-05-03T00:00:00Z', reason: 'incorrect_data', correctiveEventIDs: ['urn:uuid:6d1c0f3e-0000-4000-8000-0000000000c1'] };

before(async () => {
  t = await startTestApp();
  admin = await t.adminToken();
  farm = await buildOperator(t, { division: '350121' });
  processor = await buildOperator(t, { division: '350102', types: ['processor'] });
});
after(async () => { await t.close(); });

test('errorDeclaration: a re-sent event with a declaration annotates the stored one; queries show it; the same one again adds nothing', async () => {
  const first = await capture([SHIPPED], farm.adminToken);
  assert.deepEqual([first.status, first.body.storedCount], [202, 1], first.text);
  const seq = (await t.db.pool.query('SELECT seq FROM events WHERE event_id = $1', [SHIPPED.eventID])).rows[0].seq;

  // Another operator cannot declare the farm's event erroneous.
  const stranger = await capture([{ ...SHIPPED, errorDeclaration: DECLARATION }], processor.adminToken);
  // Per-event refusals come back in the finished capture job, as the binding reports them.
  assert.deepEqual([stranger.status, stranger.body.success, stranger.body.errors.map((e: Json) => e.code)], [202, false, ['ERROR_DECLARATION_NOT_YOURS']], stranger.text);

  const declared = await capture([{ ...SHIPPED, errorDeclaration: DECLARATION }], farm.adminToken);
  assert.equal(declared.status, 202, declared.text);
  assert.deepEqual([declared.body.success, declared.body.storedCount, declared.body.duplicateCount, declared.body.errorDeclarationCount], [true, 0, 0, 1]);
  assert.deepEqual(declared.body.events.map((e: Json) => [e.eventID, e.outcome]), [[SHIPPED.eventID, 'errorDeclared']]);
  assert.equal(declared.body.events[0].hashID, first.body.events[0].hashID, 'the declaration leaves the hash ID unchanged');

  // The store is append-only: one event, its body as first captured, and one declaration beside it.
  assert.equal(await count('events WHERE event_id = $1', [SHIPPED.eventID]), 1);
  assert.equal((await t.db.pool.query('SELECT body FROM events WHERE seq = $1', [seq])).rows[0].body.errorDeclaration, undefined);
  assert.equal(await count('event_error_declarations WHERE seq = $1', [seq]), 1);
  await assert.rejects(t.db.pool.query('DELETE FROM event_error_declarations WHERE seq = $1', [seq]), 'declarations are append-only');

  // Both event resources show the event with its declaration, and the errorDeclaration parameters find it.
  const one = await get(`/epcis/events/${encodeURIComponent(SHIPPED.eventID)}`);
  assert.deepEqual(eventList(one.body)[0].errorDeclaration, DECLARATION);
  for (const query of ['EXISTS_errorDeclaration=true', 'EQ_errorReason=incorrect_data', 'GE_errorDeclarationTime=2024-05-03T00:00:00Z',
    `EQ_correctiveEventID=${encodeURIComponent(DECLARATION.correctiveEventIDs[0])}`]) {
    const r = await get(`/epcis/events?${query}`);
    assert.deepEqual(eventList(r.body).map((e) => [e.eventID, e.errorDeclaration?.reason]), [[SHIPPED.eventID, 'incorrect_data']], query);
  }
  assert.deepEqual(eventList((await get('/epcis/events?LT_errorDeclarationTime=2024-05-03T00:00:00Z')).body), []);

  // The same declaration again (and the plain event again) adds nothing.
  const again = await capture([{ ...SHIPPED, errorDeclaration: DECLARATION }, SHIPPED], farm.adminToken);
  assert.deepEqual([again.body.storedCount, again.body.duplicateCount, again.body.errorDeclarationCount], [0, 2, 0], again.text);
  assert.equal(await count('event_error_declarations WHERE seq = $1', [seq]), 1);

  // A later, different declaration (a new reason) is appended and becomes the one shown.
  const revised = { ...DECLARATION, declarationTime: '2024-05-04T00:00:00Z', reason: 'did_not_occur' };
  const third = await capture([{ ...SHIPPED, errorDeclaration: revised }], farm.adminToken);
  assert.equal(third.body.errorDeclarationCount, 1, third.text);
  assert.deepEqual(eventList((await get(`/epcis/events/${encodeURIComponent(SHIPPED.eventID)}`)).body)[0].errorDeclaration, revised);
  assert.deepEqual(eventList((await get('/epcis/events?EQ_errorReason=incorrect_data')).body), []);
});

test('errorDeclaration: an event first captured with its declaration keeps it; re-sending it is a duplicate', async () => {
  const event = { ...SHIPPED, eventID: 'urn:uuid:6d1c0f3e-0000-4000-8000-0000000000e2', epcList: ['urn:epc:id:sgtin:0614141.812345.7000'], quantityList: undefined, errorDeclaration: DECLARATION };
  const r = await capture([event], farm.adminToken);
  assert.deepEqual([r.body.storedCount, r.body.errorDeclarationCount], [1, 0], r.text);
  const again = await capture([event], farm.adminToken);
  assert.deepEqual([again.body.storedCount, again.body.duplicateCount, again.body.errorDeclarationCount], [0, 1, 0], again.text);
  assert.equal(await count('event_error_declarations d JOIN events e ON e.seq = d.seq WHERE e.event_id = $1', [event.eventID]), 0);
});

test('MATCH_epc / MATCH_anyEPC / MATCH_epcClass: a Digital Link finds events captured with the EPC URN, and the other way round', async () => {
  // SHIPPED was captured with urn:epc:id:sgtin:0614141.812345.6789 = https://id.gs1.org/01/80614141123458/21/6789.
  const asLinks = [
    'MATCH_epc=https://id.gs1.org/01/80614141123458/21/6789',
    'MATCH_anyEPC=https://brand.example.com/gtin/80614141123458/ser/6789',
    'MATCH_epcClass=https://id.gs1.org/01/80614141123458/10/LOT9',
  ];
  for (const query of asLinks) {
    const r = await get(`/epcis/events?${query.replace(/=(.*)$/, (_m, v: string) => `=${encodeURIComponent(v)}`)}`);
    assert.deepEqual(eventList(r.body).map((e) => e.eventID), [SHIPPED.eventID], query);
  }
  // The Digital Link resource path does the same.
  const byPath = await get(`/epcis/epcs/${encodeURIComponent('https://id.gs1.org/01/80614141123458/21/6789')}/events`);
  assert.deepEqual(eventList(byPath.body).map((e) => e.eventID), [SHIPPED.eventID]);

  // An event captured with a Digital Link is found by its EPC URN.
  const linked = { ...SHIPPED, eventID: 'urn:uuid:6d1c0f3e-0000-4000-8000-0000000000e3', epcList: ['https://id.gs1.org/01/80614141123458/21/ABC%2B1'], quantityList: undefined };
  assert.equal((await capture([linked], farm.adminToken)).body.storedCount, 1);
  for (const urn of ['urn:epc:id:sgtin:0614141.812345.ABC+1', 'urn:epc:id:sgtin:061414112.8345.ABC+1']) {
    const r = await get(`/epcis/events?MATCH_anyEPC=${encodeURIComponent(urn)}`);
    assert.deepEqual(eventList(r.body).map((e) => e.eventID), [linked.eventID], urn);
  }
  // A different serial or GTIN matches nothing.
  assert.deepEqual(eventList((await get(`/epcis/events?MATCH_epc=${encodeURIComponent('https://id.gs1.org/01/80614141123458/21/6790')}`)).body), []);
});

test('a suspended or pending operator captures nothing: EPCIS (session and API key), native records, ledgers', async () => {
  const op = await buildOperator(t, { division: '350121' });
  const key = (await t.call('POST', `/api/v1/operators/${op.id}/api-keys`, { as: op.adminToken, body: { name: 'ERP' } })).body.key as string;
  const event = { ...SHIPPED, eventID: 'urn:uuid:6d1c0f3e-0000-4000-8000-0000000000e4', epcList: ['urn:epc:id:sgtin:0614141.812345.8000'], quantityList: undefined };
  assert.equal((await capture([event], key)).status, 202, 'active: accepted');
  await t.call('POST', `/api/v1/operators/${op.id}/review`, { as: admin, body: { action: 'suspend', reason: '整改' } });

  const before = await count('events');
  const late = { ...event, eventID: 'urn:uuid:6d1c0f3e-0000-4000-8000-0000000000e5', epcList: ['urn:epc:id:sgtin:0614141.812345.8001'] };
  const refusals = [
    ['EPCIS, session', await capture([late], op.adminToken)],
    ['EPCIS, API key', await capture([late], key)],
    ['EPCIS, error declaration', await capture([{ ...event, errorDeclaration: DECLARATION }], key)],
    ['native record', await t.call('POST', '/api/v1/records/destruction', { as: key, body: { goods: [{ code: 'X' }], reason: 'x' } })],
    ['purchase ledger', await t.call('POST', '/api/v1/ledgers/purchase', { as: op.adminToken, body: ledgerFile('进货日期,供货者名称,产品名称,数量\n') })],
  ] as const;
  for (const [door, r] of refusals) {
    assert.deepEqual([r.status, r.body.code, r.body.operatorStatus], [403, 'OPERATOR_NOT_ACTIVE', 'suspended'], `${door}: ${r.text}`);
    assert.ok(r.headers.get('content-type')?.startsWith('application/problem+json') && r.body.message.zh && r.body.message.en, door);
  }
  assert.equal(await count('events'), before, 'nothing stored');
  assert.equal(await count(`capture_jobs WHERE operator_id = $1`, [op.id]), 1, 'no capture job for a refused capture');

  // A job queued while active and run after the suspension fails with the same code (captureInTx checks too).
  const actor = await t.services.accounts.actorFromToken(op.adminToken);
  const { captureInTx } = await import('../events/events-service.ts');
  await assert.rejects(t.db.tx((q) => captureInTx(q, actor, { events: [late], source: 'epcis', errorBehaviour: 'rollback' })),
    (e: any) => e.code === 'OPERATOR_NOT_ACTIVE' && e.kind === 'forbidden');

  const pending = await buildOperator(t, { approve: false });
  const p = await capture([late], pending.adminToken);
  assert.deepEqual([p.status, p.body.code, p.body.operatorStatus], [403, 'OPERATOR_NOT_ACTIVE', 'pending']);
});

test('scan and trace: an erroneous transformation no longer gives the consumer its input origin; the regulator\'s trace shows it marked', async () => {
  const product = await buildProduct(t, farm, { name: '青菜' });
  const field = await buildSite(t, farm, { divisionCode: '350121' });
  const greens = await buildBatch(t, farm, { productId: product.id, siteId: field.id, lotNumber: 'G-1', quantity: 100 });
  const plant = await buildSite(t, processor, { kind: 'plant', divisionCode: '350104' });
  const salad = await buildProduct(t, processor, { name: '沙拉' });
  const made = await buildBatch(t, processor, { productId: salad.id, siteId: plant.id, lotNumber: 'S-1', quantity: 10, producedOn: '2024-05-03' });
  const [pack] = (await t.call('POST', `/api/v1/batches/${made.id}/item-codes`, { as: processor.adminToken, body: { count: 1 } })).body.codes as string[];
  const transformation: Json = {
    type: 'TransformationEvent', eventID: 'urn:uuid:6d1c0f3e-0000-4000-8000-0000000000f1', eventTime: '2024-05-03T02:00:00Z', eventTimeZoneOffset: '+08:00',
    bizStep: 'commissioning', disposition: 'active', inputQuantityList: [{ epcClass: codeUri(greens.batchCode!.code), quantity: 5, uom: 'KGM' }],
    outputEPCList: [codeUri(pack)], bizLocation: { id: siteUri(plant.id) },
  };
  // The farm ships part of its batch to the processor, which turns it into salad packs.
  const shipped = await t.call('POST', '/api/v1/records/shipping', {
    as: farm.adminToken, body: { to: { operatorId: processor.id }, goods: [{ code: greens.batchCode!.code, quantity: 5 }] },
  });
  assert.equal(shipped.status, 201, shipped.text);
  const stored = await capture([transformation], processor.adminToken);
  assert.equal(stored.body.storedCount, 1, stored.text);
  const scan = async () => (await t.call('GET', `/t/${pack}`, { headers: { accept: 'application/json' } })).body;
  assert.deepEqual((await scan()).inputOrigins.map((o: Json) => o.divisionCode), ['350121'], 'before: the farm is the input origin');

  const declared = await capture([{ ...transformation, errorDeclaration: { declarationTime: '2024-05-04T00:00:00Z', reason: 'incorrect_data' } }], processor.adminToken);
  assert.equal(declared.body.errorDeclarationCount, 1, declared.text);
  const after = await scan();
  assert.deepEqual(after.inputOrigins, [], 'after: no origin from the erroneous event');
  assert.ok(!after.timeline.some((s: Json) => s.step === 'raw_material' || s.step === 'processed'), JSON.stringify(after.timeline));

  const regulator = await buildUser(t, 'regulator', { jurisdiction: '000000' });
  const trace = await t.call('GET', `/api/v1/trace?code=${pack}&direction=backward`, { as: regulator.token });
  assert.equal(trace.status, 200, trace.text);
  const shown = trace.body.events.find((e: Json) => e.eventID === transformation.eventID);
  assert.equal(shown?.errorDeclaration?.reason, 'incorrect_data', 'the trace shows the event, marked');
  const byId = await t.call('GET', `/api/v1/events/${encodeURIComponent(transformation.eventID)}`, { as: regulator.token });
  assert.equal(byId.body.errorDeclaration?.reason, 'incorrect_data');
});
