import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildOperator, buildUser, type BuiltOperator } from '../../test/builders.ts';

// The EPCIS query side of the REST binding: parameters, resources, pagination, negotiation, visibility.
let t: TestApp;
let admin: string;
let farm: BuiltOperator;
let farmKey: string;

type Json = Record<string, any>;
const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld', { ex: 'https://example.org/ns/' }];
const sgtin = (n: number) => `urn:epc:id:sgtin:0614141.812345.${n}`;
const SSCC = 'urn:epc:id:sscc:0614141.1234567890';
const READ_POINT = 'urn:epc:id:sgln:0614141.00777.0';
const BIZ_LOCATION = 'urn:epc:id:sgln:0614141.00888.0';
const PARTY = 'urn:epc:id:pgln:0614141.00001';
const TASTING = 'https://example.org/steps/tasting';
const base = { eventTimeZoneOffset: '+00:00' };
const EVENTS: Json[] = [
  {
    ...base, type: 'ObjectEvent', eventID: 'urn:uuid:00000000-0000-4000-8000-000000000001', eventTime: '2024-05-01T00:00:00Z', action: 'ADD',
    epcList: [sgtin(1)], quantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.812345.L1', quantity: 5, uom: 'KGM' }],
    bizStep: 'commissioning', disposition: 'active', readPoint: { id: READ_POINT }, bizLocation: { id: BIZ_LOCATION },
    sourceList: [{ type: 'owning_party', source: PARTY }], 'ex:grade': 'A',
  },
  {
    ...base, type: 'ObjectEvent', eventID: 'urn:uuid:00000000-0000-4000-8000-000000000002', eventTime: '2024-05-02T00:00:00Z', action: 'OBSERVE',
    epcList: ['https://id.gs1.org/01/80614141123458/21/2'], bizStep: 'shipping', disposition: 'in_transit',
    errorDeclaration: { declarationTime: '2024-05-03T00:00:00Z', reason: 'incorrect_data', correctiveEventIDs: ['urn:uuid:00000000-0000-4000-8000-0000000000c1'] },
  },
  {
    ...base, type: 'AggregationEvent', eventID: 'urn:uuid:00000000-0000-4000-8000-000000000003', eventTime: '2024-05-03T00:00:00Z', action: 'ADD',
    parentID: SSCC, childEPCs: [sgtin(3)], bizStep: 'packing',
  },
  {
    ...base, type: 'TransformationEvent', eventID: 'urn:uuid:00000000-0000-4000-8000-000000000004', eventTime: '2024-05-04T00:00:00Z',
    inputEPCList: [sgtin(4)], outputEPCList: [sgtin(5)], transformationID: 'urn:example:t1', bizStep: TASTING,
  },
];
const ids = (doc: Json) => doc.epcisBody.queryResults.resultsBody.eventList.map((e: Json) => Number(e.eventID.slice(-1)));
const documentOf = (events: Json[]) => JSON.stringify({
  '@context': CONTEXT, type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2024-05-05T00:00:00Z', epcisBody: { eventList: events },
});
const get = (path: string, as = admin, headers: Record<string, string> = {}) => t.call('GET', path, { as, headers });

before(async () => {
  t = await startTestApp();
  admin = await t.adminToken();
  const r = await t.call('POST', '/epcis/capture', { as: admin, body: documentOf(EVENTS), headers: { 'content-type': 'application/ld+json' } });
  assert.equal(r.status, 202, r.text);
  farm = await buildOperator(t, { division: '350102' });
  farmKey = (await t.call('POST', `/api/v1/operators/${farm.id}/api-keys`, { as: farm.adminToken, body: { name: 'ERP' } })).body.key;
});
after(async () => { await t.close(); });

