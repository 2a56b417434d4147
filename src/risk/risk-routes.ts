import { z } from 'zod';
import { SIGNED_IN } from '../accounts/actor.ts';
import type { App } from '../platform/http.ts';
import type { RiskService } from './risk-service.ts';
import { RULE_IDS, SEVERITIES, WARNING_STATUSES } from './risk-types.ts';

const Id = z.object({ id: z.uuid() });
const Reason = z.object({ reason: z.string().trim().min(1).max(1000) });

/** Risk warnings, their handling, the rule catalogue and the rules' settings; the engine's worker runs while the app does. */
export function riskRoutes(app: App, risk: RiskService) {
  app.get('/api/v1/risk/warnings', {
    config: { allow: SIGNED_IN },
    schema: {
      tags: ['risk'], summary: '风险预警 / risk warnings, newest first (page with `before`)',
      description: 'Regulators see their jurisdiction, admins all, operators the warnings about themselves.',
      querystring: z.object({
        status: z.enum(WARNING_STATUSES).optional(), rule: z.enum(RULE_IDS).optional(), severity: z.enum(SEVERITIES).optional(),
        operatorId: z.uuid().optional(), before: z.string().regex(/^\d{1,18}$/).optional(), limit: z.coerce.number().int().min(1).max(500).optional(),
      }),
    },
  }, async (req) => risk.list(req.actor, req.query));

  app.get('/api/v1/risk/warnings/:id', {
    config: { allow: SIGNED_IN },
    schema: { tags: ['risk'], summary: '预警详情 / one warning, with its hold proposal and the events behind it', params: Id },
  }, async (req) => risk.get(req.actor, req.params.id));

  app.post('/api/v1/risk/warnings/:id/acknowledge', {
    config: { allow: ['platform-admin', 'regulator', 'operator-admin'] },
    schema: { tags: ['risk'], summary: '确认预警 / acknowledge a warning (seen, being handled), with the reason', params: Id, body: Reason },
  }, async (req) => risk.acknowledge(req.actor, req.params.id, req.body.reason));

  app.post('/api/v1/risk/warnings/:id/close', {
    config: { allow: ['platform-admin', 'regulator'] },
    schema: { tags: ['risk'], summary: '关闭预警 / close a warning, with the reason', params: Id, body: Reason },
  }, async (req) => risk.close(req.actor, req.params.id, req.body.reason));

  app.post('/api/v1/risk/warnings/:id/incident', {
    config: { allow: ['platform-admin', 'regulator'] },
    schema: {
      tags: ['risk'], summary: '一键立案 / open an incident from a warning (its codes, reason and level); again: the same incident',
      description: 'Admins and the regulators of the warning\'s jurisdiction. 201 with the new incident, 200 with the one opened before; '
        + 'a failed inspection\'s hold proposal shows on the incident, and an open warning is acknowledged.',
      params: Id,
    },
  }, async (req, reply) => {
    const out = await risk.openIncident(req.actor, req.params.id);
    return reply.code(out.created ? 201 : 200).send(out);
  });

  app.get('/api/v1/risk/rules', {
    config: { allow: SIGNED_IN },
    schema: { tags: ['risk'], summary: '预警规则 / the rule catalogue: what each rule checks, when it runs, its settings' },
  }, async (req) => risk.rules(req.actor));

  app.get('/api/v1/risk/settings', {
    config: { allow: ['platform-admin'] },
    schema: { tags: ['risk'], summary: '规则设置 / every rule\'s settings on this node: defaults, overrides, in force' },
  }, async (req) => risk.settings(req.actor));

  app.put('/api/v1/risk/settings', {
    config: { allow: ['platform-admin'] },
    schema: {
      tags: ['risk'], summary: '修改规则设置 / replace one rule\'s overrides on this node ({} restores the defaults)',
      body: z.object({ rule: z.enum(RULE_IDS), settings: z.record(z.string(), z.unknown()) }),
    },
  }, async (req) => risk.updateSettings(req.actor, req.body));

  app.addHook('onReady', async () => risk.startWorker(app.log));
  app.addHook('onClose', async () => risk.stopWorker());
}
