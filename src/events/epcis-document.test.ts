import { test } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import Ajv from 'ajv';
import ajvFormats from 'ajv-formats';
import { DomainError } from '../platform/errors.ts';
import { canonicalGs1Uri } from './epc-uri.ts';
import { parseJsonCapture, parseXmlCapture, type ParsedCapture } from './epcis-document.ts';
import { MEASUREMENT_TYPES } from './epcis-document-vocab.ts';
import { epcisSchemaIssues } from './epcis-validate.ts';
import { parseXmlTree } from './epcis-xml-tree.ts';
import { xmlRootKind, xmlToJsonLd } from './epcis-xml.ts';

// Conformance material is read in place, never copied into the repo.
const CONFORMANCE = path.resolve(import.meta.dirname, '../../../shared/conformance');
const GS1_JSON = path.join(CONFORMANCE, 'epcis/json');
const CAPTURE = path.join(CONFORMANCE, 'openepcis-test-resources/2.0/EPCIS');
const capture = (binding: 'JSON' | 'XML', folder: string) => path.join(CAPTURE, binding, 'Capture', folder);

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const walk = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true })
  .flatMap((e) => (e.isDirectory() ? walk(path.join(dir, e.name)) : [path.join(dir, e.name)])).sort();
const jsonFiles = (dir: string) => walk(dir).filter((f) => /\.(json|jsonld)$/.test(f));
const xmlFiles = (dir: string) => walk(dir).filter((f) => f.endsWith('.xml'));
const read = (file: string) => fs.readFileSync(file, 'utf8');
const readJson = (file: string) => JSON.parse(read(file)) as unknown;
const name = (file: string) => path.basename(file);

// The official GS1 schema, run by ajv only here in the tests, as the yardstick for our own rules.
// Both packages are CommonJS; Node's ESM loader hands over module.exports, whose `default` is the export.
const ajv = new Ajv.default({ strict: false });
ajvFormats.default(ajv);
const officialSchema = ajv.compile(readJson(path.join(CONFORMANCE, 'epcis/json-schema/EPCIS-JSON-Schema.json')) as object);
const officiallyValid = (body: unknown) => officialSchema(body) as boolean;

/** The events a JSON-LD body carries, as the sender wrote them. */
function sourceEvents(body: unknown): Json[] {
  const b = body as Json & { epcisBody?: Json & { queryResults?: { resultsBody: { eventList: Json[] } } } };
  if (b.type === 'EPCISDocument') return (b.epcisBody!.eventList as Json[]);
  if (b.type === 'EPCISQueryDocument') return b.epcisBody!.queryResults!.resultsBody.eventList;
  const { '@context': _context, ...event } = b;
  return [event];
}

// The one rewrite the parser makes to JSON input: a standard term written as a CBV URN, CBV web URI,
// cbv: CURIE, GS1 web-vocabulary IRI or gs1: CURIE arrives as its bare word ("receiving", "Temperature").
const VOCABULARY_KEYS = new Set(['bizStep', 'disposition', 'set', 'unset', 'type', 'reason', 'exception', 'component']);
const LONG_FORM = /^(urn:epcglobal:cbv:[a-z]+:|https:\/\/ref\.gs1\.org\/cbv\/[A-Za-z]+-|cbv:[A-Za-z]+-|https:\/\/gs1\.org\/voc\/|gs1:)/;
const bareWord = (key: string, value: unknown) => (VOCABULARY_KEYS.has(key) && typeof value === 'string' ? value.replace(LONG_FORM, '') : value);
// A sensor type outside GS1's list lands as its gs1: CURIE instead ("EffectiveDoseRate" → "gs1:EffectiveDoseRate").
const SENSOR_TYPE_PATH = /\.sensorElementList\.\d+\.sensorReport\.\d+\.type$/;
const openSensorType = (where: string, value: unknown) => (SENSOR_TYPE_PATH.test(where) && typeof value === 'string'
  && !MEASUREMENT_TYPES.has(bareWord('type', value) as string) ? `gs1:${String(bareWord('type', value))}` : value);

/** Paths where parsed events differ from the source other than by a standard term written in its canonical form. */
function alterations(parsed: unknown, source: unknown, where: string, key = ''): string[] {
  if (Array.isArray(parsed) && Array.isArray(source)) {
    return parsed.length !== source.length ? [where] : parsed.flatMap((p, i) => alterations(p, source[i], `${where}.${i}`, key));
  }
  if (isObject(parsed) && isObject(source)) {
    return [...new Set([...Object.keys(parsed), ...Object.keys(source)])].flatMap((k) => alterations(parsed[k], source[k], `${where}.${k}`, k));
  }
  return Object.is(parsed, source) || Object.is(parsed, bareWord(key, source)) || Object.is(parsed, openSensorType(where, source)) ? [] : [where];
}

