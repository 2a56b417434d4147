import type { Database, Queryable } from '../platform/db.ts';
import { isUniqueViolation } from '../platform/db.ts';
import { conflict, invalid, notFound } from '../platform/errors.ts';
import { appendJournal } from '../platform/journal.ts';
import { type Actor, actorId, ensure } from '../accounts/actor.ts';
import { operatorPolicy } from '../accounts/policies.ts';
import { registryDal } from '../registry/registry-dal.ts';
import { divisionPath } from '../registry/division.ts';
import { catalogDal } from '../catalog/catalog-dal.ts';
import { chinaDate } from '../catalog/catalog-fns.ts';
import type { CodesService } from '../codes/codes-service.ts';
import type { CodeRef } from '../codes/codes-types.ts';
import type { captureInTx } from '../events/events-service.ts';
import { commissioningEvent } from '../records/records-fns.ts';
import type { RecordedEvent } from '../records/records-types.ts';
import { batchesDal, type BatchDetailRow, type BatchRow } from './batches-dal.ts';
import { assertOperatorApproved, formatQuantity, validateBatch } from './batches-fns.ts';
import type { BatchInput } from './batches-types.ts';

export const presentBatch = (b: BatchDetailRow, batchCode: CodeRef | null) => ({
  id: b.id, productId: b.product_id, productName: b.product_name, gtin: b.gtin, operatorId: b.operator_id, operatorName: b.operator_name,
  site: { id: b.site_id, name: b.site_name, divisionCode: b.site_division, divisionName: divisionPath(b.site_division).join(' ') },
  lotNumber: b.lot_number, quantity: formatQuantity(b.quantity), unit: b.unit, producedOn: b.produced_on, expiresOn: b.expires_on,
  batchCode, createdBy: b.created_by, createdAt: b.created_at.toISOString(),
});
export type BatchView = ReturnType<typeof presentBatch>;

const batchNotFound = () => notFound('BATCH_NOT_FOUND', '批次不存在', 'Batch not found');
const batchExists = (existingId: string | undefined) =>
  conflict('BATCH_EXISTS', '该产品已有同一批次号的批次', 'This product already has a batch with this lot number', { field: 'lotNumber', existing: { id: existingId ?? null } });

export interface BatchesDeps {
  db: Database;
  codes: Pick<CodesService, 'issueBatchCode' | 'bindCode' | 'batchCodeRefs'>;
  /** The event store's capture path: a batch's commissioning event is stored in the transaction that records the batch. */
  capture: typeof captureInTx;
}

/** How a new batch enters the event record. */
export interface BatchOrigin {
  /**
   * The native record whose commissioning event the batch gets; 'caller' when the caller's own event brings
   * the batch in (a transformation's output, goods received without an upstream record).
   */
  commission: 'production' | 'harvest' | 'caller';
  /** A pre-printed, unassigned code of the operator to bind as the batch code instead of issuing one. */
  presetCode?: string;
}

/** A batch just recorded: its view, its stored row, its batch code and its commissioning event (unless the caller's). */
export interface CreatedBatch { batch: BatchView; row: BatchRow; code: string; event: RecordedEvent | null }

