/**
 * Pure functions of the EPCIS 2.0 REST binding: query string → event filter, opaque page tokens, the query
 * document around stored events (with the @context their extensions need), EPC format translation, and
 * version / media-type negotiation. No HTTP framework and no SQL here.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { invalid } from '../platform/errors.ts';
import { VOCAB, compactTerm, type Vocabulary } from '../events/epcis-document-vocab.ts';
import { epcUriToDigitalLink, canonicalGs1Uri, equivalentEpcUris } from '../events/epc-uri.ts';
import { EVENT_TYPES, ROLE, identifierKey, shortVocab, type EpcisEvent, type RoleChar } from '../events/events-fns.ts';
import {
  CBV_VERSION, DEFAULT_PER_PAGE, EPCIS_VERSION, EPC_FORMATS, MAX_PER_PAGE, PAGE_TOKEN_TTL_MS, type EpcFormat,
} from './epcis-types.ts';

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

// ---- query parameters ---------------------------------------------------------------------------

export interface TimeRange { ge?: string; lt?: string }
/** One MATCH_* parameter: an event matches when it names one of the keys or patterns in one of the roles. */
export interface IdentifierMatch { roles: RoleChar[]; keys: string[]; patterns: string[] }
/** EQ_bizTransaction_{type}, EQ_source_{type}, EQ_destination_{type}: an entry of that type with one of the values. */
export interface TypedEntryMatch { list: 'bizTransactionList' | 'sourceList' | 'destinationList'; key: 'bizTransaction' | 'source' | 'destination'; type: string; values: string[] }

type ListField = 'eventTypes' | 'actions' | 'bizSteps' | 'dispositions' | 'readPoints' | 'bizLocations' | 'eventIds'
  | 'transformationIds' | 'persistentSet' | 'persistentUnset' | 'errorReasons' | 'correctiveIds';

/** An EPCIS event query as the store runs it: every present condition must hold. */
export interface EventFilter extends Partial<Record<ListField, string[]>> {
  eventTime: TimeRange;
  recordTime: TimeRange;
  errorTime: TimeRange;
  errorDeclared?: boolean;
  identifiers: IdentifierMatch[];
  typedEntries: TypedEntryMatch[];
}

export interface EventQuery {
  filter: EventFilter;
  perPage: number;
  pageToken?: string;
  /** The query in canonical form: what a page token is bound to and what the query log records. */
  scope: string;
  params: Record<string, string[]>;
}

const queryError = (code: string, field: string, zh: string, en: string) => invalid(code, zh, en, { field });

/** A parameter's values: repeated parameters and pipe-separated lists (the binding's pipeDelimited style) both count. */
function valuesOf(raw: unknown, name: string, split: boolean): string[] {
  const given = (Array.isArray(raw) ? raw : [raw]).map(String);
  const list = [...new Set((split ? given.flatMap((v) => v.split('|')) : given).map((v) => v.trim()).filter(Boolean))];
  if (list.length === 0) throw queryError('EPCIS_QUERY_VALUE_MISSING', name, `查询参数 ${name} 缺少取值`, `Query parameter ${name} needs a value`);
  return list;
}

function singleOf(raw: unknown, name: string): string {
  const list = valuesOf(raw, name, false);
  if (list.length > 1) throw queryError('EPCIS_QUERY_PARAMETER_REPEATED', name, `查询参数 ${name} 只能给一个值`, `Query parameter ${name} takes one value`);
  return list[0];
}

const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?(?:Z|[+-]\d\d:\d\d)$/i;

function timeOf(raw: unknown, name: string): string {
  // An unescaped '+' in a query string arrives as a space: "…T08:00:00 08:00" means "+08:00".
  const v = singleOf(raw, name).replace(/ (\d\d:\d\d)$/, '+$1');
  if (!DATE_TIME.test(v) || Number.isNaN(Date.parse(v))) {
    throw queryError('EPCIS_QUERY_TIME_INVALID', name, `${name} 须为带时区的 ISO 8601 时间`, `${name} must be an ISO 8601 date-time with a time zone`);
  }
  return v;
}