/** Runs a parse that must be refused and returns the DomainError. */
function refusal(parse: () => unknown): DomainError {
  try {
    parse();
  } catch (e) {
    assert.ok(e instanceof DomainError, `expected a DomainError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected the capture to be refused');
}

/** Follows a dotted JSON path ('' is the body itself). */
function at(body: unknown, field: string): unknown {
  if (field === '') return body;
  return field.split('.').reduce<unknown>((v, k) => (isObject(v) || Array.isArray(v) ? (v as Json)[k] : undefined), body);
}
/** A refusal names a real place: the named field's parent exists in the body (the field itself may be missing). */
function assertNamesField(e: DomainError, body: unknown, label: string): string {
  assert.equal(e.kind, 'invalid', label);
  const field = e.details.field;
  assert.equal(typeof field, 'string', `${label}: details.field`);
  assert.ok(Array.isArray(e.details.errors) && e.details.errors.length > 0, `${label}: details.errors`);
  const parent = (field as string).split('.').slice(0, -1).join('.');
  const holder = at(body, parent);
  assert.ok(isObject(holder) || Array.isArray(holder), `${label}: "${String(field)}" is not inside the document`);
  return field as string;
}

test('epcis-document: every GS1 example in epcis/json parses with all events intact', () => {
  const files = jsonFiles(GS1_JSON);
  let events = 0;
  for (const file of files) {
    const text = read(file);
    const body = JSON.parse(text);
    assert.ok(officiallyValid(body), `${name(file)} is valid under the official schema`);
    const parsed = parseJsonCapture(text);
    assert.deepEqual(alterations(parsed.events, sourceEvents(body), 'events'), [], name(file));
    assert.deepEqual(parsed.context, body['@context'], `${name(file)}: @context`);
    events += parsed.events.length;
  }
  console.log(`epcis-document: ${files.length}/${files.length} epcis/json documents parse intact (${events} events)`);
  assert.ok(files.length > 0);
});

test('epcis-document: every openepcis JSON Capture/Documents and Events capture is accepted intact', () => {
  for (const folder of ['Documents', 'Events']) {
    const files = jsonFiles(capture('JSON', folder));
    let events = 0;
    const beyondOfficial: string[] = [];
    for (const file of files) {
      const text = read(file);
      const body = JSON.parse(text);
      let parsed: ParsedCapture;
      try {
        parsed = parseJsonCapture(text);
      } catch (e) {
        assert.fail(`${name(file)} must be accepted: ${JSON.stringify(e instanceof DomainError ? e.details.errors : String(e))}`);
      }
      assert.deepEqual(alterations(parsed.events, sourceEvents(body), 'events'), [], name(file));
      events += parsed.events.length;
      // Those the official schema refuses are accepted only by the deliberate differences listed below.
      if (!officiallyValid(body)) beyondOfficial.push(`${name(file)} (${explainedDisagreement(name(file), body).join('; ')})`);
    }
    console.log(`epcis-document: ${files.length}/${files.length} JSON Capture/${folder} accepted intact (${events} events), 0 refused`
      + (beyondOfficial.length > 0 ? `; ${beyondOfficial.length} of them refused by the official schema, accepted by deliberate difference: ${beyondOfficial.join(', ')}` : ''));
    assert.ok(files.length > 0);
  }
});

test('epcis-document: every Invalid capture, JSON and XML, is refused naming the offending field', () => {
  const jsonInvalid = jsonFiles(capture('JSON', 'Invalid'));
  for (const file of jsonInvalid) {
    const text = read(file);
    const e = refusal(() => parseJsonCapture(text));
    assert.equal(e.code, 'EPCIS_SCHEMA', name(file));
    assertNamesField(e, JSON.parse(text), name(file));
  }
  const xmlInvalid = xmlFiles(capture('XML', 'Invalid'));
  for (const file of xmlInvalid) {
    const text = read(file);
    const e = refusal(() => parseXmlCapture(text));
    assert.equal(e.code, 'EPCIS_SCHEMA', name(file));
    // The field is named by its JSON path in the converted body.
    assertNamesField(e, xmlToJsonLd(parseXmlTree(text)), name(file));
  }
  console.log(`epcis-document: ${jsonInvalid.length}/${jsonInvalid.length} JSON Capture/Invalid and ${xmlInvalid.length}/${xmlInvalid.length} XML Capture/Invalid refused, each naming the field`);
  assert.ok(jsonInvalid.length > 0 && xmlInvalid.length > 0);
});

// ---- XML twins ----------------------------------------------------------------------------------

const STANDARD_PREFIXES: Record<string, string> = {
  epcis: 'https://ref.gs1.org/epcis/', cbv: 'https://ref.gs1.org/cbv/', cbvmda: 'urn:epcglobal:cbv:mda:', gs1: 'https://gs1.org/voc/',
  rdfs: 'http://www.w3.org/2000/01/rdf-schema#', owl: 'http://www.w3.org/2002/07/owl#', xsd: 'http://www.w3.org/2001/XMLSchema#', dcterms: 'http://purl.org/dc/terms/',
};
const RDFS_COMMENT = 'http://www.w3.org/2000/01/rdf-schema#comment';
const DATE_TIME = /^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(\.\d+)?(Z|[+-]\d\d:\d\d)$/;

function declaredPrefixes(context: unknown, into: Record<string, string>): Record<string, string> {
  for (const entry of Array.isArray(context) ? context : [context]) {
    if (isObject(entry)) for (const [k, v] of Object.entries(entry)) if (typeof v === 'string') into[k] = v;
  }
  return into;
}

/**
 * What the two bindings may legitimately write differently, taken out before comparing:
 * - prefixes: keys are compared as full IRIs, since prefix names and where @context declares them differ;
 * - identifiers: EPC URNs and GS1 Digital Link URIs (any domain) compared in canonical Digital Link form;
 * - standard terms: compared as bare words (XML writes urn:epcglobal:cbv:bizstep:receiving, gs1:Temperature);
 * - rdfs:comment: JSON-LD's comments, whose XML counterparts (<!-- -->) are not data;
 * - date-times stay as written here and are compared as instants by `differences`.
 */
function comparable(value: unknown, prefixes: Record<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => comparable(v, prefixes));
  if (isObject(value)) {
    const scope = declaredPrefixes(value['@context'], { ...prefixes });
    const out: Json = {};
    for (const [key, v] of Object.entries(value)) {
      if (key === '@context') continue;
      const colon = key.indexOf(':');
      const iri = colon > 0 && scope[key.slice(0, colon)] ? scope[key.slice(0, colon)] + key.slice(colon + 1) : key;
      if (iri === RDFS_COMMENT) continue;
      out[iri] = comparable(bareWord(key, v), scope);
    }
    return out;
  }
  return typeof value === 'string' ? canonicalGs1Uri(value) ?? value : value;
}

interface Difference { path: string; xml: unknown; json: unknown }
/**
 * Where two comparable event lists differ. Date-times are equal when they are the same instant. A pair
 * with the same clock reading in two time zones is set aside as `offsetLost`: the JSON twin wrote the
 * XML's local time with "Z", a defect of the upstream fixtures that no converter could repair.
 */
function differences(xml: unknown, json: unknown, where: string, offsetLost: Difference[]): Difference[] {
  if (Array.isArray(xml) && Array.isArray(json)) {
    if (xml.length !== json.length) return [{ path: where, xml: `${xml.length} items`, json: `${json.length} items` }];
    return xml.flatMap((x, i) => differences(x, json[i], `${where}.${i}`, offsetLost));
  }
  if (isObject(xml) && isObject(json)) {
    return [...new Set([...Object.keys(xml), ...Object.keys(json)])]
      .flatMap((k) => differences(xml[k], json[k], `${where}.${k}`, offsetLost));
  }
  const [x, j] = [DATE_TIME.exec(String(xml)), DATE_TIME.exec(String(json))];
  if (typeof xml === 'string' && typeof json === 'string' && x && j) {
    if (Date.parse(xml) === Date.parse(json)) return [];
    if (x[1] === j[1] && x[3] !== j[3]) {
      offsetLost.push({ path: where, xml, json });
      return [];
    }
  }
  return Object.is(xml, json) ? [] : [{ path: where, xml, json }];
}

/** Twins share a file name, up to case and underscores (…_error_declaration vs …_errorDeclaration). */
const twinKey = (file: string) => name(file).replace(/\.\w+$/, '').replace(/_/g, '').toLowerCase();

/**
 * Pairs the XML and JSON twins of a folder: their converted bodies must carry the same events, and when
 * both are captured (the XML one may be refused only for element order, see below) so must the captures.
 */
function compareTwins(folder: string): { pairs: number; captured: number; unpaired: string[]; offsetLost: Difference[] } {
  const jsonByKey = new Map(jsonFiles(capture('JSON', folder)).map((f) => [twinKey(f), f]));
  const offsetLost: Difference[] = [];
  const unpaired: string[] = [];
  let pairs = 0;
  let captured = 0;
  for (const xmlFile of xmlFiles(capture('XML', folder))) {
    const jsonFile = jsonByKey.get(twinKey(xmlFile));
    jsonByKey.delete(twinKey(xmlFile));
    if (!jsonFile) {
      unpaired.push(name(xmlFile));
      continue;
    }
    const xmlBody = xmlToJsonLd(parseXmlTree(read(xmlFile)));
    const jsonBody = readJson(jsonFile);
    const side = (body: unknown) => comparable(sourceEvents(body),
      declaredPrefixes((body as Json)['@context'], { ...STANDARD_PREFIXES }));
    const diff = differences(side(xmlBody), side(jsonBody), `${name(xmlFile)} events`, offsetLost);
    assert.deepEqual(diff, [], `${name(xmlFile)} converts to the events of ${name(jsonFile)}`);
    pairs++;
    let xmlCapture: ParsedCapture;
    try {
      xmlCapture = parseXmlCapture(read(xmlFile));
    } catch {
      continue; // judged by the acceptance test of XML captures
    }
    const jsonCapture = parseJsonCapture(read(jsonFile));
    const captureSide = (c: ParsedCapture) => comparable(c.events, declaredPrefixes(c.context, { ...STANDARD_PREFIXES }));
    const capturedDiff = differences(captureSide(xmlCapture), captureSide(jsonCapture), `${name(xmlFile)} captured events`, []);
    assert.deepEqual(capturedDiff, [], `${name(xmlFile)} is captured as ${name(jsonFile)} is`);
    captured++;
  }
  unpaired.push(...[...jsonByKey.values()].map(name));
  return { pairs, captured, unpaired, offsetLost };
}

test('epcis-document: each XML twin in Capture/Documents converts to the events of its JSON twin', () => {
  const { pairs, captured, unpaired, offsetLost } = compareTwins('Documents');
  console.log(`epcis-document: ${pairs}/${pairs} Documents XML/JSON twins convert to the same events, ${captured} of them also captured alike (both accepted); no twin: ${unpaired.join(', ')}; `
    + `upstream fixture defect (JSON twin lost the UTC offset): ${offsetLost.map((d) => `${d.path} ${String(d.xml)} vs ${String(d.json)}`).join('; ') || 'none'}`);
  assert.ok(pairs >= 35, 'twins found');
  assert.ok(captured >= pairs - 1, 'every twin pair is captured alike but for the element-order exception');
  assert.ok(offsetLost.length <= 1, 'offset defects stay the known exception, not a pattern');
});

test('epcis-document: each XML twin in Capture/Events converts to the event of its JSON twin', () => {
  const { pairs, captured, unpaired, offsetLost } = compareTwins('Events');
  console.log(`epcis-document: ${pairs}/${pairs} Events XML/JSON twins convert to the same event, ${captured} of them also captured alike (both accepted); no twin: ${unpaired.join(', ')}; `
    + `upstream fixture defect (JSON twin lost the UTC offset): ${offsetLost.map((d) => `${d.path} ${String(d.xml)} vs ${String(d.json)}`).join('; ') || 'none'}`);
  assert.ok(pairs >= 5, 'twins found');
  assert.equal(captured, pairs, 'every twin pair is captured alike');
  assert.ok(offsetLost.length <= 1, 'offset defects stay the known exception, not a pattern');
});

/**
 * The one contradiction among the fixtures that the converter cannot paper over: Capture/Documents holds a
 * document whose elements are jumbled, while Capture/Invalid/ObjectEvent_with_wrong_element_order.xml must
 * be refused for its element order. The XSD's xsd:sequence decides, so jumbled XML stays refused. A refusal
 * is only tolerated here if every issue is an element-order issue and the JSON twin, which has no order,
 * is accepted.
 */
const isOrderIssue = (i: { message: string }) => /is out of order: the XSD puts it/.test(i.message);

test('epcis-document: every XML capture in Capture/Documents and Events is accepted, but for XSD element order', () => {
  const jsonByKey = new Map(['Documents', 'Events'].flatMap((f) => jsonFiles(capture('JSON', f))).map((f) => [twinKey(f), f]));
  const orderRefusals: string[] = [];
  for (const folder of ['Documents', 'Events']) {
    const files = xmlFiles(capture('XML', folder));
    let events = 0;
    for (const file of files) {
      const text = read(file);
      let parsed: ParsedCapture;
      try {
        parsed = parseXmlCapture(text);
      } catch (e) {
        assert.ok(e instanceof DomainError && e.code === 'EPCIS_SCHEMA', `${name(file)}: ${String(e)}`);
        const issues = e.details.errors as { field: string; message: string }[];
        assertNamesField(e, xmlToJsonLd(parseXmlTree(text)), name(file));
        assert.ok(issues.every(isOrderIssue), `${name(file)} must be accepted; refused: ${JSON.stringify(issues.filter((i) => !isOrderIssue(i)))}`);
        const twin = jsonByKey.get(twinKey(file));
        assert.ok(twin && parseJsonCapture(read(twin)), `${name(file)}: refused for element order only, and its JSON twin is accepted`);
        orderRefusals.push(`${folder}/${name(file)} (${issues.length} elements out of XSD order, first ${issues[0].field}: ${issues[0].message}; `
          + `JSON twin ${name(twin)} accepted)`);
        continue;
      }
      assert.ok(parsed.events.length > 0, name(file));
      events += parsed.events.length;
    }
    const refusedHere = orderRefusals.filter((r) => r.startsWith(`${folder}/`)).length;
    console.log(`epcis-document: ${files.length - refusedHere}/${files.length} XML Capture/${folder} accepted (${events} events), ${refusedHere} refused`);
  }
  console.log(`epcis-document: XML exception, refused because the XSD order wins over the contradicting fixtures `
    + `(Capture/Invalid/ObjectEvent_with_wrong_element_order.xml must be refused): ${orderRefusals.join('; ') || 'none'}`);
  assert.ok(orderRefusals.length <= 1, 'the element-order refusal stays the known exception, not a pattern');
});

// ---- agreement with the official schema ---------------------------------------------------------

const OFFICIAL_SCHEMA_ID = 'https://gs1.github.io/EPCIS/EPCIS-JSON-Schema.json';
const officialDefinition = (definition: string) => {
  const check = ajv.getSchema(`${OFFICIAL_SCHEMA_ID}#/definitions/${definition}`);
  assert.ok(check, `official definition ${definition}`);
  return (value: unknown) => check(value) as boolean;
};
const officialMeasurementType = officialDefinition('measurementType');
const officialSensorAlertType = officialDefinition('sensorAlertType');

/** The events of a (possibly mutated) capture body, wherever they sit; nothing is assumed about their shape. */
function bodyEvents(body: unknown): Json[] {
  if (!isObject(body)) return [];
  const epcisBody = isObject(body.epcisBody) ? body.epcisBody : {};
  const results = isObject(epcisBody.queryResults) && isObject(epcisBody.queryResults.resultsBody) ? epcisBody.queryResults.resultsBody : {};
  const list = body.type === 'EPCISDocument' ? epcisBody.eventList : body.type === 'EPCISQueryDocument' ? results.eventList : [body];
  return Array.isArray(list) ? list.filter(isObject) : [];
}
const sensorReports = (event: Json): Json[] => (Array.isArray(event.sensorElementList) ? event.sensorElementList : [])
  .flatMap((el: unknown) => (isObject(el) && Array.isArray(el.sensorReport) ? el.sensorReport.filter(isObject) : []));

/**
 * Where our rules deliberately differ from the official JSON Schema (see epcis-validate.ts). Each difference
 * rewrites, in place, every occurrence in a body into a form both sides judge alike, and says how many it
 * rewrote. A body judged differently must be explained entirely by these: once they are neutralised, ours
 * and the official verdict must agree, and the direction must be that of a difference that occurred.
 */
const DELIBERATE_DIFFERENCES: { name: string; ours: 'accepts' | 'refuses'; neutralise: (body: Json) => number }[] = [
  {
    name: 'persistentDisposition on an Aggregation/Transaction/AssociationEvent (the XSD allows it)',
    ours: 'accepts',
    neutralise: (body) => bodyEvents(body).filter((e) => ['AggregationEvent', 'TransactionEvent', 'AssociationEvent'].includes(e.type as string)
      && 'persistentDisposition' in e).map((e) => delete e.persistentDisposition).length,
  },
  {
    name: 'repeated entries in epcList/inputEPCList/outputEPCList/persistentDisposition set/unset (the XSD allows them)',
    ours: 'accepts',
    neutralise: (body) => {
      let n = 0;
      const dedupe = (holder: Json, key: string) => {
        const list = holder[key];
        if (!Array.isArray(list)) return;
        const once = [...new Map(list.map((v) => [JSON.stringify(v), v])).values()];
        if (once.length < list.length) { holder[key] = once; n++; }
      };
      for (const e of bodyEvents(body)) {
        for (const key of ['epcList', 'inputEPCList', 'outputEPCList']) dedupe(e, key);
        if (isObject(e.persistentDisposition)) for (const key of ['set', 'unset']) dedupe(e.persistentDisposition, key);
      }
      return n;
    },
  },
  {
    name: 'sensorReport without type (the XSD makes it optional)',
    ours: 'accepts',
    neutralise: (body) => bodyEvents(body).flatMap(sensorReports).filter((r) => !('type' in r)).map((r) => (r.type = 'Temperature')).length,
  },
  {
    name: 'sensorReport type outside GS1\'s list (any word, CURIE or URI is kept)',
    ours: 'accepts',
    neutralise: (body) => bodyEvents(body).flatMap(sensorReports)
      .filter((r) => typeof r.type === 'string' && !officialMeasurementType(r.type)).map((r) => (r.type = 'Temperature')).length,
  },
  {
    name: 'sensorReport exception gs1:<not a GS1 alert> (ours refuses the CURIE as it refuses the same GS1 web IRI)',
    ours: 'refuses',
    neutralise: (body) => bodyEvents(body).flatMap(sensorReports)
      .filter((r) => typeof r.exception === 'string' && r.exception.startsWith('gs1:') && !SENSOR_ALERTS.has(r.exception.slice(4))
        && officialSensorAlertType(r.exception)).map((r) => (r.exception = 'ALARM_CONDITION')).length,
  },
];
const SENSOR_ALERTS = new Set(['ALARM_CONDITION', 'ERROR_CONDITION']);

/**
 * For a body that ours and the official schema judge differently: the deliberate differences that explain
 * it. Fails unless they explain it entirely.
 */
function explainedDisagreement(label: string, body: unknown): string[] {
  const ours = epcisSchemaIssues(body).length === 0;
  const official = officiallyValid(body);
  assert.notEqual(ours, official, `${label}: expected a disagreement`);
  const neutral = structuredClone(body) as Json;
  const occurred = DELIBERATE_DIFFERENCES.filter((d) => d.neutralise(neutral) > 0);
  const detail = () => `${label}: ours ${ours}, official ${official}; ours says ${JSON.stringify(epcisSchemaIssues(body).slice(0, 3))}; body ${JSON.stringify(body).slice(0, 600)}`;
  assert.ok(occurred.some((d) => d.ours === (ours ? 'accepts' : 'refuses')), `no deliberate difference explains ${detail()}`);
  assert.equal(epcisSchemaIssues(neutral).length === 0, officiallyValid(neutral),
    `deliberate differences (${occurred.map((d) => d.name).join('; ')}) do not explain all of ${detail()}; after them ours says ${JSON.stringify(epcisSchemaIssues(neutral).slice(0, 3))}`);
  return occurred.map((d) => d.name);
}

/** Judges every body; those judged differently are tallied by the deliberate difference that explains them. */
function judge(bodies: Iterable<[string, unknown]>): { total: number; agree: number; byDifference: Map<string, string[]> } {
  let total = 0;
  let agree = 0;
  const byDifference = new Map<string, string[]>(DELIBERATE_DIFFERENCES.map((d) => [d.name, []]));
  for (const [label, body] of bodies) {
    total++;
    if ((epcisSchemaIssues(body).length === 0) === officiallyValid(body)) agree++;
    else for (const name of explainedDisagreement(label, body)) byDifference.get(name)!.push(label);
  }
  return { total, agree, byDifference };
}
const differenceSummary = (byDifference: Map<string, string[]>, show: (labels: string[]) => string) =>
  [...byDifference].map(([name, labels]) => `  - ${name}: ${labels.length}${labels.length > 0 ? show(labels) : ''}`).join('\n');

test('epcis-document: our rules accept what ajv with the official GS1 schema accepts, but for the listed deliberate differences', () => {
  const bodies: [string, unknown][] = [];
  for (const dir of ['epcis/json', 'epcis/json-simple-context', 'epcis/json-schema/test', 'openepcis-test-resources/2.0/EPCIS/JSON']) {
    for (const file of jsonFiles(path.join(CONFORMANCE, dir))) bodies.push([path.relative(CONFORMANCE, file), readJson(file)]);
  }
  // XML is held to the same rules once converted, so its JSON-LD form is checked against ajv too.
  for (const dir of ['openepcis-test-resources/2.0/EPCIS/XML', 'epcis/xml']) {
    for (const file of xmlFiles(path.join(CONFORMANCE, dir))) {
      const root = parseXmlTree(read(file));
      if (xmlRootKind(root)) bodies.push([`${path.relative(CONFORMANCE, file)} as JSON-LD`, xmlToJsonLd(root)]);
    }
  }
  const { total, agree, byDifference } = judge(bodies);
  console.log(`epcis-document: ${agree}/${total} conformance bodies judged as ajv + official schema judges them; `
    + `${total - agree} differ, each by a deliberate difference:\n${differenceSummary(byDifference, (l) => ` (${l.join(', ')})`)}`);
});

// Wrong types, near-miss strings and valid values in the wrong place; undefined deletes the key.
const REPLACEMENTS: unknown[] = [undefined, 5, 'not a uri', 'urn:x:y', [], {}, null, 'DELETE',
  '2020-01-01T00:00:00Z', ['urn:x:y', 'urn:x:y'], 'urn:epcglobal:cbv:bizstep:receiving', 'KGM', 'gs1:Foo'];

/**
 * Every body obtained by replacing or deleting one value, or adding a stray key, down to `depth` levels.
 * The insides of @context and of extension values (prefix:name keys) are left alone: no rule looks there.
 */
function* mutations(value: unknown, depth: number): Generator<unknown> {
  if (depth === 0 || !(isObject(value) || Array.isArray(value))) return;
  const keys: (string | number)[] = Array.isArray(value) ? value.map((_, i) => i).slice(0, 2) : Object.keys(value);
  const copy = () => (Array.isArray(value) ? [...value] : { ...value }) as Json & unknown[];
  for (const k of keys) {
    for (const r of REPLACEMENTS) {
      const c = copy();
      if (r !== undefined) c[k as string] = r;
      else if (Array.isArray(c)) c.splice(k as number, 1);
      else delete c[k];
      yield c;
    }
    if (typeof k === 'string' && (k.includes(':') || k === '@context')) continue;
    for (const inner of mutations((value as Json)[k], depth - 1)) {
      const c = copy();
      c[k as string] = inner;
      yield c;
    }
  }
  if (isObject(value)) for (const extra of ['foo', 'ex:foo']) yield { ...value, [extra]: 1 };
}

test('epcis-document: our rules and the official schema agree on single-field mutations of valid captures, but for the listed deliberate differences', () => {
  // Valid by our rules: the conformance captures only the deliberate differences let through are seeds too.
  const valid = [...jsonFiles(capture('JSON', 'Documents')), ...jsonFiles(capture('JSON', 'Events')), ...jsonFiles(GS1_JSON)]
    .map((f) => readJson(f) as Json).filter((b) => epcisSchemaIssues(b).length === 0);
  // Each document with one event, for the envelope rules, and each of its events alone, to reach deep fields;
  // of captures with the same shape (the same standard keys at every level) one is enough.
  const shape = (v: unknown): unknown => (Array.isArray(v) ? v.map(shape)
    : isObject(v) ? Object.keys(v).filter((k) => !k.includes(':')).sort().map((k) => [k, shape(v[k])]) : typeof v);
  const seeds = [...new Map(valid.flatMap((b) => (b.type === 'EPCISDocument'
    ? [{ ...b, epcisBody: { eventList: sourceEvents(b).slice(0, 1) } }, ...sourceEvents(b).map((e) => ({ '@context': b['@context'], ...e }))]
    : [b])).filter((b) => epcisSchemaIssues(b).length === 0).map((b) => [JSON.stringify(shape(b)), b])).values()];
  function* bodies(): Generator<[string, unknown]> {
    for (const seed of seeds) for (const body of mutations(seed, 5)) yield ['mutation', body];
  }
  const { total, agree, byDifference } = judge(bodies());
  console.log(`epcis-document: ${agree}/${total} mutations of ${seeds.length} valid captures judged as the official schema judges them; `
    + `${total - agree} differ, each by a deliberate difference:\n${differenceSummary(byDifference, () => '')}`);
});

// ---- behaviour on small hand-written inputs -----------------------------------------------------

const EPCIS_XML = (events: string, extraNamespaces = '') =>
  `<?xml version="1.0"?><epcis:EPCISDocument xmlns:epcis="urn:epcglobal:epcis:xsd:2" ${extraNamespaces} schemaVersion="2.0" creationDate="2024-05-01T08:00:00Z">`
  + `<EPCISBody><EventList>${events}</EventList></EPCISBody></epcis:EPCISDocument>`;
/** An XML ObjectEvent with the usual heading; `rest` follows action in the XSD order. */
const objectEventXml = (rest = '', head = '<epcList><epc>urn:epc:id:sgtin:0614141.812345.1</epc></epcList>', attributes = '') =>
  `<ObjectEvent ${attributes}><eventTime>2024-05-01T08:00:00.000+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>${head}<action>ADD</action>${rest}</ObjectEvent>`;
/** A JSON ObjectEvent as a capture client would send it; fields override or add. */
const objectEvent = (fields: Json = {}): Json => ({
  type: 'ObjectEvent', eventTime: '2024-05-01T08:00:00.000+08:00', eventTimeZoneOffset: '+08:00',
  epcList: ['urn:epc:id:sgtin:0614141.812345.1'], action: 'OBSERVE', ...fields,
});
const jsonDocument = (events: Json[], context: unknown[] = ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld']) => JSON.stringify({
  '@context': context, type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2024-05-01T08:00:00Z', epcisBody: { eventList: events },
});

test('epcis-document: malformed bodies are refused with their own codes', () => {
  assert.equal(refusal(() => parseJsonCapture('{"type": "EPCISDocument",')).code, 'EPCIS_MALFORMED_JSON');
  for (const xml of ['<a><b></a>', '<a/><b/>', '<p:a/>', '<a>x</a>trailing', '']) {
    assert.equal(refusal(() => parseXmlCapture(xml)).code, 'EPCIS_MALFORMED_XML', xml);
  }
  const notEpcis = refusal(() => parseXmlCapture('<md:EPCISMasterDataDocument xmlns:md="urn:epcglobal:epcis-masterdata:xsd:2"/>'));
  assert.equal(notEpcis.code, 'EPCIS_SCHEMA');
  assert.equal(notEpcis.details.field, '');
  assert.equal(refusal(() => parseJsonCapture('[1, 2]')).details.field, '');
});

test('epcis-document: JSON standard vocabulary lands as bare words; a single event keeps its context apart', () => {
  const parsed = parseJsonCapture(JSON.stringify({
    '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'],
    ...objectEvent({
      bizStep: 'https://ref.gs1.org/cbv/BizStep-receiving', disposition: 'cbv:Disp-in_progress', readPoint: { id: 'urn:epc:id:sgln:0614141.12345.0' },
      sensorElementList: [{ sensorReport: [{ type: 'gs1:Temperature', value: 21.5, uom: 'CEL', component: 'cbv:Comp-x' }] }],
    }),
  }));
  assert.deepEqual(parsed.context, ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld']);
  assert.deepEqual(parsed.documentMeta, { type: 'ObjectEvent' });
  const [event] = parsed.events;
  assert.equal(event['@context'], undefined);
  assert.equal(event.bizStep, 'receiving');
  assert.equal(event.disposition, 'in_progress');
  assert.deepEqual(event.sensorElementList, [{ sensorReport: [{ type: 'Temperature', value: 21.5, uom: 'CEL', component: 'x' }] }]);
  // A non-standard term in the CBV namespace stays a URI; a misspelt CBV URN is refused.
  assert.equal(parseJsonCapture(jsonDocument([objectEvent({ bizStep: 'https://ref.gs1.org/cbv/BizStep-tasting' })])).events[0].bizStep, 'https://ref.gs1.org/cbv/BizStep-tasting');
  assert.equal(refusal(() => parseJsonCapture(jsonDocument([objectEvent({ bizStep: 'urn:epcglobal:cbv:bizstep:tasting' })]))).details.field, 'epcisBody.eventList.0.bizStep');
});

test('epcis-document: document metadata comes back beside the events', () => {
  const parsed = parseJsonCapture(JSON.stringify({
    ...JSON.parse(jsonDocument([objectEvent()])), sender: 'urn:epc:id:sgln:0614141.00001.0', instanceIdentifier: '42',
  }));
  assert.deepEqual(parsed.documentMeta, {
    type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2024-05-01T08:00:00Z', sender: 'urn:epc:id:sgln:0614141.00001.0', instanceIdentifier: '42',
  });
  const xml = parseXmlCapture(EPCIS_XML(objectEventXml()).replace('<EPCISBody>',
    '<EPCISHeader><sbdh:StandardBusinessDocumentHeader xmlns:sbdh="http://www.unece.org/cefact/namespaces/StandardBusinessDocumentHeader">'
    + '<sbdh:Sender><sbdh:Identifier>urn:epc:id:sgln:0614141.00001.0</sbdh:Identifier></sbdh:Sender></sbdh:StandardBusinessDocumentHeader></EPCISHeader><EPCISBody>'));
  assert.deepEqual(xml.documentMeta, { type: 'EPCISDocument', schemaVersion: '2.0', creationDate: '2024-05-01T08:00:00Z', sender: 'urn:epc:id:sgln:0614141.00001.0' });
});

test('epcis-document: XML values take their JSON types and CBV URNs their bare words', () => {
  const { events: [event] } = parseXmlCapture(EPCIS_XML(objectEventXml(
    '<bizStep>urn:epcglobal:cbv:bizstep:commissioning</bizStep><disposition>urn:epcglobal:cbv:disp:active</disposition>'
    + '<readPoint><id>urn:epc:id:sgln:0614141.12345.0</id></readPoint>'
    + '<quantityList><quantityElement><epcClass>urn:epc:class:lgtin:0614141.812345.L1</epcClass><quantity>12.50</quantity><uom>KGM</uom></quantityElement>'
    + '<quantityElement><epcClass>urn:epc:class:lgtin:0614141.812345.L2</epcClass><quantity xsi:nil="true"/></quantityElement></quantityList>'
    + '<sensorElementList><sensorElement><sensorReport type="gs1:Temperature" value="-1.5E1" booleanValue="1" component="cbv:Comp-x"/></sensorElement></sensorElementList>',
  ), 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'));
  assert.equal(event.bizStep, 'commissioning');
  assert.equal(event.disposition, 'active');
  assert.deepEqual(event.quantityList, [
    { epcClass: 'urn:epc:class:lgtin:0614141.812345.L1', quantity: 12.5, uom: 'KGM' },
    { epcClass: 'urn:epc:class:lgtin:0614141.812345.L2' },
  ]);
  assert.deepEqual(event.sensorElementList, [{ sensorReport: [{ type: 'Temperature', value: -15, booleanValue: true, component: 'x' }] }]);
  const badNumber = refusal(() => parseXmlCapture(EPCIS_XML(objectEventXml(
    '<quantityList><quantityElement><epcClass>urn:epc:class:lgtin:0614141.812345.L1</epcClass><quantity>twelve</quantity></quantityElement></quantityList>'))));
  assert.equal(badNumber.details.field, 'epcisBody.eventList.0.quantityList.0.quantity');
});

test('epcis-document: XML extensions become prefixed keys with one prefix per namespace, declared in the context', () => {
  const parsed = parseXmlCapture(EPCIS_XML(
    objectEventXml('<ilmd><cbvmda:lotNumber>L1</cbvmda:lotNumber></ilmd><ex:note ex:lang="zh">批次</ex:note>', undefined, 'xmlns:ex="https://a.example/ns/"')
    + objectEventXml('<ex:note>second</ex:note><ex2:same>x</ex2:same><plain xmlns="https://c.example/ns/">y</plain><ex:empty/>', undefined,
      'xmlns:ex="https://b.example/ns/" xmlns:ex2="https://a.example/ns/"')
    // A 1.x-style <extension> wrapper is flattened into its parent.
    + objectEventXml('<extension><quantityList><quantityElement><epcClass>urn:epc:class:lgtin:0614141.812345.L1</epcClass></quantityElement></quantityList></extension>', ''),
    'xmlns:cbvmda="urn:epcglobal:cbv:mda"',
  ));
  assert.deepEqual(parsed.context, ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld',
    { ex: 'https://a.example/ns/', rdf: 'http://www.w3.org/1999/02/22-rdf-syntax-ns#', ex2: 'https://b.example/ns/', ns: 'https://c.example/ns/' }]);
  const [first, second, third] = parsed.events;
  assert.deepEqual(first.ilmd, { 'cbvmda:lotNumber': 'L1' });
  // Text beside an attribute keeps both: the attribute as a key, the text as rdf:value.
  assert.deepEqual(first['ex:note'], { 'ex:lang': 'zh', 'rdf:value': '批次' });
  // The same prefix bound to another namespace gets a new prefix; the same namespace keeps its first one.
  assert.equal(second['ex2:note'], 'second');
  assert.equal(second['ex:same'], 'x');
  assert.equal(second['ns:plain'], 'y');
  assert.ok(!('ex:empty' in second) && !('ex2:empty' in second), 'an empty extension element carries no value');
  assert.deepEqual(third.quantityList, [{ epcClass: 'urn:epc:class:lgtin:0614141.812345.L1' }]);
});

test('epcis-document: XML element order follows the XSD, and refusals say where the element belongs', () => {
  const firstOf = (e: DomainError) => (e.details.errors as { field: string; message: string }[])[0];
  // Of two swapped elements the earlier one is reported, placed relative to those that are in order.
  const swapped = refusal(() => parseXmlCapture(EPCIS_XML(objectEventXml('<readPoint><id>urn:epc:id:sgln:0614141.12345.0</id></readPoint><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>'))));
  assert.deepEqual(firstOf(swapped), { field: 'epcisBody.eventList.0.readPoint', message: '<readPoint> is out of order: the XSD puts it after <bizStep>' });
  const actionFirst = refusal(() => parseXmlCapture(EPCIS_XML(objectEventXml('', '<action>ADD</action><epcList/>').replace('<action>ADD</action></ObjectEvent>', '</ObjectEvent>'))));
  assert.deepEqual(firstOf(actionFirst), { field: 'epcisBody.eventList.0.action', message: '<action> is out of order: the XSD puts it after <epcList>' });
  const extensionFirst = refusal(() => parseXmlCapture(EPCIS_XML(
    objectEventXml('<ex:a>1</ex:a><bizStep>urn:epcglobal:cbv:bizstep:shipping</bizStep>', undefined, 'xmlns:ex="https://a.example/ns/"'))));
  assert.deepEqual(firstOf(extensionFirst), { field: 'epcisBody.eventList.0.ex:a', message: '<ex:a> is out of order: the XSD puts it after all standard fields' });
  const nested = refusal(() => parseXmlCapture(EPCIS_XML(objectEventXml(
    '<quantityList><quantityElement><quantity>1</quantity><epcClass>urn:epc:class:lgtin:0614141.812345.L1</epcClass></quantityElement></quantityList>'))));
  assert.equal(nested.details.field, 'epcisBody.eventList.0.quantityList.0.quantity');
});

test('epcis-document: a single XML event is captured like a single JSON event', () => {
  const xml = parseXmlCapture(objectEventXml('', undefined, 'xmlns="urn:epcglobal:epcis:xsd:2" schemaVersion="2.0"'));
  const json = parseJsonCapture(JSON.stringify({ '@context': ['https://ref.gs1.org/standards/epcis/epcis-context.jsonld'], ...objectEvent({ action: 'ADD' }) }));
  assert.deepEqual(xml, json);
});

test('epcis-document: what the XSD allows beyond the JSON Schema is captured, in JSON and XML alike', () => {
  const aggregation = (fields: Json = {}): Json => ({
    type: 'AggregationEvent', eventTime: '2024-05-01T08:00:00.000+08:00', eventTimeZoneOffset: '+08:00',
    parentID: 'urn:epc:id:sscc:0614141.1234567890', childEPCs: ['urn:epc:id:sgtin:0614141.812345.1'], action: 'ADD', ...fields,
  });
  const json = parseJsonCapture(jsonDocument([aggregation({ persistentDisposition: { set: ['completeness_verified'], unset: ['completeness_inferred'] } })]));
  const xml = parseXmlCapture(EPCIS_XML('<AggregationEvent><eventTime>2024-05-01T08:00:00.000+08:00</eventTime><eventTimeZoneOffset>+08:00</eventTimeZoneOffset>'
    + '<parentID>urn:epc:id:sscc:0614141.1234567890</parentID><childEPCs><epc>urn:epc:id:sgtin:0614141.812345.1</epc></childEPCs><action>ADD</action>'
    + '<persistentDisposition><unset>urn:epcglobal:cbv:disp:completeness_inferred</unset><set>urn:epcglobal:cbv:disp:completeness_verified</set></persistentDisposition>'
    + '</AggregationEvent>'));
  assert.deepEqual(xml.events, json.events);
  // Still checked like anywhere else.
  assert.equal(refusal(() => parseJsonCapture(jsonDocument([aggregation({ persistentDisposition: {} })]))).details.field, 'epcisBody.eventList.0.persistentDisposition');
  // A repeated identifier and an alert-only sensor report without type, as the XSD allows.
  const repeated = parseJsonCapture(jsonDocument([objectEvent({
    epcList: ['urn:epc:id:sgtin:0614141.812345.1', 'urn:epc:id:sgtin:0614141.812345.1'], readPoint: { id: 'urn:epc:id:sgln:0614141.12345.0' },
    sensorElementList: [{ sensorReport: [{ exception: 'ALARM_CONDITION', booleanValue: true }] }],
  })]));
  assert.deepEqual(repeated.events[0].epcList, ['urn:epc:id:sgtin:0614141.812345.1', 'urn:epc:id:sgtin:0614141.812345.1']);
});

test('epcis-document: a sensor type outside GS1\'s list is kept, in one canonical form; what names no term is refused', () => {
  const report = (type: unknown) => jsonDocument([objectEvent({ sensorElementList: [{ sensorReport: [{ type, value: 0.005, uom: 'P71' }] }] })]);
  const typeOf = (c: ParsedCapture) => ((c.events[0].sensorElementList as Json[])[0].sensorReport as Json[])[0].type;
  // The JSON binding's bare word, the gs1: CURIE the XML binding writes and the GS1 web IRI name one term.
  for (const spelling of ['EffectiveDoseRate', 'gs1:EffectiveDoseRate', 'https://gs1.org/voc/EffectiveDoseRate']) {
    assert.equal(typeOf(parseJsonCapture(report(spelling))), 'gs1:EffectiveDoseRate', spelling);
  }
  const xml = parseXmlCapture(EPCIS_XML(objectEventXml(
    '<sensorElementList><sensorElement><sensorReport type="gs1:EffectiveDoseRate" value="0.005" uom="P71"/></sensorElement></sensorElementList>')));
  assert.equal(typeOf(xml), 'gs1:EffectiveDoseRate');
  // Listed terms stay bare words; other URIs and CURIEs stay as sent.
  assert.equal(typeOf(parseJsonCapture(report('gs1:Temperature'))), 'Temperature');
  for (const other of ['example:doseRate', 'https://example.com/voc/doseRate', 'urn:example:dose-rate']) assert.equal(typeOf(parseJsonCapture(report(other))), other);
  for (const junk of ['effective dose rate', '', '5 mSv', 5]) {
    assert.equal(refusal(() => parseJsonCapture(report(junk))).details.field, 'epcisBody.eventList.0.sensorElementList.0.sensorReport.0.type', String(junk));
  }
});
