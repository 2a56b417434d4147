import { createHmac } from 'node:crypto';
import { isIP } from 'node:net';
import { codeUri, identifierKey, type EpcisEvent, type RoleChar } from '../events/events-fns.ts';
import { destructionEvent, SY_NAMESPACE, uomOf, type GoodsLine } from '../records/records-fns.ts';
import { handover } from '../trace/trace-fns.ts';
import type { Direction, LineageEvent } from '../trace/trace-types.ts';
import type { NoticeKind, ResponseAction } from './recall-types.ts';

/*
 * The domain core of incidents and recall: who holds how much of the affected goods (from the events alone),
 * which upstream batches and operators several problem codes share, impact by division and operator type, the
 * events an operator's answer becomes, and the small rules of webhook delivery. No SQL, no HTTP.
 */

// ---- Quantities ---------------------------------------------------------------------------------

/**
 * Quantities are summed exactly as integer thousandths (batches are numeric(18,3)); doubles hold integers exactly
 * up to 2^53, far beyond any quantity of goods, and add much faster than bigints over tens of thousands of holdings.
 */
export type Milli = number;

/** A quantity from an event or a request in thousandths; null when it is absent, negative, not a number or too large. */
export function toMilli(v: unknown): Milli | null {
  const x = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : NaN;
  const m = Math.round(x * 1000);
  return x >= 0 && Number.isSafeInteger(m) ? m : null;
}

/** Thousandths as a decimal string without trailing zeros: 12500 → '12.5'. */
export function fromMilli(m: Milli): string {
  // Whole quantities (most of them, and every zero) skip the fraction: tens of thousands of holdings per affected set.
  if (m % 1000 === 0) return m === 0 ? '0' : String(m / 1000);
  const a = Math.abs(m);
  const frac = String(a % 1000).padStart(3, '0').replace(/0+$/, '');
  return `${m < 0 ? '-' : ''}${Math.floor(a / 1000)}${frac ? `.${frac}` : ''}`;
}

/** The unit an instance (an item code, a foreign EPC) counts in: one piece each. */
export const ITEM_UNIT = '件';

// ---- Notices ------------------------------------------------------------------------------------

/**
 * The notice kinds that already tell an operator what a notice of `kind` would: a recall asks more than a hold, so it
 * covers one (a hold is not sent after it), while a hold does not cover the recall.
 */
export function coveringKinds(kind: NoticeKind): NoticeKind[] {
  return kind === 'recall' ? ['recall'] : ['recall', 'hold'];
}

// ---- Holdings -----------------------------------------------------------------------------------

/** Where the affected goods are: one code at one operator in one unit, as the events tell it. */
export interface Holding {
  code: string;
  operatorId: string;
  unit: string;
  /** Produced here (commissioning, transformation output, packing) or handed to it. */
  reached: Milli;
  /** Handed on to other operators (shipped, sold to an operator). */
  passedOn: Milli;
  soldToConsumers: Milli;
  /** Used up into another code: a transformation input, or packed into a container. */
  processed: Milli;
  destroyed: Milli;
}

/** What should still be at the operator: reached minus everything that left it, never below zero. */
export function onHand(h: Holding): Milli {
  const left = h.reached - h.passedOn - h.soldToConsumers - h.processed - h.destroyed;
  return left > 0 ? left : 0;
}

const CLASS_LIST: Partial<Record<RoleChar, string>> = { q: 'quantityList', j: 'inputQuantityList', k: 'outputQuantityList', d: 'childQuantityList' };
const OUTPUT_ROLES: ReadonlySet<RoleChar> = new Set(['o', 'k']);
// Steps that hand goods from one operator to another; the recorder is the sender on the first, the receiver on the second.
const OUTBOUND_STEPS = new Set(['shipping', 'departing', 'consigning', 'urn:suyuan:bizstep:selling']);
const INBOUND_STEPS = new Set(['receiving', 'arriving', 'accepting', 'unloading']);

/**
 * Whether a list element's epcClass names the key: native events name codes by their URN; anything else goes through
 * the index's own key rule. (A function of its own, not a closure per call: hot over tens of thousands of events.)
 */
