import { z } from 'zod';
import { EVERYONE, SIGNED_IN } from '../accounts/actor.ts';
import type { App } from '../platform/http.ts';
import type { RegistryService } from './registry-service.ts';
import { OPERATOR_TYPES, OPERATOR_STATUSES, REVIEW_ACTIONS, SITE_KINDS } from './registry-types.ts';
import { getDivision, childDivisions, divisionPath } from './division.ts';
import { notFound } from '../platform/errors.ts';

const Coord = z.number().finite().nullish();
const Licence = z.object({ type: z.string().min(1).max(100), number: z.string().min(1).max(100), issuer: z.string().max(200).nullish(), validUntil: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).nullish() });
export const OperatorBody = z.object({
  uscc: z.string().min(1).max(40),
  name: z.string().min(1).max(200),
  types: z.array(z.enum(OPERATOR_TYPES)).min(1),
  divisionCode: z.string().max(6),
  address: z.string().max(500).nullish(),
  lat: Coord, lng: Coord,
  contactName: z.string().max(100).nullish(),
  contactPhone: z.string().max(40).nullish(),
  licences: z.array(Licence).max(50).optional(),
  usccOverride: z.object({ reason: z.string().max(500) }).nullish(),
});
const SiteBody = z.object({
  name: z.string().min(1).max(200), kind: z.enum(SITE_KINDS), divisionCode: z.string().max(6),
  address: z.string().max(500).nullish(), lat: Coord, lng: Coord, gln: z.string().max(13).nullish(),
});
const Id = z.object({ id: z.uuid() });

/** Operator registry, sites, licences, review workflow and division look-ups. */
export function registryRoutes(app: App, registry: RegistryService) {
  app.post('/api/v1/operators', {
    config: { allow: ['public', 'platform-admin', 'regulator'] },
    schema: {
      tags: ['registry'], summary: '主体注册（待审核）/ register an operator (pending review)',
      body: OperatorBody.extend({ account: z.object({ username: z.string(), password: z.string(), displayName: z.string().optional() }).optional() }),
    },
  }, async (req, reply) => {
    const { account, ...input } = req.body;
    return reply.code(201).send(await registry.register(req.actor, input, account));
  });

  app.get('/api/v1/operators', {
    config: { allow: SIGNED_IN },
    schema: {
      tags: ['registry'], summary: '主体列表（按权限范围）/ list operators in scope',
      querystring: z.object({
        status: z.enum(OPERATOR_STATUSES).optional(), divisionCode: z.string().regex(/^\d{6}$/).optional(), q: z.string().max(100).optional(),
        type: z.enum(OPERATOR_TYPES).optional(), limit: z.coerce.number().int().min(1).max(500).optional(), offset: z.coerce.number().int().min(0).optional(),
      }),
    },
  }, async (req) => registry.list(req.actor, req.query));

  app.get('/api/v1/operators/:id', {
    config: { allow: SIGNED_IN }, schema: { tags: ['registry'], summary: '主体详情 / operator', params: Id },
  }, async (req) => registry.get(req.actor, req.params.id));

  app.post('/api/v1/operators/:id/review', {
    config: { allow: ['platform-admin', 'regulator'] },
    schema: { tags: ['registry'], summary: '审核：通过/驳回/暂停/恢复 / review', params: Id, body: z.object({ action: z.enum(REVIEW_ACTIONS), reason: z.string().max(1000).nullish() }) },
  }, async (req) => registry.review(req.actor, req.params.id, req.body.action, req.body.reason));

  app.get('/api/v1/operators/:id/reviews', {
    config: { allow: SIGNED_IN }, schema: { tags: ['registry'], summary: '审核记录 / review history', params: Id },
  }, async (req) => ({ items: await registry.reviews(req.actor, req.params.id) }));

  app.post('/api/v1/operators/:id/licences', {
    config: { allow: ['platform-admin', 'operator-admin'] }, schema: { tags: ['registry'], summary: '添加许可证 / add a licence', params: Id, body: Licence },
  }, async (req, reply) => reply.code(201).send(await registry.addLicence(req.actor, req.params.id, req.body)));

  app.get('/api/v1/operators/:id/sites', {
    config: { allow: SIGNED_IN }, schema: { tags: ['registry'], summary: '场所列表 / sites', params: Id },
  }, async (req) => ({ items: await registry.sites(req.actor, req.params.id) }));

  app.post('/api/v1/operators/:id/sites', {
    config: { allow: ['platform-admin', 'operator-admin'] }, schema: { tags: ['registry'], summary: '新增场所 / add a site', params: Id, body: SiteBody },
  }, async (req, reply) => reply.code(201).send(await registry.addSite(req.actor, req.params.id, req.body)));

  app.get('/api/v1/registry/check-uscc', {
    config: { allow: EVERYONE },
    schema: { tags: ['registry'], summary: '校验统一社会信用代码 / check a USCC', querystring: z.object({ uscc: z.string().max(40) }) },
  }, async (req) => registry.checkUscc(req.query.uscc));

  app.get('/api/v1/divisions/:code', {
    config: { allow: EVERYONE },
    schema: { tags: ['registry'], summary: '行政区划 / a division and its children (000000 = national)', params: z.object({ code: z.string().regex(/^\d{6}$/) }) },
  }, async (req) => {
    const code = req.params.code;
    const d = code === '000000' ? { code, name: '全国', level: 'national', parent: null } : getDivision(code);
    if (!d) throw notFound('DIVISION_UNKNOWN', `行政区划代码 ${code} 不存在`, `Division code ${code} is not a GB/T 2260 division`, { field: 'code' });
    return { ...d, path: divisionPath(code), children: childDivisions(code) };
  });
}
