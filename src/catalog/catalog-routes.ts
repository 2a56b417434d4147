import { z } from 'zod';
import { EVERYONE, SIGNED_IN } from '../accounts/actor.ts';
import type { App } from '../platform/http.ts';
import type { CatalogService } from './catalog-service.ts';

const Code = z.string().min(1).max(140);
const Day = z.iso.date();
const Id = z.object({ id: z.uuid() });
const ProductBody = z.object({
  name: z.string().min(1).max(200),
  categoryCode: Code,
  spec: z.string().max(200).nullish(),
  unit: z.string().min(1).max(20),
  shelfLifeDays: z.number().int().min(1).max(36500).nullish(),
  gtin: z.string().max(14).nullish(),
});

/** Category tree, key-trace catalog (重点追溯产品目录) and operators' products. */
export function catalogRoutes(app: App, catalog: CatalogService) {
  app.get('/api/v1/categories', {
    config: { allow: EVERYONE },
    schema: { tags: ['catalog'], summary: '产品分类（含今日是否重点追溯）/ category tree, with key-trace status today' },
  }, async () => catalog.categories());

  app.post('/api/v1/categories', {
    config: { allow: ['platform-admin'] },
    schema: {
      tags: ['catalog'], summary: '新增产品分类 / add a category under a parent',
      body: z.object({ parentCode: Code, code: Code, nameZh: z.string().min(1).max(100), nameEn: z.string().min(1).max(200) }),
    },
  }, async (req, reply) => reply.code(201).send(await catalog.addCategory(req.actor, req.body)));

  app.get('/api/v1/key-trace-catalog', {
    config: { allow: EVERYONE },
    schema: { tags: ['catalog'], summary: '重点追溯产品目录（某日有效）/ key-trace catalog in force on a date', querystring: z.object({ asOf: Day.optional() }) },
  }, async (req) => catalog.keyTraceCatalog(req.query.asOf));

  app.post('/api/v1/key-trace-catalog', {
    config: { allow: ['platform-admin'] },
    schema: {
      tags: ['catalog'], summary: '列入重点追溯产品目录 / list a category on the key-trace catalog',
      body: z.object({ categoryCode: Code, effectiveFrom: Day, effectiveTo: Day.nullish(), note: z.string().max(1000).nullish() }),
    },
  }, async (req, reply) => reply.code(201).send(await catalog.listKeyTrace(req.actor, { ...req.body, effectiveTo: req.body.effectiveTo ?? null })));

  app.post('/api/v1/key-trace-catalog/:id/end', {
    config: { allow: ['platform-admin'] },
    schema: {
      tags: ['catalog'], summary: '移出重点追溯产品目录（截止日不再适用）/ end a listing (effectiveTo is the first day it no longer applies)',
      params: Id, body: z.object({ effectiveTo: Day }),
    },
  }, async (req) => catalog.endKeyTrace(req.actor, req.params.id, req.body.effectiveTo));

  app.post('/api/v1/operators/:id/products', {
    config: { allow: ['platform-admin', 'operator-admin', 'operator-staff'] },
    schema: { tags: ['catalog'], summary: '登记产品 / add a product', params: Id, body: ProductBody },
  }, async (req, reply) => reply.code(201).send(await catalog.addProduct(req.actor, req.params.id, req.body)));

  app.get('/api/v1/operators/:id/products', {
    config: { allow: SIGNED_IN },
    schema: {
      tags: ['catalog'], summary: '主体的产品 / an operator\'s products', params: Id,
      querystring: z.object({ limit: z.coerce.number().int().min(1).max(500).optional(), offset: z.coerce.number().int().min(0).optional() }),
    },
  }, async (req) => catalog.products(req.actor, req.params.id, req.query));

  app.get('/api/v1/products/:id', {
    config: { allow: SIGNED_IN }, schema: { tags: ['catalog'], summary: '产品详情 / product', params: Id },
  }, async (req) => catalog.product(req.actor, req.params.id));
}