function names(epc: unknown, key: string, uri: string): boolean {
  return epc === uri || epc === key || (typeof epc === 'string' && epc.startsWith('http') && identifierKey(epc) === key);
}

/**
 * How much of `key` an event's class list (the one its role reads) names, in which unit: class quantities summed in
 * the unit the record wrote (`sy:units`, else the UN/ECE code). Null when it names no quantity (an inspection's subject).
 */
function amountOf(list: unknown, units: unknown, key: string): { milli: Milli; unit: string } | null {
  const uri = codeUri(key);
  let total: Milli | null = null;
  let uom: string | null = null;
  for (const el of Array.isArray(list) ? list : []) {
    if (!names(el?.epcClass, key, uri)) continue;
    const m = toMilli(el.quantity);
    if (m === null) continue;
    total = (total ?? 0) + m;
    uom ??= typeof el.uom === 'string' ? el.uom : null;
  }
  if (total === null) return null;
  let written: unknown;
  for (const u of Array.isArray(units) ? units : []) {
    if (names(u?.epcClass, key, uri)) { written = u.unit; break; }
  }
  return { milli: total, unit: typeof written === 'string' && written ? written : uom ?? '' };
}

/**
 * One event's part for one affected code: who recorded what, in which role, and the quantity it names: what the
 * holdings and the lineage walk need (opening an incident reads nothing more).
 */
export interface Movement {
  seq: string;
  eventType: string;
  action: string | null;
  bizStep: string | null;
  disposition: string | null;
  operatorId: string | null;
  counterpartyId: string | null;
  key: string;
  role: RoleChar;
  amount: { milli: Milli; unit: string } | null;
  /**
   * Identifiers of a linking event (transformation, aggregation) for the level engine to follow, null for other
   * events: the level's own movements of the event and every identifier it leads to in the direction of travel;
   * with details, every identifier the event names.
   */
  links: Array<{ key: string; role: RoleChar }> | null;
}
/** A movement with what exports show of its event: its id, time and details. */
export interface DetailedMovement extends Movement {
  eventId: string;
  eventTime: Date;
  details?: MovementDetails;
}
export interface MovementDetails {
  bizLocation: string | null; record: string | null; invoiceNo: string | null; admissionInvoice: string | null;
  transactionType: string | null; transaction: string | null;
}

/**
 * The roles a level's keys hold in linking events when the walk travels on from them (`from`), and the roles of the
 * identifiers it travels to (`to`), in one direction: forward from inputs and contents to outputs and containers,
 * backward the reverse (the trace engine's links, over transformations and aggregations together).
 */
export function linkRoles(direction: Direction): { from: RoleChar[]; to: RoleChar[] } {
  const down: RoleChar[] = ['i', 'j', 'c', 'd'];
  const up: RoleChar[] = ['o', 'k', 'p'];
  return direction === 'forward' ? { from: down, to: up } : { from: up, to: down };
}

// Movements read without their event's time (opening an incident) give the engine this; it never reads the time of a linking event.
const UNREAD_TIME = new Date(0);

/** The quantity a movement names: class quantities from the event's list and units, instances one piece each. */
export function movementAmount(role: RoleChar, key: string, list: unknown, units: unknown): Movement['amount'] {
  return CLASS_LIST[role] ? amountOf(list, units, key) : { milli: 1000, unit: ITEM_UNIT };
}

/**
 * The linking events (transformations, aggregations) of one level's movements, as the level engine reads events:
 * with the identifiers of their links (see `Movement.links`). Other events lead nowhere, so the engine needs none of
 * them to find the affected set; bodies are not read by the engine.
 */
export function linkingEvents(movements: readonly Movement[]): LineageEvent[] {
  const bySeq = new Map<string, LineageEvent>();
  for (const m of movements) {
    if (!m.links || bySeq.has(m.seq)) continue;
    const read = m as Partial<DetailedMovement>;
    const time = read.eventTime ?? UNREAD_TIME;
    bySeq.set(m.seq, {
      seq: m.seq, eventId: read.eventId ?? '', eventType: m.eventType, action: m.action, bizStep: m.bizStep, eventTime: time, recordTime: time,
      operatorId: m.operatorId, counterpartyId: m.counterpartyId, divisionCode: null, ids: m.links, body: {},
    });
  }
  return [...bySeq.values()];
}

