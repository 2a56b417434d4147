import { z } from 'zod';

/**
 * The native records (生产经营记录) and their request shapes. One zod schema per record kind: the routes
 * validate with it and the service takes its inferred type, so the two cannot drift. Quantities, dates and
 * times are only typed here; the domain core checks them so that they are refused with their own codes.
 */

/** Every native record kind; each event carries its kind as `sy:record`. */
export const RECORD_KINDS = [
  'production', 'harvest', 'inputs_applied', 'inspection', 'certificate', 'shipping', 'receiving', 'sale',
  'transformation', 'aggregation', 'destruction',
] as const;
export type RecordKind = (typeof RECORD_KINDS)[number];

export const INPUT_CATEGORIES = ['pesticide', 'fertilizer', 'seed', 'feed', 'vet_drug'] as const;
export type InputCategory = (typeof INPUT_CATEGORIES)[number];
/** 承诺达标合格证, 动物检疫合格证明, 肉品品质检验合格证. */
export const CERTIFICATE_TYPES = ['commitment', 'animal_quarantine', 'meat_quality'] as const;
export type CertificateType = (typeof CERTIFICATE_TYPES)[number];
export const INSPECTION_KINDS = ['official_sampling', 'rapid_test'] as const;
export const TRANSFORMATION_KINDS = ['processing', 'mixing', 'repackaging'] as const;
export type TransformationKind = (typeof TRANSFORMATION_KINDS)[number];

const Quantity = z.union([z.number(), z.string().max(40)]);
const Day = z.string().max(10).describe('YYYY-MM-DD');
const Text = (max: number) => z.string().trim().min(1).max(max);
/** A trace code as typed or scanned: the bare code, a scan URL or a GS1 Digital Link. */
const TraceInput = z.string().min(1).max(2048);

const common = {
  requestId: z.string().trim().min(1).max(100).optional()
    .describe('Client-chosen id; a retry with the same requestId returns the first answer and stores nothing twice'),
  occurredAt: z.string().max(40).optional().describe('When it happened (RFC 3339 with offset); defaults to now'),
};
/** The batch or item a record is about: its trace code, or the id of one of the caller's batches. */
const target = { code: TraceInput.optional(), batchId: z.uuid().optional() };

export const GoodsLineBody = z.object({
  ...target,
  quantity: Quantity.optional().describe('Required for a batch code; item codes count one each'),
  unit: z.string().max(20).optional().describe("Defaults to the batch's unit"),
});
export const OperatorRefBody = z.object({ operatorId: z.uuid().optional(), uscc: z.string().trim().max(18).optional() });
export const CertificateBody = z.object({ type: z.enum(CERTIFICATE_TYPES), number: Text(64), issuer: Text(200), issuedOn: Day });
const Goods = z.array(GoodsLineBody).min(1).max(200);
const Certificates = z.array(CertificateBody).max(20);

export const HarvestBody = z.object({
  requestId: common.requestId,
  productId: z.uuid(), siteId: z.uuid(),
  lotNumber: z.string().max(64).optional().describe('Defaults to the harvest date and a short suffix'),
  quantity: Quantity, unit: z.string().max(20).nullish(), harvestedOn: Day, expiresOn: Day.nullish(),
});

export const InputsAppliedBody = z.object({
  ...common, ...target,
  siteId: z.uuid(),
  category: z.enum(INPUT_CATEGORIES),
  productName: Text(200),
  registrationNo: z.string().trim().max(64).optional().describe('农药登记证号 / 兽药批准文号: required for pesticides and veterinary drugs'),
  dose: Quantity, doseUnit: Text(20), appliedOn: Day,
  intervalDays: z.number().int().min(0).max(3650).optional().describe('安全间隔期 / 休药期 in days: required for pesticides and veterinary drugs'),
});

export const InspectionBody = z.object({
  ...common, ...target,
  siteId: z.uuid().optional(),
  kind: z.enum(INSPECTION_KINDS),
  lab: Text(200),
  items: z.array(z.object({
    name: Text(100),
    value: z.union([z.number(), z.string().max(40)]).optional(),
    limit: z.union([z.number(), z.string().max(40)]).optional(),
    unit: z.string().max(20).optional(),
    result: z.enum(['pass', 'fail']),
  })).min(1).max(100),
  result: z.enum(['pass', 'fail']),
  reportNo: z.string().trim().max(64).optional(),
  public: z.boolean().default(false).describe('Shown to consumers who scan'),
});

