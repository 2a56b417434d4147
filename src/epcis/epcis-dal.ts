import type { Queryable } from '../platform/db.ts';
import type { CaptureError } from '../events/events-service.ts';
import type { EpcisEvent } from '../events/events-fns.ts';
import { currentBodySql, declaredErroneousSql } from '../events/events-dal.ts';
import type { EventFilter } from './epcis-fns.ts';

export interface CaptureJobRow {
  id: string; status: 'queued' | 'running' | 'succeeded' | 'failed'; error_behaviour: 'rollback' | 'proceed';
  actor_id: string | null; actor_role: string; operator_id: string | null;
  document: { events: EpcisEvent[]; ignoreFields?: string[] } | null; context: unknown;
  event_count: number; stored: number; duplicates: number; declared: number; errors: CaptureError[];
  created_at: Date; finished_at: Date | null;
  /** created_at at full (microsecond) precision, for listing cursors. */
  created_key: string;
}

export interface StoredEventRow { seq: string; body: EpcisEvent; record_time: Date; context: unknown }

/** SQL for a filter: conditions joined by AND, with their parameters numbered after `params`. */
function filterSql(f: EventFilter, params: unknown[]): string[] {
  const p = (v: unknown) => { params.push(v); return `$${params.length}`; };
  const where: string[] = [];
  const anyOf = (column: string, values?: string[]) => { if (values) where.push(`${column} = ANY(${p(values)}::text[])`); };
  anyOf('e.event_type', f.eventTypes);
  anyOf('e.action', f.actions);
  anyOf('e.biz_step', f.bizSteps);
  anyOf('e.disposition', f.dispositions);
  anyOf('e.read_point', f.readPoints);
  anyOf('e.biz_location', f.bizLocations);
  anyOf('e.event_id', f.eventIds);
  anyOf(`e.body->>'transformationID'`, f.transformationIds);
  // The error declaration an event has now: recorded after its capture (0013), else the one it was captured with.
  const declaration = `${currentBodySql('e')}->'errorDeclaration'`;
  anyOf(`${declaration}->>'reason'`, f.errorReasons);
  const within = (column: string, r: { ge?: string; lt?: string }) => {
    if (r.ge) where.push(`${column} >= ${p(r.ge)}::timestamptz`);
    if (r.lt) where.push(`${column} < ${p(r.lt)}::timestamptz`);
  };
  within('e.event_time', f.eventTime);
  within('e.record_time', f.recordTime);
  within(`(${declaration}->>'declarationTime')::timestamptz`, f.errorTime);
  const anyElement = (path: string, values?: string[]) => { if (values) where.push(`jsonb_exists_any(${path}, ${p(values)}::text[])`); };
  anyElement(`e.body->'persistentDisposition'->'set'`, f.persistentSet);
  anyElement(`e.body->'persistentDisposition'->'unset'`, f.persistentUnset);
  anyElement(`${declaration}->'correctiveEventIDs'`, f.correctiveIds);
  if (f.errorDeclared) where.push(declaredErroneousSql('e'));
  for (const m of f.identifiers) {
    where.push(`EXISTS (SELECT 1 FROM event_ids i WHERE i.seq = e.seq AND i.role = ANY(${p(m.roles)}::"char"[])
                  AND (i.key = ANY(${p(m.keys)}::text[]) OR i.key LIKE ANY(${p(m.patterns)}::text[])))`);
  }
  for (const t of f.typedEntries) {
    // list and key come from a fixed table (epcis-fns TYPED_LISTS), never from the request.
    where.push(`EXISTS (SELECT 1 FROM jsonb_array_elements(CASE WHEN jsonb_typeof(e.body->'${t.list}') = 'array' THEN e.body->'${t.list}' END) x
                  WHERE x->>'type' = ${p(t.type)} AND x->>'${t.key}' = ANY(${p(t.values)}::text[]))`);
  }
  return where;
}

// Columns of `events` a listing resource may name; the service picks one of these, never the request.
export type ValueColumn = 'event_type' | 'biz_step' | 'disposition' | 'read_point' | 'biz_location';