/** A standard term in any spelling (bare word, CBV URN, web URI, CURIE) as the store indexes it. */
const vocabularyTerm = (vocab: Vocabulary, kind?: 'bizStep' | 'disposition') => (v: string) => {
  const term = compactTerm(vocab, v) as string;
  return kind ? shortVocab(term, kind) ?? term : term;
};

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * What an identifier parameter value matches: the value itself, its store key (a Suyuan trace code in any form
 * becomes the bare code), its canonical GS1 Digital Link and every EPC URN equivalent to it (events are indexed
 * with identifiers as captured, so a Digital Link query must name the URN forms and the other way round); an EPC pattern (`urn:epc:idpat:sgtin:0614141.812345.*`)
 * matches the pure identities it covers and, for class parameters, the LGTIN classes of that product.
 */
function identifierMatch(values: string[], roles: RoleChar[], classes: boolean): IdentifierMatch {
  const keys = new Set<string>();
  const patterns = new Set<string>();
  for (const v of values) {
    keys.add(v);
    const pattern = /^urn:epc:idpat:([a-z]+):(.*\*.*)$/.exec(v);
    if (pattern) {
      const tail = escapeLike(pattern[2]).replace(/\*/g, '%');
      patterns.add(`urn:epc:id:${pattern[1]}:${tail}`);
      if (classes && pattern[1] === 'sgtin') patterns.add(`urn:epc:class:lgtin:${tail}`);
      continue;
    }
    keys.add(identifierKey(v));
    const canonical = canonicalGs1Uri(v);
    if (canonical) keys.add(canonical);
    for (const urn of equivalentEpcUris(v)) keys.add(urn);
  }
  return { roles, keys: [...keys], patterns: [...patterns] };
}

const MATCH: Record<string, { roles: RoleChar[]; classes: boolean }> = {
  MATCH_epc: { roles: [ROLE.epc, ROLE.child], classes: false },
  MATCH_parentID: { roles: [ROLE.parent], classes: false },
  MATCH_inputEPC: { roles: [ROLE.input], classes: false },
  MATCH_outputEPC: { roles: [ROLE.output], classes: false },
  MATCH_anyEPC: { roles: [ROLE.epc, ROLE.child, ROLE.input, ROLE.output, ROLE.parent], classes: false },
  MATCH_epcClass: { roles: [ROLE.quantity, ROLE.childQuantity], classes: true },
  MATCH_inputEPCClass: { roles: [ROLE.inputQuantity], classes: true },
  MATCH_outputEPCClass: { roles: [ROLE.outputQuantity], classes: true },
  MATCH_anyEPCClass: { roles: [ROLE.quantity, ROLE.childQuantity, ROLE.inputQuantity, ROLE.outputQuantity], classes: true },
};

type Apply = (f: EventFilter, values: () => string[], single: () => string, name: string) => void;

/** A list condition; given twice (path and query string) both must hold, so the value sets intersect. */
const listParam = (field: ListField, normalise: (v: string) => string = (v) => v, check?: (v: string, name: string) => void): Apply =>
  (f, values, _single, name) => {
    const given = values().map((v) => { check?.(v, name); return normalise(v); });
    f[field] = f[field] ? f[field]!.filter((v) => given.includes(v)) : given;
  };
const timeParam = (range: 'eventTime' | 'recordTime' | 'errorTime', bound: 'ge' | 'lt'): Apply =>
  (f, _values, single, name) => { f[range][bound] = timeOf([single()], name); };

const isEventType = (v: string, name: string) => {
  if (!(EVENT_TYPES as readonly string[]).includes(v) && !v.includes(':')) {
    throw queryError('EPCIS_QUERY_VALUE_INVALID', name, `${v} 不是 EPCIS 事件类型`, `${v} is not an EPCIS event type (nor an extension type URI)`);
  }
};
const isAction = (v: string, name: string) => {
  if (!['ADD', 'OBSERVE', 'DELETE'].includes(v)) throw queryError('EPCIS_QUERY_VALUE_INVALID', name, `${name} 只能是 ADD、OBSERVE 或 DELETE`, `${name} must be ADD, OBSERVE or DELETE`);
};

