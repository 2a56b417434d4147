import { z } from 'zod';
import { SIGNED_IN } from '../accounts/actor.ts';
import type { App } from '../platform/http.ts';
import type { BatchesService } from './batches-service.ts';

const Id = z.object({ id: z.uuid() });
const BatchBody = z.object({
  productId: z.uuid(),
  siteId: z.uuid(),
  lotNumber: z.string().max(64),
  // Checked by the service so that a bad quantity is refused as QUANTITY_INVALID, not as a schema error.
  quantity: z.union([z.number(), z.string().max(40)]),
  unit: z.string().max(20).nullish(),
  producedOn: z.string().max(10),
  expiresOn: z.string().max(10).nullish(),
});

/** Batches: record one, read one, list an operator's. */
export function batchesRoutes(app: App, batches: BatchesService) {
  app.post('/api/v1/batches', {
    config: { allow: ['platform-admin', 'operator-admin', 'operator-staff'] },
    schema: { tags: ['batches'], summary: '登记批次并生成批次码 / record a batch and issue its batch code', body: BatchBody },
  }, async (req, reply) => reply.code(201).send(await batches.create(req.actor, req.body)));

  app.get('/api/v1/batches/:id', {
    config: { allow: SIGNED_IN }, schema: { tags: ['batches'], summary: '批次详情 / a batch', params: Id },
  }, async (req) => batches.get(req.actor, req.params.id));

  app.get('/api/v1/operators/:id/batches', {
    config: { allow: SIGNED_IN },
    schema: {
      tags: ['batches'], summary: '主体的批次 / an operator\'s batches, newest first', params: Id,
      querystring: z.object({ productId: z.uuid().optional(), limit: z.coerce.number().int().min(1).max(500).optional(), offset: z.coerce.number().int().min(0).optional() }),
    },
  }, async (req) => batches.listForOperator(req.actor, req.params.id, req.query));
}
