import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { ZodTypeProvider } from 'fastify-type-provider-zod';
import { type App, sendProblem } from '../platform/http.ts';
import { invalid } from '../platform/errors.ts';
import type { Role } from '../accounts/actor.ts';
import type { EpcisService } from './epcis-service.ts';
import { EVENT_QUERY_PARAMETERS, collection, negotiate } from './epcis-fns.ts';
import { EVENT_TYPES } from '../events/events-fns.ts';
import {
  CBV_VERSION, EPCIS_VERSION, MAX_PER_PAGE, SYNC_CAPTURE_MAX_BYTES, SYNC_CAPTURE_MAX_EVENTS, VALUE_RESOURCES, type EpcFormat, type ValueResource,
} from './epcis-types.ts';

const CAPTURE: readonly Role[] = ['platform-admin', 'operator-admin', 'operator-staff'];
const READ: readonly Role[] = ['platform-admin', 'regulator', 'operator-admin', 'operator-staff', 'printer'];
const TAGS = ['epcis'];
const CAPTURE_TYPES = ['application/json', 'application/ld+json', 'application/xml', 'text/xml'];

const Value = z.union([z.string(), z.array(z.string())]).optional();
const EventQuery = z.looseObject(Object.fromEntries(EVENT_QUERY_PARAMETERS.map((name) => [name, Value])));
const PageQuery = z.looseObject({ perPage: Value, nextPageToken: Value });
const QUERY_DOC = `EPCIS query parameters as in the GS1 EPCIS 2.0 REST binding; lists are pipe-separated (\`EQ_bizStep=shipping|receiving\`). `
  + `At most ${MAX_PER_PAGE} events per page (\`perPage\`, default 30); the next page is in the \`Link: <…>; rel="next"\` header. `
  + 'EPCs come back as GS1 Digital Links unless `GS1-EPC-Format: Never_Translates` (or No_Preference) asks for them as captured.';

// The binding's problem types (epcisException:…) by status; the 400 of a capture is a ValidationException.
function exceptionType(status: number, method: string): string {
  const byStatus: Record<number, string> = {
    400: method === 'POST' ? 'ValidationException' : 'QueryParameterException', 401: 'SecurityException', 403: 'SecurityException',
    404: 'NoSuchNameException', 406: 'NotAcceptableException', 409: 'ResourceAlreadyExistsException',
    413: method === 'POST' ? 'CaptureLimitExceededException' : 'QueryTooLargeException', 414: 'URITooLongException',
    415: 'UnsupportedMediaTypeException',
  };
  return `epcisException:${byStatus[status] ?? (status >= 500 ? 'ImplementationException' : 'ValidationException')}`;
}

/** The URL of the next page: this request's own, with the new token. */
function nextLink(req: FastifyRequest, token: string): string {
  const [path, search = ''] = req.url.split('?');
  const params = new URLSearchParams(search);
  params.set('nextPageToken', token);
  return `<${path}?${params.toString()}>; rel="next"`;
}

function paged<T>(reply: FastifyReply, req: FastifyRequest, next: { token: string; expires: Date } | undefined, body: T): T {
  if (next) reply.header('Link', nextLink(req, next.token)).header('GS1-Next-Page-Token-Expires', next.expires.toISOString());
  return body;
}

/**
 * The GS1 EPCIS 2.0 REST binding under /epcis: capture (JSON-LD and XML), capture jobs, and the event resources.
 * Named queries and subscriptions are not offered. The capture worker runs with the server.
 */
