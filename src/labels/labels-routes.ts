import { z } from 'zod';
import type { App } from '../platform/http.ts';
import type { CodesService } from '../codes/codes-service.ts';
import { renderLabelsPdf } from './labels-pdf.ts';
import { renderLabelsZpl } from './labels-zpl.ts';

// A PDF of more labels than this is better split: 2,000 labels ≈ 84 A4 pages, about a second to render.
const MAX_LABELS_PER_FILE = 2_000;
const Query = z.object({
  layout: z.enum(['a4', 'thermal']).default('a4'),
  kind: z.enum(['batch', 'item']).optional(),
  limit: z.coerce.number().int().min(1).max(MAX_LABELS_PER_FILE).default(500),
  dpi: z.coerce.number().pipe(z.union([z.literal(203), z.literal(300)])).default(203),
});
const WHO = ['platform-admin', 'operator-admin', 'operator-staff', 'printer'] as const;

/** Label files (PDF sheets, ZPL) for a batch's codes or a pool's codes; the codes service decides who may print. */
export function labelsRoutes(app: App, codes: Pick<CodesService, 'labelsFor'>) {
  for (const [source, param] of [['batches', 'batchId'], ['code-pools', 'poolId']] as const) {
    app.get(`/api/v1/${source}/:id/labels.pdf`, {
      config: { allow: WHO },
      schema: { tags: ['labels'], summary: '标签 PDF（A4 或 60×40 mm 热敏）/ label sheet PDF (A4 or 60×40 mm thermal)', params: z.object({ id: z.uuid() }), querystring: Query },
    }, async (req, reply) => {
      const labels = await codes.labelsFor(req.actor, { [param]: req.params.id, kind: req.query.kind, limit: req.query.limit });
      const pdf = await renderLabelsPdf(labels, req.query.layout);
      return reply.type('application/pdf').header('content-disposition', `inline; filename="labels-${req.params.id}-${req.query.layout}.pdf"`).send(pdf);
    });
    app.get(`/api/v1/${source}/:id/labels.zpl`, {
      config: { allow: WHO },
      schema: { tags: ['labels'], summary: '工业标签打印机 ZPL / ZPL for industrial label printers', params: z.object({ id: z.uuid() }), querystring: Query },
    }, async (req, reply) => {
      const labels = await codes.labelsFor(req.actor, { [param]: req.params.id, kind: req.query.kind, limit: req.query.limit });
      return reply.type('application/zpl; charset=utf-8').header('content-disposition', `attachment; filename="labels-${req.params.id}.zpl"`)
        .send(renderLabelsZpl(labels, { dpi: req.query.dpi as 203 | 300 }));
    });
  }
}
