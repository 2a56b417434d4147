import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../platform/errors.ts';
import { eventHashId, contextInfoFromDocument } from '../events/epcis-hash.ts';
import {
  EPCIS_CONTEXT, negotiate, parseEventQuery, queryContext, queryDocument, readPageToken, signPageToken, withDigitalLinks,
} from './epcis-fns.ts';

function refusal(f: () => unknown): DomainError {
  try { f(); } catch (e) { assert.ok(e instanceof DomainError); return e; }
  assert.fail('expected a refusal');
}

test('epcis-fns: query parameters become one filter; values in any standard spelling, lists pipe-separated', () => {
  const q = parseEventQuery({
    eventType: 'ObjectEvent|AggregationEvent', EQ_bizStep: ['urn:epcglobal:cbv:bizstep:shipping|receiving', 'https://ref.gs1.org/cbv/BizStep-packing'],
    EQ_disposition: 'cbv:Disp-in_transit', GE_eventTime: '2024-05-01T00:00:00 08:00', EQ_action: 'ADD',
    MATCH_epc: 'urn:epc:id:sgtin:0614141.812345.6789', MATCH_anyEPCClass: 'urn:epc:idpat:sgtin:0614141.812345.*',
    EQ_source_owning_party: 'urn:suyuan:party:X', EXISTS_errorDeclaration: 'true', perPage: '5000',
  });
  assert.deepEqual(q.filter.eventTypes, ['ObjectEvent', 'AggregationEvent']);
  assert.deepEqual(q.filter.bizSteps, ['shipping', 'receiving', 'packing']);
  assert.deepEqual(q.filter.dispositions, ['in_transit']);
  assert.equal(q.filter.eventTime.ge, '2024-05-01T00:00:00+08:00', "an unescaped '+' arrives as a space");
  // The value, its canonical Digital Link, and every EPC URN equivalent to it (one per company-prefix length).
  assert.deepEqual(q.filter.identifiers[0].keys, ['urn:epc:id:sgtin:0614141.812345.6789', 'https://id.gs1.org/01/80614141123458/21/6789',
    ...['061414.8112345', '06141411.82345', '061414112.8345', '0614141123.845', '06141411234.85', '061414112345.8'].map((p) => `urn:epc:id:sgtin:${p}.6789`)]);
  assert.deepEqual(q.filter.identifiers[1].patterns, ['urn:epc:id:sgtin:0614141.812345.%', 'urn:epc:class:lgtin:0614141.812345.%']);
  assert.deepEqual(q.filter.typedEntries, [{ list: 'sourceList', key: 'source', type: 'owning_party', values: ['urn:suyuan:party:X'] }]);
  assert.equal(q.filter.errorDeclared, true);
  assert.equal(q.perPage, 1000, 'perPage is capped');
  // The same query written differently has the same scope; a path value intersects with the query string.
  assert.equal(parseEventQuery({ EQ_action: 'ADD', eventType: 'AggregationEvent|ObjectEvent' }).scope, parseEventQuery({ eventType: ['ObjectEvent', 'AggregationEvent'], EQ_action: 'ADD' }).scope);
  assert.deepEqual(parseEventQuery({ eventType: 'ObjectEvent|AggregationEvent' }, { name: 'eventType', value: 'ObjectEvent' }).filter.eventTypes, ['ObjectEvent']);
});

test('epcis-fns: unknown, unsupported and malformed parameters are refused naming the parameter', () => {
  const cases: Array<[Record<string, unknown>, string, string]> = [
    [{ EQ_bizstep: 'shipping' }, 'EQ_bizstep', 'EPCIS_QUERY_PARAMETER_UNSUPPORTED'],
    [{ foo: '1' }, 'foo', 'EPCIS_QUERY_PARAMETER_UNKNOWN'],
    [{ orderBy: 'eventTime' }, 'orderBy', 'EPCIS_QUERY_PARAMETER_UNSUPPORTED'],
    [{ EQ_ILMD_lotNumber: 'L1' }, 'EQ_ILMD_lotNumber', 'EPCIS_QUERY_PARAMETER_UNSUPPORTED'],
    [{ EQ_action: 'MOVE' }, 'EQ_action', 'EPCIS_QUERY_VALUE_INVALID'],
    [{ GE_eventTime: '2024-05-01' }, 'GE_eventTime', 'EPCIS_QUERY_TIME_INVALID'],
    [{ LT_recordTime: ['2024-05-01T00:00:00Z', '2024-06-01T00:00:00Z'] }, 'LT_recordTime', 'EPCIS_QUERY_PARAMETER_REPEATED'],
    [{ eventType: 'Thing' }, 'eventType', 'EPCIS_QUERY_VALUE_INVALID'],
    [{ EQ_readPoint: '|' }, 'EQ_readPoint', 'EPCIS_QUERY_VALUE_MISSING'],
    [{ perPage: '0' }, 'perPage', 'EPCIS_QUERY_VALUE_INVALID'],
  ];
  for (const [query, field, code] of cases) {
    const e = refusal(() => parseEventQuery(query));
    assert.deepEqual([e.code, e.details.field], [code, field], JSON.stringify(query));
  }
});

