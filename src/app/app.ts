import type { FastifyRequest } from 'fastify';
import type { Config } from '../platform/config.ts';
import type { Database } from '../platform/db.ts';
import type { Logger } from '../platform/logger.ts';
import { createHttp, type App } from '../platform/http.ts';
import { PUBLIC, type Actor } from '../accounts/actor.ts';
import { createServices, type Services } from './services.ts';
import { accountsRoutes } from '../accounts/accounts-routes.ts';
import { registryRoutes } from '../registry/registry-routes.ts';
import { registryImportRoutes } from '../registry/registry-import-routes.ts';
import { catalogRoutes } from '../catalog/catalog-routes.ts';
import { batchesRoutes } from '../batches/batches-routes.ts';
import { codesRoutes } from '../codes/codes-routes.ts';
import { recordsRoutes } from '../records/records-routes.ts';
import { ledgersRoutes } from '../ledgers/ledgers-routes.ts';
import { scanRoutes } from '../scan/scan-routes.ts';
import { traceRoutes } from '../trace/trace-routes.ts';
import { accessRoutes } from '../access/access-routes.ts';
import { labelsRoutes } from '../labels/labels-routes.ts';
import { epcisRoutes } from '../epcis/epcis-routes.ts';
import { riskRoutes } from '../risk/risk-routes.ts';
import { recallRoutes } from '../recall/recall-routes.ts';
import { complaintsRoutes } from '../complaints/complaints-routes.ts';
import { dashboardRoutes } from '../dashboard/dashboard-routes.ts';
import { geoRoutes } from '../geo/geo-routes.ts';
import { webRoutes } from '../web/web-routes.ts';
import { nodeRoutes } from '../node/node-routes.ts';

/** The version reported by the API and the node identity. */
const APP_VERSION = '0.2.0';

/** Resolves the caller from `Authorization: Bearer <session>` or `X-Api-Key` / `Authorization: ApiKey <key>`. */
function actorResolver(services: Services) {
  return async (req: FastifyRequest): Promise<Actor> => {
    const auth = req.headers.authorization;
    const apiKey = req.headers['x-api-key'];
    if (typeof apiKey === 'string' && apiKey) return services.accounts.actorFromApiKey(apiKey);
    if (auth?.startsWith('ApiKey ')) return services.accounts.actorFromApiKey(auth.slice(7).trim());
    if (auth?.startsWith('Bearer ')) return services.accounts.actorFromToken(auth.slice(7).trim());
    return PUBLIC;
  };
}

/** The whole HTTP application: services plus each capability's routes. */
export async function buildApp(deps: { db: Database; config: Config; logger: Logger }): Promise<{ app: App; services: Services }> {
  const services = createServices(deps.db, deps.config);
  const app = await createHttp({ logger: deps.logger, resolveActor: actorResolver(services), nodeName: deps.config.SUYUAN_NODE_NAME });
  app.get('/healthz', { config: { allow: ['public'] }, schema: { hide: true } }, async () => {
    await deps.db.pool.query('SELECT 1');
    return { ok: true, node: deps.config.SUYUAN_NODE_ID };
  });
  accountsRoutes(app, services.accounts);
  registryRoutes(app, services.registry);
  registryImportRoutes(app, { db: deps.db, registry: services.registry });
  catalogRoutes(app, services.catalog);
  batchesRoutes(app, services.batches);
  codesRoutes(app, services.codes);
  recordsRoutes(app, services.records);
  ledgersRoutes(app, services.ledgers);
  scanRoutes(app, services.scan);
  traceRoutes(app, services.trace);
  accessRoutes(app, services.queryLog);
  labelsRoutes(app, services.codes);
  epcisRoutes(app, services.epcis);
  riskRoutes(app, services.risk);
  recallRoutes(app, services.recall);
  complaintsRoutes(app, services.complaints);
  dashboardRoutes(app, services.dashboard);
  geoRoutes(app, services.geo);
  nodeRoutes(app, { db: deps.db, nodeId: deps.config.SUYUAN_NODE_ID, nodeName: deps.config.SUYUAN_NODE_NAME, publicUrl: deps.config.publicUrl, version: APP_VERSION });
  await webRoutes(app);
  return { app, services };
}
