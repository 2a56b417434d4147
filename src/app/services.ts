import type { Database } from '../platform/db.ts';
import type { Config } from '../platform/config.ts';
import { createAccountsService } from '../accounts/accounts-service.ts';
import { createRegistryService } from '../registry/registry-service.ts';
import { createCatalogService } from '../catalog/catalog-service.ts';
import { createCodesService } from '../codes/codes-service.ts';
import { createBatchesService } from '../batches/batches-service.ts';
import { captureInTx } from '../events/events-service.ts';
import { createRecordsService } from '../records/records-service.ts';
import { createLedgersService } from '../ledgers/ledgers-service.ts';
import { createScanService } from '../scan/scan-service.ts';
import { createTraceService } from '../trace/trace-service.ts';
import { createQueryLogService } from '../access/query-log.ts';
import { createEpcisService } from '../epcis/epcis-service.ts';
import { createRiskService } from '../risk/risk-service.ts';
import { createRecallService } from '../recall/recall-service.ts';
import { createComplaintsService } from '../complaints/complaints-service.ts';
import { createDashboardService } from '../dashboard/dashboard-service.ts';
import { createGeoService } from '../geo/geo-service.ts';

/** Builds every service from its explicit dependencies. No container: each capability wires itself here in a line or two. */
export function createServices(db: Database, config: Config) {
  const accounts = createAccountsService({ db, sessionSecret: config.SUYUAN_SESSION_SECRET });
  const registry = createRegistryService({ db, accounts });
  const catalog = createCatalogService({ db });
  const codes = createCodesService({ db, nodeId: config.SUYUAN_NODE_ID, publicUrl: config.publicUrl });
  const batches = createBatchesService({ db, codes, capture: captureInTx });
  const records = createRecordsService({ db, batches, capture: captureInTx });
  const ledgers = createLedgersService({ db, records });
  const trace = createTraceService({ db, codes });
  const queryLog = createQueryLogService({ db });
  const recall = createRecallService({ db, capture: captureInTx, publicUrl: config.publicUrl, allowPrivateWebhooks: config.SUYUAN_WEBHOOK_ALLOW_PRIVATE });
  const scan = createScanService({ db, codes, nodeId: config.SUYUAN_NODE_ID, nodeName: config.SUYUAN_NODE_NAME, recalls: recall });
  const epcis = createEpcisService({
    db, capture: captureInTx, limits: { events: config.SUYUAN_EPCIS_CAPTURE_LIMIT, bytes: config.SUYUAN_EPCIS_CAPTURE_FILE_SIZE_LIMIT },
  });
  const risk = createRiskService({ db, scheduleMinutes: config.SUYUAN_RISK_SCHEDULE_MINUTES, incidents: recall });
  const complaints = createComplaintsService({ db });
  const dashboard = createDashboardService({ db });
  const geo = createGeoService();
  return { accounts, registry, catalog, codes, batches, records, ledgers, trace, queryLog, scan, epcis, risk, recall, complaints, dashboard, geo };
}
export type Services = ReturnType<typeof createServices>;
