import { z } from 'zod';
import { EVERYONE } from '../accounts/actor.ts';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App } from '../platform/http.ts';
import type { ScanService } from './scan-service.ts';
import type { ScanInput } from './scan-types.ts';
import { pickLang, prefersHtml } from './scan-fns.ts';
import { pageStatus, renderAppPage, sourceTemplate } from './scan-page.ts';
import { WEB_ROOT, readWebFile } from '../web/web-routes.ts';

// Lenient on purpose: a mistyped code or GTIN is answered by the page that says so, not by a schema error.
const Part = z.string().max(128);
// A Digital Link may carry other query parameters (linkType, …); they are ignored.
const Query = z.object({ lang: z.string().max(8).optional() });
const DESCRIPTION = 'HTML for browsers (Accept: text/html), JSON otherwise; origin information only. Every scan is logged.';

/** Consumer scans: the scan page / JSON for codes and GS1 Digital Links, and the coarse location a page may add. */
export function scanRoutes(app: App, scan: ScanService) {
  let renderWarned = false;
  async function answer(req: FastifyRequest<{ Querystring: z.infer<typeof Query> }>, reply: FastifyReply, input: ScanInput) {
    const outcome = await scan.scan(input, { userAgent: req.headers['user-agent'] ?? null, ip: req.ip ?? null });
    reply.header('cache-control', 'no-store').header('vary', 'Accept, Accept-Language');
    if (prefersHtml(req.headers.accept)) {
      const lang = pickLang(req.query.lang, req.headers['accept-language']);
      reply.code(pageStatus(outcome)).type('text/html; charset=utf-8').header('x-content-type-options', 'nosniff').header('referrer-policy', 'no-referrer');
      // The built page; before a build, the same page from its source template (first view only, no script).
      const built = readWebFile('scan.html');
      const { template, assetsRoot } = built ? { template: built, assetsRoot: `${WEB_ROOT}/assets` } : sourceTemplate();
      const page = await renderAppPage(template, outcome, { lang, nodeName: scan.node.name, assetsRoot });
      if (page.renderError && !renderWarned) { renderWarned = true; req.log.warn({ err: page.renderError }, 'scan page: first view not rendered on the server'); }
      return reply.header('content-security-policy', page.csp).send(page.html);
    }
    if ('error' in outcome) throw outcome.error;
    return outcome.view;
  }

  app.get('/t/:code', {
    config: { allow: EVERYONE },
    schema: { tags: ['scan'], summary: '扫码查询（来源信息）/ scan: origin information', description: DESCRIPTION, params: z.object({ code: Part }), querystring: Query },
  }, async (req, reply) => answer(req, reply, { by: 'code', code: req.params.code }));

  app.get('/01/:gtin/10/:lot', {
    config: { allow: EVERYONE },
    schema: {
      tags: ['scan'], summary: 'GS1 数字链接：批次 / Digital Link: a batch by GTIN and lot', description: DESCRIPTION,
      params: z.object({ gtin: Part, lot: Part }), querystring: Query,
    },
  }, async (req, reply) => answer(req, reply, { by: 'lot', gtin: req.params.gtin, lot: req.params.lot }));

  app.get('/01/:gtin/21/:serial', {
    config: { allow: EVERYONE },
    schema: {
      tags: ['scan'], summary: 'GS1 数字链接：单品 / Digital Link: an item by GTIN and serial (its trace code)', description: DESCRIPTION,
      params: z.object({ gtin: Part, serial: Part }), querystring: Query,
    },
  }, async (req, reply) => answer(req, reply, { by: 'serial', gtin: req.params.gtin, serial: req.params.serial }));

  app.post('/scans/:id/location', {
    config: { allow: EVERYONE },
    schema: {
      tags: ['scan'], summary: '扫码大致位置（约 0.1°）/ attach the coarse location the browser offers to a scan',
      description: 'Sent by the scan page after the user allows it; rounded to 0.1° before storage. Answers the clone check anew.',
      params: z.object({ id: z.uuid() }),
      body: z.object({ lat: z.number().min(-90).max(90), lng: z.number().min(-180).max(180) }),
    },
  }, async (req) => scan.locate(req.params.id, req.body.lat, req.body.lng));
}