/**
 * The holdings of the affected codes from their movements: producers and receivers reach a quantity, senders pass
 * it on, retailers sell it, processors use it up. A hand-over recorded by both sides (shipping and receiving)
 * counts once, at the larger of the two quantities, since either side may be missing.
 */
export function holdingsOf(movements: Iterable<Movement>): Holding[] {
  // By code, then operator (a code has a few of each); `out` keeps the order in which holdings first appear.
  const out: Holding[] = [];
  const holdings = new Map<string, Map<string, Holding[]>>();
  const transfers: Transfer[] = [];
  const transfersOf = new Map<string, Map<string, Transfer[]>>();
  const holding = (code: string, operatorId: string, unit: string): Holding => {
    let byOperator = holdings.get(code);
    if (!byOperator) holdings.set(code, (byOperator = new Map()));
    let list = byOperator.get(operatorId);
    if (!list) byOperator.set(operatorId, (list = []));
    for (const h of list) if (h.unit === unit) return h;
    const h: Holding = { code, operatorId, unit, reached: 0, passedOn: 0, soldToConsumers: 0, processed: 0, destroyed: 0 };
    list.push(h);
    out.push(h);
    return h;
  };
  const transfer = (code: string, from: string | null, to: string, unit: string): Transfer => {
    let byReceiver = transfersOf.get(code);
    if (!byReceiver) transfersOf.set(code, (byReceiver = new Map()));
    let list = byReceiver.get(to);
    if (!list) byReceiver.set(to, (list = []));
    for (const t of list) if (t.from === from && t.unit === unit) return t;
    const t: Transfer = { code, from, to, unit, out: 0, in: 0 };
    list.push(t);
    transfers.push(t);
    return t;
  };

  for (const m of movements) {
    const a = m.amount;
    if (!a) continue;
    const op = m.operatorId;
    const step = m.bizStep ?? '';
    if (m.eventType === 'TransformationEvent') {
      if (op) {
        const h = holding(m.key, op, a.unit);
        if (OUTPUT_ROLES.has(m.role)) h.reached += a.milli; else h.processed += a.milli;
      }
    } else if (m.eventType === 'AggregationEvent') {
      if (op && m.action === 'ADD') {
        const h = holding(m.key, op, a.unit);
        if (m.role === 'p') h.reached += a.milli; else h.processed += a.milli;
      }
    } else if (m.counterpartyId && (OUTBOUND_STEPS.has(step) || INBOUND_STEPS.has(step))) {
      const h = handover(m)!;
      if (h.to) {
        const t = transfer(m.key, h.from, h.to, a.unit);
        if (op === h.from) t.out += a.milli; else t.in += a.milli;
      }
    } else if (!op) {
      continue;
    } else if (m.disposition === 'destroyed' || step === 'destroying') {
      holding(m.key, op, a.unit).destroyed += a.milli;
    } else if (step === 'retail_selling') {
      holding(m.key, op, a.unit).soldToConsumers += a.milli;
    } else if ((m.eventType === 'ObjectEvent' && m.action === 'ADD') || INBOUND_STEPS.has(step)) {
      // A batch brought into the record here: produced, or received from a supplier with no record of its own.
      holding(m.key, op, a.unit).reached += a.milli;
    }
  }
  for (const t of transfers) {
    const m = t.out > t.in ? t.out : t.in;
    holding(t.code, t.to, t.unit).reached += m;
    if (t.from) holding(t.code, t.from, t.unit).passedOn += m;
  }
  return out;
}
interface Transfer { code: string; from: string | null; to: string; unit: string; out: Milli; in: Milli }


// ---- Divisions ----------------------------------------------------------------------------------

