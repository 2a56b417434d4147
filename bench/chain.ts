/**
 * A synthetic supply chain for benchmarks: farms → processors mixing 2–20 inputs (sometimes processed again,
 * so depth runs 4–8) → distributors → retailers → consumer sales. Master data goes in set-based; events are
 * produced in chunks as the native records would write them (docs/events.md), ready for the capture path.
 */
import { randomInt } from 'node:crypto';
import type { Database, Queryable } from '../src/platform/db.ts';
import { generateCode } from '../src/codes/code-scheme.ts';
import { codeUri, partyUri, siteUri, type EpcisEvent } from '../src/events/events-fns.ts';
import type { Attribution } from '../src/events/events-service.ts';
import { usccCheckChar, USCC_ALPHABET } from '../src/registry/uscc.ts';

export interface Party { id: string; uscc: string; division: string; site: string; product: string }
export interface ChainEvent { event: EpcisEvent; attribution: Attribution }

const DIVISIONS = ['350102', '350104', '350121', '350181', '350203', '350206', '350211', '350212', '350583', '350623', '350783', '350823'];
let usccCounter = 0;
function uscc(division: string): string {
  let n = ++usccCounter * 7919 + 1_000_000;
  let body = '';
  for (let i = 0; i < 9; i++) { body += USCC_ALPHABET[n % 31]; n = Math.floor(n / 31); }
  const b17 = `91${division}${body}`;
  return b17 + usccCheckChar(b17);
}

/** Registers `count` approved operators of a type, each with one site and one product, in three statements. */
export async function makeParties(q: Queryable, type: string, count: number): Promise<Party[]> {
  const divisions = Array.from({ length: count }, (_, i) => DIVISIONS[i % DIVISIONS.length]);
  const usccs = divisions.map(uscc);
  const ops = (await q.query<{ id: string; uscc: string; division_code: string }>(
    `INSERT INTO operators (uscc, name, types, division_code, status, source)
     SELECT u, 'bench ' || $3 || ' ' || n, ARRAY[$3], d, 'approved', 'admin' FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS x(u, d, n)
     RETURNING id, uscc, division_code`, [usccs, divisions, type])).rows;
  const sites = (await q.query<{ id: string; operator_id: string }>(
    `INSERT INTO sites (operator_id, name, kind, division_code)
     SELECT id, 'site', 'plant', division_code FROM operators WHERE id = ANY($1::uuid[]) RETURNING id, operator_id`, [ops.map((o) => o.id)])).rows;
  const products = (await q.query<{ id: string; operator_id: string }>(
    `INSERT INTO products (operator_id, name, category_code, unit)
     SELECT id, 'bench product', 'AGRI.VEG', 'kg' FROM operators WHERE id = ANY($1::uuid[]) RETURNING id, operator_id`, [ops.map((o) => o.id)])).rows;
  const siteOf = new Map(sites.map((s) => [s.operator_id, s.id]));
  const productOf = new Map(products.map((p) => [p.operator_id, p.id]));
  return ops.map((o) => ({ id: o.id, uscc: o.uscc, division: o.division_code, site: siteOf.get(o.id)!, product: productOf.get(o.id)! }));
}

/** Creates batches with active batch codes for the given owners in two statements; returns the codes in order. */
export async function makeBatches(q: Queryable, owners: Party[], nodeId = '350'): Promise<string[]> {
  const codes = owners.map(() => generateCode(nodeId, 'batch'));
  const lots = owners.map((_, i) => `L${Date.now().toString(36)}${i}`);
  await q.query(
    `WITH b AS (
       INSERT INTO batches (product_id, operator_id, site_id, lot_number, quantity, unit, produced_on)
       SELECT p, o, s, l, 1000, 'kg', current_date FROM unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::text[]) AS x(p, o, s, l)
       RETURNING id, operator_id, lot_number)
     INSERT INTO codes (code, kind, status, owner_operator_id, batch_id, issued_via, activated_at)
     SELECT c.code, 'batch', 'active', b.operator_id, b.id, 'platform', now()
       FROM unnest($4::text[], $5::text[]) AS c(lot, code) JOIN b ON b.lot_number = c.lot`,
    [owners.map((o) => o.product), owners.map((o) => o.id), owners.map((o) => o.site), lots, codes],
  );
  return codes;
}

const pick = <T>(xs: T[]): T => xs[randomInt(xs.length)];
let clock = Date.parse('2026-01-01T00:00:00Z');
const nextTime = () => new Date((clock += 1000)).toISOString();

function base(type: string, bizStep: string, who: Party, extra: EpcisEvent): EpcisEvent {
  return { type, eventTime: nextTime(), eventTimeZoneOffset: '+08:00', bizStep, bizLocation: { id: siteUri(who.site) }, ...extra };
}
const q = (code: string, quantity: number) => [{ epcClass: codeUri(code), quantity, uom: 'KGM' }];
const own = (p: Party) => ({ operatorId: p.id, divisionCode: p.division, counterpartyId: null });

