/**
 * EPCIS event hash ID (CBV 2.0, `ni:///sha-256;<hex>?ver=CBV2.0`) of an EPCIS 2.0 event in its JSON-LD form.
 * The pre-hash string is built the way the reference generator RalphTro/epcis-event-hash-generator builds it,
 * since its published vectors are what implementations agree on:
 *   - the JSON is first mapped onto the XML element model (`epcList` holds `epc`, `quantityElement`, a business
 *     transaction's type ahead of its id); only EPCIS's own fields are remapped, a user extension is hashed as the
 *     XML element it names, even when that name ends in `List`;
 *   - the standard fields follow the canonical property order, each written `name=value` with no separator,
 *     repeated fields sorted; a nested element's own user extensions follow its standard fields;
 *   - everything else (ilmd, event-level extensions, and - as in the reference - bizTransactionList,
 *     sourceList and destinationList) follows, sorted; eventID, recordTime and errorDeclaration are left out;
 *   - values are canonical: UTC timestamps at milliseconds, numbers without padding, CBV URNs and bare
 *     vocabulary words as Web URIs, GS1 identifiers as constrained canonical Digital Link URIs.
 */
import { Buffer } from 'node:buffer';
import { hash } from 'node:crypto';
import { canonicalGs1Uri } from './epc-uri.ts';

/** What an event's hash needs from the document around it. */
export interface ContextInfo {
  /**
   * Prefix → namespace IRI declared in the document's `@context`; the EPCIS context's own prefixes are implied.
   * For an XML document, the namespace IRIs the XML declares (see xmlHashInput in epcis-xml.ts), which the
   * hash uses as written (urn:epcglobal:cbv:mda rather than JSON-LD's urn:epcglobal:cbv:mda:).
   */
  readonly namespaces?: Readonly<Record<string, string>>;
  /** Extension fields the document declares as not part of the hash (`ignoreFields`), compact or as `{iri}name`. */
  readonly ignoreFields?: readonly string[];
}

type Json = string | number | boolean | null | undefined | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

/** The XML-shaped element tree the pre-hash string is read from. */
interface Node {
  readonly name: string;
  readonly value: string;
  readonly children: readonly Node[];
  /** Children keep their given order instead of being sorted (a business transaction's type before its id). */
  readonly keepOrder?: boolean;
}

interface Scope {
  readonly namespaces: Readonly<Record<string, string>>;
  readonly ignored: ReadonlySet<string>;
  /** Prefixes whose IRI is a GS1 vocabulary, expanded in values. */
  readonly gs1: ReadonlyMap<string, string>;
  /** Extension names expanded so far (a capture's events repeat them). */
  readonly expanded: Map<string, string>;
}

const CBV = 'https://ref.gs1.org/cbv/';
const GS1_VOC = 'https://gs1.org/voc/';
// Prefixes the EPCIS 2.0 JSON-LD context declares, so every EPCIS document may use them.
const EPCIS_PREFIXES: Record<string, string> = { epcis: 'https://ref.gs1.org/epcis/', cbv: CBV, cbvmda: 'urn:epcglobal:cbv:mda:', gs1: GS1_VOC };
// JSON-LD comments are not event data.
const COMMENT_KEYS = new Set(['@context', 'comment', 'rdfs:comment']);
const UNHASHED_EVENT_FIELDS = new Set(['type', 'eventID', 'recordTime', 'errorDeclaration']);

// Fields the EPCIS context types as vocabulary (`@type: @vocab`), by parent element ('' for the event): a bare
// word stands for this IRI prefix + word.
const VOCABULARY = new Map<string, ReadonlyMap<string, string>>([
  ['', new Map([['bizStep', `${CBV}BizStep-`], ['disposition', `${CBV}Disp-`]])],
  ['persistentDisposition', new Map([['set', `${CBV}Disp-`], ['unset', `${CBV}Disp-`]])],
  ['bizTransactionList', new Map([['type', `${CBV}BTT-`]])],
  ['sourceList', new Map([['type', `${CBV}SDT-`]])],
  ['destinationList', new Map([['type', `${CBV}SDT-`]])],
  ['sensorReport', new Map([['type', GS1_VOC], ['exception', GS1_VOC], ['component', `${CBV}Comp-`]])],
]);
// EPCIS 1.x CBV URNs and their CBV 2.0 Web URIs.
const CBV_URNS: [string, string][] = [
  ['urn:epcglobal:cbv:bizstep:', `${CBV}BizStep-`],
  ['urn:epcglobal:cbv:disp:', `${CBV}Disp-`],
  ['urn:epcglobal:cbv:btt:', `${CBV}BTT-`],
  ['urn:epcglobal:cbv:sdt:', `${CBV}SDT-`],
  ['urn:epcglobal:cbv:er:', `${CBV}ER-`],
];