/** The smallest division holding all of these (county, city, province), or '000000' when they span provinces. */
export function commonDivision(divisions: readonly string[]): string {
  if (divisions.length === 0) return '000000';
  const [first, ...rest] = divisions;
  if (rest.every((d) => d === first)) return first;
  if (rest.every((d) => d.startsWith(first.slice(0, 4)))) return `${first.slice(0, 4)}00`;
  if (rest.every((d) => d.startsWith(first.slice(0, 2)))) return `${first.slice(0, 2)}0000`;
  return '000000';
}

/** The province, city and county a division code lies in, without repeats (a city-level code has no county). */
export function divisionLevels(code: string): Array<{ code: string; level: 'province' | 'city' | 'county' }> {
  const out: Array<{ code: string; level: 'province' | 'city' | 'county' }> = [{ code: `${code.slice(0, 2)}0000`, level: 'province' }];
  if (code.slice(2, 4) !== '00') out.push({ code: `${code.slice(0, 4)}00`, level: 'city' });
  if (code.slice(4) !== '00') out.push({ code, level: 'county' });
  return out;
}

// ---- Impact -------------------------------------------------------------------------------------

/** A holding with what impact assessment needs of its operator. */
export interface PlacedHolding { operatorId: string; divisionCode: string; types: readonly string[]; unit: string; reached: Milli; onHand: Milli; soldToConsumers: Milli }

/** Sums per unit: affected goods come in kg, 袋, 件… and are never added across units. */
export interface UnitTotals { unit: string; reached: Milli; onHand: Milli; soldToConsumers: Milli }

function addTotals(totals: Map<string, UnitTotals>, h: Omit<UnitTotals, 'unit'> & { unit: string }) {
  let t = totals.get(h.unit);
  if (!t) totals.set(h.unit, (t = { unit: h.unit, reached: 0, onHand: 0, soldToConsumers: 0 }));
  t.reached += h.reached; t.onHand += h.onHand; t.soldToConsumers += h.soldToConsumers;
}

/** Totals per unit, in the order the units first appear sorted by name. */
export function totalsByUnit(holdings: Iterable<UnitTotals>): UnitTotals[] {
  const totals = new Map<string, UnitTotals>();
  for (const h of holdings) addTotals(totals, h);
  return [...totals.values()].sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
}

/** Quantities per unit in the progress view, in thousandths. */
export interface UnitProgress extends UnitTotals {
  held: Milli; returned: Milli; destroyed: Milli;
  /** What should have been at the operators when they were asked (their notices' lines), plus what they hold now that no notice asked about. */
  toAccount: Milli;
  /** What the operators reported held, returned or destroyed, each code at each operator counted up to what it was asked about. */
  accounted: Milli;
}

/**
 * How much of the affected goods is accounted for, per unit. The yardstick is what each notified operator was asked
 * about (the on-hand quantity of its notice's lines when the notice went out, the largest where it has several
 * notices) and, for goods no notice asked about (operators not asked yet, codes made since), what is held now. It is
 * frozen at notice time on purpose: a destruction the operator reports becomes an event, which lowers its on-hand
 * quantity at the next refresh of the affected set. Reports count per code and operator up to what it was asked
 * about, so goods reported held and later reported destroyed, or more than the operator had, never push the share
 * past what is there.
 */
