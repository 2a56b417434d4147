import { randomInt, randomUUID } from 'node:crypto';
import type { Database, Queryable } from '../platform/db.ts';
import { DomainError, conflict, invalid, notFound } from '../platform/errors.ts';
import { type Actor, actorId, ensure } from '../accounts/actor.ts';
import { registryDal, type SiteRow } from '../registry/registry-dal.ts';
import { covers } from '../registry/division.ts';
import { batchesDal } from '../batches/batches-dal.ts';
import type { BatchesService, BatchView } from '../batches/batches-service.ts';
import { chinaDate } from '../catalog/catalog-fns.ts';
import { CODE_ALPHABET } from '../codes/code-scheme.ts';
import { parseTraceInput } from '../codes/codes-fns.ts';
import { eventsDal } from '../events/events-dal.ts';
import type { Attribution, captureInTx } from '../events/events-service.ts';
import { ensureOperatorActive, type EpcisEvent } from '../events/events-fns.ts';
import { eventVisibility } from '../access/visibility.ts';
import { logQuery } from '../access/query-log.ts';
import * as fns from './records-fns.ts';
import { recordsDal, type BatchRecordRow, type RecordCodeRow, type RecordRequestRow } from './records-dal.ts';
import type {
  AggregationInput, CertificateRecordInput, DestructionInput, GoodsLineInput, HarvestInput, InputsAppliedInput, InspectionInput,
  OperatorRefInput, ReceivingInput, RecordKind, RecordedEvent, SaleInput, ShippingInput, TransformationInput,
} from './records-types.ts';

/** What every record answers: the stored event and what the record created. Retries get the same answer. */
export interface RecordResult {
  record: RecordKind;
  requestId: string | null;
  /** True when this answer is the stored answer to an earlier request with the same requestId. */
  replayed: boolean;
  event: RecordedEvent;
  /** Batches created by the record (harvest, transformation outputs, goods received without upstream record). */
  batches: BatchView[];
}

export interface RecordsDeps {
  db: Database;
  batches: Pick<BatchesService, 'createInTx'>;
  /** The event store's capture path, shared with EPCIS capture. */
  capture: typeof captureInTx;
}

/** Which path a record came in by, kept in events.source: the records API, or an electronic ledger import. */
type RecordSource = 'native' | 'ledger';
export interface RecordVia { source?: RecordSource }

/** An operator a record is written for or hands goods to. */
interface Party { id: string; uscc: string; name: string; division_code: string; status: string }
/** Whose codes a record may name: the operator's own, its own or handed to it (shipped, sold or received), or any. */
type Hold = 'owned' | 'held' | 'any';
interface Ref { code?: string; batchId?: string }

const at = (field: string, key: string) => (field ? `${field}.${key}` : key);
const refused = (code: string, zh: string, en: string, details: Record<string, unknown>) => new DomainError('forbidden', code, zh, en, details);
const codeUnknown = (traceCode: string, field: string) =>
  notFound('CODE_UNKNOWN', `追溯码 ${traceCode} 不存在`, `Trace code ${traceCode} does not exist`, { field, traceCode });
const codeNotYours = (traceCode: string, field: string) =>
  refused('CODE_NOT_YOURS', `追溯码 ${traceCode} 属于其他主体，且未交付给本主体`, `Trace code ${traceCode} belongs to another operator and was not handed to you`, { field, traceCode });
const siteNotOwned = (field = 'siteId') => invalid('SITE_NOT_OWNED', '场所不属于本经营主体', 'The site is not one of your sites', { field });

/**
 * The bare code a typed or scanned value names; a Digital Link with a lot names that batch's batch code. Errors name
 * the request `field` the value came from.
 */
export async function codeOf(q: Queryable, input: string, field: string): Promise<string> {
  const target = parseTraceInput(input, field);
  if (target.by !== 'lot') return target.code;
  const code = await recordsDal(q).batchCodeByLot(target.gtin, target.lot);
  if (!code) throw codeUnknown(input, field);
  return code;
}

const randomSuffix = () => Array.from({ length: 4 }, () => CODE_ALPHABET[randomInt(CODE_ALPHABET.length)]).join('');