const PARAMS: Record<string, Apply> = {
  eventType: listParam('eventTypes', undefined, isEventType),
  GE_eventTime: timeParam('eventTime', 'ge'),
  LT_eventTime: timeParam('eventTime', 'lt'),
  GE_recordTime: timeParam('recordTime', 'ge'),
  LT_recordTime: timeParam('recordTime', 'lt'),
  EQ_action: listParam('actions', undefined, isAction),
  EQ_bizStep: listParam('bizSteps', vocabularyTerm(VOCAB.bizStep, 'bizStep')),
  EQ_disposition: listParam('dispositions', vocabularyTerm(VOCAB.disposition, 'disposition')),
  EQ_persistentDisposition_set: listParam('persistentSet', vocabularyTerm(VOCAB.disposition)),
  EQ_persistentDisposition_unset: listParam('persistentUnset', vocabularyTerm(VOCAB.disposition)),
  EQ_readPoint: listParam('readPoints'),
  EQ_bizLocation: listParam('bizLocations'),
  EQ_eventID: listParam('eventIds'),
  EQ_transformationID: listParam('transformationIds'),
  EXISTS_errorDeclaration: (f, _values, single, name) => {
    const v = single();
    if (v !== 'true' && v !== 'false') throw queryError('EPCIS_QUERY_VALUE_INVALID', name, `${name} 只能是 true 或 false`, `${name} must be true or false`);
    if (v === 'true') f.errorDeclared = true;
  },
  GE_errorDeclarationTime: timeParam('errorTime', 'ge'),
  LT_errorDeclarationTime: timeParam('errorTime', 'lt'),
  EQ_errorReason: listParam('errorReasons', vocabularyTerm(VOCAB.errorReason)),
  EQ_correctiveEventID: listParam('correctiveIds'),
  ...Object.fromEntries(Object.entries(MATCH).map(([name, m]): [string, Apply] =>
    [name, (f, values) => { f.identifiers.push(identifierMatch(values(), m.roles, m.classes)); }])),
};

const TYPED_ENTRY = /^EQ_(bizTransaction|source|destination)_(.+)$/;
const TYPED_LISTS = {
  bizTransaction: { list: 'bizTransactionList', vocab: VOCAB.bizTransactionType },
  source: { list: 'sourceList', vocab: VOCAB.sourceDestType },
  destination: { list: 'destinationList', vocab: VOCAB.sourceDestType },
} as const;

// Parameters of the standard that this node does not evaluate: refusing them beats silently ignoring a condition.
const UNSUPPORTED = new Set([
  'WD_readPoint', 'WD_bizLocation', 'EQ_quantity', 'GT_quantity', 'GE_quantity', 'LT_quantity', 'LE_quantity',
  'orderBy', 'orderDirection', 'eventCountLimit', 'maxEventCount', 'GE_startTime', 'LT_startTime', 'GE_endTime',
  'LT_endTime', 'EQ_type', 'EQ_deviceID', 'EQ_dataProcessingMethod', 'EQ_microorganism', 'EQ_chemicalSubstance',
  'EQ_bizRules', 'EQ_stringValue', 'EQ_hexBinaryValue', 'EQ_uriValue', 'EQ_booleanValue',
]);
// The standard's parameters with a field name inside (EQ_ILMD_…, GT_value_…, HASATTR_…) all start like this.
const STANDARD_FAMILY = /^(EQ|GT|GE|LT|LE|EXISTS|HASATTR|EQATTR|MATCH|WD)_/;

/** The query parameters an event resource reads (besides the EQ_bizTransaction_{type} family), for the API docs. */
export const EVENT_QUERY_PARAMETERS = [...Object.keys(PARAMS), 'perPage', 'nextPageToken'];

/** Refuses any query parameter a listing resource does not read, naming it. */
export function onlyParams(query: Record<string, unknown>, allowed: readonly string[]): void {
  const extra = Object.keys(query).find((name) => !allowed.includes(name));
  if (extra !== undefined) throw queryError('EPCIS_QUERY_PARAMETER_UNKNOWN', extra, `未知的查询参数 ${extra}`, `Unknown query parameter ${extra}`);
}

/** Page size and page token, shared by event queries and listings. */
export function pageOf(query: Record<string, unknown>): { perPage: number; pageToken?: string } {
  let perPage = DEFAULT_PER_PAGE;
  if (query.perPage !== undefined) {
    const v = singleOf(query.perPage, 'perPage');
    if (!/^\d+$/.test(v) || Number(v) < 1) throw queryError('EPCIS_QUERY_VALUE_INVALID', 'perPage', 'perPage 须为正整数', 'perPage must be a positive integer');
    perPage = Math.min(Number(v), MAX_PER_PAGE);
  }
  return { perPage, pageToken: query.nextPageToken === undefined ? undefined : singleOf(query.nextPageToken, 'nextPageToken') };
}

/**
 * Reads the EPCIS query parameters of a query string into a filter. `fixed` is the value a resource path
 * stands for (`/bizSteps/{bizStep}/events` is EQ_bizStep={bizStep}), applied as one more condition.
 * Unknown parameters and standard ones this node does not evaluate are refused, naming the parameter.
 */