export function progressByUnit(
  holdings: ReadonlyArray<{ operatorId: string; code: string; unit: string; reached: Milli; onHand: Milli; soldToConsumers: Milli }>,
  asked: ReadonlyArray<{ operatorId: string; code: string; unit: string; onHand: Milli }>,
  reported: ReadonlyArray<{ operatorId: string; code: string; unit: string; action: string; quantity: Milli }>,
): UnitProgress[] {
  const key = (x: { operatorId: string; code: string; unit: string }) => `${x.operatorId}\u0000${x.code}\u0000${x.unit}`;
  const units = new Map<string, UnitProgress>();
  const unit = (u: string) => {
    let p = units.get(u);
    if (!p) units.set(u, (p = { unit: u, reached: 0, onHand: 0, soldToConsumers: 0, held: 0, returned: 0, destroyed: 0, toAccount: 0, accounted: 0 }));
    return p;
  };
  const expected = new Map<string, { unit: string; onHand: Milli }>();
  for (const a of asked) {
    const e = expected.get(key(a));
    if (!e || a.onHand > e.onHand) expected.set(key(a), { unit: a.unit, onHand: a.onHand });
  }
  for (const h of holdings) {
    const p = unit(h.unit);
    p.reached += h.reached; p.onHand += h.onHand; p.soldToConsumers += h.soldToConsumers;
    // Goods no notice asked about (an operator not notified yet, or a code it made later) count with what is there now.
    if (!expected.has(key(h))) p.toAccount += h.onHand;
  }
  for (const e of expected.values()) unit(e.unit).toAccount += e.onHand;
  const byLine = new Map<string, Milli>();
  for (const r of reported) {
    const p = unit(r.unit);
    if (r.action === 'held') p.held += r.quantity; else if (r.action === 'returned') p.returned += r.quantity; else if (r.action === 'destroyed') p.destroyed += r.quantity;
    byLine.set(key(r), (byLine.get(key(r)) ?? 0) + r.quantity);
  }
  for (const [k, total] of byLine) {
    const e = expected.get(k);
    if (e) unit(e.unit).accounted += Math.min(total, e.onHand);
  }
  return [...units.values()].sort((a, b) => (a.unit < b.unit ? -1 : a.unit > b.unit ? 1 : 0));
}

export interface ImpactNode { code: string; level: 'province' | 'city' | 'county'; operators: number; totals: UnitTotals[]; children: ImpactNode[] }

/** Affected operators and quantities by province → city → county (by the operator's registered division). */
export function impactByDivision(holdings: readonly PlacedHolding[]): ImpactNode[] {
  interface Acc { code: string; level: ImpactNode['level']; operators: Set<string>; totals: Map<string, UnitTotals>; children: Map<string, Acc> }
  const root = new Map<string, Acc>();
  // Tens of thousands of holdings share a few hundred divisions.
  const levels = new Map<string, ReturnType<typeof divisionLevels>>();
  for (const h of holdings) {
    let level = root;
    let path = levels.get(h.divisionCode);
    if (!path) levels.set(h.divisionCode, (path = divisionLevels(h.divisionCode)));
    for (const d of path) {
      let node = level.get(d.code);
      if (!node) level.set(d.code, (node = { code: d.code, level: d.level, operators: new Set(), totals: new Map(), children: new Map() }));
      node.operators.add(h.operatorId);
      addTotals(node.totals, h);
      level = node.children;
    }
  }
  const present = (m: Map<string, Acc>): ImpactNode[] => [...m.values()].sort((a, b) => (a.code < b.code ? -1 : 1)).map((n) => ({
    code: n.code, level: n.level, operators: n.operators.size, totals: totalsByUnit(n.totals.values()), children: present(n.children),
  }));
  return present(root);
}

/** Affected operators and quantities by operator type; an operator of two types counts under both. */
export function impactByType(holdings: readonly PlacedHolding[]): Array<{ type: string; operators: number; totals: UnitTotals[] }> {
  const by = new Map<string, { operators: Set<string>; totals: Map<string, UnitTotals> }>();
  for (const h of holdings) {
    for (const type of h.types) {
      let t = by.get(type);
      if (!t) by.set(type, (t = { operators: new Set(), totals: new Map() }));
      t.operators.add(h.operatorId);
      addTotals(t.totals, h);
    }
  }
  return [...by].sort(([a], [b]) => (a < b ? -1 : 1)).map(([type, t]) => ({ type, operators: t.operators.size, totals: totalsByUnit(t.totals.values()) }));
}

/**
 * Where consumers scan an affected code, as far as the record says: where it was sold to consumers, else where it
 * is still held, else wherever it went; several places give their common division. The scan log keeps no place.
 */
export function consumerDivision(holders: ReadonlyArray<{ divisionCode: string; soldToConsumers: Milli; onHand: Milli }>): string {
  const pick = (f: (h: (typeof holders)[number]) => boolean) => [...new Set(holders.filter(f).map((h) => h.divisionCode))];
  const sold = pick((h) => h.soldToConsumers > 0);
  const held = pick((h) => h.onHand > 0);
  return commonDivision(sold.length ? sold : held.length ? held : pick(() => true));
}