test('epcis: each query parameter selects what the standard says', async () => {
  const cases: Array<[string, number[]]> = [
    ['', [1, 2, 3, 4]],
    ['eventType=ObjectEvent', [1, 2]],
    ['eventType=AggregationEvent%7CTransformationEvent', [3, 4]],
    ['GE_eventTime=2024-05-02T00:00:00Z&LT_eventTime=2024-05-04T00:00:00Z', [2, 3]],
    ['GE_eventTime=2024-05-02T08:00:00%2B08:00', [2, 3, 4]],
    ['EQ_action=ADD', [1, 3]],
    ['EQ_bizStep=urn:epcglobal:cbv:bizstep:shipping%7Cpacking', [2, 3]],
    ['EQ_bizStep=shipping&EQ_bizStep=https://ref.gs1.org/cbv/BizStep-commissioning', [1, 2]],
    [`EQ_bizStep=${encodeURIComponent(TASTING)}`, [4]],
    ['EQ_disposition=in_transit', [2]],
    [`EQ_readPoint=${READ_POINT}`, [1]],
    [`EQ_bizLocation=${BIZ_LOCATION}`, [1]],
    [`MATCH_epc=${sgtin(2)}`, [2]],
    [`MATCH_epc=${sgtin(3)}`, [3]],
    [`MATCH_epc=${encodeURIComponent('https://example.com/01/80614141123458/21/2')}`, [2]],
    [`MATCH_parentID=${SSCC}`, [3]],
    [`MATCH_anyEPC=${SSCC}%7C${sgtin(5)}`, [3, 4]],
    [`MATCH_inputEPC=${sgtin(4)}`, [4]],
    [`MATCH_outputEPC=${sgtin(4)}`, []],
    ['MATCH_epc=urn:epc:idpat:sgtin:0614141.812345.*', [1, 3]],
    ['MATCH_epcClass=urn:epc:idpat:sgtin:0614141.812345.*', [1]],
    ['MATCH_anyEPCClass=urn:epc:class:lgtin:0614141.812345.L1', [1]],
    ['EQ_eventID=urn:uuid:00000000-0000-4000-8000-000000000003', [3]],
    ['EQ_transformationID=urn:example:t1', [4]],
    ['EXISTS_errorDeclaration=true', [2]],
    ['EQ_errorReason=urn:epcglobal:cbv:er:incorrect_data', [2]],
    ['GE_errorDeclarationTime=2024-05-03T00:00:00Z', [2]],
    ['EQ_correctiveEventID=urn:uuid:00000000-0000-4000-8000-0000000000c1', [2]],
    [`EQ_source_owning_party=${PARTY}`, [1]],
    [`EQ_source_possessing_party=${PARTY}`, []],
    ['LT_recordTime=2000-01-01T00:00:00Z', []],
    ['eventType=ObjectEvent&EQ_action=OBSERVE', [2]],
  ];
  for (const [query, want] of cases) {
    const r = await get(`/epcis/events?${query}`);
    assert.equal(r.status, 200, `${query}: ${r.text}`);
    assert.deepEqual(ids(r.body), want, query);
  }
  console.log(`epcis: ${cases.length} event queries answered as the standard says`);
});

