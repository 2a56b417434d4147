import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { startTestApp, type TestApp, type TestResponse } from '../../test/harness.ts';
import { DomainError } from '../platform/errors.ts';
import { parseJsonCapture, parseXmlCapture } from '../events/epcis-document.ts';
import { contextInfoFromDocument, eventHashId } from '../events/epcis-hash.ts';
import { generateCode } from '../codes/code-scheme.ts';

// The GS1 EPCIS 2.0 REST binding end to end, over HTTP as the platform admin, against the conformance
// fixtures read in place from ../shared/conformance (never copied into the repo).
const CONFORMANCE = path.resolve(import.meta.dirname, '../../../shared/conformance');
const OPENEPCIS = path.join(CONFORMANCE, 'openepcis-test-resources/2.0/EPCIS');
const capturePath = (binding: 'JSON' | 'XML', folder: string) => path.join(OPENEPCIS, binding, 'Capture', folder);

type Json = Record<string, any>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)])).sort();
const jsonFiles = (dir: string) => walk(dir).filter((f) => /\.(json|jsonld)$/.test(f));
const xmlFiles = (dir: string) => walk(dir).filter((f) => f.endsWith('.xml'));
const read = (file: string) => fs.readFileSync(file, 'utf8');
const name = (file: string) => path.relative(CONFORMANCE, file);

const CAPTURE_LIMIT = 1000;
const FILE_SIZE_LIMIT = 4 * 1024 * 1024;
let t: TestApp;
let admin: string;
before(async () => {
  t = await startTestApp({ SUYUAN_EPCIS_CAPTURE_LIMIT: String(CAPTURE_LIMIT), SUYUAN_EPCIS_CAPTURE_FILE_SIZE_LIMIT: String(FILE_SIZE_LIMIT) });
  admin = await t.adminToken();
});
after(async () => { await t.close(); });

/** Each fixture is captured into an empty store: fixtures reuse each other's eventIDs for different events. */
async function emptyStore() {
  await t.db.pool.query('TRUNCATE events, event_ids, capture_jobs CASCADE');
}
const storedCount = async () => Number((await t.db.pool.query('SELECT count(*) FROM events')).rows[0].count);

function post(body: string, contentType: string, headers: Record<string, string> = {}) {
  return t.call('POST', '/epcis/capture', { as: admin, body, headers: { 'content-type': contentType, ...headers } });
}

/** Every page of an event query, following Link rel="next"; each event comes with the document that carried it. */
async function allPages(url: string): Promise<{ events: Array<{ event: Json; doc: Json }>; pages: number }> {
  const events: Array<{ event: Json; doc: Json }> = [];
  let next: string | undefined = url;
  let pages = 0;
  while (next) {
    const r: TestResponse = await t.call('GET', next, { as: admin, headers: { 'GS1-EPC-Format': 'Never_Translates' } });
    assert.equal(r.status, 200, `${next}: ${r.text}`);
    pages++;
    for (const event of r.body.epcisBody.queryResults.resultsBody.eventList) events.push({ event, doc: r.body });
    next = /^<([^>]+)>; rel="next"$/.exec(r.headers.get('link') ?? '')?.[1];
    if (next) assert.ok(r.headers.get('gs1-next-page-token-expires'), 'a next page comes with its token expiry');
  }
  return { events, pages };
}

/** The events a JSON-LD body carries, as the sender wrote them (a single event without its @context). */
function sourceEvents(body: Json): Json[] {
  if (body.type === 'EPCISDocument') return body.epcisBody.eventList;
  if (body.type === 'EPCISQueryDocument') return body.epcisBody.queryResults.resultsBody.eventList;
  const { '@context': _context, ...event } = body;
  return [event];
}