// ---- Source candidates --------------------------------------------------------------------------

/** One named code's backward trace: upstream nodes with their depth, and the operators on its events with their parts. */
export interface Upstream { code: string; nodes: ReadonlyMap<string, number>; operators: ReadonlyMap<string, ReadonlySet<OperatorPart>> }
export type OperatorPart = 'producer' | 'processor' | 'handler';

/** The part an operator plays in an event of a backward trace. */
export function operatorParts(e: Pick<Movement, 'eventType' | 'bizStep' | 'operatorId' | 'counterpartyId'>): Array<[string, OperatorPart]> {
  const out: Array<[string, OperatorPart]> = [];
  if (e.eventType === 'TransformationEvent' && e.operatorId) out.push([e.operatorId, 'processor']);
  else if (e.bizStep === 'commissioning' && e.operatorId) out.push([e.operatorId, 'producer']);
  else if (e.counterpartyId) {
    const h = handover(e)!;
    for (const id of [h.from, h.to]) if (id) out.push([id, 'handler']);
  }
  return out;
}

/**
 * Ranks what the named codes have in common upstream: batches (and foreign EPCs) first by how many named codes
 * lead back to them, then by how close they are; operators by how many named codes' histories they appear in.
 */
export function rankSources(traces: readonly Upstream[]) {
  const batches = new Map<string, { key: string; codes: string[]; depth: number }>();
  const operators = new Map<string, { id: string; codes: string[]; parts: Set<OperatorPart> }>();
  for (const t of traces) {
    for (const [key, depth] of t.nodes) {
      if (depth === 0) continue;
      const b = batches.get(key) ?? { key, codes: [], depth };
      b.codes.push(t.code);
      b.depth = Math.min(b.depth, depth);
      batches.set(key, b);
    }
    for (const [id, parts] of t.operators) {
      const o = operators.get(id) ?? { id, codes: [], parts: new Set<OperatorPart>() };
      o.codes.push(t.code);
      for (const p of parts) o.parts.add(p);
      operators.set(id, o);
    }
  }
  return {
    batches: [...batches.values()].sort((a, b) => b.codes.length - a.codes.length || a.depth - b.depth || (a.key < b.key ? -1 : 1)),
    operators: [...operators.values()].sort((a, b) => b.codes.length - a.codes.length || (a.id < b.id ? -1 : 1))
      .map((o) => ({ id: o.id, codes: o.codes, parts: [...o.parts].sort() })),
  };
}

// ---- Operator answers as events -----------------------------------------------------------------

/** One line of an operator's answer, resolved against its notice. */
export interface AnswerLine { code: string; kind: 'batch' | 'item' | 'epc'; action: ResponseAction; quantity: string; unit: string }
export interface AnswerRecord {
  eventTime: string;
  lines: AnswerLine[];
  recall: { incidentId: string; incidentNumber: string; noticeId: string; responseId: string; kind: NoticeKind };
}

// held: segregated for review (CBV holding, non_conformant); returned: sent back (recalled); destroyed: the native destruction record.
const ANSWER_STEP: Record<Exclude<ResponseAction, 'destroyed'>, { bizStep: string; disposition: string }> = {
  held: { bizStep: 'holding', disposition: 'non_conformant' },
  returned: { bizStep: 'urn:suyuan:bizstep:returning', disposition: 'recalled' },
};

/**
 * The EPCIS events an operator's answer becomes, one per action: held (ObjectEvent OBSERVE holding, non_conformant),
 * returned (OBSERVE returning, recalled), destroyed (the native destruction record, DELETE destroying). Each carries
 * `sy:recall` naming the incident, the notice and the answer.
 */