export function parseEventQuery(query: Record<string, unknown>, fixed?: { name: string; value: string }): EventQuery {
  const filter: EventFilter = { eventTime: {}, recordTime: {}, errorTime: {}, identifiers: [], typedEntries: [] };
  const params: Record<string, string[]> = {};
  const given: Array<[string, unknown, boolean]> = Object.entries(query)
    .filter(([name]) => name !== 'perPage' && name !== 'nextPageToken')
    .map(([name, raw]) => [name, raw, true]);
  if (fixed) given.push([fixed.name, [fixed.value], false]);
  for (const [name, raw, split] of given) {
    const values = () => valuesOf(raw, name, split);
    const single = () => singleOf(raw, name);
    const apply = PARAMS[name];
    const typed = TYPED_ENTRY.exec(name);
    if (apply) apply(filter, values, single, name);
    else if (typed) {
      const kind = typed[1] as keyof typeof TYPED_LISTS;
      const { list, vocab } = TYPED_LISTS[kind];
      filter.typedEntries.push({ list, key: kind, type: compactTerm(vocab, typed[2]) as string, values: values() });
    } else if (UNSUPPORTED.has(name) || STANDARD_FAMILY.test(name)) {
      throw queryError('EPCIS_QUERY_PARAMETER_UNSUPPORTED', name, `本节点不支持查询参数 ${name}`, `Query parameter ${name} is not supported by this node`);
    } else {
      throw queryError('EPCIS_QUERY_PARAMETER_UNKNOWN', name, `未知的查询参数 ${name}`, `Unknown query parameter ${name}`);
    }
    params[name] = [...(params[name] ?? []), ...values()].sort();
  }
  const scope = JSON.stringify(Object.entries(params).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return { filter, ...pageOf(query), scope, params };
}

// ---- page tokens --------------------------------------------------------------------------------

const mac = (secret: Uint8Array, scope: string, payload: string) =>
  createHmac('sha256', secret).update(`${scope}\n${payload}`).digest('base64url');

/**
 * An opaque, tamper-evident nextPageToken: where the next page starts and when the token expires, signed
 * together with the query it belongs to, so it cannot be edited or replayed against another query.
 */
export function signPageToken(secret: Uint8Array, scope: string, after: string, now = Date.now()): { token: string; expires: Date } {
  const expires = new Date(now + PAGE_TOKEN_TTL_MS);
  const payload = Buffer.from(JSON.stringify([after, Math.floor(expires.getTime() / 1000)])).toString('base64url');
  return { token: `${payload}.${mac(secret, scope, payload)}`, expires };
}

/** The cursor inside a page token, after checking its signature, its query and its expiry. */
export function readPageToken(secret: Uint8Array, scope: string, token: string, now = Date.now()): string {
  const bad = () => queryError('EPCIS_PAGE_TOKEN_INVALID', 'nextPageToken', 'nextPageToken 无效、已过期或不属于本查询',
    'nextPageToken is invalid, expired, or belongs to another query');
  const [payload, signature, extra] = token.split('.');
  if (!payload || !signature || extra !== undefined) throw bad();
  const expected = Buffer.from(mac(secret, scope, payload));
  const got = Buffer.from(signature);
  if (expected.length !== got.length || !timingSafeEqual(expected, got)) throw bad();
  const [after, expiresAt] = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as [string, number];
  if (expiresAt * 1000 < now) throw bad();
  return after;
}

// ---- query documents ----------------------------------------------------------------------------

/** The GS1 EPCIS 2.0 JSON-LD context; older spellings of it are the same context. */
export const EPCIS_CONTEXT = 'https://ref.gs1.org/standards/epcis/epcis-context.jsonld';
const EPCIS_CONTEXT_URL = /^https?:\/\/(ref\.gs1\.org\/standards\/epcis\/(2\.0\.0\/)?|gs1\.github\.io\/EPCIS\/)epcis-context\.jsonld$/;
/** Suyuan's own extension prefix (docs/events.md), declared in every document we serve. */
export const SUYUAN_PREFIXES: Readonly<Record<string, string>> = { sy: 'https://suyuan.dev/ns/epcis/' };

/** A stored event as the query document needs it: the body as captured, its record time, its capture's @context. */
export interface StoredEvent { body: EpcisEvent; recordTime: Date; captureContext: unknown }

const sameJson = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);
const contextEntries = (context: unknown): unknown[] => (context === undefined || context === null ? [] : [context].flat());

