import { z } from 'zod';
import type { App } from '../platform/http.ts';
import type { QueryLogService } from './query-log.ts';

/** The query log: who read which trace data, for admins and for regulators over their jurisdiction. */
export function accessRoutes(app: App, queryLog: QueryLogService) {
  app.get('/api/v1/query-log', {
    config: { allow: ['platform-admin', 'regulator'] },
    schema: {
      tags: ['access'], summary: '查询日志 / the query log, newest first (page with `before`)',
      querystring: z.object({
        kind: z.string().max(40).optional(),
        since: z.iso.datetime({ offset: true }).optional(),
        before: z.string().regex(/^\d{1,18}$/).optional(),
        limit: z.coerce.number().int().min(1).max(1000).optional(),
      }),
    },
  }, async (req) => queryLog.list(req.actor, req.query));
}