export function answerEvents(r: AnswerRecord): EpcisEvent[] {
  const out: EpcisEvent[] = [];
  for (const action of ['held', 'returned', 'destroyed'] as const) {
    const lines = r.lines.filter((l) => l.action === action);
    if (!lines.length) continue;
    const recall = { 'sy:recall': { ...r.recall, action } };
    if (action === 'destroyed') {
      const goods: GoodsLine[] = lines.map((l) => (l.kind === 'batch' ? { kind: 'batch', code: l.code, quantity: l.quantity, unit: l.unit } : { kind: 'item', code: l.code }));
      const reason = `召回事件 ${r.recall.incidentNumber} / recall incident ${r.recall.incidentNumber}`;
      out.push({ ...destructionEvent({ eventTime: r.eventTime, siteId: null, goods, reason }), ...recall });
      continue;
    }
    const batches = lines.filter((l) => l.kind === 'batch');
    const instances = lines.filter((l) => l.kind !== 'batch').map((l) => (l.kind === 'item' ? codeUri(l.code) : l.code));
    out.push({
      '@context': [{ sy: SY_NAMESPACE }], type: 'ObjectEvent', eventTime: r.eventTime, eventTimeZoneOffset: '+08:00', 'sy:record': 'recall',
      action: 'OBSERVE', ...ANSWER_STEP[action],
      ...(instances.length ? { epcList: instances } : {}),
      ...(batches.length ? {
        quantityList: batches.map((l) => ({ epcClass: codeUri(l.code), quantity: Number(l.quantity), ...(uomOf(l.unit) ? { uom: uomOf(l.unit) } : {}) })),
        'sy:units': batches.map((l) => ({ epcClass: codeUri(l.code), unit: l.unit })),
      } : {}),
      ...recall,
    });
  }
  return out;
}

// ---- Webhooks -----------------------------------------------------------------------------------

/** Exponential backoff of webhook retries: base, 2×, 4×… up to the cap. */
export function retryDelayMs(attempt: number, baseMs: number, capMs: number): number {
  return Math.min(capMs, baseMs * 2 ** Math.max(0, attempt - 1));
}

/**
 * The signature header of a delivery: `t={unix seconds},v1={hex HMAC-SHA256 of "{t}.{body}"}` with the webhook's
 * secret; the timestamp lets a receiver refuse replays.
 */
export function signWebhook(secret: string, unixSeconds: number, body: string): string {
  return `t=${unixSeconds},v1=${createHmac('sha256', secret).update(`${unixSeconds}.${body}`).digest('hex')}`;
}

// Loopback, private, link-local, carrier-grade NAT and unspecified ranges: a webhook must not reach into the platform's own network.
const PRIVATE_V4 = [/^127\./, /^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./, /^169\.254\./, /^0\./, /^100\.(6[4-9]|[7-9]\d|1[01]\d|12[0-7])\./];
const PRIVATE_V6 = [/^::1?$/, /^f[cd]/i, /^fe[89ab]/i, /^::ffff:/i];

/** Why a webhook URL is refused (a problem code), or null: https only and no private hosts unless allowed. */
export function webhookUrlProblem(raw: string, allowPrivate: boolean): 'WEBHOOK_URL_INVALID' | 'WEBHOOK_URL_NOT_HTTPS' | 'WEBHOOK_URL_PRIVATE' | null {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return 'WEBHOOK_URL_INVALID';
  }
  if ((url.protocol !== 'https:' && url.protocol !== 'http:') || url.username || url.password) return 'WEBHOOK_URL_INVALID';
  if (allowPrivate) return null;
  if (url.protocol !== 'https:') return 'WEBHOOK_URL_NOT_HTTPS';
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (host === 'localhost' || host.endsWith('.localhost')) return 'WEBHOOK_URL_PRIVATE';
  if (isPrivateAddress(host)) return 'WEBHOOK_URL_PRIVATE';
  return null;
}

/**
 * True when the text is an IP address in a loopback, private, link-local, carrier-grade NAT or unspecified range (an
 * IPv4 address mapped into IPv6 counts as private): where a webhook must not connect, whatever its name resolved to.
 */
export function isPrivateAddress(address: string): boolean {
  const v = isIP(address);
  return (v === 4 && PRIVATE_V4.some((r) => r.test(address))) || (v === 6 && PRIVATE_V6.some((r) => r.test(address)));
}
