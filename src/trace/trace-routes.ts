import { z } from 'zod';
import { SIGNED_IN } from '../accounts/actor.ts';
import type { App } from '../platform/http.ts';
import type { TraceService } from './trace-service.ts';
import { TRACE_DIRECTIONS } from './trace-types.ts';


/** The lineage graph of a code and single events, for regulators and operators (consumers get the origin view instead). */
export function traceRoutes(app: App, trace: TraceService) {
  app.get('/api/v1/trace', {
    config: { allow: SIGNED_IN },
    schema: {
      tags: ['trace'],
      summary: '追溯链 / the lineage graph of a code: nodes, edges and events, backward, forward or both',
      description: 'code: a trace code, a scan URL, urn:suyuan:code:…, a GS1 Digital Link or a foreign EPC. Only events the caller may see are followed.',
      querystring: z.object({ code: z.string().min(1).max(2048), direction: z.enum(TRACE_DIRECTIONS).default('both') }),
    },
  }, async (req) => trace.trace(req.actor, req.query));

  app.get('/api/v1/events/:eventID', {
    config: { allow: SIGNED_IN },
    schema: {
      tags: ['trace'], summary: '事件 / one event by its eventID (percent-encoded)',
      params: z.object({ eventID: z.string().min(1).max(2048) }),
    },
  }, async (req) => trace.event(req.actor, req.params.eventID));
}
