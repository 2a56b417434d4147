import type { Database } from '../platform/db.ts';
import type { Config } from '../platform/config.ts';
import { createAccountsService } from '../accounts/accounts-service.ts';
import { createRegistryService } from '../registry/registry-service.ts';
import { createCatalogService } from '../catalog/catalog-service.ts';
import { createCodesService } from '../codes/codes-service.ts';
import { createBatchesService } from '../batches/batches-service.ts';

/** Builds every service from its explicit dependencies. No container: each capability wires itself here in a line or two. */
export function createServices(db: Database, config: Config) {
  const accounts = createAccountsService({ db, sessionSecret: config.SUYUAN_SESSION_SECRET });
  const registry = createRegistryService({ db, accounts });
  const catalog = createCatalogService({ db });
  const codes = createCodesService({ db, nodeId: config.SUYUAN_NODE_ID, publicUrl: config.publicUrl });
  const batches = createBatchesService({ db, codes });
  return { accounts, registry, catalog, codes, batches };
}
export type Services = ReturnType<typeof createServices>;
