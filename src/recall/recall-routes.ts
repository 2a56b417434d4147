import { z } from 'zod';
import type { App } from '../platform/http.ts';
import type { RecallService } from './recall-service.ts';
import { CloseIncidentBody, EXPORT_FORMATS, IssueNoticesBody, OpenIncidentBody, RespondBody, WebhookBody } from './recall-types.ts';

const SUPERVISORS = ['platform-admin', 'regulator'] as const;
const OPERATORS = ['operator-admin', 'operator-staff'] as const;
const Id = z.object({ id: z.uuid() });

/**
 * Problem-food incidents and recall: /api/v1/incidents for regulators (their jurisdiction and what is handed over to
 * them) and admins; /api/v1/inbox for operators (their own notices and webhooks). The worker that resumes stalled
 * steps, escalates overdue notices and delivers webhooks runs with the server.
 */
export function recallRoutes(app: App, recall: RecallService) {
  app.addHook('onReady', async () => recall.startWorker(app.log));
  app.addHook('onClose', async () => recall.stopWorker());
  const tags = ['incidents'];

  app.post('/api/v1/incidents', {
    config: { allow: SUPERVISORS },
    schema: {
      tags, summary: '立案：问题食品排查事件 / open an incident on problem codes and compute its affected set',
      description: 'Answers 201 with the incident and the size of its affected set; with a warningId already used, 200 with that incident.',
      body: OpenIncidentBody,
    },
  }, async (req, reply) => {
    const r = await recall.openIncident(req.actor, req.body);
    return reply.code(r.created ? 201 : 200).send(r);
  });

  app.get('/api/v1/incidents', {
    config: { allow: SUPERVISORS },
    schema: {
      tags, summary: '事件列表 / incidents you may read, newest first',
      querystring: z.object({ status: z.enum(['open', 'closed']).optional(), limit: z.coerce.number().int().min(1).max(500).optional() }),
    },
  }, async (req) => recall.list(req.actor, req.query));

  app.get('/api/v1/incidents/:id', {
    config: { allow: SUPERVISORS }, schema: { tags, summary: '事件详情 / one incident', params: Id },
  }, async (req) => recall.get(req.actor, req.params.id));

  app.get('/api/v1/incidents/:id/affected', {
    config: { allow: SUPERVISORS },
    schema: { tags, summary: '受影响范围 / the affected set: every holding downstream, its operator, quantities and whether it was sold on', params: Id },
  }, async (req) => recall.affected(req.actor, req.params.id));

  app.get('/api/v1/incidents/:id/sources', {
    config: { allow: SUPERVISORS },
    schema: { tags, summary: '可疑来源 / source candidates: upstream batches and operators the named codes share, ranked', params: Id },
  }, async (req) => recall.sources(req.actor, req.params.id));

  app.get('/api/v1/incidents/:id/impact', {
    config: { allow: SUPERVISORS },
    schema: { tags, summary: '影响评估 / impact by division (province → city → county), operator type, and consumer scans by division and day', params: Id },
  }, async (req) => recall.impact(req.actor, req.params.id));

  app.post('/api/v1/incidents/:id/notices', {
    config: { allow: SUPERVISORS },
    schema: {
      tags, summary: '发出召回/暂停销售通知 / notify the affected operators of your jurisdiction (a persisted, resumable run)',
      description: 'Operators outside your jurisdiction are listed in `handover`. A failed run is retried by the worker or resumed by hand.',
      params: Id, body: IssueNoticesBody,
    },
  }, async (req, reply) => reply.code(201).send(await recall.issueNotices(req.actor, req.params.id, req.body)));

  app.get('/api/v1/incidents/:id/notices', {
    config: { allow: SUPERVISORS }, schema: { tags, summary: '通知与移交清单 / notices, and operators to hand over to other jurisdictions', params: Id },
  }, async (req) => recall.notices(req.actor, req.params.id));

  app.get('/api/v1/incidents/:id/progress', {
    config: { allow: SUPERVISORS }, schema: { tags, summary: '处置进度 / how much of the affected quantity is accounted for', params: Id },
  }, async (req) => recall.progress(req.actor, req.params.id));

  app.post('/api/v1/incidents/:id/close', {
    config: { allow: SUPERVISORS },
    schema: { tags, summary: '结案 / close with a conclusion (the summary is kept)', params: Id, body: CloseIncidentBody },
  }, async (req) => recall.close(req.actor, req.params.id, req.body));

  app.get('/api/v1/incidents/:id/runs', {
    config: { allow: SUPERVISORS }, schema: { tags, summary: '流程步骤 / the incident\'s notice runs with their steps, status and attempts', params: Id },
  }, async (req) => recall.runs(req.actor, req.params.id));

  app.post('/api/v1/incidents/:id/runs/:runId/resume', {
    config: { allow: SUPERVISORS },
    schema: { tags, summary: '恢复流程 / resume a failed or stalled run from its first unfinished step', params: z.object({ id: z.uuid(), runId: z.uuid() }) },
  }, async (req) => recall.resumeRun(req.actor, req.params.id, req.params.runId));

  app.get('/api/v1/incidents/:id/export', {
    config: { allow: SUPERVISORS },
    schema: {
      tags, summary: '导出 / export: XLSX workbook, or the FSMA 204 sortable spreadsheet of critical tracking events (CSV)',
      params: Id, querystring: z.object({ format: z.enum(EXPORT_FORMATS).default('xlsx') }),
    },
  }, async (req, reply) => {
    const file = await recall.export(req.actor, req.params.id, req.query.format);
    return reply.type(file.contentType).header('content-disposition', `attachment; filename="${file.filename}"`).header('cache-control', 'no-store').send(file.body);
  });

  const inbox = ['inbox'];
  app.get('/api/v1/inbox', {
    config: { allow: OPERATORS }, schema: { tags: inbox, summary: '收件箱 / recall and hold notices addressed to your operator' },
  }, async (req) => recall.inbox(req.actor));

  app.get('/api/v1/inbox/webhooks', {
    config: { allow: ['operator-admin'] }, schema: { tags: inbox, summary: 'Webhooks for your notices' },
  }, async (req) => recall.webhooks(req.actor));

  app.post('/api/v1/inbox/webhooks', {
    config: { allow: ['operator-admin'] },
    schema: {
      tags: inbox, summary: '登记 Webhook / register a webhook; its signing secret is shown once',
      description: 'Deliveries are POSTs with `Idempotency-Key` (one per notice and message) and `X-Suyuan-Signature: t={unix},v1={hex HMAC-SHA256 of "{t}.{body}"}`; failures are retried with backoff.',
      body: WebhookBody,
    },
  }, async (req, reply) => reply.code(201).send(await recall.addWebhook(req.actor, req.body)));

  app.delete('/api/v1/inbox/webhooks/:id', {
    config: { allow: ['operator-admin'] }, schema: { tags: inbox, summary: '撤销 Webhook / revoke a webhook', params: Id },
  }, async (req, reply) => {
    await recall.removeWebhook(req.actor, req.params.id);
    return reply.code(204).send();
  });

  app.get('/api/v1/inbox/:id', {
    config: { allow: OPERATORS }, schema: { tags: inbox, summary: '通知详情 / one notice', params: Id },
  }, async (req) => recall.inboxNotice(req.actor, req.params.id));

  app.post('/api/v1/inbox/:id/ack', {
    config: { allow: OPERATORS }, schema: { tags: inbox, summary: '确认收到 / acknowledge a notice (stops its escalation)', params: Id },
  }, async (req) => recall.acknowledge(req.actor, req.params.id));

  app.post('/api/v1/inbox/:id/responses', {
    config: { allow: OPERATORS },
    schema: {
      tags: inbox, summary: '报告处置 / report quantities held, returned or destroyed (recorded as events)',
      params: Id, body: RespondBody,
    },
  }, async (req, reply) => reply.code(201).send(await recall.respond(req.actor, req.params.id, req.body)));
}