interface Field {
  readonly name: string;
  /** Value is a timestamp, written in UTC at millisecond precision. */
  readonly time?: boolean;
  /** Canonical order of the element's children; absent for a simple value. */
  readonly fields?: Order;
}
/** Fields in canonical order, with each name's position (names are unique). */
interface Order {
  readonly fields: readonly Field[];
  readonly position: ReadonlyMap<string, number>;
}

const order = (fields: Field[]): Order => ({ fields, position: new Map(fields.map((f, i) => [f.name, i])) });
const leaf = (...names: string[]): Field[] => names.map((name) => ({ name }));
const QUANTITY = order([{ name: 'quantityElement', fields: order(leaf('epcClass', 'quantity', 'uom')) }]);
const EPCS = order(leaf('epc'));
const SENSOR_METADATA: Field[] = [
  { name: 'time', time: true }, { name: 'startTime', time: true }, { name: 'endTime', time: true },
  ...leaf('deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod', 'bizRules'),
];
const SENSOR_REPORT: Field[] = [
  ...leaf('type', 'exception', 'deviceID', 'deviceMetadata', 'rawData', 'dataProcessingMethod'),
  { name: 'time', time: true },
  ...leaf('microorganism', 'chemicalSubstance', 'value', 'component', 'stringValue', 'booleanValue', 'hexBinaryValue',
    'uriValue', 'minValue', 'maxValue', 'meanValue', 'sDev', 'percRank', 'percValue', 'uom', 'coordinateReferenceSystem'),
];
// Canonical property order. bizTransactionList, sourceList and destinationList are absent on purpose: the
// reference generator's order never matches them, so they hash among the trailing sorted fields, as the vectors show.
const EVENT_ORDER = order([
  { name: 'eventTime', time: true },
  ...leaf('eventTimeZoneOffset', 'certificationInfo'),
  { name: 'epcList', fields: EPCS },
  { name: 'parentID' },
  { name: 'inputEPCList', fields: EPCS },
  { name: 'childEPCs', fields: EPCS },
  { name: 'quantityList', fields: QUANTITY },
  { name: 'childQuantityList', fields: QUANTITY },
  { name: 'inputQuantityList', fields: QUANTITY },
  { name: 'outputEPCList', fields: EPCS },
  { name: 'outputQuantityList', fields: QUANTITY },
  ...leaf('action', 'transformationID', 'bizStep', 'disposition'),
  { name: 'persistentDisposition', fields: order(leaf('set', 'unset')) },
  { name: 'readPoint', fields: order(leaf('id')) },
  { name: 'bizLocation', fields: order(leaf('id')) },
  { name: 'sensorElementList', fields: order([{ name: 'sensorElement', fields: order([
    { name: 'sensorMetadata', fields: order(SENSOR_METADATA) },
    { name: 'sensorReport', fields: order(SENSOR_REPORT) },
  ]) }]) },
]);

// JSON names that differ from the XML element names the algorithm is defined on.
// A Map, so that a field named like an Object.prototype member (`constructor`) stays itself.
const XML_NAMES = new Map([
  ['inputEPC', 'epc'], ['outputEPC', 'epc'], ['childQuantity', 'quantityElement'], ['inputQuantity', 'quantityElement'], ['outputQuantity', 'quantityElement'],
]);
const TRANSACTION_PARTIES = new Set(['bizTransaction', 'source', 'destination']);

/** An EPCIS field name, as opposed to an extension's `{iri}name`, `prefix:name` or full IRI. */
const isStandardName = (name: string) => name.indexOf(':') < 0 && name.indexOf('{') < 0;
const isObject = (v: unknown): v is JsonObject => typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Python's sort order (code points, i.e. UTF-8 bytes), which the reference and its vectors use. UTF-16 units
 * order the same unless both differ at a surrogate or above; only then are the UTF-8 bytes compared.
 */
function byCodePoint(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const x = a.charCodeAt(i);
    const y = b.charCodeAt(i);
    if (x === y) continue;
    return x >= 0xd800 && y >= 0xd800 ? Buffer.compare(Buffer.from(a), Buffer.from(b)) : x - y;
  }
  return a.length - b.length;
}
const sorted = (parts: string[]) => parts.sort(byCodePoint);

