import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { contextInfoFromDocument, documentEvents, eventHashId, preHashString } from './epcis-hash.ts';

// Golden vectors of the reference generator, read in place (never copied into the repo).
const VECTORS = path.resolve(import.meta.dirname, '../../../shared/conformance/epcis-hash');
const EXAMPLES = path.join(VECTORS, 'examples');
const EQUAL = path.join(VECTORS, 'expected_equal');

const lines = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.trim() !== '') : []);
const readJson = (file: string) => JSON.parse(fs.readFileSync(file, 'utf8')) as object;
const ni = (preHash: string) => `ni:///sha-256;${createHash('sha256').update(preHash).digest('hex')}?ver=CBV2.0`;
const withHashes = (ext: string) => fs.readdirSync(EXAMPLES).filter((f) => f.endsWith(ext) && fs.existsSync(path.join(EXAMPLES, f.slice(0, -ext.length) + '.hashes'))).sort();

test('epcis-hash: every JSON-LD example event hashes to its expected event hash ID', () => {
  let total = 0;
  let matched = 0;
  let preHashesCompared = 0;
  for (const file of withHashes('.jsonld')) {
    const base = file.slice(0, -'.jsonld'.length);
    const doc = readJson(path.join(EXAMPLES, file));
    const context = contextInfoFromDocument(doc);
    const expected = lines(path.join(EXAMPLES, base + '.hashes'));
    const expectedPre = lines(path.join(EXAMPLES, base + '.prehashes'));
    const events = documentEvents(doc);
    assert.equal(events.length, expected.length, `${base}: one expected hash per event`);
    events.forEach((event, i) => {
      total++;
      const pre = preHashString(event, context);
      // Upstream left a few .prehashes lines stale; only those that hash to the .hashes line are authoritative.
      if (expectedPre[i] !== undefined && ni(expectedPre[i]) === expected[i]) {
        assert.equal(pre, expectedPre[i], `${base} event ${i + 1}: pre-hash string`);
        preHashesCompared++;
      }
      assert.equal(eventHashId(event, context), expected[i], `${base} event ${i + 1}\n  ours: ${pre}\n  want: ${expectedPre[i] ?? '(no .prehashes line)'}`);
      matched++;
    });
  }
  const xmlPending = withHashes('.xml').reduce((n, f) => n + lines(path.join(EXAMPLES, f.slice(0, -'.xml'.length) + '.hashes')).length, 0);
  console.log(`epcis-hash: ${matched}/${total} JSON-LD example vectors match (${preHashesCompared} pre-hash strings equal too); ${xmlPending} XML vectors wait for the XML adapter`);
  assert.ok(total > 0, 'vectors found');
});

test('epcis-hash: every event of an expected_equal JSON document has the same hash', () => {
  const files = fs.readdirSync(EQUAL).sort();
  const json = files.filter((f) => /\.json(ld)?$/.test(f));
  for (const file of json) {
    const doc = readJson(path.join(EQUAL, file));
    const context = contextInfoFromDocument(doc);
    const hashes = new Set(documentEvents(doc).map((e) => eventHashId(e, context)));
    assert.equal(hashes.size, 1, `${file}: ${[...hashes].join(', ')}`);
  }
  const xml = files.filter((f) => f.endsWith('.xml')).length;
  console.log(`epcis-hash: expected_equal ${json.length}/${json.length} JSON documents give one hash; ${xml} XML documents skipped until the XML adapter`);
  assert.ok(json.length > 0, 'expected_equal JSON found');
});

/** A plain ObjectEvent as a capture client would send it; fields override or add. */
function objectEvent(fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    type: 'ObjectEvent',
    eventTime: '2024-05-01T08:00:00.000+08:00',
    eventTimeZoneOffset: '+08:00',
    epcList: ['urn:epc:id:sgtin:0614141.812345.1', 'urn:epc:id:sgtin:0614141.812345.2'],
    action: 'OBSERVE',
    bizStep: 'shipping',
    readPoint: { id: 'urn:epc:id:sgln:0614141.12345.0' },
    ...fields,
  };
}

const EXAMPLE_NS = { namespaces: { ex: 'https://ns.example.com/epcis/' } };