export function epcisRoutes(app: App, epcis: EpcisService) {
  app.addHook('onReady', async () => epcis.startWorker(app.log));
  app.addHook('onClose', async () => epcis.stopWorker());
  const { limits } = epcis;
  const captureHeaders = {
    'GS1-EPCIS-Capture-Limit': String(limits.events),
    'GS1-EPCIS-Capture-File-Size-Limit': String(limits.bytes),
  };
  const discoveryHeaders = {
    'GS1-EPCIS-Version': EPCIS_VERSION, 'GS1-EPCIS-Min': EPCIS_VERSION, 'GS1-EPCIS-Max': EPCIS_VERSION,
    'GS1-CBV-Version': CBV_VERSION, 'GS1-CBV-Min': CBV_VERSION, 'GS1-CBV-Max': CBV_VERSION,
    'GS1-EPC-Format': 'Always_GS1_Digital_Link', 'GS1-Vendor-Version': 'suyuan-0.1.0',
  };
  const negotiated = new WeakMap<FastifyRequest, { epcFormat: EpcFormat; ldJson: boolean }>();
  const format = (req: FastifyRequest) => negotiated.get(req)!.epcFormat;
  const json = (reply: FastifyReply, req: FastifyRequest) => reply.type(negotiated.get(req)!.ldJson ? 'application/ld+json' : 'application/json');

  app.register(async (plugin) => {
    const r = plugin.withTypeProvider<ZodTypeProvider>();

    // Capture bodies are read as text: the EPCIS parsers want the document as sent, JSON or XML.
    r.removeAllContentTypeParsers();
    r.addContentTypeParser(CAPTURE_TYPES, { parseAs: 'string', bodyLimit: limits.bytes }, (_req, body, done) => done(null, body));

    r.addHook('onRequest', async (req, reply) => {
      const n = negotiate(req.headers, req.method === 'POST');
      if (!n.ok) return sendProblem(reply, n.status, n.code, n.zh, n.en, { field: n.field });
      negotiated.set(req, n);
    });
    r.addHook('onSend', async (req, reply, payload) => {
      reply.header('GS1-EPCIS-Version', EPCIS_VERSION).header('GS1-CBV-Version', CBV_VERSION);
      if (req.routeOptions.url === '/epcis/capture') reply.headers(captureHeaders);
      if (!String(reply.getHeader('content-type') ?? '').startsWith('application/problem+json') || typeof payload !== 'string') return payload;
      return JSON.stringify({ ...JSON.parse(payload), type: exceptionType(reply.statusCode, req.method) });
    });

    const options = (url: string, allow: string, roles: readonly Role[], extra: Record<string, string> = {}) =>
      r.options(url, { config: { allow: roles }, schema: { tags: TAGS, summary: `发现 / discovery: ${url}` } },
        async (_req, reply) => reply.code(204).headers({ ...discoveryHeaders, Allow: allow, ...extra }).send());

    options('/', 'OPTIONS, GET', READ);
    r.get('/', {
      config: { allow: READ }, schema: { tags: TAGS, summary: 'EPCIS 顶层资源 / top-level resources' },
    }, async (req, reply) => json(reply, req).send(collection(['capture', 'events', 'eventTypes', 'bizSteps', 'bizLocations', 'readPoints', 'dispositions'])));

    // ---- capture -------------------------------------------------------------------------------
    // Captures take EPCs in any form, so the capture endpoint announces No_Preference.
    options('/capture', 'OPTIONS, POST, GET', CAPTURE, { ...captureHeaders, 'GS1-Capture-Error-Behaviour': 'all', 'GS1-EPC-Format': 'No_Preference' });
    r.post('/capture', {
      config: { allow: CAPTURE },
      schema: {
        tags: TAGS, consumes: CAPTURE_TYPES,
        summary: 'EPCIS 采集 / capture an EPCIS document (JSON-LD or XML)',
        description: `Answers 202 with the capture job in \`Location\` and in the body. Documents of up to ${SYNC_CAPTURE_MAX_EVENTS} events and ${SYNC_CAPTURE_MAX_BYTES} bytes are captured before `
          + `the answer (the job is finished, \`events\` says what became of each); larger ones are queued. At most ${limits.events} events `
          + `and ${limits.bytes} bytes per capture (413 above). \`GS1-Capture-Error-Behaviour: rollback\` (default) stores all or nothing; `
          + '`proceed` stores the good events and lists the bad ones. Malformed or schema-invalid documents are refused whole (400).',
        headers: z.looseObject({ 'gs1-capture-error-behaviour': z.string().optional() }),
      },
    }, async (req, reply) => {
      const given = req.headers['gs1-capture-error-behaviour'];
      const behaviour = (Array.isArray(given) ? given[0] : given ?? 'rollback').trim().toLowerCase();
      if (behaviour !== 'rollback' && behaviour !== 'proceed') {
        throw invalid('EPCIS_CAPTURE_ERROR_BEHAVIOUR_INVALID', 'GS1-Capture-Error-Behaviour 只能是 rollback 或 proceed',
          'GS1-Capture-Error-Behaviour must be rollback or proceed', { field: 'GS1-Capture-Error-Behaviour' });
      }
      const mediaType = (req.headers['content-type'] ?? '').split(';')[0].trim().toLowerCase();
      const text = typeof req.body === 'string' ? req.body : '';
      const out = await epcis.capture(req.actor, {
        text, format: mediaType.endsWith('xml') ? 'xml' : 'json', bytes: Buffer.byteLength(text), errorBehaviour: behaviour,
      });
      return reply.code(202).header('Location', `/epcis/capture/${out.job.captureID}`).send({ ...out.job, ...(out.events ? { events: out.events } : {}) });
    });
    r.get('/capture', {
      config: { allow: CAPTURE }, schema: { tags: TAGS, summary: '采集任务列表 / capture jobs', querystring: PageQuery },
    }, async (req, reply) => {
      const { jobs, next } = await epcis.jobs(req.actor, req.query);
      return paged(reply, req, next, jobs);
    });
    options('/capture/:captureID', 'OPTIONS, GET', CAPTURE);
    r.get('/capture/:captureID', {
      config: { allow: CAPTURE },
      schema: { tags: TAGS, summary: '采集任务状态 / a capture job', params: z.object({ captureID: z.string() }) },
    }, async (req) => epcis.job(req.actor, req.params.captureID));

    // ---- events --------------------------------------------------------------------------------
    options('/events', 'OPTIONS, GET', READ);
    r.get('/events', {
      config: { allow: READ },
      schema: { tags: TAGS, summary: '查询事件 / query events (EPCISQueryDocument)', description: QUERY_DOC, querystring: EventQuery },
    }, async (req, reply) => {
      const { document, next } = await epcis.queryEvents(req.actor, req.query, 'events', format(req));
      return json(reply, req).send(paged(reply, req, next, document));
    });
    options('/events/:eventID', 'OPTIONS, GET', READ);
    r.get('/events/:eventID', {
      config: { allow: READ },
      schema: {
        tags: TAGS, summary: '单个事件 / one event by its eventID (URL-encoded) or CBV hash ID',
        params: z.object({ eventID: z.string().min(1) }), querystring: z.strictObject({}),
      },
    }, async (req, reply) => json(reply, req).send(await epcis.event(req.actor, req.params.eventID, format(req))));

    options('/eventTypes', 'OPTIONS, GET', READ);
    r.get('/eventTypes', {
      config: { allow: READ }, schema: { tags: TAGS, summary: '事件类型 / event types' },
    }, async (req, reply) => json(reply, req).send(epcis.eventTypes(req.actor, req.query as Record<string, unknown>)));
    options('/eventTypes/:eventType', 'OPTIONS, GET', READ);
    r.get('/eventTypes/:eventType', {
      config: { allow: READ },
      schema: { tags: TAGS, summary: '事件类型的子资源 / sub-resources of an event type', params: z.object({ eventType: z.string() }) },
    }, async (req, reply) => {
      if (!(EVENT_TYPES as readonly string[]).includes(req.params.eventType)) {
        return sendProblem(reply, 404, 'EPCIS_EVENT_TYPE_NOT_FOUND', `没有事件类型 ${req.params.eventType}`, `No event type ${req.params.eventType}`, { field: 'eventType' });
      }
      return json(reply, req).send(collection(['events']));
    });

    const listings: Array<[string, (req: FastifyRequest & { query: Record<string, unknown> }) => Promise<{ document: object; next?: { token: string; expires: Date } }>]> = [
      ['/bizSteps', async (req) => ({ document: await epcis.bizSteps(req.actor, req.query) })],
      ['/dispositions', async (req) => ({ document: await epcis.dispositions(req.actor, req.query) })],
      ['/readPoints', (req) => epcis.readPoints(req.actor, req.query)],
      ['/bizLocations', (req) => epcis.bizLocations(req.actor, req.query)],
    ];
    for (const [url, list] of listings) {
      options(url, 'OPTIONS, GET', READ);
      r.get(url, {
        config: { allow: READ }, schema: { tags: TAGS, summary: `已知取值 / known values: ${url.slice(1)}`, querystring: PageQuery },
      }, async (req, reply) => {
        const { document, next } = await list(req);
        return json(reply, req).send(paged(reply, req, next, document));
      });
    }

    // {resource}/{value}/events: the event query with the value as one more condition.
    const PATH_PARAM: Record<ValueResource, string> = {
      eventTypes: 'eventType', epcs: 'epc', bizSteps: 'bizStep', bizLocations: 'bizLocation', readPoints: 'readPoint', dispositions: 'disposition',
    };
    for (const [resource, queryParam] of Object.entries(VALUE_RESOURCES) as Array<[ValueResource, string]>) {
      const name = PATH_PARAM[resource];
      const url = `/${resource}/:${name}/events`;
      options(url, 'OPTIONS, GET', READ);
      r.get(url, {
        config: { allow: READ },
        schema: {
          tags: TAGS, summary: `按 ${name} 查询事件 / events by ${name} (URL-encoded)`, description: QUERY_DOC,
          params: z.object({ [name]: z.string().min(1) }), querystring: EventQuery,
        },
      }, async (req, reply) => {
        const value = (req.params as Record<string, string>)[name];
        const { document, next } = await epcis.queryEvents(req.actor, req.query, `${resource}/{${name}}/events`, format(req), { name: queryParam, value });
        return json(reply, req).send(paged(reply, req, next, document));
      });
    }
  }, { prefix: '/epcis' });
}
