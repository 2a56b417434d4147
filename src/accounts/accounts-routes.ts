import { z } from 'zod';
import { SIGNED_IN } from './actor.ts';
import type { App } from '../platform/http.ts';
import type { AccountsService } from './accounts-service.ts';

const NewUser = z.object({
  username: z.string().min(3).max(64),
  password: z.string().min(8).max(200),
  displayName: z.string().min(1).max(100),
  role: z.enum(['platform-admin', 'regulator', 'operator-admin', 'operator-staff', 'printer']),
  operatorId: z.uuid().nullish(),
  jurisdiction: z.string().regex(/^\d{6}$/).nullish(),
});

/** Login, users and API keys. */
export function accountsRoutes(app: App, accounts: AccountsService) {
  app.post('/api/v1/auth/login', {
    config: { allow: ['public'] },
    schema: { tags: ['accounts'], summary: '登录 / sign in', body: z.object({ username: z.string().min(1), password: z.string().min(1) }) },
  }, async (req) => accounts.login(req.body.username, req.body.password));

  app.get('/api/v1/auth/me', {
    config: { allow: SIGNED_IN },
    schema: { tags: ['accounts'], summary: '当前账号 / who am I' },
  }, async (req) => accounts.me(req.actor));

  app.get('/api/v1/users', {
    config: { allow: ['platform-admin', 'operator-admin'] },
    schema: { tags: ['accounts'], summary: '账号列表 / list users' },
  }, async (req) => ({ items: await accounts.listUsers(req.actor) }));

  app.post('/api/v1/users', {
    config: { allow: ['platform-admin', 'operator-admin'] },
    schema: { tags: ['accounts'], summary: '新建账号 / create a user', body: NewUser },
  }, async (req, reply) => reply.code(201).send(await accounts.createUser(req.actor, req.body)));

  app.post('/api/v1/users/:id/disable', {
    config: { allow: ['platform-admin', 'operator-admin'] },
    schema: { tags: ['accounts'], summary: '停用账号 / disable a user', params: z.object({ id: z.uuid() }) },
  }, async (req) => accounts.setUserActive(req.actor, req.params.id, false));

  app.post('/api/v1/users/:id/enable', {
    config: { allow: ['platform-admin', 'operator-admin'] },
    schema: { tags: ['accounts'], summary: '启用账号 / enable a user', params: z.object({ id: z.uuid() }) },
  }, async (req) => accounts.setUserActive(req.actor, req.params.id, true));

  app.get('/api/v1/operators/:id/api-keys', {
    config: { allow: ['platform-admin', 'operator-admin'] },
    schema: { tags: ['accounts'], summary: 'API 密钥列表 / list API keys', params: z.object({ id: z.uuid() }) },
  }, async (req) => ({ items: await accounts.listApiKeys(req.actor, req.params.id) }));

  app.post('/api/v1/operators/:id/api-keys', {
    config: { allow: ['platform-admin', 'operator-admin'] },
    schema: { tags: ['accounts'], summary: '签发 API 密钥（只显示一次）/ issue an API key (shown once)', params: z.object({ id: z.uuid() }), body: z.object({ name: z.string().min(1).max(100) }) },
  }, async (req, reply) => reply.code(201).send(await accounts.createApiKey(req.actor, req.params.id, req.body.name)));

  app.post('/api/v1/api-keys/:keyId/revoke', {
    config: { allow: ['platform-admin', 'operator-admin'] },
    schema: { tags: ['accounts'], summary: '撤销 API 密钥 / revoke an API key', params: z.object({ keyId: z.uuid() }) },
  }, async (req) => accounts.revokeApiKey(req.actor, req.params.keyId));
}