/** Namespace prefixes and `ignoreFields` declared by an EPCIS JSON-LD document or query document. */
export function contextInfoFromDocument(document: object): ContextInfo {
  const doc = document as JsonObject;
  const namespaces = declaredPrefixes(doc['@context']);
  const queryResults = isObject(doc.epcisBody) ? doc.epcisBody.queryResults : undefined;
  const ignoreFields: string[] = [];
  for (const holder of [doc, queryResults]) {
    if (!isObject(holder)) continue;
    for (const [key, value] of Object.entries(holder)) {
      if ((key === 'ignoreFields' || key.endsWith(':ignoreFields')) && Array.isArray(value)) {
        ignoreFields.push(...value.filter((v): v is string => typeof v === 'string'));
      }
    }
  }
  return { namespaces, ignoreFields };
}

/** The events of an EPCIS document: its eventList, a query document's result eventList, or its single event. */
export function documentEvents(document: object): object[] {
  const body = (document as JsonObject).epcisBody;
  if (!isObject(body)) return [];
  const results = isObject(body.queryResults) && isObject(body.queryResults.resultsBody) ? body.queryResults.resultsBody : body;
  if (Array.isArray(results.eventList)) return results.eventList.filter(isObject);
  return isObject(body.event) ? [body.event] : [];
}

const NO_CONTEXT: ContextInfo = {};
// Scopes by document context, then by the event's own @context: the events of one capture share a few.
const scopes = new WeakMap<ContextInfo, Map<string, Scope>>();
const MAX_SCOPES = 64;