// What the standard lets a repository write differently: a standard term as its bare word or any long form
// (CBV URN, CBV web URI, cbv:/gs1: CURIE, GS1 web IRI), the eventID it gives an event without one, and its own
// recordTime. Everything else must come back exactly as sent.
const VOCABULARY_KEYS = new Set(['bizStep', 'disposition', 'set', 'unset', 'type', 'reason', 'exception', 'component']);
const LONG_FORM = /^(urn:epcglobal:cbv:[a-z]+:|https:\/\/ref\.gs1\.org\/cbv\/[A-Za-z]+-|cbv:[A-Za-z]+-|https:\/\/gs1\.org\/voc\/|gs1:)/;
function bareWords(value: unknown, key = ''): unknown {
  if (Array.isArray(value)) return value.map((v) => bareWords(v, key));
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, bareWords(v, k)]));
  return VOCABULARY_KEYS.has(key) && typeof value === 'string' ? value.replace(LONG_FORM, '') : value;
}

interface Captured { index: number; eventID: string; hashID: string; outcome: 'stored' | 'duplicate' }

/**
 * Captures one accepted document into an empty store and queries it back page by page: every event must
 * come back as sent (plus the eventID the server gives an event without one, and recordTime), hash to the
 * same CBV hash ID under the query document's @context, be found by its eventID, and a second capture of
 * the same document must store nothing and report every event as a duplicate.
 */
async function roundTrip(label: string, text: string, contentType: string, expected: Json[]): Promise<Captured[]> {
  await emptyStore();
  const r = await post(text, contentType);
  assert.equal(r.status, 202, `${label}: ${r.text}`);
  assert.equal(r.headers.get('location'), `/epcis/capture/${r.body.captureID}`, label);
  assert.equal(r.headers.get('gs1-epcis-version'), '2.0.0');
  assert.deepEqual([r.body.running, r.body.success, r.body.errors], [false, true, []], label);
  const captured: Captured[] = r.body.events;
  assert.deepEqual(captured.map((c) => [c.index, c.outcome]), expected.map((_, i) => [i, 'stored']), label);
  assert.equal(r.body.storedCount, expected.length, label);

  const { events } = await allPages('/epcis/events?perPage=2');
  assert.equal(events.length, expected.length, `${label}: events queried back`);
  for (const [i, { event, doc }] of events.entries()) {
    const { recordTime, ...body } = event;
    assert.ok(!Number.isNaN(Date.parse(recordTime)), `${label} #${i}: recordTime`);
    // recordTime is the repository's to set: a sender's value is ignored on capture (EPCIS 2.0, 7.4.1).
    const { recordTime: _sent, ...sent } = expected[i];
    const want = { ...sent, eventID: sent.eventID ?? captured[i].hashID };
    assert.deepEqual(bareWords(body), bareWords(want), `${label} #${i}`);
    assert.equal(eventHashId(event, contextInfoFromDocument(doc)), captured[i].hashID, `${label} #${i}: hash under the query document's context`);
    // The query document itself is a valid EPCISQueryDocument.
    assert.equal(parseJsonCapture(JSON.stringify(doc)).events.length > 0, true);
    const one = await t.call('GET', `/epcis/events/${encodeURIComponent(want.eventID)}`, { as: admin, headers: { 'GS1-EPC-Format': 'Never_Translates' } });
    assert.equal(one.status, 200, `${label} #${i}: by eventID ${one.text}`);
    assert.deepEqual(one.body.epcisBody.queryResults.resultsBody.eventList, [event], `${label} #${i}: by eventID`);
  }

  const again = await post(text, contentType);
  assert.equal(again.status, 202, label);
  assert.deepEqual([again.body.storedCount, again.body.duplicateCount], [0, expected.length], `${label}: re-sent`);
  assert.ok(again.body.events.every((c: Captured, i: number) => c.outcome === 'duplicate' && c.hashID === captured[i].hashID), `${label}: duplicates reported`);
  assert.equal(await storedCount(), expected.length, `${label}: nothing stored twice`);
  return captured;
}