test('epcis-fns: page tokens are opaque, bound to their query and expire', () => {
  const secret = Buffer.from('0123456789abcdef0123456789abcdef');
  const { token, expires } = signPageToken(secret, 'q1', '42', 1_000_000);
  assert.equal(readPageToken(secret, 'q1', token, 1_000_000), '42');
  assert.ok(!token.includes('42'));
  assert.equal(expires.getTime(), 1_000_000 + 3_600_000);
  const tampered = Buffer.from(JSON.stringify(['43', 9e9])).toString('base64url') + token.slice(token.indexOf('.'));
  for (const [scope, t, now] of [['q2', token, 1_000_000], ['q1', tampered, 1_000_000], ['q1', token, 1_000_000 + 3_601_000], ['q1', 'x', 0]] as const) {
    assert.equal(refusal(() => readPageToken(secret, scope, t, now)).details.field, 'nextPageToken');
  }
});

test('epcis-fns: the query document declares every capture\'s prefixes; a clashing prefix moves into the event', () => {
  const event = (note: string) => ({ type: 'ObjectEvent', eventTime: '2024-05-01T00:00:00Z', eventTimeZoneOffset: '+00:00', action: 'OBSERVE', epcList: ['urn:epc:id:sgtin:0614141.812345.1'], 'ex:note': note });
  const a = { body: event('a'), recordTime: new Date('2024-05-02T00:00:00Z'), captureContext: ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://a.example/' }] };
  const b = { body: event('b'), recordTime: new Date('2024-05-02T00:00:00Z'), captureContext: [EPCIS_CONTEXT, 'https://c.example/context.jsonld', { ex: 'https://b.example/' }] };
  const { context, eventContexts } = queryContext([a, b]);
  assert.deepEqual(context, [EPCIS_CONTEXT, 'https://c.example/context.jsonld', { sy: 'https://suyuan.dev/ns/epcis/', ex: 'https://a.example/' }]);
  assert.deepEqual(eventContexts, [undefined, { ex: 'https://b.example/' }]);
  // Each event keeps the hash it was captured with, read under the query document's contexts.
  const doc = queryDocument([a, b], 'Never_Translates');
  const [first, second] = doc.epcisBody.queryResults.resultsBody.eventList;
  assert.equal(eventHashId(first, contextInfoFromDocument(doc)), eventHashId(a.body, contextInfoFromDocument({ '@context': a.captureContext })));
  assert.equal(eventHashId(second, contextInfoFromDocument(doc)), eventHashId(b.body, contextInfoFromDocument({ '@context': b.captureContext })));
  assert.equal(first.recordTime, '2024-05-02T00:00:00.000Z');
});

test('epcis-fns: Always_GS1_Digital_Link writes EPC URNs as Digital Links and leaves the hash alone', () => {
  const event = {
    type: 'AggregationEvent', eventTime: '2024-05-01T00:00:00Z', eventTimeZoneOffset: '+00:00', action: 'ADD',
    parentID: 'urn:epc:id:sscc:0614141.1234567890', childEPCs: ['urn:epc:id:sgtin:0614141.812345.1', 'urn:suyuan:code:350P0000000000X1'],
    childQuantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.812345.L1', quantity: 2 }], readPoint: { id: 'urn:epc:id:sgln:0614141.00777.0' },
  };
  const dl = withDigitalLinks(event);
  assert.equal(dl.parentID, 'https://id.gs1.org/00/106141412345678908');
  assert.deepEqual(dl.childEPCs, ['https://id.gs1.org/01/80614141123458/21/1', 'urn:suyuan:code:350P0000000000X1']);
  assert.equal(dl.childQuantityList[0].epcClass, 'https://id.gs1.org/01/80614141123458/10/L1');
  assert.equal(dl.readPoint.id, 'https://id.gs1.org/414/0614141007776');
  assert.equal(eventHashId(dl), eventHashId(event));
});

test('epcis-fns: versions, media types and EPC formats are negotiated', () => {
  assert.deepEqual(negotiate({}, false), { ok: true, epcFormat: 'Always_GS1_Digital_Link', ldJson: false });
  assert.deepEqual(negotiate({ accept: 'application/ld+json', 'gs1-epc-format': 'Never_Translates', 'gs1-epcis-min': '1.2', 'gs1-epcis-max': '2.0' }, false),
    { ok: true, epcFormat: 'Never_Translates', ldJson: true });
  const refused = (h: Record<string, string>, capture = false) => { const n = negotiate(h, capture); return n.ok ? 'ok' : `${n.status} ${n.field}`; };
  assert.equal(refused({ 'gs1-epcis-version': '1.2' }, true), '406 GS1-EPCIS-Version');
  assert.equal(refused({ 'gs1-epcis-version': '2.0' }, true), 'ok');
  assert.equal(refused({ 'gs1-cbv-version': '2.0.0' }, true), 'ok');
  assert.equal(refused({ 'gs1-epcis-min': '2.1' }), '406 GS1-EPCIS-Min');
  assert.equal(refused({ 'gs1-cbv-max': '1.2.2' }), '406 GS1-CBV-Max');
  assert.equal(refused({ 'gs1-epcis-max': 'two' }), '400 GS1-EPCIS-Max');
  assert.equal(refused({ accept: 'application/xml' }), '406 Accept');
  assert.equal(refused({ accept: 'text/html, */*;q=0.1' }), 'ok');
  assert.equal(refused({ 'gs1-epc-format': 'Always_EPC_URN' }), '406 GS1-EPC-Format');
  assert.equal(refused({ 'gs1-epc-format': 'urn' }), '400 GS1-EPC-Format');
});