function scopeOf(context: ContextInfo, eventContext: Json): Scope {
  let byEvent = scopes.get(context);
  if (!byEvent) scopes.set(context, (byEvent = new Map()));
  const key = eventContext === undefined ? '' : JSON.stringify(eventContext);
  let scope = byEvent.get(key);
  if (!scope) {
    const namespaces = { ...EPCIS_PREFIXES, ...context.namespaces, ...declaredPrefixes(eventContext) };
    const gs1 = new Map(Object.entries(namespaces).filter(([, iri]) => /^https:\/\/(ref\.)?gs1\.org\//.test(iri)));
    scope = { namespaces, gs1, ignored: new Set((context.ignoreFields ?? []).map((f) => expandName(f, namespaces))), expanded: new Map() };
    if (byEvent.size >= MAX_SCOPES) byEvent.clear();
    byEvent.set(key, scope);
  }
  return scope;
}

/** The canonical pre-hash string of an EPCIS event (JSON-LD) whose hash is its event hash ID. */
export function preHashString(event: object, context: ContextInfo = NO_CONTEXT): string {
  const ev = event as JsonObject;
  const rest: Node[] = [];
  const text = orderedText(objectChildren(ev, '', scopeOf(context, ev['@context']), UNHASHED_EVENT_FIELDS), EVENT_ORDER, false, rest);
  return `eventType=${String(ev.type ?? '')}${text}${genericText(rest)}`;
}

/** The CBV 2.0 event hash ID of an EPCIS event (JSON-LD): `ni:///sha-256;<hex>?ver=CBV2.0`. */
export function eventHashId(event: object, context?: ContextInfo): string {
  return `ni:///sha-256;${hash('sha256', preHashString(event, context), 'hex')}?ver=CBV2.0`;
}

function declaredPrefixes(context: Json): Record<string, string> {
  const prefixes: Record<string, string> = {};
  for (const entry of [context].flat()) {
    if (!isObject(entry)) continue;
    for (const [prefix, iri] of Object.entries(entry)) if (typeof iri === 'string') prefixes[prefix] = iri;
  }
  return prefixes;
}

/** `prefix:name` or a full IRI → `{namespace}name`, the XML expanded name the hash uses for extensions. */
function expandName(name: string, namespaces: Readonly<Record<string, string>>): string {
  const colon = name.indexOf(':');
  // Neither a prefix nor a full IRI.
  if (colon < 0) return name;
  const iri = colon > 0 ? namespaces[name.slice(0, colon)] : undefined;
  if (iri !== undefined) return `{${iri}}${name.slice(colon + 1)}`;
  const longest = Object.values(namespaces).filter((ns) => ns.includes('://') && name.startsWith(ns) && name.length > ns.length)
    .sort((a, b) => b.length - a.length)[0];
  return longest ? `{${longest}}${name.slice(longest.length)}` : name;
}

function expandedName(key: string, scope: Scope): string {
  if (key.indexOf(':') < 0) return key;
  let name = scope.expanded.get(key);
  if (name === undefined) {
    // Bounded: a capture cannot grow it without limit with invented names.
    if (scope.expanded.size >= 4096) scope.expanded.clear();
    scope.expanded.set(key, (name = expandName(key, scope.namespaces)));
  }
  return name;
}

function objectChildren(obj: JsonObject, parent: string, scope: Scope, skip?: ReadonlySet<string>): Node[] {
  const nodes: Node[] = [];
  const vocabulary = VOCABULARY.get(parent);
  for (const key of Object.keys(obj)) {
    if (COMMENT_KEYS.has(key) || skip?.has(key)) continue;
    const name = expandedName(key, scope);
    if (!scope.ignored.has(name)) addNodes(nodes, name, obj[key], vocabulary?.get(key), scope);
  }
  return toXmlModel(nodes);
}

function addNodes(out: Node[], name: string, value: Json, vocabulary: string | undefined, scope: Scope): void {
  if (Array.isArray(value)) for (const v of value) addNodes(out, name, v, vocabulary, scope);
  else if (value === null || value === undefined) return;
  else if (isObject(value)) out.push({ name, value: '', children: objectChildren(value, name, scope) });
  else out.push({ name, value: scalarText(value, vocabulary, scope), children: [] });
}

function scalarText(value: string | number | boolean, vocabulary: string | undefined, scope: Scope): string {
  if (typeof value !== 'string') return String(value);
  if (vocabulary && !value.includes(':') && value.trim()) return vocabulary + value.trim();
  // GS1 vocabulary CURIEs (gs1:Temperature) are expanded in values; user prefixes stay as written, as in XML.
  const colon = value.indexOf(':');
  const iri = colon > 0 ? scope.gs1.get(value.slice(0, colon)) : undefined;
  return iri ? iri + value.slice(colon + 1) : value;
}

/** Names and groups one level of JSON the way the XML binding does: `epcList` holds `epc` elements, and so on. */
function toXmlModel(nodes: Node[]): Node[] {
  const out: Node[] = [];
  let lists: Map<string, Node[]> | undefined;
  for (const node of nodes) {
    // Only EPCIS's own lists: a user extension ({ns}resourceList) is the XML element it names, as it stands.
    const isList = (node.name.endsWith('List') || node.name === 'childEPCs') && isStandardName(node.name);
    if (!isList) {
      out.push(xmlElement(node));
      continue;
    }
    lists ??= new Map();
    let members = lists.get(node.name);
    if (!members) {
      members = [];
      lists.set(node.name, members);
      out.push({ name: node.name, value: '', children: members });
    }
    members.push(xmlElement({ ...node, name: node.name === 'childEPCs' ? 'epc' : node.name.slice(0, -'List'.length) }));
  }
  return out;
}

function xmlElement(node: Node): Node {
  const hasChildren = node.children.length > 0;
  if (TRANSACTION_PARTIES.has(node.name) && hasChildren) {
    // {type, bizTransaction} is hashed type first, then the id, then anything else.
    const type: Node[] = [];
    const id: Node[] = [];
    const others: Node[] = [];
    for (const c of node.children) (c.name === 'type' ? type : c.name === node.name ? id : others).push(c);
    return { name: '', value: '', children: [...type, ...id, ...others], keepOrder: true };
  }
  const name = XML_NAMES.get(node.name) ?? (node.name === 'quantity' && hasChildren ? 'quantityElement' : node.name);
  return name === node.name ? node : { ...node, name };
}

// A user extension in the reference's sense: a namespaced element whose namespace IRI ends with a slash.
function isUserExtension(node: Node): boolean {
  if (node.name.charCodeAt(0) !== 0x7b) return false;
  const close = node.name.indexOf('}');
  return close > 1 && node.name.charCodeAt(close - 1) === 0x2f;
}

/**
 * The standard fields of `nodes` in canonical order, then (when nested) their own user extensions; whatever the
 * order does not consume is added to `rest`, to hash with the trailing sorted fields.
 */
function orderedText(nodes: readonly Node[], order: Order, nested: boolean, rest: Node[]): string {
  // Like the reference, an element's own extensions follow its standard fields only when it has more than one child.
  const withExtensions = nested && nodes.length > 1;
  let extensions: Node[] | undefined;
  const byField: Array<Node[] | undefined> = new Array(order.fields.length);
  for (const node of nodes) {
    if (withExtensions && isUserExtension(node)) {
      (extensions ??= []).push(node);
      continue;
    }
    const at = order.position.get(node.name);
    if (at === undefined) rest.push(node);
    else (byField[at] ??= []).push(node);
  }
  let text = '';
  for (let i = 0; i < byField.length; i++) {
    const group = byField[i];
    if (!group) continue;
    if (group.length === 1) {
      text += fieldText(group[0], order.fields[i], rest);
      continue;
    }
    const parts: string[] = [];
    for (const node of group) {
      const s = fieldText(node, order.fields[i], rest);
      if (s) parts.push(s);
    }
    text += sorted(parts).join('');
  }
  return extensions ? text + genericText(extensions) : text;
}

function fieldText(node: Node, field: Field, rest: Node[]): string {
  const raw = node.value.trim();
  const value = raw ? '=' + (field.time ? canonicalTimestamp(raw) : canonicalValue(raw)) : '';
  if (!field.fields) {
    if (node.children.length) rest.push(node);
    return value ? node.name + value : '';
  }
  const innerRest: Node[] = [];
  const inner = orderedText(node.children, field.fields, true, innerRest);
  if (innerRest.length) rest.push({ ...node, children: innerRest });
  return value || inner ? node.name + value + inner : '';
}

function genericText(nodes: readonly Node[], keepOrder = false): string {
  if (nodes.length === 0) return '';
  if (nodes.length === 1) return nodeText(nodes[0]);
  const parts = nodes.map(nodeText);
  return (keepOrder ? parts : sorted(parts)).join('');
}

function nodeText(n: Node): string {
  const raw = n.value.trim();
  return n.name + (raw ? '=' + canonicalValue(raw) : '') + genericText(n.children, n.keepOrder);
}

function canonicalValue(text: string): string {
  const urn = text.startsWith('urn:epcglobal:cbv:') ? CBV_URNS.find(([prefix]) => text.startsWith(prefix)) : undefined;
  const web = urn ? urn[1] + text.slice(urn[0].length) : text;
  const number = canonicalNumber(web) ?? web;
  // Only EPC URNs and http(s) URIs can be GS1 identifiers.
  return number.startsWith('urn:epc:') || number.startsWith('http') ? canonicalGs1Uri(number) ?? number : number;
}

// A number opens with a sign, a digit or a point.
const NUMBER_START = /^[+\-.\d]/;

/** A decimal number as Python's float repr writes it (the reference's rule), or undefined for other text. */
function canonicalNumber(text: string): string | undefined {
  if (!NUMBER_START.test(text) || !/^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/.test(text)) return undefined;
  const n = Number(text);
  if (!Number.isFinite(n)) return undefined;
  // Integral values lose their fraction; beyond 2^53 they keep float precision, as the vectors require.
  if (Number.isInteger(n)) return BigInt(n).toString();
  const [mantissa, exponent] = n.toExponential().split('e');
  return Number(exponent) < -4 ? `${mantissa}e-${exponent.slice(1).padStart(2, '0')}` : String(n);
}

const TIMESTAMP = /^(\d{4})-(\d{2})-(\d{2})[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?([Zz]|[+-]\d{2}(?::?\d{2})?)?$/;

// Already canonical, or a rolled-over date (30 February) that stays as written: either way the text itself.
const CANONICAL_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

/** An ISO 8601 timestamp in UTC at milliseconds, rounded half up; other text is returned unchanged. */
function canonicalTimestamp(text: string): string {
  if (CANONICAL_TIMESTAMP.test(text)) return text;
  const m = TIMESTAMP.exec(text);
  if (!m) return text;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map((p) => Number(p ?? 0));
  const fraction = m[7] ?? '';
  const millis = Number(fraction.slice(0, 3).padEnd(3, '0')) + (fraction[3] >= '5' ? 1 : 0);
  const local = new Date(0);
  local.setUTCFullYear(year, month - 1, day);
  local.setUTCHours(hour, minute, second, 0);
  // Reject what Date would roll over (month 13, 30 February, hour 25).
  if (local.getUTCMonth() !== month - 1 || local.getUTCDate() !== day || local.getUTCHours() !== hour || minute > 59 || second > 59) return text;
  // A timestamp without offset is taken as UTC (the reference would use the host's zone).
  const zone = m[8] && m[8].toUpperCase() !== 'Z' ? /^([+-])(\d{2}):?(\d{2})?$/.exec(m[8]) : null;
  const offsetMinutes = zone ? (zone[1] === '-' ? -1 : 1) * (Number(zone[2]) * 60 + Number(zone[3] ?? 0)) : 0;
  return new Date(local.getTime() + millis - offsetMinutes * 60_000).toISOString();
}