/** A refused capture: 4xx problem+json in the binding's terms, naming the field the parser names, nothing stored. */
async function assertRefused(label: string, text: string, contentType: string, parse: () => unknown) {
  let refusal: DomainError | undefined;
  try { parse(); } catch (e) { refusal = e as DomainError; }
  assert.ok(refusal instanceof DomainError, `${label}: the parser refuses it`);
  await emptyStore();
  const r = await post(text, contentType);
  assert.equal(r.status, 400, `${label}: ${r.text}`);
  assert.match(r.headers.get('content-type') ?? '', /^application\/problem\+json/, label);
  assert.equal(r.body.type, 'epcisException:ValidationException', label);
  assert.equal(r.body.code, refusal.code, label);
  assert.equal(typeof r.body.field, 'string', `${label}: names the field`);
  assert.equal(r.body.field, refusal.details.field, label);
  assert.equal(await storedCount(), 0, label);
  return r.body.field as string;
}

test('epcis conformance: JSON-LD documents are captured and queried back intact', async () => {
  const folders = [path.join(CONFORMANCE, 'epcis/json'), capturePath('JSON', 'Documents'), capturePath('JSON', 'Events')];
  for (const folder of folders) {
    const files = jsonFiles(folder);
    let accepted = 0;
    let events = 0;
    const refused: string[] = [];
    for (const file of files) {
      const text = read(file);
      const contentType = file.endsWith('.jsonld') ? 'application/ld+json' : 'application/json';
      let ok = true;
      try { parseJsonCapture(text); } catch { ok = false; }
      if (!ok) {
        refused.push(`${path.basename(file)} (${await assertRefused(name(file), text, contentType, () => parseJsonCapture(text))})`);
        continue;
      }
      const expected = sourceEvents(JSON.parse(text));
      await roundTrip(name(file), text, contentType, expected);
      accepted++;
      events += expected.length;
    }
    console.log(`epcis conformance: ${accepted}/${files.length} ${name(folder)} documents captured and queried back intact (${events} events, each re-sent as a duplicate)`
      + (refused.length ? `; ${refused.length} refused as invalid, naming the field: ${refused.join(', ')}` : ''));
    assert.equal(accepted + refused.length, files.length);
    assert.ok(accepted > 0);
  }
});

/** Twins share a file name, up to case and underscores (…_error_declaration vs …_errorDeclaration). */
const twinKey = (file: string) => path.basename(file).replace(/\.\w+$/, '').replace(/_/g, '').toLowerCase();

test('epcis conformance: XML documents capture to the same event hash IDs as their JSON twins', async () => {
  for (const folder of ['Documents', 'Events']) {
    const jsonByKey = new Map(jsonFiles(capturePath('JSON', folder)).map((f) => [twinKey(f), f]));
    const files = xmlFiles(capturePath('XML', folder));
    let accepted = 0;
    let pairs = 0;
    let events = 0;
    const refused: string[] = [];
    const unpaired: string[] = [];
    for (const file of files) {
      const text = read(file);
      let expected: Json[] | undefined;
      try { expected = parseXmlCapture(text).events; } catch { expected = undefined; }
      if (!expected) {
        refused.push(`${path.basename(file)} (${await assertRefused(name(file), text, 'application/xml', () => parseXmlCapture(text))})`);
        continue;
      }
      // Queried back as the JSON-LD the XML converts to, with every event hashing as captured.
      const xmlHashes = (await roundTrip(name(file), text, 'application/xml', expected)).map((c) => c.hashID);
      accepted++;
      events += expected.length;
      const twin = jsonByKey.get(twinKey(file));
      let twinText: string | undefined = twin && read(twin);
      try { if (twinText) parseJsonCapture(twinText); } catch { twinText = undefined; }
      if (!twinText) { unpaired.push(path.basename(file)); continue; }
      await emptyStore();
      const json = await post(twinText, 'application/json');
      assert.equal(json.status, 202, `${name(twin!)}: ${json.text}`);
      assert.deepEqual(xmlHashes, json.body.events.map((c: Captured) => c.hashID), `${path.basename(file)} and ${path.basename(twin!)} hash alike`);
      pairs++;
    }
    console.log(`epcis conformance: ${accepted}/${files.length} XML Capture/${folder} captured and queried back intact (${events} events); `
      + `${pairs}/${pairs} XML/JSON twins capture to the same event hash IDs; no accepted JSON twin: ${unpaired.join(', ') || 'none'}`
      + (refused.length ? `; ${refused.length} refused as invalid, naming the field: ${refused.join(', ')}` : ''));
    assert.ok(pairs > 0);
  }
});

