import type { TestApp } from './harness.ts';
import type { BuiltOperator } from './builders.ts';
import { captureInTx, type Attribution } from '../src/events/events-service.ts';
import { codeUri, partyUri, siteUri, type EpcisEvent } from '../src/events/events-fns.ts';

/**
 * EPCIS events shaped as docs/events.md describes the native records, with the attribution a native record
 * gives them, captured through the shared capture path as the recording operator.
 */
export interface Party extends BuiltOperator { siteId: string; division: string }
export interface ChainEvent { event: EpcisEvent; attribution: Attribution }

// Strictly increasing and never before now: events follow the batches (and their production events) just recorded.
let clock = 0;
const nextTime = () => new Date((clock = Math.max(clock + 1000, Date.now()))).toISOString();

const base = (type: string, bizStep: string, who: Party, extra: EpcisEvent): EpcisEvent =>
  ({ type, eventTime: nextTime(), eventTimeZoneOffset: '+08:00', bizStep, readPoint: { id: siteUri(who.siteId) }, bizLocation: { id: siteUri(who.siteId) }, ...extra });
const quantity = (code: string, n: number) => ({ epcClass: codeUri(code), quantity: n, uom: 'KGM', 'sy:unit': 'kg' });
// A bare trace code is a batch (quantityList); a URI (an item's urn:suyuan:code:…, a foreign EPC) goes in epcList.
const goods = (what: string, n: number) => (what.includes(':') ? { epcList: [what] } : { quantityList: [quantity(what, n)] });
const own = (p: Party): Attribution => ({ operatorId: p.id, divisionCode: p.division, counterpartyId: null });
const parties = (from: Party, to: Party) => ({
  sourceList: [{ type: 'owning_party', source: partyUri(from.uscc) }],
  destinationList: [{ type: 'owning_party', destination: partyUri(to.uscc) }],
});

/** A batch's production record (commissioning). */
export function production(who: Party, code: string): ChainEvent {
  return { event: base('ObjectEvent', 'commissioning', who, { action: 'ADD', disposition: 'active', quantityList: [quantity(code, 100)], 'sy:record': 'production' }), attribution: own(who) };
}
/** The seller's shipping record of a batch code or an EPC. */
export function shipping(from: Party, to: Party, what: string): ChainEvent {
  return {
    event: base('ObjectEvent', 'shipping', from, { action: 'OBSERVE', disposition: 'in_transit', ...goods(what, 50), ...parties(from, to), 'sy:record': 'shipping' }),
    attribution: { operatorId: from.id, divisionCode: from.division, counterpartyId: to.id },
  };
}
/** The buyer's receiving record of a batch code or an EPC. */
export function receiving(to: Party, from: Party, what: string): ChainEvent {
  return {
    event: base('ObjectEvent', 'receiving', to, { action: 'OBSERVE', disposition: 'in_progress', ...goods(what, 50), ...parties(from, to), 'sy:record': 'receiving' }),
    attribution: { operatorId: to.id, divisionCode: to.division, counterpartyId: from.id },
  };
}
/** Processing or mixing: inputs become new output batches. */
export function transformation(who: Party, inputs: string[], outputs: string[]): ChainEvent {
  return {
    event: base('TransformationEvent', 'commissioning', who, {
      disposition: 'active', inputQuantityList: inputs.map((c) => quantity(c, 50)), outputQuantityList: outputs.map((c) => quantity(c, 100)), 'sy:record': 'transformation',
    }),
    attribution: own(who),
  };
}
/** Packing contents (codes or foreign EPCs) into a container. */
export function aggregation(who: Party, parent: string, children: string[]): ChainEvent {
  return { event: base('AggregationEvent', 'packing', who, { action: 'ADD', parentID: parent, childEPCs: children, 'sy:record': 'aggregation' }), attribution: own(who) };
}
/** A retail sale to consumers. */
export function retailSale(who: Party, code: string): ChainEvent {
  return {
    event: base('TransactionEvent', 'retail_selling', who, {
      action: 'ADD', disposition: 'retail_sold', quantityList: [quantity(code, 1)], bizTransactionList: [{ type: 'inv', bizTransaction: `urn:suyuan:inv:${clock}` }],
      'sy:price': { amount: '12.50', currency: 'CNY' }, 'sy:record': 'sale',
    }),
    attribution: own(who),
  };
}

/** Captures events as the recording operator's admin through captureInTx; returns their eventIDs in order. */
export async function captureAs(t: TestApp, who: Party, events: ChainEvent[]): Promise<string[]> {
  const actor = { role: 'operator-admin' as const, operatorId: who.id };
  const r = await t.db.tx((q) => captureInTx(q, actor, {
    events: events.map((e) => e.event), attribution: events.map((e) => e.attribution), source: 'native', errorBehaviour: 'rollback',
  }));
  if (r.stored.length !== events.length) throw new Error(`capture stored ${r.stored.length} of ${events.length}: ${JSON.stringify(r)}`);
  return r.stored.map((s) => s.eventId);
}