/** Data access of the EPCIS REST binding: capture jobs and event queries (events are written by captureInTx). */
export function epcisDal(q: Queryable) {
  return {
    async insertJob(j: {
      status: 'queued' | 'running'; errorBehaviour: string; actorId: string | null; actorRole: string; operatorId: string | null;
      document: CaptureJobRow['document']; context: unknown; eventCount: number;
    }): Promise<CaptureJobRow> {
      return (await q.query<CaptureJobRow>(
        `INSERT INTO capture_jobs (status, error_behaviour, source, actor_id, actor_role, operator_id, document, context, event_count)
         VALUES ($1, $2, 'epcis', $3, $4, $5, $6, $7, $8) RETURNING *, created_at::text AS created_key`,
        [j.status, j.errorBehaviour, j.actorId, j.actorRole, j.operatorId, j.document, j.context === undefined ? null : JSON.stringify(j.context), j.eventCount],
      )).rows[0];
    },
    /** Records a job's outcome and drops the document it no longer needs. */
    async finishJob(id: string, r: { status: 'succeeded' | 'failed'; stored: number; duplicates: number; declared: number; errors: unknown[] }): Promise<CaptureJobRow> {
      return (await q.query<CaptureJobRow>(
        `UPDATE capture_jobs SET status = $2, stored = $3, duplicates = $4, declared = $6, errors = $5, document = NULL, finished_at = clock_timestamp()
          WHERE id = $1 RETURNING *, created_at::text AS created_key`,
        [id, r.status, r.stored, r.duplicates, JSON.stringify(r.errors), r.declared],
      )).rows[0];
    },
    /** Marks the oldest unfinished EPCIS job as running and returns its id; a job a live worker holds is skipped. */
    async claimNextJob(): Promise<string | undefined> {
      return (await q.query<{ id: string }>(
        `UPDATE capture_jobs SET status = 'running'
          WHERE id = (SELECT id FROM capture_jobs WHERE status IN ('queued', 'running') AND source = 'epcis' AND document IS NOT NULL
                       ORDER BY created_at LIMIT 1 FOR UPDATE SKIP LOCKED)
          RETURNING id`)).rows[0]?.id;
    },
    /** Locks an unfinished job for processing, unless another worker holds it. */
    async lockRunningJob(id: string): Promise<CaptureJobRow | undefined> {
      return (await q.query<CaptureJobRow>(
        `SELECT *, created_at::text AS created_key FROM capture_jobs WHERE id = $1 AND status = 'running' AND document IS NOT NULL FOR UPDATE SKIP LOCKED`, [id])).rows[0];
    },
    async jobById(id: string): Promise<CaptureJobRow | undefined> {
      return (await q.query<CaptureJobRow>(`SELECT *, created_at::text AS created_key FROM capture_jobs WHERE id = $1 AND source = 'epcis'`, [id])).rows[0];
    },
    /** EPCIS capture jobs, oldest first, after a (created_at, id) cursor; `operatorId` null means all operators. */
    async listJobs(operatorId: string | null, after: { createdAt: string; id: string } | null, limit: number): Promise<CaptureJobRow[]> {
      return (await q.query<CaptureJobRow>(
        `SELECT *, created_at::text AS created_key FROM capture_jobs
          WHERE source = 'epcis' AND ($1::uuid IS NULL OR operator_id = $1)
            AND ($2::timestamptz IS NULL OR (created_at, id) > ($2::timestamptz, $3::uuid))
          ORDER BY created_at, id LIMIT $4`,
        [operatorId, after?.createdAt ?? null, after?.id ?? null, limit])).rows;
    },
    /**
     * Events matching the filter that the visibility condition admits, in sequence order after `afterSeq`,
     * each with the @context of the capture that stored it. `visibility` uses parameters from $1.
     */
    async queryEvents(visibility: { sql: string; params: unknown[] }, f: EventFilter, afterSeq: string | null, limit: number): Promise<StoredEventRow[]> {
      const params = [...visibility.params];
      const where = [`(${visibility.sql})`, ...filterSql(f, params)];
      if (afterSeq) { params.push(afterSeq); where.push(`e.seq > $${params.length}::bigint`); }
      params.push(limit);
      return (await q.query<StoredEventRow>(
        `SELECT e.seq, ${currentBodySql('e')} AS body, e.record_time, j.context
           FROM events e LEFT JOIN capture_jobs j ON j.id = e.capture_id
          WHERE ${where.join(' AND ')}
          ORDER BY e.seq LIMIT $${params.length}`, params)).rows;
    },
    /** The event with this eventID, else the one whose CBV hash ID it is, if the visibility condition admits it. */
    async eventById(visibility: { sql: string; params: unknown[] }, id: string): Promise<StoredEventRow | undefined> {
      const params = [...visibility.params, id];
      const at = `$${params.length}`;
      return (await q.query<StoredEventRow>(
        `SELECT e.seq, ${currentBodySql('e')} AS body, e.record_time, j.context
           FROM events e LEFT JOIN capture_jobs j ON j.id = e.capture_id
          WHERE (e.event_id = ${at} OR e.hash_id = ${at}) AND (${visibility.sql})
          ORDER BY (e.event_id = ${at}) DESC LIMIT 1`, params)).rows[0];
    },
    /** Distinct values of one column among visible events, in order, after a cursor. */
    async distinctValues(column: ValueColumn, visibility: { sql: string; params: unknown[] }, after: string | null, limit: number): Promise<string[]> {
      const params = [...visibility.params, after, limit];
      const n = visibility.params.length;
      return (await q.query<{ v: string }>(
        `SELECT DISTINCT e.${column} AS v FROM events e
          WHERE e.${column} IS NOT NULL AND (${visibility.sql}) AND ($${n + 1}::text IS NULL OR e.${column} > $${n + 1})
          ORDER BY 1 LIMIT $${n + 2}`, params)).rows.map((r) => r.v);
    },
    /** This node's secret for signing page tokens, created once and shared by every process on the database. */
    async pageTokenSecret(fresh: string): Promise<string> {
      await q.query(`INSERT INTO node_settings (key, value) VALUES ('epcis_page_token_secret', $1) ON CONFLICT (key) DO NOTHING`, [fresh]);
      return (await q.query<{ value: string }>(`SELECT value FROM node_settings WHERE key = 'epcis_page_token_secret'`)).rows[0].value;
    },
  };
}
export type EpcisDal = ReturnType<typeof epcisDal>;