test('epcis conformance: every Invalid capture, JSON and XML, is refused with a problem naming the field', async () => {
  const jsonInvalid = jsonFiles(capturePath('JSON', 'Invalid'));
  const xmlInvalid = xmlFiles(capturePath('XML', 'Invalid'));
  for (const file of jsonInvalid) await assertRefused(name(file), read(file), 'application/json', () => parseJsonCapture(read(file)));
  for (const file of xmlInvalid) await assertRefused(name(file), read(file), 'application/xml', () => parseXmlCapture(read(file)));
  console.log(`epcis conformance: ${jsonInvalid.length}/${jsonInvalid.length} JSON and ${xmlInvalid.length}/${xmlInvalid.length} XML Capture/Invalid refused with 400 problem+json naming the field`);
  assert.ok(jsonInvalid.length > 0 && xmlInvalid.length > 0);
});

// ---- capture behaviour ------------------------------------------------------------------------

const CONTEXT = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld', { ex: 'https://example.org/ns/' }];
let serial = 0;
/** An ObjectEvent with a fresh SGTIN; `epc` overrides the identifier. */
const objectEvent = (epc = `urn:epc:id:sgtin:0614141.812345.${++serial}`): Json => ({
  type: 'ObjectEvent', eventTime: '2024-05-01T08:00:00.000+08:00', eventTimeZoneOffset: '+08:00', epcList: [epc], action: 'OBSERVE',
  bizStep: 'receiving', 'ex:note': `n${serial}`,
});
const document = (events: Json[]) => JSON.stringify({
  '@context': CONTEXT, type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2024-05-01T08:00:00Z', epcisBody: { eventList: events },
});

test('epcis conformance: rollback stores nothing when one event is bad, proceed stores the others', async () => {
  // A well-formed Suyuan trace code that was never issued: schema-valid, refused by the capture rules.
  const bad = objectEvent(`urn:suyuan:code:${generateCode('350', 'item')}`);
  const text = document([objectEvent(), bad, objectEvent()]);

  await emptyStore();
  const rollback = await post(text, 'application/json');
  assert.equal(rollback.status, 202, rollback.text);
  assert.deepEqual([rollback.body.running, rollback.body.success, rollback.body.captureErrorBehaviour, rollback.body.storedCount], [false, false, 'rollback', 0]);
  assert.deepEqual(rollback.body.errors.map((e: Json) => [e.code, e.field, e.eventIndex]), [['CODE_UNKNOWN', 'epcisBody.eventList.1.epcList', 1]]);
  assert.equal(rollback.body.errors[0].type, 'epcisException:ValidationException');
  assert.equal(await storedCount(), 0);
  const job = await t.call('GET', rollback.headers.get('location')!, { as: admin });
  assert.deepEqual({ ...job.body }, Object.fromEntries(Object.entries(rollback.body).filter(([k]) => k !== 'events')));

  const proceed = await post(text, 'application/json', { 'GS1-Capture-Error-Behaviour': 'proceed' });
  assert.equal(proceed.status, 202, proceed.text);
  assert.deepEqual([proceed.body.running, proceed.body.success, proceed.body.captureErrorBehaviour, proceed.body.storedCount],
    [false, false, 'proceed', 2]);
  assert.deepEqual(proceed.body.errors.map((e: Json) => e.eventIndex), [1]);
  assert.deepEqual(proceed.body.events.map((e: Captured) => [e.index, e.outcome]), [[0, 'stored'], [2, 'stored']]);
  assert.equal(await storedCount(), 2);

  const wrong = await post(text, 'application/json', { 'GS1-Capture-Error-Behaviour': 'all' });
  assert.deepEqual([wrong.status, wrong.body.field], [400, 'GS1-Capture-Error-Behaviour']);
  console.log('epcis conformance: rollback with 1 bad event of 3 stored 0 (job failed); proceed stored 2 and reported event 1');
});

