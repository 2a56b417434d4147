import type { Database } from '../platform/db.ts';
import type { Config } from '../platform/config.ts';
import { createAccountsService } from '../accounts/accounts-service.ts';
import { createRegistryService } from '../registry/registry-service.ts';

/** Builds every service from its explicit dependencies. No container: each capability wires itself here in a line or two. */
export function createServices(db: Database, config: Config) {
  const accounts = createAccountsService({ db, sessionSecret: config.SUYUAN_SESSION_SECRET });
  const registry = createRegistryService({ db, accounts });
  return { accounts, registry };
}
export type Services = ReturnType<typeof createServices>;
