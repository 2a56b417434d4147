import { parseCode } from '../codes/code-scheme.ts';
import { DomainError } from '../platform/errors.ts';

/**
 * Pure helpers of the event store: what to index of an EPCIS 2.0 event, and how identifiers are keyed.
 * Events are plain EPCIS 2.0 JSON-LD objects (as in an EPCISDocument's eventList).
 */
export type EpcisEvent = Record<string, any>;

export const EVENT_TYPES = ['ObjectEvent', 'AggregationEvent', 'TransactionEvent', 'TransformationEvent', 'AssociationEvent'] as const;
export type EventType = (typeof EVENT_TYPES)[number];

/** Identifier roles as stored in event_ids.role (one character each). */
export const ROLE = {
  epc: 'e', parent: 'p', child: 'c', input: 'i', output: 'o',
  quantity: 'q', inputQuantity: 'j', outputQuantity: 'k', childQuantity: 'd',
} as const;
export type RoleChar = (typeof ROLE)[keyof typeof ROLE];

const CBV_BIZSTEP = /^(?:urn:epcglobal:cbv:bizstep:|https?:\/\/(?:ns\.gs1\.org|ref\.gs1\.org)\/cbv\/BizStep-)(.+)$/;
const CBV_DISP = /^(?:urn:epcglobal:cbv:disp:|https?:\/\/(?:ns\.gs1\.org|ref\.gs1\.org)\/cbv\/Disp-)(.+)$/;

/** A CBV business step or disposition as its bare name (`shipping`); other vocabularies stay full URIs. */
export function shortVocab(value: unknown, kind: 'bizStep' | 'disposition'): string | null {
  if (typeof value !== 'string' || !value) return null;
  const m = (kind === 'bizStep' ? CBV_BIZSTEP : CBV_DISP).exec(value);
  return m ? m[1] : value;
}

/** The canonical EPC URI of a Suyuan trace code inside EPCIS events. */
export function codeUri(code: string): string {
  return `urn:suyuan:code:${code}`;
}
/** The party URI of an operator (by USCC) in source/destination lists. */
export function partyUri(uscc: string): string {
  return `urn:suyuan:party:${uscc}`;
}
/** The location URI of a site in readPoint / bizLocation. */
export function siteUri(siteId: string): string {
  return `urn:suyuan:site:${siteId}`;
}

/**
 * The key under which an identifier is indexed: a Suyuan trace code in any of its forms (URN, scan URL,
 * bare code) becomes the bare 16-character code, so that lineage joins across capture paths; any other
 * identifier (SGTIN, LGTIN, Digital Link) is kept as given.
 */
export function identifierKey(uri: string): string {
  const m = /^urn:suyuan:code:([0-9A-Z]{16})$/.exec(uri) ?? /\/t\/([0-9A-Za-z]{16})(?:[?#].*)?$/.exec(uri);
  if (m) {
    const p = parseCode(m[1]);
    if (typeof p !== 'string') return p.code;
  }
  return uri;
}

/** True when the key is a Suyuan trace code (as opposed to a foreign EPC). */
export function isCodeKey(key: string): boolean {
  return key.length === 16 && typeof parseCode(key) !== 'string';
}

/** Party id of a Suyuan operator named in a source/destination entry, if any. */
export function partyUscc(uri: unknown): string | null {
  const m = typeof uri === 'string' ? /^urn:suyuan:party:([0-9A-Z]{18})$/.exec(uri) : null;
  return m ? m[1] : null;
}

export interface IndexedEvent {
  eventType: EventType;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  eventTime: string;
  readPoint: string | null;
  bizLocation: string | null;
  ids: Array<{ key: string; role: RoleChar }>;
  /** USCCs named as owning or possessing party in the source and destination lists. */
  sources: string[];
  destinations: string[];
}

const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
type Ids = Array<{ key: string; role: RoleChar }>;

// Foreign identifiers are indexed as given: one node per identifier in the lineage graph. (A Digital Link query
// for an event captured with an EPC URN does not match; EPCIS MATCH_* adds the canonical form of query values.)
function addId(ids: Ids, v: string, role: RoleChar) {
  ids.push({ key: identifierKey(v), role });
}
function addEpcs(ids: Ids, values: unknown, role: RoleChar) {
  for (const v of list(values)) if (typeof v === 'string') addId(ids, v, role);
}
function addClasses(ids: Ids, values: unknown, role: RoleChar) {
  for (const q of list(values)) if (typeof q?.epcClass === 'string') addId(ids, q.epcClass, role);
}
function parties(l: unknown): string[] {
  const out = new Set<string>();
  for (const s of list(l)) {
    const uscc = partyUscc(s?.source ?? s?.destination);
    if (uscc) out.add(uscc);
  }
  return [...out];
}

/**
 * Every identifier an event names, by role, once each: the event's `event_ids` rows. The trace reads identifiers
 * through this too, from stored bodies, so the two never disagree.
 */
export function eventIdentifiers(e: EpcisEvent): Ids {
  const all: Ids = [];
  addEpcs(all, e.epcList, ROLE.epc);
  if (typeof e.parentID === 'string') addId(all, e.parentID, ROLE.parent);
  addEpcs(all, e.childEPCs, ROLE.child);
  addEpcs(all, e.inputEPCList, ROLE.input);
  addEpcs(all, e.outputEPCList, ROLE.output);
  addClasses(all, e.quantityList, ROLE.quantity);
  addClasses(all, e.childQuantityList, ROLE.childQuantity);
  addClasses(all, e.inputQuantityList, ROLE.inputQuantity);
  addClasses(all, e.outputQuantityList, ROLE.outputQuantity);
  const seen = new Set<string>();
  return all.filter((i) => { const k = i.role + i.key; if (seen.has(k)) return false; seen.add(k); return true; });
}

/** Extracts what the store indexes from one event. */
export function indexEvent(e: EpcisEvent): IndexedEvent {
  return {
    eventType: e.type,
    action: typeof e.action === 'string' ? e.action : null,
    bizStep: shortVocab(e.bizStep, 'bizStep'),
    disposition: shortVocab(e.disposition, 'disposition'),
    eventTime: e.eventTime,
    readPoint: typeof e.readPoint?.id === 'string' ? e.readPoint.id : null,
    bizLocation: typeof e.bizLocation?.id === 'string' ? e.bizLocation.id : null,
    ids: eventIdentifiers(e),
    sources: parties(e.sourceList),
    destinations: parties(e.destinationList),
  };
}

const STATUS_ZH: Record<string, string> = { pending: '待审核', rejected: '未通过审核', suspended: '已暂停', approved: '已通过审核' };

/**
 * The one rule for every front door of the event store (EPCIS capture, native records, ledgers): only an approved
 * operator records events; a pending, rejected or suspended one is refused with 403 OPERATOR_NOT_ACTIVE.
 */
export function ensureOperatorActive(o: { id: string; status: string }): void {
  if (o.status === 'approved') return;
  throw new DomainError('forbidden', 'OPERATOR_NOT_ACTIVE',
    `经营主体${STATUS_ZH[o.status] ?? `状态为 ${o.status}`}，不能登记追溯记录`,
    `The operator is not active (status: ${o.status}); it cannot record traceability events`, { operatorId: o.id, operatorStatus: o.status });
}

/** The errorDeclaration an event carries (EPCIS 2.0: the event re-sent to declare it erroneous), if any. */
export function errorDeclarationOf(e: EpcisEvent): Record<string, unknown> | null {
  const d = e.errorDeclaration;
  return typeof d === 'object' && d !== null && !Array.isArray(d) ? d : null;
}