test('epcis conformance: captures above the advertised limits are refused with 413', async () => {
  const discovery = await t.call('OPTIONS', '/epcis/capture', { as: admin });
  assert.equal(discovery.status, 204);
  assert.equal(discovery.headers.get('gs1-epcis-capture-limit'), String(CAPTURE_LIMIT));
  assert.equal(discovery.headers.get('gs1-epcis-capture-file-size-limit'), String(FILE_SIZE_LIMIT));
  assert.equal(discovery.headers.get('gs1-capture-error-behaviour'), 'all');
  assert.equal(discovery.headers.get('allow'), 'OPTIONS, POST, GET');

  await emptyStore();
  const tooMany = await post(document(Array.from({ length: CAPTURE_LIMIT + 1 }, () => objectEvent())), 'application/json');
  assert.equal(tooMany.status, 413, tooMany.text);
  assert.equal(tooMany.body.type, 'epcisException:CaptureLimitExceededException');
  assert.equal(tooMany.headers.get('gs1-epcis-capture-limit'), String(CAPTURE_LIMIT));

  const padded = document([objectEvent()]).replace('{', `{${' '.repeat(FILE_SIZE_LIMIT)}`);
  const tooBig = await post(padded, 'application/json');
  assert.equal(tooBig.status, 413, tooBig.text.slice(0, 200));
  assert.equal(tooBig.body.type, 'epcisException:CaptureLimitExceededException');
  assert.equal(tooBig.headers.get('gs1-epcis-capture-file-size-limit'), String(FILE_SIZE_LIMIT));
  assert.equal(await storedCount(), 0);
  console.log(`epcis conformance: ${CAPTURE_LIMIT + 1} events and ${padded.length} bytes refused with 413 (limits ${CAPTURE_LIMIT} events / ${FILE_SIZE_LIMIT} bytes)`);
});

async function finished(location: string): Promise<Json> {
  for (let i = 0; i < 200; i++) {
    const r = await t.call('GET', location, { as: admin });
    assert.equal(r.status, 200, r.text);
    if (!r.body.running) return r.body;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  assert.fail(`${location} did not finish`);
}

test('epcis conformance: a large document becomes a capture job, processed to completion, also after a restart', async () => {
  await emptyStore();
  const events = Array.from({ length: 600 }, () => objectEvent());
  const queued = await post(document(events), 'application/json');
  assert.equal(queued.status, 202, queued.text);
  assert.deepEqual([queued.body.running, queued.body.success, queued.body.eventCount], [true, true, 600]);
  assert.equal(queued.body.events, undefined, 'a queued job has no per-event outcome yet');
  const done = await finished(queued.headers.get('location')!);
  assert.deepEqual([done.success, done.storedCount, done.duplicateCount, done.errors], [true, 600, 0, []]);
  assert.ok(done.finishedAt);
  const listed = await t.call('GET', '/epcis/capture', { as: admin });
  assert.deepEqual(listed.body.map((j: Json) => j.captureID), [done.captureID]);

  // A process that stopped mid-job leaves it 'running'; the next start picks it up, and event hashes make the
  // second run idempotent: what the first run stored counts as duplicates.
  await t.services.epcis.stopWorker();
  const resent = await post(document([...events, objectEvent()]), 'application/json');
  assert.equal(resent.status, 202);
  await t.db.pool.query(`UPDATE capture_jobs SET status = 'running' WHERE id = $1`, [resent.body.captureID]);
  assert.equal((await t.call('GET', resent.headers.get('location')!, { as: admin })).body.running, true);
  t.services.epcis.startWorker(t.app.log);
  const recovered = await finished(resent.headers.get('location')!);
  assert.deepEqual([recovered.success, recovered.storedCount, recovered.duplicateCount], [true, 1, 600]);
  assert.equal(await storedCount(), 601);
  console.log(`epcis conformance: async job of 600 events processed to completion (stored ${done.storedCount}); job left running by a stopped worker resumed: stored 1, duplicates 600`);
});