/** Batches (批次): a product's lot, made at one site on one day, which gets its batch code when recorded. */
export function createBatchesService(deps: BatchesDeps) {
  const { db, codes, capture } = deps;

  /**
   * Records a batch for an approved operator's product at one of its sites, gives it its batch code and
   * (unless the caller's event does) its commissioning event, in the caller's transaction.
   */
  async function createInTx(q: Queryable, actor: Actor, input: BatchInput, origin: BatchOrigin): Promise<CreatedBatch> {
    const product = await catalogDal(q).product(input.productId);
    if (!product) throw notFound('PRODUCT_NOT_FOUND', '产品不存在', 'Product not found', { field: 'productId' });
    // FOR SHARE: a concurrent suspension waits until this batch is written.
    const owner = await catalogDal(q).productOwner(product.operator_id, true);
    ensure(actor, operatorPolicy.work(actor, owner));
    assertOperatorApproved(owner);
    const site = await registryDal(q).siteById(input.siteId);
    if (!site || site.operator_id !== owner.id) {
      throw invalid('SITE_NOT_OWNED', '场所不属于该产品的经营主体', "The site is not one of the product's operator's sites", { field: 'siteId' });
    }
    const v = validateBatch(input, product, chinaDate(new Date()));
    const dal = batchesDal(q);
    const existing = await dal.byProductLot(product.id, v.lotNumber);
    if (existing) throw batchExists(existing.id);
    let row;
    try {
      row = await dal.insert({ ...v, productId: product.id, operatorId: owner.id, siteId: site.id, createdBy: actorId(actor) });
    } catch (e) {
      if (isUniqueViolation(e, 'batches_product_lot_key')) throw batchExists((await batchesDal(db.pool).byProductLot(product.id, v.lotNumber))?.id);
      throw e;
    }
    const code = origin.presetCode ? await codes.bindCode(q, actor, origin.presetCode, row) : await codes.issueBatchCode(q, actor, row);
    await appendJournal(q, actor, {
      type: 'batch.created', subjectType: 'batch', subjectId: row.id,
      payload: { productId: product.id, siteId: site.id, lotNumber: v.lotNumber, quantity: v.quantity, unit: v.unit, producedOn: v.producedOn, expiresOn: v.expiresOn, batchCode: code },
    });
    let event: RecordedEvent | null = null;
    if (origin.commission !== 'caller') {
      const body = commissioningEvent({
        record: origin.commission, eventTime: row.created_at.toISOString(), siteId: site.id, code, quantity: v.quantity, unit: v.unit,
        lotNumber: v.lotNumber, producedOn: v.producedOn, expiresOn: v.expiresOn,
      });
      const attribution = { operatorId: owner.id, divisionCode: site.division_code, counterpartyId: null };
      // The code is new, so its commissioning event is never a duplicate.
      const stored = (await capture(q, actor, { events: [body], source: 'native', errorBehaviour: 'rollback', attribution: [attribution] })).stored[0];
      event = { eventId: stored.eventId, hashId: stored.hashId, seq: stored.seq, duplicate: false, body: { ...body, eventID: stored.eventId } };
    }
    const detail = (await dal.detail(row.id))!;
    return { batch: presentBatch(detail, (await codes.batchCodeRefs(q, [detail])).get(row.id) ?? null), row, code, event };
  }

  return {
    createInTx,

    /** Records a batch (POST /batches) with its batch code and its commissioning event, in one transaction. */
    async create(actor: Actor, input: BatchInput): Promise<BatchView> {
      return (await db.tx((q) => createInTx(q, actor, input, { commission: 'production' }))).batch;
    },

    async get(actor: Actor, id: string): Promise<BatchView> {
      const b = await batchesDal(db.pool).detail(id);
      if (!b) throw batchNotFound();
      ensure(actor, operatorPolicy.read(actor, { id: b.operator_id, division_code: b.operator_division }));
      return presentBatch(b, (await codes.batchCodeRefs(db.pool, [b])).get(b.id) ?? null);
    },

    /** An operator's batches, newest first, for those who may read the operator. */
    async listForOperator(actor: Actor, operatorId: string, f: { productId?: string; limit?: number; offset?: number }) {
      const o = await registryDal(db.pool).byId(operatorId);
      if (!o) throw notFound('OPERATOR_NOT_FOUND', '经营主体不存在', 'Operator not found');
      ensure(actor, operatorPolicy.read(actor, o));
      const { rows, total } = await batchesDal(db.pool).byOperator(operatorId, { productId: f.productId, limit: Math.min(f.limit ?? 50, 500), offset: f.offset ?? 0 });
      const refs = await codes.batchCodeRefs(db.pool, rows);
      return { items: rows.map((b) => presentBatch(b, refs.get(b.id) ?? null)), total };
    },
  };
}
export type BatchesService = ReturnType<typeof createBatchesService>;