test('epcis: resource paths are the same query with one condition fixed', async () => {
  const cases: Array<[string, number[]]> = [
    ['/epcis/eventTypes/ObjectEvent/events', [1, 2]],
    ['/epcis/eventTypes/ObjectEvent/events?EQ_action=ADD', [1]],
    [`/epcis/epcs/${encodeURIComponent(sgtin(4))}/events`, [4]],
    [`/epcis/epcs/${encodeURIComponent('https://id.gs1.org/01/80614141123458/21/2')}/events`, [2]],
    ['/epcis/bizSteps/shipping/events', [2]],
    [`/epcis/bizSteps/${encodeURIComponent('urn:epcglobal:cbv:bizstep:packing')}/events`, [3]],
    [`/epcis/bizSteps/${encodeURIComponent(TASTING)}/events`, [4]],
    [`/epcis/bizLocations/${encodeURIComponent(BIZ_LOCATION)}/events`, [1]],
    [`/epcis/readPoints/${encodeURIComponent(READ_POINT)}/events`, [1]],
    ['/epcis/dispositions/active/events', [1]],
  ];
  for (const [path, want] of cases) {
    const r = await get(path);
    assert.equal(r.status, 200, `${path}: ${r.text}`);
    assert.deepEqual(ids(r.body), want, path);
  }
  const types = await get('/epcis/eventTypes');
  assert.deepEqual(types.body.member, ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent']);
  assert.deepEqual((await get('/epcis/eventTypes/ObjectEvent')).body.member, ['events']);
  assert.equal((await get('/epcis/eventTypes/Nothing')).status, 404);
  const steps = (await get('/epcis/bizSteps')).body.member as string[];
  assert.ok(steps.includes('shipping') && steps.includes(TASTING) && steps.filter((s) => s === 'shipping').length === 1);
  assert.ok(((await get('/epcis/dispositions')).body.member as string[]).includes('in_transit'));
  const first = await get('/epcis/readPoints?perPage=1');
  assert.deepEqual(first.body.member, [READ_POINT]);
  assert.equal(first.headers.get('link'), null, 'one read point: no next page');
  assert.deepEqual((await get('/epcis/bizLocations')).body.member, [BIZ_LOCATION]);
  assert.deepEqual((await get('/epcis')).body.member, ['capture', 'events', 'eventTypes', 'bizSteps', 'bizLocations', 'readPoints', 'dispositions']);
});

test('epcis: pages follow Link rel="next" with a token that cannot be edited or reused for another query', async () => {
  const seen: number[] = [];
  let next: string | undefined = '/epcis/events?perPage=1&eventType=ObjectEvent%7CAggregationEvent%7CTransformationEvent';
  let token = '';
  while (next) {
    const r = await get(next);
    assert.equal(r.status, 200, r.text);
    seen.push(...ids(r.body));
    const link = r.headers.get('link');
    next = link ? /^<([^>]+)>; rel="next"$/.exec(link)![1] : undefined;
    if (next) {
      token = new URL(next, 'http://x').searchParams.get('nextPageToken')!;
      assert.ok(Date.parse(r.headers.get('gs1-next-page-token-expires')!) > Date.now());
    }
  }
  assert.deepEqual(seen, [1, 2, 3, 4]);
  const elsewhere = await get(`/epcis/events?perPage=1&eventType=ObjectEvent&nextPageToken=${token}`);
  assert.deepEqual([elsewhere.status, elsewhere.body.field, elsewhere.body.type], [400, 'nextPageToken', 'epcisException:QueryParameterException']);
  const edited = await get(`/epcis/events?perPage=1&eventType=ObjectEvent%7CAggregationEvent%7CTransformationEvent&nextPageToken=${token.replace(/^./, (c) => (c === 'A' ? 'B' : 'A'))}`);
  assert.deepEqual([edited.status, edited.body.field], [400, 'nextPageToken']);
});

test('epcis: unknown and unsupported parameters are refused with a QueryParameterException naming them', async () => {
  for (const [query, field] of [['EQ_bizstep=shipping', 'EQ_bizstep'], ['colour=red', 'colour'], ['orderBy=eventTime', 'orderBy'], ['EQ_action=MOVE', 'EQ_action']]) {
    const r = await get(`/epcis/events?${query}`);
    assert.equal(r.status, 400, query);
    assert.match(r.headers.get('content-type')!, /^application\/problem\+json/);
    assert.deepEqual([r.body.type, r.body.field], ['epcisException:QueryParameterException', field], query);
  }
  assert.equal((await get('/epcis/bizSteps?perPage=2')).body.field, 'perPage');
});

test('epcis: one event by its URL-encoded eventID or hash ID; EPCs as Digital Links unless asked otherwise', async () => {
  const id = 'urn:uuid:00000000-0000-4000-8000-000000000001';
  const asCaptured = await get(`/epcis/events/${encodeURIComponent(id)}`, admin, { 'GS1-EPC-Format': 'Never_Translates' });
  assert.equal(asCaptured.status, 200, asCaptured.text);
  const [event] = asCaptured.body.epcisBody.queryResults.resultsBody.eventList;
  assert.deepEqual(event.epcList, [sgtin(1)]);
  assert.equal(event['ex:grade'], 'A');
  assert.deepEqual(asCaptured.body['@context'].at(-1), { sy: 'https://suyuan.dev/ns/epcis/', ex: 'https://example.org/ns/' });
  const translated = await get(`/epcis/events/${encodeURIComponent(id)}`, admin, { Accept: 'application/ld+json' });
  assert.match(translated.headers.get('content-type')!, /^application\/ld\+json/);
  assert.deepEqual(translated.body.epcisBody.queryResults.resultsBody.eventList[0].epcList, ['https://id.gs1.org/01/80614141123458/21/1']);
  const hashId = (await t.db.pool.query('SELECT hash_id FROM events WHERE event_id = $1', [id])).rows[0].hash_id;
  const byHash = await get(`/epcis/events/${encodeURIComponent(hashId)}`, admin, { 'GS1-EPC-Format': 'Never_Translates' });
  assert.deepEqual(byHash.body.epcisBody.queryResults.resultsBody.eventList, [event]);
  const missing = await get(`/epcis/events/${encodeURIComponent('urn:uuid:00000000-0000-4000-8000-00000000ffff')}`);
  assert.deepEqual([missing.status, missing.body.type], [404, 'epcisException:NoSuchNameException']);
});

test('epcis: versions and media types are negotiated as the binding says', async () => {
  const r = await get('/epcis/events');
  assert.deepEqual([r.headers.get('gs1-epcis-version'), r.headers.get('gs1-cbv-version')], ['2.0.0', '2.0.0']);
  const options = await t.call('OPTIONS', '/epcis/events', { as: admin });
  assert.deepEqual([options.status, options.headers.get('allow'), options.headers.get('gs1-epcis-max')], [204, 'OPTIONS, GET', '2.0.0']);
  for (const [headers, field] of [[{ Accept: 'application/xml' }, 'Accept'], [{ 'GS1-EPCIS-Max': '1.2' }, 'GS1-EPCIS-Max'], [{ 'GS1-EPC-Format': 'Always_EPC_URN' }, 'GS1-EPC-Format']] as const) {
    const refused = await get('/epcis/events', admin, headers);
    assert.deepEqual([refused.status, refused.body.type, refused.body.field], [406, 'epcisException:NotAcceptableException', field]);
  }
  const oldPayload = await t.call('POST', '/epcis/capture', { as: admin, body: documentOf([EVENTS[0]]), headers: { 'content-type': 'application/json', 'GS1-EPCIS-Version': '1.2' } });
  assert.deepEqual([oldPayload.status, oldPayload.body.field], [406, 'GS1-EPCIS-Version']);
  const plain = await t.call('POST', '/epcis/capture', { as: admin, body: 'hello', headers: { 'content-type': 'text/plain' } });
  assert.deepEqual([plain.status, plain.body.type], [415, 'epcisException:UnsupportedMediaTypeException']);
  const malformed = await t.call('POST', '/epcis/capture', { as: admin, body: '<epcis:EPCISDocument', headers: { 'content-type': 'text/xml' } });
  assert.deepEqual([malformed.status, malformed.body.code], [400, 'EPCIS_MALFORMED_XML']);
  const empty = await t.call('POST', '/epcis/capture', { as: admin, body: documentOf([]), headers: { 'content-type': 'application/json' } });
  assert.deepEqual([empty.status, empty.body.code, empty.body.field], [400, 'EPCIS_NO_EVENTS', 'epcisBody.eventList']);
});

test('epcis: every caller sees only the events and capture jobs the visibility rule admits, and every query is logged', async () => {
  const own = { ...base, type: 'ObjectEvent', eventTime: '2024-06-01T00:00:00Z', action: 'OBSERVE', epcList: [sgtin(100)], bizStep: 'receiving' };
  const captured = await t.call('POST', '/epcis/capture', { as: farmKey, body: documentOf([own]), headers: { 'content-type': 'application/json' } });
  assert.equal(captured.status, 202, captured.text);
  const ownId = captured.body.events[0].eventID;
  const other = await buildOperator(t, { division: '350102' });
  const province = (await buildUser(t, 'regulator', { jurisdiction: '350000' })).token;
  const beijing = (await buildUser(t, 'regulator', { jurisdiction: '110000' })).token;

  const visible = async (as: string) => (await get('/epcis/events', as)).body.epcisBody.queryResults.resultsBody.eventList.map((e: Json) => e.eventID);
  assert.deepEqual(await visible(farm.adminToken), [ownId]);
  assert.deepEqual(await visible(farmKey), [ownId]);
  assert.deepEqual(await visible(other.adminToken), []);
  assert.deepEqual(await visible(province), [ownId]);
  assert.deepEqual(await visible(beijing), []);
  assert.equal((await get(`/epcis/events/${encodeURIComponent(EVENTS[0].eventID)}`, farm.adminToken)).status, 404);
  assert.equal((await get(`/epcis/events/${encodeURIComponent(ownId)}`, other.adminToken)).status, 404);
  assert.deepEqual((await get('/epcis/readPoints', farm.adminToken)).body.member, []);

  const job = captured.headers.get('location')!;
  assert.equal((await get(job, farm.adminToken)).status, 200);
  assert.equal((await get(job, other.adminToken)).status, 404);
  assert.deepEqual((await get('/epcis/capture', farm.adminToken)).body.map((j: Json) => j.captureID), [captured.body.captureID]);
  assert.equal((await get('/epcis/capture', admin)).body.length, 2);
  assert.equal((await get('/epcis/capture/not-a-uuid', admin)).status, 404);

  const logged = await t.db.pool.query(`SELECT actor_role, query, result_count FROM query_log WHERE kind = 'epcis.query' AND operator_id = $1 ORDER BY id`, [other.id]);
  assert.deepEqual(logged.rows.map((r) => [r.query.resource, r.result_count]), [['events', 0], ['events/{eventID}', 0]]);
});