/**
 * The @context of a query document and, per event, any context of its own it needs. Every capture's term
 * definitions (prefix → namespace) are declared once at the top; an event whose capture bound a prefix
 * differently from the one declared at the top carries its capture's binding as an event-level @context.
 */
export function queryContext(events: readonly StoredEvent[]): { context: unknown[]; eventContexts: Array<Json | undefined> } {
  const urls: string[] = [];
  const terms: Json = { ...SUYUAN_PREFIXES };
  for (const e of events) {
    for (const entry of contextEntries(e.captureContext)) {
      if (typeof entry === 'string' && !EPCIS_CONTEXT_URL.test(entry) && !urls.includes(entry)) urls.push(entry);
      if (isObject(entry)) for (const [k, v] of Object.entries(entry)) if (!(k in terms)) terms[k] = v;
    }
  }
  const eventContexts = events.map((e) => {
    const own: Json = {};
    for (const entry of contextEntries(e.captureContext)) {
      if (isObject(entry)) for (const [k, v] of Object.entries(entry)) if (!sameJson(terms[k], v)) own[k] = v;
    }
    return Object.keys(own).length > 0 ? own : undefined;
  });
  return { context: [EPCIS_CONTEXT, ...urls, terms], eventContexts };
}

const toDigitalLink = (v: unknown) => (typeof v === 'string' && v.startsWith('urn:epc:') ? epcUriToDigitalLink(v) ?? v : v);
const mapList = (v: unknown, f: (x: unknown) => unknown) => (Array.isArray(v) ? v.map(f) : v);

/** An event with every EPC URN (identities, classes, locations, parties, transactions) written as a GS1 Digital Link. */
export function withDigitalLinks(event: EpcisEvent): EpcisEvent {
  const e: EpcisEvent = { ...event };
  for (const key of ['epcList', 'childEPCs', 'inputEPCList', 'outputEPCList']) if (key in e) e[key] = mapList(e[key], toDigitalLink);
  if ('parentID' in e) e.parentID = toDigitalLink(e.parentID);
  for (const key of ['quantityList', 'childQuantityList', 'inputQuantityList', 'outputQuantityList']) {
    if (key in e) e[key] = mapList(e[key], (q) => (isObject(q) ? { ...q, epcClass: toDigitalLink(q.epcClass) } : q));
  }
  for (const key of ['readPoint', 'bizLocation']) if (isObject(e[key])) e[key] = { ...e[key], id: toDigitalLink(e[key].id) };
  for (const [list, field] of [['sourceList', 'source'], ['destinationList', 'destination'], ['bizTransactionList', 'bizTransaction']]) {
    if (list in e) e[list] = mapList(e[list], (x) => (isObject(x) ? { ...x, [field]: toDigitalLink(x[field]) } : x));
  }
  return e;
}

/** Stored events as returned: the body as captured plus recordTime, EPCs in the requested format. */
function presentEvents(events: readonly StoredEvent[], epcFormat: EpcFormat): { context: unknown[]; eventList: EpcisEvent[] } {
  const { context, eventContexts } = queryContext(events);
  const eventList = events.map((e, i) => {
    const body = epcFormat === 'Always_GS1_Digital_Link' ? withDigitalLinks(e.body) : e.body;
    const own = eventContexts[i];
    // JSON-LD: a later context entry wins, so the event's own @context (if it had one) stays last.
    const context = own ? { '@context': [own, ...contextEntries(body['@context'])] } : {};
    return { ...body, ...context, recordTime: e.recordTime.toISOString() };
  });
  return { context, eventList };
}

/** An EPCISQueryDocument holding the given events (the response of every event resource of the binding). */
export function queryDocument(events: readonly StoredEvent[], epcFormat: EpcFormat, now = new Date()) {
  const { context, eventList } = presentEvents(events, epcFormat);
  return {
    '@context': context,
    type: 'EPCISQueryDocument',
    schemaVersion: '2.0',
    creationDate: now.toISOString(),
    epcisBody: { queryResults: { queryName: 'SimpleEventQuery', resultsBody: { eventList } } },
  };
}

/** A JSON-LD Collection, the binding's shape for lists of event types, business steps, locations. */
export function collection(member: readonly string[]) {
  return { '@context': [EPCIS_CONTEXT, { ...SUYUAN_PREFIXES }], type: 'Collection', member };
}

// ---- negotiation --------------------------------------------------------------------------------

