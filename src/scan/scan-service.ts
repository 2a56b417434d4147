import type { Database } from '../platform/db.ts';
import { DomainError, notFound } from '../platform/errors.ts';
import type { CodesService } from '../codes/codes-service.ts';
import type { TraceTarget } from '../codes/codes-types.ts';
import { digitalLinkTarget, parseCodeOrThrow } from '../codes/codes-fns.ts';
import { parseCode } from '../codes/code-scheme.ts';
import { scanDal } from './scan-dal.ts';
import { CLONE_LOOKBACK_DAYS, coarse, consumerFacts, ipPrefix, saltedHash, suspectClone } from './scan-fns.ts';
import type { ScanClient, ScanInput, ScanOutcome, ScanResult, SuspectedClone } from './scan-types.ts';
import type { OpenRecall } from '../recall/recall-types.ts';

export interface ScanDeps {
  db: Database;
  codes: Pick<CodesService, 'publicOrigin'>;
  /** SUYUAN_NODE_ID: a well-formed code opening with another node id was issued there. */
  nodeId: string;
  /** SUYUAN_NODE_NAME, shown on the scan page. */
  nodeName: string;
  /** Open recall incidents covering a code, for the page's warning (src/recall). */
  recalls?: { openRecallsFor(codes: string[]): Promise<OpenRecall[]> };
}

/** Events read for one consumer view at most: a batch sold in many small sales still shows a short story. */
const MAX_EVENTS = 1000;
/** Scans read for the clone rule at most; far more than its thresholds need. */
const MAX_SCANS_READ = 5000;
/** A page may attach its location this long after the scan; later, the scan is closed. */
const LOCATION_WINDOW_MINUTES = 60;

const scanNotFound = () => notFound('SCAN_NOT_FOUND', '扫码记录不存在或已过期', 'No such scan, or it is too old to take a location');

/** What was scanned, as the scan log keys it: the code, or the Digital Link path of a lot. */
function logKey(t: TraceTarget): string {
  return t.by === 'lot' ? `01/${t.gtin}/10/${t.lot}` : t.code;
}

function rawInput(i: ScanInput): string {
  return i.by === 'code' ? i.code : i.by === 'lot' ? `01/${i.gtin}/10/${i.lot}` : `01/${i.gtin}/21/${i.serial}`;
}

/**
 * Consumer scans (扫码查询): what anyone who scans a trace code or a Digital Link may see (origin information only),
 * the scan log with hashed client details, the coarse location a page may add, and the clone rule for item codes.
 */
export function createScanService(deps: ScanDeps) {
  const { db, codes } = deps;
  let salt: Promise<string> | undefined;
  const saltOnce = () => (salt ??= scanDal(db.pool).salt().catch((e) => { salt = undefined; throw e; }));

  async function log(code: string, result: ScanResult, client: ScanClient, batchId: string | null = null): Promise<string> {
    const s = await saltOnce();
    return scanDal(db.pool).insertScan({
      code, result, batchId,
      uaHash: client.userAgent ? saltedHash(s, client.userAgent) : null,
      ipHash: client.ip ? saltedHash(s, ipPrefix(client.ip)) : null,
    });
  }

  /** The clone rule over an item code's recent scans; null for anything that is not an item code. */
  async function cloneCheck(code: string | null): Promise<SuspectedClone | null> {
    const parsed = code ? parseCode(code) : null;
    if (!parsed || typeof parsed === 'string' || parsed.kind !== 'item') return null;
    return suspectClone(await scanDal(db.pool).recentScans(parsed.code, CLONE_LOOKBACK_DAYS, MAX_SCANS_READ));
  }

  return {
    node: { id: deps.nodeId, name: deps.nodeName },

    /** Resolves one scan, records it in the scan log, and gathers what a consumer may see. */
    async scan(input: ScanInput, client: ScanClient): Promise<ScanOutcome> {
      let target: TraceTarget;
      try {
        target = input.by === 'code' ? { by: 'code', code: parseCodeOrThrow(input.code).code }
          : input.by === 'lot' ? digitalLinkTarget(input.gtin, '10', input.lot)
            : digitalLinkTarget(input.gtin, '21', input.serial);
      } catch (e) {
        if (!(e instanceof DomainError) || e.kind !== 'invalid') throw e;
        const raw = rawInput(input);
        await log(raw.slice(0, 64), 'malformed', client);
        return { result: 'malformed', input: raw, error: e };
      }
      const origin = await codes.publicOrigin(target);
      const { view } = origin;
      const code = target.by === 'lot' ? null : target.code;
      if (view.status === 'unknown') {
        if (code && origin.nodeId !== deps.nodeId) {
          const issuedBy = origin.nodeId!;
          await log(code, 'other_node', client);
          return {
            result: 'other_node', code, issuedBy,
            error: notFound('CODE_OTHER_NODE', `此码由平台节点 ${issuedBy} 签发，本平台没有它的记录`,
              `This code was issued by platform node ${issuedBy}; this node has no record of it`, { traceCode: code, issuedBy }),
          };
        }
        await log(logKey(target), 'unknown', client);
        return {
          result: 'unknown', code,
          error: notFound('CODE_UNKNOWN', '未查到此码，请核对标签上印的追溯码', 'No such trace code: check the code printed on the label',
            { traceCode: code, issuedBy: origin.nodeId }),
        };
      }
      const dal = scanDal(db.pool);
      // The reads do not depend on the scan log, so they run beside its insert on other pool connections; only
      // the clone rule, which reads the log, waits for it.
      const logged = log(logKey(target), view.status, client, origin.batchId);
      const [scanId, suspectedClone, [events, inputs, open]] = await Promise.all([
        logged,
        logged.then(() => cloneCheck(code)),
        (async () => {
          const keys = origin.batchId ? await dal.batchCodes(origin.batchId) : [];
          if (code && view.kind === 'item') keys.push(code);
          // A void label must not borrow the credibility of its batch's inspections and story: origin only.
          const withFacts = view.status !== 'void' && keys.length > 0;
          return Promise.all([
            withFacts ? dal.consumerEvents(keys, MAX_EVENTS) : [],
            withFacts ? dal.inputOrigins(keys) : [],
            keys.length && deps.recalls ? deps.recalls.openRecallsFor(keys) : [],
          ]);
        })(),
      ]);
      const facts = consumerFacts(events, origin.producerId, inputs);
      const recall = open.find((r) => r.action === 'recall') ?? open[0];
      return {
        result: view.status,
        view: { ...view, ...facts, suspectedClone, scanId, ...(recall ? { recall: { action: recall.action, since: recall.openedAt } } : {}) },
      };
    },

    /** Attaches the coarse location a page offers (rounded to 0.1°) to its recent scan; answers the clone rule anew. */
    async locate(scanId: string, lat: number, lng: number): Promise<{ suspectedClone: SuspectedClone | null }> {
      const code = await scanDal(db.pool).locate(scanId, coarse(lat), coarse(lng), LOCATION_WINDOW_MINUTES);
      if (!code) throw scanNotFound();
      return { suspectedClone: await cloneCheck(code) };
    },
  };
}
export type ScanService = ReturnType<typeof createScanService>;