/** A stored native event as a batch's record list shows it. */
function presentRecord(r: BatchRecordRow) {
  return {
    seq: r.seq, eventId: r.event_id, hashId: r.hash_id, record: (r.body['sy:record'] as string | undefined) ?? null,
    eventType: r.event_type, action: r.action, bizStep: r.biz_step, disposition: r.disposition,
    eventTime: r.event_time.toISOString(), recordTime: r.record_time.toISOString(),
    operator: r.operator_id ? { id: r.operator_id, name: r.operator_name } : null,
    counterparty: r.counterparty_id ? { id: r.counterparty_id, name: r.counterparty_name } : null,
    divisionCode: r.division_code, event: r.body,
  };
}
export type RecordView = ReturnType<typeof presentRecord>;

/**
 * Native records (生产经营记录): the simple forms the UI and phones post, each stored as the EPCIS 2.0 event of
 * docs/events.md through the shared capture path, in one transaction with the batches and codes it creates.
 */
export function createRecordsService(deps: RecordsDeps) {
  const { db, batches, capture } = deps;

  /** The caller's own operator, active (the event store's rule); locked so that a concurrent suspension waits for the record. */
  async function self(q: Queryable, actor: Actor): Promise<Party> {
    ensure(actor, (actor.role === 'operator-admin' || actor.role === 'operator-staff') && !!actor.operatorId);
    const o = (await q.query<Party>('SELECT id, uscc, name, division_code, status FROM operators WHERE id = $1 FOR SHARE', [actor.operatorId])).rows[0];
    ensureOperatorActive(o);
    return o;
  }

  async function ownSite(q: Queryable, o: Party, siteId: string | undefined): Promise<SiteRow | null> {
    if (!siteId) return null;
    const s = await registryDal(q).siteById(siteId);
    if (!s || s.operator_id !== o.id) throw siteNotOwned();
    return s;
  }

  /** The other operator of a hand-over, by id or USCC: registered, approved, and not the caller. */
  async function counterparty(q: Queryable, ref: OperatorRefInput, me: Party, field: string): Promise<Party> {
    if (!ref.operatorId && !ref.uscc) {
      throw invalid('OPERATOR_REF_REQUIRED', '须以 operatorId 或统一社会信用代码指定经营主体', 'Name the operator by operatorId or USCC', { field });
    }
    const uscc = ref.uscc?.toUpperCase();
    const o = ref.operatorId ? await registryDal(q).byId(ref.operatorId) : await registryDal(q).byUscc(uscc!);
    if (!o || (uscc && o.uscc !== uscc)) throw notFound('OPERATOR_NOT_FOUND', '经营主体不存在', 'Operator not found', { field });
    if (o.id === me.id) throw invalid('COUNTERPARTY_SELF', '交易对方不能是本主体', 'The other party cannot be yourself', { field });
    if (o.status !== 'approved') {
      throw conflict('COUNTERPARTY_NOT_APPROVED', `“${o.name}”尚未通过审核或已暂停（当前状态：${o.status}）`,
        `"${o.name}" is not approved (status: ${o.status})`, { field, operatorId: o.id, status: o.status });
    }
    return o;
  }

  /**
   * Resolves the codes a record names (a code, or a batch id of the operator's own), in order: each must exist,
   * be active, appear once, and be the operator's to name. `operatorId` is null for regulators.
   */
  async function resolve(q: Queryable, operatorId: string | null, refs: Array<{ ref: Ref; field: string; hold: Hold }>): Promise<RecordCodeRow[]> {
    const codes: string[] = [];
    for (const { ref, field, hold } of refs) {
      if (!!ref.code === !!ref.batchId) throw invalid('CODE_REQUIRED', '须指定追溯码或批次（二选一）', 'Give either a trace code or a batchId', { field: at(field, 'code') });
      if (ref.code) {
        codes.push(await codeOf(q, ref.code, at(field, 'code')));
        continue;
      }
      const b = await recordsDal(q).firstBatchCode(ref.batchId!);
      if (!b?.code) throw notFound('BATCH_NOT_FOUND', '批次不存在', 'Batch not found', { field: at(field, 'batchId') });
      if (hold !== 'any' && b.operator_id !== operatorId) {
        throw refused('BATCH_NOT_YOURS', '该批次属于其他经营主体', 'The batch belongs to another operator', { field: at(field, 'batchId') });
      }
      codes.push(b.code);
    }
    const rows = new Map((await recordsDal(q).codes([...new Set(codes)])).map((r) => [r.code, r]));
    const handed = operatorId && codes.length ? await eventsDal(q).handedTo(codes, operatorId) : new Set<string>();
    const seen = new Set<string>();
    return refs.map(({ field: line, hold }, i) => {
      const field = line || 'code';
      const code = codes[i];
      const r = rows.get(code);
      if (!r) throw codeUnknown(code, field);
      if (seen.has(code)) throw invalid('CODE_REPEATED', `追溯码 ${code} 在同一记录中出现了两次`, `Trace code ${code} appears twice in the record`, { field, traceCode: code });
      seen.add(code);
      if (r.status === 'void') throw conflict('CODE_VOID', `追溯码 ${code} 已作废`, `Trace code ${code} is void`, { field, traceCode: code });
      if (r.status !== 'active') throw conflict('CODE_NOT_ACTIVE', `追溯码 ${code} 尚未激活`, `Trace code ${code} is not activated`, { field, traceCode: code });
      const mine = r.owner_operator_id === operatorId;
      if ((hold === 'owned' && !mine) || (hold === 'held' && !mine && !handed.has(code))) throw codeNotYours(code, field);
      return r;
    });
  }

  /** A goods line: an item code counts one; a batch code needs a positive quantity, in the batch's unit unless given. */
  function goodsLine(line: GoodsLineInput, r: RecordCodeRow, field: string): fns.GoodsLine {
    if (r.kind === 'item') {
      if (line.quantity !== undefined && Number(line.quantity) !== 1) {
        throw invalid('QUANTITY_INVALID', '单品码按件计，数量只能为 1', 'An item code counts one; its quantity can only be 1', { field: at(field, 'quantity') });
      }
      return { kind: 'item', code: r.code };
    }
    return { kind: 'batch', code: r.code, quantity: fns.quantityAt(line.quantity, at(field, 'quantity')), unit: line.unit?.trim() || r.batch_unit! };
  }

  async function goods(q: Queryable, operatorId: string, lines: GoodsLineInput[], field: string, hold: Hold): Promise<fns.GoodsLine[]> {
    const rows = await resolve(q, operatorId, lines.map((ref, i) => ({ ref, field: `${field}.${i}`, hold })));
    return rows.map((r, i) => goodsLine(lines[i], r, `${field}.${i}`));
  }

  const attribution = (o: Party, site: SiteRow | null, counterpartyId: string | null = null): Attribution =>
    ({ operatorId: o.id, divisionCode: site?.division_code ?? o.division_code, counterpartyId });

  /** Stores one event through the shared capture path; an identical event stored before is answered as a duplicate. */
  async function store(q: Queryable, actor: Actor, event: EpcisEvent, who: Attribution, source: RecordSource = 'native'): Promise<RecordedEvent> {
    const r = await capture(q, actor, { events: [event], source, errorBehaviour: 'rollback', attribution: [who] });
    const s = r.stored[0];
    if (s) return { eventId: s.eventId, hashId: s.hashId, seq: s.seq, duplicate: false, body: { ...event, eventID: s.eventId } };
    const d = r.duplicates[0];
    const existing = (await recordsDal(q).eventByHash(d.hashId))!;
    return { eventId: existing.event_id, hashId: d.hashId, seq: existing.seq, duplicate: true, body: existing.body };
  }

  /**
   * Runs one record in one transaction. With a requestId the first answer is kept: a retry gets it back
   * (replayed) and stores nothing; the same requestId with a different request is refused.
   */
  async function run(
    actor: Actor, kind: RecordKind, input: { requestId?: string },
    work: (q: Queryable, now: Date) => Promise<{ event: RecordedEvent; batches?: BatchView[] }>,
  ): Promise<RecordResult> {
    return db.tx(async (q) => {
      const requestId = input.requestId ?? null;
      const perform = async (): Promise<RecordResult> => {
        const w = await work(q, new Date());
        return { record: kind, requestId, replayed: false, event: w.event, batches: w.batches ?? [] };
      };
      if (!requestId) return perform();
      const dal = recordsDal(q);
      const scope = actor.operatorId ?? actorId(actor) ?? actor.role;
      const fingerprint = fns.requestFingerprint(kind, input);
      const replay = (r: RecordRequestRow): RecordResult => {
        if (r.kind !== kind || r.fingerprint !== fingerprint) {
          throw conflict('REQUEST_ID_REUSED', '该请求号已用于另一条记录', 'This requestId was already used for a different record', { field: 'requestId', requestId, record: r.kind });
        }
        return { ...(r.response as unknown as RecordResult), replayed: true };
      };
      const seen = await dal.request(scope, requestId);
      if (seen) return replay(seen);
      // A concurrent twin committed first: answer as its retry.
      if (!(await dal.claimRequest({ scope, requestId, kind, fingerprint, operatorId: actor.operatorId ?? null }))) return replay((await dal.request(scope, requestId))!);
      const out = await perform();
      await dal.finishRequest(scope, requestId, out);
      return out;
    });
  }

  return {
    /** harvest: the farm-friendly form of recording a batch; the batch, its code and its commissioning event in one go. */
    harvest(actor: Actor, input: HarvestInput) {
      return run(actor, 'harvest', input, async (q, now) => {
        const harvestedOn = fns.pastDay(input.harvestedOn, chinaDate(now), 'harvestedOn');
        const lotNumber = input.lotNumber?.trim() || fns.defaultLot(harvestedOn, randomSuffix());
        const b = await batches.createInTx(q, actor, {
          productId: input.productId, siteId: input.siteId, lotNumber, quantity: input.quantity, unit: input.unit, producedOn: harvestedOn, expiresOn: input.expiresOn,
        }, { commission: 'harvest' });
        return { event: b.event!, batches: [b.batch] };
      });
    },

    /** inputs_applied: a pesticide, fertilizer, seed, feed or veterinary drug applied at a site, optionally to a batch. */
    inputsApplied(actor: Actor, input: InputsAppliedInput) {
      return run(actor, 'inputs_applied', input, async (q, now) => {
        const o = await self(q, actor);
        const eventTime = fns.eventTimeOf(input.occurredAt, now);
        const applied = fns.validateAppliedInput(input, chinaDate(now));
        const site = (await ownSite(q, o, input.siteId))!;
        const target = input.code || input.batchId ? (await resolve(q, o.id, [{ ref: input, field: '', hold: 'held' }]))[0] : null;
        const event = fns.inputsAppliedEvent({ eventTime, siteId: site.id, target, input: applied });
        return { event: await store(q, actor, event, attribution(o, site)) };
      });
    },

    /**
     * inspection: an operator's test of a batch it holds, or a regulator's official sampling of a batch whose
     * operator lies in its jurisdiction — attributed to that operator and its division, so that it sees it.
     */
    inspection(actor: Actor, input: InspectionInput) {
      return run(actor, 'inspection', input, async (q, now) => {
        const eventTime = fns.eventTimeOf(input.occurredAt, now);
        fns.assertInspectionConsistent(input.items, input.result);
        let who: Attribution;
        let site: SiteRow | null = null;
        let target: RecordCodeRow;
        if (actor.role === 'regulator' && actor.jurisdiction) {
          if (input.siteId) throw siteNotOwned();
          [target] = await resolve(q, null, [{ ref: input, field: '', hold: 'any' }]);
          if (!covers(actor.jurisdiction, target.owner_division)) {
            throw refused('OUTSIDE_JURISDICTION', '该批次的经营主体不在本辖区', "The batch's operator is outside your jurisdiction", { field: 'code', traceCode: target.code });
          }
          who = { operatorId: target.owner_operator_id, divisionCode: target.owner_division, counterpartyId: null };
        } else {
          const o = await self(q, actor);
          site = await ownSite(q, o, input.siteId);
          [target] = await resolve(q, o.id, [{ ref: input, field: '', hold: 'held' }]);
          who = attribution(o, site);
        }
        const event = fns.inspectionEvent({
          eventTime, siteId: site?.id ?? null, target,
          inspection: {
            kind: input.kind, lab: input.lab, items: input.items, result: input.result, reportNo: input.reportNo || null, public: input.public,
            jurisdiction: actor.role === 'regulator' ? actor.jurisdiction ?? null : null,
          },
        });
        return { event: await store(q, actor, event, who) };
      });
    },

    /** certificate: commitment, quarantine or meat-quality certificates recorded on a batch the operator holds. */
    certificate(actor: Actor, input: CertificateRecordInput) {
      return run(actor, 'certificate', input, async (q, now) => {
        const o = await self(q, actor);
        const eventTime = fns.eventTimeOf(input.occurredAt, now);
        const certificates = fns.validateCertificates(input.certificates, chinaDate(now));
        const site = await ownSite(q, o, input.siteId);
        const [target] = await resolve(q, o.id, [{ ref: input, field: '', hold: 'held' }]);
        const event = fns.certificateEvent({ eventTime, siteId: site?.id ?? null, target, certificates });
        return { event: await store(q, actor, event, attribution(o, site)) };
      });
    },

    /** shipping: goods the operator holds leave for an approved buyer; mass balance is not enforced here. */
    shipping(actor: Actor, input: ShippingInput) {
      return run(actor, 'shipping', input, async (q, now) => {
        const o = await self(q, actor);
        const eventTime = fns.eventTimeOf(input.occurredAt, now);
        const certificates = fns.validateCertificates(input.certificates, chinaDate(now));
        const site = await ownSite(q, o, input.siteId);
        const buyer = await counterparty(q, input.to, o, 'to');
        const lines = await goods(q, o.id, input.goods, 'goods', 'held');
        const event = fns.shippingEvent({ eventTime, siteId: site?.id ?? null, goods: lines, from: o.uscc, to: buyer.uscc, vehiclePlate: input.vehiclePlate || null, certificates });
        return { event: await store(q, actor, event, attribution(o, site, buyer.id)) };
      });
    },

    /**
     * receiving with entry admission: the upstream codes with the supplier's certificates and invoices; or goods
     * with no upstream record, which become a local batch with a new code, flagged in the event.
     */
    receiving(actor: Actor, input: ReceivingInput, via: RecordVia = {}) {
      return run(actor, 'receiving', input, async (q, now) => {
        const o = await self(q, actor);
        const today = chinaDate(now);
        const eventTime = fns.eventTimeOf(input.occurredAt, now);
        const site = await ownSite(q, o, input.siteId);
        const unrecorded = input.noUpstreamRecord;
        const hasGoods = !!input.goods?.length;
        if (hasGoods === !!unrecorded) {
          throw invalid('RECEIVING_GOODS_REQUIRED', '须填写上游追溯码（goods）或无上游记录的货品（noUpstreamRecord），二者选一',
            'Give either the upstream codes (goods) or the goods with no upstream record (noUpstreamRecord)', { field: 'goods' });
        }
        const from = input.from;
        let seller: Party | null = null;
        if (from?.operatorId || from?.uscc) seller = await counterparty(q, from, o, 'from');
        else if (hasGoods) throw invalid('SUPPLIER_REQUIRED', '有上游追溯码时须指定供货的经营主体', 'Name the supplying operator of the upstream codes', { field: 'from' });
        const certificates = fns.validateCertificates(input.certificates, today);
        const invoices = (input.invoices ?? []).map((v, i) => ({ number: v.number, issuedOn: v.issuedOn ? fns.pastDay(v.issuedOn, today, `invoices.${i}.issuedOn`) : null }));
        let lines: fns.GoodsLine[];
        const created: BatchView[] = [];
        if (unrecorded) {
          if (!site) throw invalid('SITE_REQUIRED', '无上游记录的进货须指定收货场所', 'Goods with no upstream record need the receiving site', { field: 'siteId' });
          const quantity = fns.quantityAt(unrecorded.quantity, 'noUpstreamRecord.quantity');
          const receivedOn = chinaDate(new Date(eventTime));
          const producedOn = unrecorded.producedOn ? fns.pastDay(unrecorded.producedOn, today, 'noUpstreamRecord.producedOn') : receivedOn;
          const b = await batches.createInTx(q, actor, {
            productId: unrecorded.productId, siteId: site.id, lotNumber: unrecorded.lotNumber?.trim() || fns.defaultLot(receivedOn, randomSuffix()),
            quantity, unit: unrecorded.unit, producedOn, expiresOn: unrecorded.expiresOn,
          }, { commission: 'caller' });
          created.push(b.batch);
          lines = [{ kind: 'batch', code: b.code, quantity: b.batch.quantity, unit: b.batch.unit }];
        } else {
          lines = await goods(q, o.id, input.goods!, 'goods', 'any');
        }
        const event = fns.receivingEvent({
          eventTime, siteId: site?.id ?? null, goods: lines, from: seller?.uscc ?? null, to: o.uscc, noUpstreamRecord: !!unrecorded,
          supplier: seller ? null : from?.name || null, certificates, invoices,
        });
        return { event: await store(q, actor, event, attribution(o, site, seller?.id ?? null), via.source), batches: created };
      });
    },

    /** sale: goods the operator holds sold to an approved operator or to consumers, with price and invoice. */
    sale(actor: Actor, input: SaleInput, via: RecordVia = {}) {
      return run(actor, 'sale', input, async (q, now) => {
        const o = await self(q, actor);
        const eventTime = fns.eventTimeOf(input.occurredAt, now);
        const site = await ownSite(q, o, input.siteId);
        const buyer = input.to ? await counterparty(q, input.to, o, 'to') : null;
        const lines = await goods(q, o.id, input.goods, 'goods', 'held');
        const price = input.price ? { amount: fns.parsePrice(input.price.amount), currency: input.price.currency } : null;
        const event = fns.saleEvent({
          eventTime, siteId: site?.id ?? null, goods: lines, seller: o.uscc, buyer: buyer?.uscc ?? null, price,
          invoiceNo: input.invoiceNo || null, transactionId: `urn:uuid:${randomUUID()}`,
        });
        return { event: await store(q, actor, event, attribution(o, site, buyer?.id ?? null), via.source) };
      });
    },

    /**
     * transformation (processing, mixing, repackaging): inputs the operator holds become new batches, each with a
     * new code (issued, or a pre-printed one never used) — outputs never reuse a code.
     */
    transformation(actor: Actor, input: TransformationInput) {
      return run(actor, 'transformation', input, async (q, now) => {
        const o = await self(q, actor);
        const today = chinaDate(now);
        const eventTime = fns.eventTimeOf(input.occurredAt, now);
        const site = (await ownSite(q, o, input.siteId))!;
        const quantities = input.outputs.map((out, i) => fns.quantityAt(out.quantity, `outputs.${i}.quantity`));
        const inputs = await goods(q, o.id, input.inputs, 'inputs', 'held');
        const presets: Array<string | undefined> = [];
        for (const [i, out] of input.outputs.entries()) presets.push(out.code ? await codeOf(q, out.code, `outputs.${i}.code`) : undefined);
        const named = presets.filter((c): c is string => !!c);
        const rows = new Map((named.length ? await recordsDal(q).codes(named) : []).map((r) => [r.code, r]));
        const used = named.length ? await eventsDal(q).usedKeys(named) : new Set<string>();
        presets.forEach((code, i) => {
          if (!code) return;
          const field = `outputs.${i}.code`;
          const r = rows.get(code);
          if (!r) throw codeUnknown(code, field);
          if (r.owner_operator_id !== o.id) throw codeNotYours(code, field);
          if (r.status === 'void') throw conflict('CODE_VOID', `追溯码 ${code} 已作废`, `Trace code ${code} is void`, { field, traceCode: code });
          if (r.status !== 'unassigned' || used.has(code) || presets.indexOf(code) !== i) {
            throw conflict('OUTPUT_CODE_REUSED', `加工、混批、分装的产出须使用新码，${code} 已被使用`, `Transformation outputs need new codes; ${code} is already in use`, { field, traceCode: code });
          }
          if (r.kind !== 'batch') throw invalid('CODE_KIND_MISMATCH', '产出批次须使用批次码', 'An output batch needs a batch code, not an item code', { field, traceCode: code });
        });
        const outputs: fns.TransformationOutput[] = [];
        const created: BatchView[] = [];
        for (const [i, out] of input.outputs.entries()) {
          const producedOn = out.producedOn ? fns.pastDay(out.producedOn, today, `outputs.${i}.producedOn`) : chinaDate(new Date(eventTime));
          const b = await batches.createInTx(q, actor, {
            productId: out.productId, siteId: site.id, lotNumber: out.lotNumber?.trim() || fns.defaultLot(producedOn, randomSuffix()),
            quantity: quantities[i], unit: out.unit, producedOn, expiresOn: out.expiresOn,
          }, { commission: 'caller', presetCode: presets[i] });
          created.push(b.batch);
          outputs.push({ code: b.code, quantity: b.batch.quantity, unit: b.batch.unit, lotNumber: b.batch.lotNumber, producedOn: b.batch.producedOn, expiresOn: b.batch.expiresOn });
        }
        const event = fns.transformationEvent({ eventTime, siteId: site.id, kind: input.kind, inputs, outputs });
        return { event: await store(q, actor, event, attribution(o, site)), batches: created };
      });
    },

    /** aggregation: pack items or batches into a case or pallet (an item code of the operator's, or an SSCC), or unpack. */
    aggregation(actor: Actor, input: AggregationInput) {
      return run(actor, 'aggregation', input, async (q, now) => {
        const o = await self(q, actor);
        const eventTime = fns.eventTimeOf(input.occurredAt, now);
        const site = await ownSite(q, o, input.siteId);
        const children = input.children ?? [];
        if (input.action === 'pack' && children.length === 0) {
          throw invalid('CHILDREN_REQUIRED', '装箱须列出箱内的单品或批次', 'Packing needs the items or batches that go in', { field: 'children' });
        }
        const sscc = input.parent.trim().startsWith('urn:epc:') ? input.parent.trim() : null;
        if (sscc && !fns.isSscc(sscc)) {
          throw invalid('PARENT_INVALID', '箱码须为本主体的单品码或 SSCC（urn:epc:id:sscc:…）', 'The parent must be an item code of yours or an SSCC (urn:epc:id:sscc:…)', { field: 'parent' });
        }
        const refs = children.map((ref, i) => ({ ref, field: `children.${i}`, hold: 'held' as Hold }));
        // The parent is checked with the children so that it cannot also be packed into itself.
        if (!sscc) refs.unshift({ ref: { code: input.parent }, field: 'parent', hold: input.action === 'pack' ? 'owned' : 'held' });
        const rows = await resolve(q, o.id, refs);
        const parentRow = sscc ? null : rows.shift()!;
        if (parentRow && parentRow.kind !== 'item') {
          throw invalid('PARENT_INVALID', '箱码须为单品码或 SSCC，不能是批次码', 'The parent must be an item code or an SSCC, not a batch code', { field: 'parent' });
        }
        const lines = rows.map((r, i) => goodsLine(children[i], r, `children.${i}`));
        const event = fns.aggregationEvent({ eventTime, siteId: site?.id ?? null, action: input.action, parent: parentRow ? { code: parentRow.code } : { sscc: sscc! }, children: lines });
        return { event: await store(q, actor, event, attribution(o, site)) };
      });
    },

    /** destruction: goods the operator holds destroyed, with the reason. */
    destruction(actor: Actor, input: DestructionInput) {
      return run(actor, 'destruction', input, async (q, now) => {
        const o = await self(q, actor);
        const eventTime = fns.eventTimeOf(input.occurredAt, now);
        const site = await ownSite(q, o, input.siteId);
        const lines = await goods(q, o.id, input.goods, 'goods', 'held');
        const event = fns.destructionEvent({ eventTime, siteId: site?.id ?? null, goods: lines, reason: input.reason });
        return { event: await store(q, actor, event, attribution(o, site)) };
      });
    },

    /**
     * The native records naming a batch's codes, oldest first, as far as the visibility rule lets the caller
     * see them (its own, one up, one down; a regulator its jurisdiction). Every call is logged.
     */
    async batchRecords(actor: Actor, batchId: string, page: { after?: string; limit?: number }) {
      ensure(actor, actor.role !== 'public');
      const b = await batchesDal(db.pool).detail(batchId);
      if (!b) throw notFound('BATCH_NOT_FOUND', '批次不存在', 'Batch not found');
      const limit = Math.min(page.limit ?? 200, 1000);
      const rows = await recordsDal(db.pool).batchRecords(batchId, eventVisibility(actor, 'e', 4), { afterSeq: page.after ?? '0', limit });
      await logQuery(db.pool, actor, { kind: 'batch.records', query: { batchId, after: page.after ?? null, limit }, resultCount: rows.length, subjectDivision: b.site_division });
      return { batchId, items: rows.map(presentRecord), next: rows.length === limit ? rows.at(-1)!.seq : null };
    },
  };
}
export type RecordsService = ReturnType<typeof createRecordsService>;