export interface Refusal { status: 400 | 406; code: string; field: string; zh: string; en: string }
export type Negotiated = { ok: true; epcFormat: EpcFormat; ldJson: boolean } | ({ ok: false } & Refusal);

type Headers = Record<string, string | string[] | undefined>;
const header = (h: Headers, name: string) => { const v = h[name.toLowerCase()]; return Array.isArray(v) ? v[0] : v; };
const versionParts = (v: string) => (/^\d+(\.\d+)*$/.test(v.trim()) ? v.trim().split('.').map(Number) : null);
function compareVersions(a: number[], b: number[]): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) - (b[i] ?? 0);
  return 0;
}

/** Whether an Accept header admits a JSON answer; absent means anything goes. */
function acceptsJson(accept: string | undefined): { ok: boolean; ldJson: boolean } {
  if (!accept) return { ok: true, ldJson: false };
  const ranges = accept.split(',').map((part) => {
    const [type, ...params] = part.trim().toLowerCase().split(';').map((s) => s.trim());
    const q = params.find((p) => p.startsWith('q='));
    return { type, q: q ? Number(q.slice(2)) : 1 };
  }).filter((r) => r.q > 0);
  const json = ['*/*', 'application/*', 'application/json', 'application/ld+json'];
  return { ok: ranges.some((r) => json.includes(r.type)), ldJson: ranges.some((r) => r.type === 'application/ld+json') };
}

/**
 * Checks the GS1 version headers (GS1-EPCIS-Version / -Min / -Max, the same for CBV), Accept and GS1-EPC-Format
 * against what this node serves: EPCIS 2.0 and CBV 2.0, JSON-LD, EPCs as captured or as GS1 Digital Links.
 */
export function negotiate(h: Headers, capture: boolean): Negotiated {
  const refuse = (status: 400 | 406, code: string, field: string, zh: string, en: string): Negotiated => ({ ok: false, status, code, field, zh, en });
  for (const [name, ours] of [['GS1-EPCIS', EPCIS_VERSION], ['GS1-CBV', CBV_VERSION]] as const) {
    const supported = versionParts(ours)!;
    const checks: Array<[string, (v: number[]) => boolean]> = [
      [`${name}-Min`, (v) => compareVersions(v, supported) <= 0],
      [`${name}-Max`, (v) => compareVersions(v, supported) >= 0],
      // A capture states the version its payload is written in; only 2.0.x is understood.
      ...(capture ? [[`${name}-Version`, (v: number[]) => v[0] === supported[0] && (v[1] ?? 0) === supported[1]] as [string, (v: number[]) => boolean]] : []),
    ];
    for (const [field, fits] of checks) {
      const given = header(h, field);
      if (given === undefined) continue;
      const parts = versionParts(given);
      if (!parts) return refuse(400, 'EPCIS_VERSION_HEADER_INVALID', field, `${field} 须为版本号，如 2.0.0`, `${field} must be a version number such as 2.0.0`);
      if (!fits(parts)) return refuse(406, 'EPCIS_VERSION_UNSUPPORTED', field, `本节点只支持 ${name.slice(4)} ${ours}`, `This node speaks ${name.slice(4)} ${ours} only (${field}: ${given})`);
    }
  }
  const accept = acceptsJson(header(h, 'Accept'));
  if (!accept.ok) return refuse(406, 'EPCIS_MEDIA_TYPE_UNSUPPORTED', 'Accept', '本节点只以 JSON-LD 返回 EPCIS 数据', 'This node answers in JSON / JSON-LD only');
  const format = header(h, 'GS1-EPC-Format') ?? 'Always_GS1_Digital_Link';
  if (!(EPC_FORMATS as readonly string[]).includes(format)) {
    return refuse(400, 'EPCIS_EPC_FORMAT_INVALID', 'GS1-EPC-Format', `GS1-EPC-Format 只能是 ${EPC_FORMATS.join('、')}`, `GS1-EPC-Format must be one of ${EPC_FORMATS.join(', ')}`);
  }
  // A Digital Link does not say where the company prefix ends, so it cannot be turned back into an EPC URN.
  if (format === 'Always_EPC_URN') {
    return refuse(406, 'EPCIS_EPC_FORMAT_UNSUPPORTED', 'GS1-EPC-Format', '无法把 GS1 数字链接转换为 EPC URN', 'EPCs cannot be translated to EPC URNs (a Digital Link does not carry the company prefix length)');
  }
  return { ok: true, epcFormat: format as EpcFormat, ldJson: accept.ldJson };
}
