import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { DomainError } from '../platform/errors.ts';
import { parseJsonCapture, parseXmlCapture } from './epcis-document.ts';
import { contextInfoFromDocument, documentEvents, eventHashId, preHashString } from './epcis-hash.ts';
import { parseXmlTree } from './epcis-xml-tree.ts';
import { xmlHashInput } from './epcis-xml.ts';

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
    // Captured (canonical vocabulary) events hash as the sender's do; the document's metadata carries its ignoreFields.
    const captured = parseJsonCapture(fs.readFileSync(path.join(EXAMPLES, file), 'utf8'));
    const capturedContext = contextInfoFromDocument({ '@context': captured.context, ...captured.documentMeta });
    assert.deepEqual(captured.events.map((e) => eventHashId(e, capturedContext)), expected, `${base}: captured events`);
  }
  console.log(`epcis-hash: ${matched}/${total} JSON-LD example vectors match (${withHashes('.jsonld').length} documents, all valid captures whose captured events hash alike; ${preHashesCompared} pre-hash strings equal too)`);
  assert.ok(total > 0, 'vectors found');
});

/** The events and hash context of an XML document through the XML adapter, and whether it is a valid capture. */
function readXml(file: string) {
  const text = fs.readFileSync(file, 'utf8');
  const input = xmlHashInput(parseXmlTree(text));
  try {
    // What a capture stores is exactly what is hashed.
    assert.deepEqual(parseXmlCapture(text).events, input.events, `${path.basename(file)}: captured events are the hashed events`);
    return { ...input, refusedAsCapture: undefined };
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const [first] = e.details.errors as { field: string; message: string }[];
    return { ...input, refusedAsCapture: `${first.field || '(document)'}: ${first.message}` };
  }
}

test('epcis-hash: every XML example event hashes to its expected event hash ID through the XML adapter', () => {
  let total = 0;
  let matched = 0;
  let preHashesCompared = 0;
  const notCaptures: string[] = [];
  const files = withHashes('.xml');
  for (const file of files) {
    const base = file.slice(0, -'.xml'.length);
    const { events, context, refusedAsCapture } = readXml(path.join(EXAMPLES, file));
    // Not every vector is a valid capture; the hash does not depend on that.
    if (refusedAsCapture) notCaptures.push(`${file} (${refusedAsCapture})`);
    const expected = lines(path.join(EXAMPLES, base + '.hashes'));
    const expectedPre = lines(path.join(EXAMPLES, base + '.prehashes'));
    assert.equal(events.length, expected.length, `${base}: one expected hash per event`);
    events.forEach((event, i) => {
      total++;
      const pre = preHashString(event, context);
      if (expectedPre[i] !== undefined && ni(expectedPre[i]) === expected[i]) {
        assert.equal(pre, expectedPre[i], `${file} event ${i + 1}: pre-hash string`);
        preHashesCompared++;
      }
      assert.equal(eventHashId(event, context), expected[i], `${file} event ${i + 1}\n  ours: ${pre}\n  want: ${expectedPre[i] ?? '(no .prehashes line)'}`);
      matched++;
    });
  }
  console.log(`epcis-hash: ${matched}/${total} XML example vectors match (${files.length} documents; ${preHashesCompared} pre-hash strings equal too); `
    + `${files.length - notCaptures.length} of the documents are valid captures, ${notCaptures.length} are not and were hashed from the converter alone: ${notCaptures.join('; ')}`);
  assert.ok(total > 0, 'vectors found');
});

test('epcis-hash: no two XML example events share a hash', () => {
  const seen = new Map<string, string>();
  for (const file of fs.readdirSync(EXAMPLES).filter((f) => f.endsWith('.xml')).sort()) {
    const { events, context } = readXml(path.join(EXAMPLES, file));
    events.forEach((event, i) => {
      const hash = eventHashId(event, context);
      assert.ok(!seen.has(hash), `${file} event ${i + 1} repeats ${seen.get(hash)}`);
      seen.set(hash, `${file} event ${i + 1}`);
    });
  }
  console.log(`epcis-hash: ${seen.size} XML example events, ${seen.size} distinct hashes`);
});