export const CertificateRecordBody = z.object({ ...common, ...target, siteId: z.uuid().optional(), certificates: Certificates.min(1) });

export const ShippingBody = z.object({
  ...common, siteId: z.uuid().optional(), to: OperatorRefBody, goods: Goods,
  vehiclePlate: z.string().trim().max(16).optional(), certificates: Certificates.optional(),
});

export const ReceivingBody = z.object({
  ...common, siteId: z.uuid().optional(),
  from: OperatorRefBody.extend({ name: z.string().trim().max(200).optional().describe('An unregistered supplier (only with noUpstreamRecord)') }).optional(),
  goods: Goods.optional().describe('The upstream codes received'),
  noUpstreamRecord: z.object({
    productId: z.uuid(), quantity: Quantity, unit: z.string().max(20).optional(),
    lotNumber: z.string().max(64).optional(), producedOn: Day.optional(), expiresOn: Day.optional(),
  }).optional().describe('Goods that came with no trace code: a local batch and code are created for them'),
  certificates: Certificates.optional(),
  invoices: z.array(z.object({ number: Text(64), issuedOn: Day.optional() })).max(20).optional(),
});

export const SaleBody = z.object({
  ...common, siteId: z.uuid().optional(),
  to: OperatorRefBody.optional().describe('The buying operator; absent for a sale to consumers'),
  goods: Goods,
  price: z.object({ amount: Quantity, currency: z.string().regex(/^[A-Z]{3}$/).default('CNY') }).optional(),
  invoiceNo: z.string().trim().max(64).optional(),
});

export const TransformationBody = z.object({
  ...common, siteId: z.uuid(),
  kind: z.enum(TRANSFORMATION_KINDS),
  inputs: Goods,
  outputs: z.array(z.object({
    productId: z.uuid(), quantity: Quantity, unit: z.string().max(20).optional(),
    lotNumber: z.string().max(64).optional(), producedOn: Day.optional(), expiresOn: Day.optional(),
    code: TraceInput.optional().describe('A pre-printed, never used batch code of yours to bind instead of issuing a new one'),
  })).min(1).max(50),
});

export const AggregationBody = z.object({
  ...common, siteId: z.uuid().optional(),
  action: z.enum(['pack', 'unpack']),
  parent: TraceInput.describe('The case or pallet: an item code of yours or an SSCC (urn:epc:id:sscc:…)'),
  children: z.array(GoodsLineBody).max(1000).optional(),
});

export const DestructionBody = z.object({ ...common, siteId: z.uuid().optional(), goods: Goods, reason: Text(500) });

export type HarvestInput = z.infer<typeof HarvestBody>;
export type InputsAppliedInput = z.infer<typeof InputsAppliedBody>;
export type InspectionInput = z.infer<typeof InspectionBody>;
export type CertificateRecordInput = z.infer<typeof CertificateRecordBody>;
export type ShippingInput = z.infer<typeof ShippingBody>;
export type ReceivingInput = z.infer<typeof ReceivingBody>;
export type SaleInput = z.infer<typeof SaleBody>;
export type TransformationInput = z.infer<typeof TransformationBody>;
export type AggregationInput = z.infer<typeof AggregationBody>;
export type DestructionInput = z.infer<typeof DestructionBody>;
export type GoodsLineInput = z.infer<typeof GoodsLineBody>;
export type OperatorRefInput = z.infer<typeof OperatorRefBody>;
export type CertificateInput = z.infer<typeof CertificateBody>;

/** An event as stored for a record: its ids, its place in the node's sequence and its EPCIS body. */
export interface RecordedEvent {
  eventId: string;
  hashId: string;
  seq: string;
  /** True when an identical event (same hash ID) was stored before: nothing new was written. */
  duplicate: boolean;
  body: Record<string, unknown>;
}