/** Commissioning of a new batch. */
export function commission(who: Party, code: string): ChainEvent {
  return { event: base('ObjectEvent', 'commissioning', who, { action: 'ADD', disposition: 'active', quantityList: q(code, 1000), 'sy:record': 'production' }), attribution: own(who) };
}
/** Shipping by `from` to `to`, and the matching receipt by `to`. */
export function handOver(from: Party, to: Party, code: string, quantity: number): ChainEvent[] {
  const parties = { sourceList: [{ type: 'owning_party', source: partyUri(from.uscc) }], destinationList: [{ type: 'owning_party', destination: partyUri(to.uscc) }] };
  return [
    { event: base('ObjectEvent', 'shipping', from, { action: 'OBSERVE', disposition: 'in_transit', quantityList: q(code, quantity), ...parties, 'sy:record': 'shipping' }), attribution: { operatorId: from.id, divisionCode: from.division, counterpartyId: to.id } },
    { event: base('ObjectEvent', 'receiving', to, { action: 'OBSERVE', disposition: 'in_progress', quantityList: q(code, quantity), ...parties, 'sy:record': 'receiving' }), attribution: { operatorId: to.id, divisionCode: to.division, counterpartyId: from.id } },
  ];
}
/** Mixing inputs into a new output batch. */
export function transform(who: Party, inputs: string[], output: string): ChainEvent {
  return {
    event: base('TransformationEvent', 'commissioning', who, {
      inputQuantityList: inputs.map((c) => ({ epcClass: codeUri(c), quantity: 100, uom: 'KGM' })), outputQuantityList: q(output, 100 * inputs.length), 'sy:record': 'transformation',
    }),
    attribution: own(who),
  };
}
/** A retail sale to consumers. */
export function sale(who: Party, code: string): ChainEvent {
  return { event: base('TransactionEvent', 'retail_selling', who, { action: 'ADD', disposition: 'retail_sold', quantityList: q(code, 1), bizTransactionList: [{ type: 'inv', bizTransaction: `urn:suyuan:inv:${randomInt(1e9)}` }], 'sy:record': 'sale' }), attribution: own(who) };
}

export interface ChainShape { farms: Party[]; processors: Party[]; distributors: Party[]; retailers: Party[] }

/** Who handles one lot flow: farms supplying inputs, processors in sequence (depth), a distributor, retailers. */
export interface FlowPlan { farms: Party[]; processors: Party[]; distributor: Party; retailers: Party[] }

/**
 * Plans one "lot flow": 2–20 farm batches mixed by a processor, re-processed by further processors with some
 * probability (depth 4–8 in all), shipped to a distributor, then to 1–3 retailers who sell.
 */
function planFlow(shape: ChainShape): FlowPlan {
  const inputs = 2 + randomInt(19);
  const stages = 1 + (randomInt(4) === 0 ? 1 + randomInt(3) : 0);
  return {
    farms: Array.from({ length: inputs }, () => pick(shape.farms)),
    processors: Array.from({ length: stages }, () => pick(shape.processors)),
    distributor: pick(shape.distributors),
    retailers: Array.from({ length: 1 + randomInt(3) }, () => pick(shape.retailers)),
  };
}

/** The events of a planned flow, given the farm batches' codes and each processing stage's output code. */
function flowEvents(plan: FlowPlan, farmCodes: string[], outputCodes: string[]): ChainEvent[] {
  const out: ChainEvent[] = [];
  const first = plan.processors[0];
  farmCodes.forEach((code, i) => out.push(commission(plan.farms[i], code), ...handOver(plan.farms[i], first, code, 100)));
  let current = farmCodes;
  plan.processors.forEach((processor, depth) => {
    if (depth > 0) out.push(...handOver(plan.processors[depth - 1], processor, current[0], 100));
    out.push(transform(processor, current, outputCodes[depth]));
    current = [outputCodes[depth]];
  });
  const final = current[0];
  out.push(...handOver(plan.processors.at(-1)!, plan.distributor, final, 100));
  for (const retailer of plan.retailers) out.push(...handOver(plan.distributor, retailer, final, 10), sale(retailer, final));
  return out;
}

/**
 * `flows` planned flows with their batches made (farm batches, then each stage's outputs: master data, one
 * transaction each) and their events in order, ready to capture.
 */
export async function makeFlows(db: Database, shape: ChainShape, flows: number): Promise<ChainEvent[]> {
  const plans = Array.from({ length: flows }, () => planFlow(shape));
  const farmCodes = await db.tx((q) => makeBatches(q, plans.flatMap((p) => p.farms)));
  const outputCodes = await db.tx((q) => makeBatches(q, plans.flatMap((p) => p.processors)));
  const chunk: ChainEvent[] = [];
  let f = 0; let o = 0;
  for (const p of plans) {
    chunk.push(...flowEvents(p, farmCodes.slice(f, f + p.farms.length), outputCodes.slice(o, o + p.processors.length)));
    f += p.farms.length; o += p.processors.length;
  }
  return chunk;
}