test('epcis-hash: every event of an expected_equal document, JSON or XML, has the same hash', () => {
  const files = fs.readdirSync(EQUAL).sort();
  const json = files.filter((f) => /\.json(ld)?$/.test(f));
  let jsonEvents = 0;
  for (const file of json) {
    const doc = readJson(path.join(EQUAL, file));
    const context = contextInfoFromDocument(doc);
    const events = documentEvents(doc);
    assert.ok(events.length > 1, `${file}: several representations`);
    const hashes = new Set(events.map((e) => eventHashId(e, context)));
    assert.equal(hashes.size, 1, `${file}: ${[...hashes].join(', ')}`);
    jsonEvents += events.length;
  }
  const xml = files.filter((f) => f.endsWith('.xml'));
  let xmlEvents = 0;
  for (const file of xml) {
    const { events, context } = readXml(path.join(EQUAL, file));
    assert.ok(events.length > 1, `${file}: several representations`);
    const hashes = new Set(events.map((e) => eventHashId(e, context)));
    assert.equal(hashes.size, 1, `${file}: ${events.map((e) => preHashString(e, context)).join('\n')}`);
    xmlEvents += events.length;
  }
  console.log(`epcis-hash: expected_equal ${json.length}/${json.length} JSON documents (${jsonEvents} events) and ${xml.length}/${xml.length} XML documents (${xmlEvents} events) each give one hash`);
  assert.ok(json.length > 0 && xml.length > 0, 'expected_equal documents found');
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

/** An XML EPCIS document around one ObjectEvent; `extra` follows the standard fields, `after` follows EPCISBody. */
const xmlDocument = (namespaces: string, extra: string, after = '') =>
  `<epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" ${namespaces} schemaVersion="2.0" creationDate="2024-05-01T00:00:00Z">`
  + '<EPCISBody><EventList><ObjectEvent><eventTime>2024-05-01T08:00:00.000+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>'
  + `<epcList><epc>urn:epc:id:sgtin:0614141.812345.1</epc></epcList><action>ADD</action>${extra}</ObjectEvent></EventList></EPCISBody>${after}</epcis:EPCISDocument>`;
const xmlPreHash = (xml: string) => {
  const { events: [event], context } = xmlHashInput(parseXmlTree(xml));
  return preHashString(event, context);
};

test('epcis-hash: an XML extension hashes under the namespace IRI the XML wrote', () => {
  // The same master-data attribute: XML writes its namespace without the ':' that JSON-LD's cbvmda prefix has.
  const lot = '<ilmd><cbvmda:lotNumber>L1</cbvmda:lotNumber></ilmd>';
  assert.ok(xmlPreHash(xmlDocument('xmlns:cbvmda="urn:epcglobal:cbv:mda"', lot)).endsWith('ilmd{urn:epcglobal:cbv:mda}lotNumber=L1'));
  assert.ok(xmlPreHash(xmlDocument('xmlns:cbvmda="urn:epcglobal:cbv:mda:"', lot)).endsWith('ilmd{urn:epcglobal:cbv:mda:}lotNumber=L1'));
  // Whatever the prefix is called.
  assert.ok(xmlPreHash(xmlDocument('xmlns:mda="urn:epcglobal:cbv:mda"', '<ilmd><mda:lotNumber>L1</mda:lotNumber></ilmd>')).endsWith('ilmd{urn:epcglobal:cbv:mda}lotNumber=L1'));
  // JSON-LD names it through its context, as the JSON-LD vectors do.
  assert.ok(preHashString(objectEvent({ ilmd: { 'cbvmda:lotNumber': 'L1' } })).endsWith('ilmd{urn:epcglobal:cbv:mda:}lotNumber=L1'));
});

test('epcis-hash: only EPCIS\'s own lists are remapped; a user extension named …List is hashed as it stands', () => {
  const ns = '{https://ns.example.com/epcis/}';
  const xml = xmlPreHash(xmlDocument('xmlns:ex="https://ns.example.com/epcis/"',
    '<ex:resourceList><ex:epc>urn:x:1</ex:epc><ex:resourceElement><ex:amount>2</ex:amount></ex:resourceElement></ex:resourceList>'));
  assert.ok(xml.endsWith(`${ns}resourceList${ns}epc=urn:x:1${ns}resourceElement${ns}amount=2`), xml);
  assert.ok(xml.includes('epcListepc=https://id.gs1.org/01/80614141123458/21/1action'), xml);
  const json = preHashString(objectEvent({ 'ex:resourceList': { 'ex:epc': 'urn:x:1', 'ex:resourceElement': { 'ex:amount': 2 } } }), EXAMPLE_NS);
  assert.ok(json.endsWith(`${ns}resourceList${ns}epc=urn:x:1${ns}resourceElement${ns}amount=2`), json);
});

test('epcis-hash: an XML document\'s ignoreFields element names the fields to leave out', () => {
  const namespaces = 'xmlns:ex="https://ns.example.com/epcis/" xmlns:repo="https://repo.example/"';
  const doc = xmlDocument(namespaces, '<ex:captureID>c-1</ex:captureID><ex:batch>A1</ex:batch>', '<repo:ignoreFields><ex:captureID/></repo:ignoreFields>');
  const { context } = xmlHashInput(parseXmlTree(doc));
  assert.deepEqual(context.ignoreFields, ['{https://ns.example.com/epcis/}captureID']);
  assert.equal(xmlPreHash(doc), xmlPreHash(xmlDocument(namespaces, '<ex:batch>A1</ex:batch>')));
  // After EPCISBody, where the XSD puts document extensions, the document is a valid capture too.
  assert.equal(parseXmlCapture(doc).events.length, 1);
});

test('epcis-hash: the XML hash input is the captured events, with the same prefixes, so its context serves a capture', () => {
  // The document's own attribute takes prefix ex first; the event's other ex namespace then becomes ex2.
  const xml = xmlDocument('xmlns:ex="https://a.example/" ex:origin="A"', '<ex:batch xmlns:ex="https://b.example/">B1</ex:batch>');
  const captured = parseXmlCapture(xml);
  const { events, context } = xmlHashInput(parseXmlTree(xml));
  assert.deepEqual(events, captured.events);
  assert.equal(events[0]['ex2:batch'], 'B1');
  assert.ok(preHashString(captured.events[0], context).endsWith('{https://b.example/}batch=B1'));
});
