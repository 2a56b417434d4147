import { z } from 'zod';
import { SIGNED_IN } from '../accounts/actor.ts';
import type { App } from '../platform/http.ts';
import type { Actor, Role } from '../accounts/actor.ts';
import type { RecordsService } from './records-service.ts';
import {
  AggregationBody, CertificateRecordBody, DestructionBody, HarvestBody, InputsAppliedBody, InspectionBody, ReceivingBody,
  SaleBody, ShippingBody, TransformationBody,
} from './records-types.ts';

const OPERATORS = ['operator-admin', 'operator-staff'] as const;
const TAGS = ['records'];

/** Native records (POST /api/v1/records/{kind}) and a batch's record list. */
export function recordsRoutes(app: App, records: RecordsService) {
  /** One POST route per record kind: validate, record, answer 201 with the stored event and what was created. */
  const record = <S extends z.ZodType>(kind: string, allow: readonly Role[], body: S, summary: string, run: (actor: Actor, input: z.infer<S>) => Promise<unknown>) => {
    app.post(`/api/v1/records/${kind}`, { config: { allow }, schema: { tags: TAGS, summary, body } }, async (req, reply) => reply.code(201).send(await run(req.actor, req.body as z.infer<S>)));
  };
  record('harvest', ['platform-admin', ...OPERATORS], HarvestBody, '采收登记（生成批次与批次码）/ harvest: a batch, its code and commissioning event', records.harvest);
  record('inputs_applied', OPERATORS, InputsAppliedBody, '投入品使用记录 / inputs applied (pesticide, fertilizer, seed, feed, veterinary drug)', records.inputsApplied);
  record('inspection', [...OPERATORS, 'regulator'], InspectionBody, '检测记录（监督抽检、快检）/ inspection: official sampling or rapid test', records.inspection);
  record('certificate', OPERATORS, CertificateRecordBody, '合格证明（承诺达标合格证、检疫证明、肉品品质检验合格证）/ certificates on a batch', records.certificate);
  record('shipping', OPERATORS, ShippingBody, '发货 / shipping to another operator', records.shipping);
  record('receiving', OPERATORS, ReceivingBody, '收货与进场准入（索证索票）/ receiving with entry admission', records.receiving);
  record('sale', OPERATORS, SaleBody, '销售 / sale to an operator or to consumers', records.sale);
  record('transformation', OPERATORS, TransformationBody, '加工、混批、分装（产出赋新码）/ transformation into new batches with new codes', records.transformation);
  record('aggregation', OPERATORS, AggregationBody, '装箱、拆箱 / packing into or unpacking a case or pallet', records.aggregation);
  record('destruction', OPERATORS, DestructionBody, '销毁 / destruction', records.destruction);

  app.get('/api/v1/batches/:id/records', {
    config: { allow: SIGNED_IN },
    schema: {
      tags: TAGS, summary: '批次的记录（按可见范围）/ the native records of a batch, as far as you may see them',
      params: z.object({ id: z.uuid() }),
      querystring: z.object({ after: z.string().regex(/^\d{1,19}$/).optional(), limit: z.coerce.number().int().min(1).max(1000).optional() }),
    },
  }, async (req) => records.batchRecords(req.actor, req.params.id, req.query));
}