test('epcis-hash: different representations of one event give one hash', () => {
  const reference = eventHashId(objectEvent(), EXAMPLE_NS);
  const variants = [
    objectEvent({ eventTime: '2024-05-01T00:00:00Z' }),
    objectEvent({ eventTime: '2024-05-01T02:00:00.0004+02:00' }),
    objectEvent({ epcList: ['https://brand.example/01/80614141123458/21/2', 'https://id.gs1.org/01/80614141123458/21/1?x=y'] }),
    objectEvent({ bizStep: 'urn:epcglobal:cbv:bizstep:shipping' }),
    objectEvent({ bizStep: 'https://ref.gs1.org/cbv/BizStep-shipping' }),
    objectEvent({ 'rdfs:comment': 'a remark', eventID: 'urn:uuid:7d4d0f92-2ffb-4d0b-a0c2-3a6d5c1b8d9e', recordTime: '2024-05-02T00:00:00Z' }),
    objectEvent({ errorDeclaration: { declarationTime: '2024-05-03T00:00:00Z', reason: 'incorrect_data' } }),
    Object.fromEntries(Object.entries(objectEvent()).reverse()),
  ];
  for (const v of variants) assert.equal(eventHashId(v, EXAMPLE_NS), reference, JSON.stringify(v));
});

test('epcis-hash: any change to hashed content changes the hash', () => {
  const reference = eventHashId(objectEvent(), EXAMPLE_NS);
  const changes = [
    objectEvent({ eventTime: '2024-05-01T08:00:00.001+08:00' }),
    objectEvent({ epcList: ['urn:epc:id:sgtin:0614141.812345.1'] }),
    objectEvent({ bizStep: 'receiving' }),
    objectEvent({ disposition: 'in_transit' }),
    objectEvent({ 'ex:batch': 'A1' }),
    objectEvent({ readPoint: { id: 'urn:epc:id:sgln:0614141.12345.0', 'ex:dock': '7' } }),
    { ...objectEvent(), type: 'TransactionEvent' },
  ];
  for (const c of changes) assert.notEqual(eventHashId(c, EXAMPLE_NS), reference, JSON.stringify(c));
});

test('epcis-hash: extension names expand through the document or event context, or as full IRIs', () => {
  const compact = preHashString(objectEvent({ 'ex:batch': 'A1' }), EXAMPLE_NS);
  assert.ok(compact.endsWith('{https://ns.example.com/epcis/}batch=A1'), compact);
  assert.equal(preHashString(objectEvent({ 'https://ns.example.com/epcis/batch': 'A1' }), EXAMPLE_NS), compact);
  assert.equal(preHashString(objectEvent({ '@context': [{ x: 'https://ns.example.com/epcis/' }], 'x:batch': 'A1' })), compact);
});

test('epcis-hash: fields named in the document ignoreFields are left out', () => {
  const doc = {
    '@context': ['https://ref.gs1.org/standards/epcis/2.0.0/epcis-context.jsonld', { ex: 'https://ns.example.com/epcis/', repo: 'https://repo.example/' }],
    'repo:ignoreFields': ['ex:captureID'],
    epcisBody: { eventList: [objectEvent({ 'ex:captureID': 'c-1' }), objectEvent()] },
  };
  const context = contextInfoFromDocument(doc);
  assert.deepEqual(context.ignoreFields, ['ex:captureID']);
  const [a, b] = documentEvents(doc).map((e) => eventHashId(e, context));
  assert.equal(a, b);
});

test('epcis-hash: values are written in canonical form', () => {
  const pre = preHashString(objectEvent({
    eventTime: '2023-12-31T23:59:59.9995Z',
    quantityList: [{ epcClass: 'urn:epc:class:lgtin:0614141.812345.L1', quantity: '1.50', uom: 'KGM' }],
    disposition: 'urn:epcglobal:cbv:disp:in_transit',
    sensorElementList: [{ sensorReport: [{ type: 'Temperature', value: 0.00001, uom: 'CEL' }] }],
  }));
  for (const part of [
    'eventTime=2024-01-01T00:00:00.000Z',
    'quantityListquantityElementepcClass=https://id.gs1.org/01/80614141123458/10/L1quantity=1.5uom=KGM',
    'disposition=https://ref.gs1.org/cbv/Disp-in_transit',
    'sensorElementListsensorElementsensorReporttype=https://gs1.org/voc/Temperaturevalue=1e-05uom=CEL',
  ]) assert.ok(pre.includes(part), `${part}\n in ${pre}`);
});
