import { prepared, type Queryable } from '../platform/db.ts';
import { declaredErroneousSql } from '../events/events-dal.ts';
import type { ConsumerEventRow, InputOrigin } from './scan-fns.ts';
import type { ScanFact, ScanResult } from './scan-types.ts';

/** Steps whose events can feed the consumer view; everything else (inputs applied, packing, …) is never read. */
const CONSUMER_STEPS = ['commissioning', 'shipping', 'receiving', 'retail_selling', 'urn:suyuan:bizstep:selling', 'inspecting', 'urn:suyuan:bizstep:certifying'];

/** Data access for the scan log and for the consumer-safe reads of the scanned batch's events. */
export function scanDal(q: Queryable) {
  return {
    /** The per-node salt of the scan hashes (set by migration 0009). */
    async salt(): Promise<string> {
      return (await q.query<{ value: string }>(`SELECT value FROM node_settings WHERE key = 'scan.salt'`)).rows[0].value;
    },
    /** Logs a scan; `batchId` is the lot of what was scanned, as the scan resolved it (null when it resolved none). */
    async insertScan(s: { code: string; result: ScanResult; uaHash: string | null; ipHash: string | null; batchId: string | null }): Promise<string> {
      return (await q.query<{ id: string }>(
        'INSERT INTO scans (code, result, ua_hash, ip_hash, batch_id) VALUES ($1, $2, $3, $4, $5) RETURNING id',
        [s.code, s.result, s.uaHash, s.ipHash, s.batchId],
      )).rows[0].id;
    },
    /** Attaches a coarse location to a recent scan that has none yet; returns its code, or undefined. */
    async locate(id: string, lat: number, lng: number, maxAgeMinutes: number): Promise<string | undefined> {
      return (await q.query<{ code: string }>(
        `UPDATE scans SET lat = $2, lng = $3, located_at = now()
          WHERE id = $1 AND lat IS NULL AND at > now() - make_interval(mins => $4) RETURNING code`,
        [id, lat, lng, maxAgeMinutes],
      )).rows[0]?.code;
    },
    /** A code's scans of the last `days` days, newest `limit` at most. */
    async recentScans(code: string, days: number, limit: number): Promise<ScanFact[]> {
      const rows = (await q.query<{ at: Date; lat: string | null; lng: string | null; ua_hash: string | null }>(
        `SELECT at, lat, lng, ua_hash FROM scans WHERE code = $1 AND at > now() - make_interval(days => $2) ORDER BY at DESC LIMIT $3`,
        [code, days, limit],
      )).rows;
      return rows.map((r) => ({ at: r.at, lat: r.lat === null ? null : Number(r.lat), lng: r.lng === null ? null : Number(r.lng), uaHash: r.ua_hash }));
    },
    /** The batch codes of a batch (the one issued with it and any activated from a pool). */
    async batchCodes(batchId: string): Promise<string[]> {
      return (await q.query<{ code: string }>(`SELECT code FROM codes WHERE batch_id = $1 AND kind = 'batch'`, [batchId])).rows.map((r) => r.code);
    },
    /** Events naming any of the keys that can feed the consumer view, oldest first, with the roles the keys play. */
    async consumerEvents(keys: string[], limit: number): Promise<ConsumerEventRow[]> {
      const rows = (await q.query<{
        event_type: string; biz_step: string | null; disposition: string | null; event_time: Date; division_code: string | null;
        operator_id: string | null; body: any; roles: string[]; site_kind: string | null;
      }>(prepared(
        // The kind of the event's site (bizLocation urn:suyuan:site:{uuid}) comes along, saving a round trip.
        `SELECT e.event_type, e.biz_step, e.disposition, e.event_time, e.division_code, e.operator_id, e.body,
                array_agg(DISTINCT i.role::text) AS roles,
                (SELECT s.kind FROM sites s
                  WHERE s.id = CASE WHEN e.biz_location ~ '^urn:suyuan:site:[0-9a-f-]{36}$' THEN substring(e.biz_location from 17)::uuid END) AS site_kind
           FROM event_ids i JOIN events e ON e.seq = i.seq
          WHERE i.key = ANY($1)
            AND (e.event_type = 'TransformationEvent' OR e.biz_step = ANY($2) OR e.body ? 'certificationInfo' OR e.body ? 'sy:certificates')
            -- An event declared erroneous (EPCIS errorDeclaration, at capture or later) must not shape the origin shown.
            AND NOT ${declaredErroneousSql('e')}
          GROUP BY e.seq
          ORDER BY e.event_time, e.seq
          LIMIT $3`,
        [keys, CONSUMER_STEPS, limit],
      ))).rows;
      return rows.map((r) => ({
        eventType: r.event_type, bizStep: r.biz_step, disposition: r.disposition, eventTime: r.event_time, divisionCode: r.division_code,
        operatorId: r.operator_id, roles: r.roles, body: r.body, siteKind: r.site_kind,
      }));
    },
    /** The batches that transformations turned into the keys (processing, mixing, repacking): origin division and date only. */
    async inputOrigins(keys: string[]): Promise<InputOrigin[]> {
      return (await q.query<{ division_code: string; produced_on: string }>(prepared(
        `SELECT DISTINCT s.division_code, b.produced_on
           FROM event_ids o
           JOIN event_ids i ON i.seq = o.seq AND i.role IN ('i', 'j')
           JOIN events e ON e.seq = o.seq
           JOIN codes c ON c.code = i.key::bpchar
           JOIN batches b ON b.id = c.batch_id
           JOIN sites s ON s.id = b.site_id
          WHERE o.key = ANY($1) AND o.role IN ('o', 'k') AND NOT ${declaredErroneousSql('e')}
          ORDER BY b.produced_on, s.division_code`,
        [keys],
      ))).rows.map((r) => ({ divisionCode: r.division_code, producedOn: r.produced_on }));
    },
  };
}
