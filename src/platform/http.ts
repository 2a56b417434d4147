import Fastify, { type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import fastifySwagger from '@fastify/swagger';
import fastifySwaggerUI from '@fastify/swagger-ui';
import fastifyMultipart from '@fastify/multipart';
import {
  type ZodTypeProvider, jsonSchemaTransform, serializerCompiler, validatorCompiler, hasZodFastifySchemaValidationErrors,
} from 'fastify-type-provider-zod';
import type { Logger } from 'pino';
import { DomainError, type ErrorKind } from './errors.ts';
import { type Actor, type Role, PUBLIC } from '../accounts/actor.ts';

declare module 'fastify' {
  interface FastifyRequest { actor: Actor }
  interface FastifyInstance { declaredRoutes: DeclaredRoute[] }
  interface FastifyContextConfig {
    /** Roles that may call this route; 'public' admits anonymous callers. Required on every route. */
    allow?: readonly Role[];
  }
}

/** A route and the roles it admits, as declared; the permission test walks these. */
export interface DeclaredRoute { method: string; url: string; allow: readonly Role[] }

export type App = FastifyInstance<any, any, any, Logger, ZodTypeProvider>;

const STATUS: Record<ErrorKind, number> = {
  invalid: 400, unauthenticated: 401, forbidden: 403, not_found: 404, conflict: 409, too_large: 413, too_many: 429,
};

/** Writes an RFC 9457 problem+json response. */
export function sendProblem(reply: FastifyReply, status: number, code: string, zh: string, en: string, extra: Record<string, unknown> = {}) {
  return reply
    .code(status)
    .type('application/problem+json; charset=utf-8')
    // Details never override the standard members (a detail named `status` once turned 409 into "suspended").
    .send({ ...extra, type: `urn:suyuan:problem:${code}`, title: en, status, code, detail: zh, message: { zh, en }, instance: reply.request.url });
}

export interface HttpOptions {
  logger: Logger;
  resolveActor: (req: FastifyRequest) => Promise<Actor>;
  nodeName: string;
  bodyLimit?: number;
}

/** Builds the Fastify instance: zod validation, OpenAPI at /openapi.json, docs at /docs, one error mapping, auth. */
export async function createHttp(opts: HttpOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: opts.logger,
    bodyLimit: opts.bodyLimit ?? 10 * 1024 * 1024,
    trustProxy: true,
    // EPCIS event IDs (ni:///sha-256;…) and Digital Link EPCs travel URL-encoded as one path parameter.
    routerOptions: { maxParamLength: 2048 },
  }).withTypeProvider<ZodTypeProvider>();
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  // Every route must say who may call it.
  const declared: DeclaredRoute[] = [];
  app.decorate('declaredRoutes', declared);
  app.addHook('onRoute', (route) => {
    const allow = route.config?.allow;
    if (!allow && !route.url.startsWith('/docs')) throw new Error(`route ${route.method} ${route.url} declares no 'allow' roles`);
    if (allow) for (const m of [route.method].flat()) if (m !== 'HEAD') declared.push({ method: m, url: route.url, allow });
    if (allow && route.schema) {
      const who = allow.join(', ');
      route.schema = { ...route.schema, description: `${route.schema.description ?? ''}\n\n允许 / allowed: ${who}`.trim() };
    }
  });

  await app.register(fastifySwagger, {
    openapi: {
      openapi: '3.1.0',
      info: { title: 'Suyuan 溯源 API', version: '0.1.0', description: `${opts.nodeName}. Errors are application/problem+json (RFC 9457) with a stable \`code\` and messages in Chinese and English.` },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
          apiKey: { type: 'apiKey', in: 'header', name: 'X-Api-Key' },
        },
      },
      security: [{ bearer: [] }, { apiKey: [] }],
    },
    transform: jsonSchemaTransform,
  });
  await app.register(fastifySwaggerUI, { routePrefix: '/docs' });
  await app.register(fastifyMultipart, { limits: { fileSize: 50 * 1024 * 1024, files: 1 } });
  app.get('/openapi.json', { config: { allow: ['public'] }, schema: { hide: true } }, async () => app.swagger());

  app.decorateRequest('actor', null as unknown as Actor);
  app.addHook('onRequest', async (req, reply) => {
    if (req.url.startsWith('/docs')) { req.actor = PUBLIC; return; }
    try {
      req.actor = await opts.resolveActor(req);
    } catch (e) {
      if (e instanceof DomainError) return sendProblem(reply, STATUS[e.kind], e.code, e.zh, e.en);
      throw e;
    }
    const allow = req.routeOptions.config?.allow;
    if (allow && !allow.includes('public') && !allow.includes(req.actor.role)) {
      return req.actor.role === 'public'
        ? sendProblem(reply, 401, 'AUTH_REQUIRED', '请先登录', 'Please sign in first')
        : sendProblem(reply, 403, 'FORBIDDEN', '无权执行此操作', 'You are not allowed to do this');
    }
  });

  app.setNotFoundHandler((req, reply) => sendProblem(reply, 404, 'ROUTE_NOT_FOUND', '没有这个接口', `No route ${req.method} ${req.url.split('?')[0]}`));

  app.setErrorHandler((err: any, req, reply) => {
    if (err instanceof DomainError) {
      if (err.kind === 'too_many') reply.header('retry-after', String(err.details.retryAfterSeconds));
      return sendProblem(reply, STATUS[err.kind], err.code, err.zh, err.en, err.details);
    }
    if (hasZodFastifySchemaValidationErrors(err)) {
      const errors = err.validation.map((v) => {
        const where = (v.instancePath || '').replace(/^\//, '').replace(/\//g, '.');
        return { field: [err.validationContext, where].filter(Boolean).join('.'), message: v.message };
      });
      const first = errors[0]?.field ?? '';
      return sendProblem(reply, 400, 'VALIDATION_FAILED', `请求数据不符合要求：${first}`, `Request does not match the schema: ${first}`, { errors, field: first });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return sendProblem(reply, 413, 'BODY_TOO_LARGE', '请求体过大', 'Request body is too large');
    }
    if (err.code === 'FST_REQ_FILE_TOO_LARGE') {
      return sendProblem(reply, 413, 'FILE_TOO_LARGE', '上传文件过大', 'Uploaded file is too large');
    }
    if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) {
      const code = err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ? 'UNSUPPORTED_MEDIA_TYPE'
        : err.code?.startsWith?.('FST_ERR_CTP') || err instanceof SyntaxError ? 'MALFORMED_BODY' : 'BAD_REQUEST';
      return sendProblem(reply, err.statusCode, code, '请求格式错误', `Bad request: ${err.message}`);
    }
    req.log.error({ err }, 'unhandled error');
    return sendProblem(reply, 500, 'INTERNAL', '服务器内部错误', 'Internal server error');
  });
  return app;
}
