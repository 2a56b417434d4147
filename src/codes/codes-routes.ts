import { Readable } from 'node:stream';
import { SIGNED_IN } from '../accounts/actor.ts';
import { z } from 'zod';
import type { App } from '../platform/http.ts';
import type { FastifyReply } from 'fastify';
import type { CodesService } from './codes-service.ts';
import { MAX_CODES_PER_REQUEST, MAX_LINE_CODES } from './codes-types.ts';

const WORKERS = ['platform-admin', 'operator-admin', 'operator-staff'] as const;
const Id = z.object({ id: z.uuid() });
const Code = z.object({ code: z.string().max(64) });
const Count = (max: number) => z.number().int().min(1).max(max);

function sendCsv(reply: FastifyReply, file: { filename: string; lines: AsyncIterable<string> }) {
  return reply
    .header('content-type', 'text/csv; charset=utf-8')
    .header('content-disposition', `attachment; filename="${file.filename}"`)
    .send(Readable.from(file.lines));
}

/** Trace codes: issuing, pools, activation, voiding, line printers, files, and full detail for the signed-in (public scans: src/scan). */
export function codesRoutes(app: App, codes: CodesService) {
  app.post('/api/v1/batches/:id/item-codes', {
    config: { allow: WORKERS },
    schema: {
      tags: ['codes'], summary: '为批次生成单品码 / issue item codes for a batch', params: Id,
      body: z.object({ count: Count(MAX_CODES_PER_REQUEST), issuedVia: z.enum(['platform', 'download']).optional() }),
    },
  }, async (req, reply) => reply.code(201).send(await codes.issueItemCodes(req.actor, req.params.id, req.body.count, req.body.issuedVia)));

  app.get('/api/v1/batches/:id/codes.csv', {
    config: { allow: WORKERS }, schema: { tags: ['codes'], summary: '下载批次的追溯码 / download a batch\'s codes (CSV)', params: Id },
  }, async (req, reply) => sendCsv(reply, await codes.codesFile(req.actor, { batchId: req.params.id })));

  app.post('/api/v1/code-pools', {
    config: { allow: ['platform-admin', 'operator-admin'] },
    schema: {
      tags: ['codes'], summary: '生成码池（交印刷企业预印）/ issue a pool of unassigned codes for a printer',
      body: z.object({
        ownerOperatorId: z.uuid(), printerOperatorId: z.uuid().nullish(), kind: z.enum(['batch', 'item']),
        size: Count(MAX_CODES_PER_REQUEST), note: z.string().max(500).nullish(),
      }),
    },
  }, async (req, reply) => reply.code(201).send(await codes.createPool(req.actor, req.body)));

  app.get('/api/v1/code-pools', {
    config: { allow: ['platform-admin', 'operator-admin', 'operator-staff', 'printer'] },
    schema: {
      tags: ['codes'], summary: '码池列表（本主体委托或承印的）/ pools the caller\'s operator owns or prints, newest first',
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(200).optional(), offset: z.coerce.number().int().min(0).optional() }),
    },
  }, async (req) => codes.listPools(req.actor, req.query));

  app.get('/api/v1/code-pools/:id', {
    config: { allow: SIGNED_IN }, schema: { tags: ['codes'], summary: '码池 / a code pool with its counts', params: Id },
  }, async (req) => codes.getPool(req.actor, req.params.id));

  app.get('/api/v1/code-pools/:id/codes.csv', {
    config: { allow: SIGNED_IN }, schema: { tags: ['codes'], summary: '下载码池的追溯码 / download a pool\'s codes (CSV)', params: Id },
  }, async (req, reply) => sendCsv(reply, await codes.codesFile(req.actor, { poolId: req.params.id })));

  app.post('/api/v1/code-pools/:id/activate', {
    config: { allow: WORKERS },
    schema: {
      tags: ['codes'], summary: '批量激活码池中接下来的 N 个码 / activate the next N codes of a pool for a batch', params: Id,
      body: z.object({ batchId: z.uuid(), count: Count(MAX_CODES_PER_REQUEST) }),
    },
  }, async (req) => codes.activateFromPool(req.actor, req.params.id, req.body.batchId, req.body.count));

  app.post('/api/v1/codes/:code/activate', {
    config: { allow: WORKERS },
    schema: { tags: ['codes'], summary: '激活预印码 / activate a pre-printed code for a batch', params: Code, body: z.object({ batchId: z.uuid() }) },
  }, async (req) => codes.activate(req.actor, req.params.code, req.body.batchId));

  app.post('/api/v1/codes/:code/void', {
    config: { allow: ['platform-admin', 'operator-admin'] },
    schema: { tags: ['codes'], summary: '作废追溯码 / void a code', params: Code, body: z.object({ reason: z.string().min(1).max(500) }) },
  }, async (req) => codes.voidCode(req.actor, req.params.code, req.body.reason));

  app.post('/api/v1/line-codes', {
    config: { allow: ['operator-admin', 'operator-staff'] },
    schema: {
      tags: ['codes'], summary: '产线取码（按 requestId 幂等）/ next item codes for a line printer, idempotent per requestId',
      body: z.object({ requestId: z.string().min(1).max(100).regex(/^[\x21-\x7e]+$/), batchId: z.uuid(), count: Count(MAX_LINE_CODES) }),
    },
  }, async (req, reply) => {
    const out = await codes.lineCodes(req.actor, req.body);
    return reply.code(out.replayed ? 200 : 201).send(out);
  });

  app.get('/api/v1/codes/:code', {
    config: { allow: SIGNED_IN }, schema: { tags: ['codes'], summary: '追溯码详情 / a code in full', params: Code },
  }, async (req) => codes.detail(req.actor, req.params.code));
}
