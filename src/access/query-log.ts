import { prepared, type Database, type Queryable } from '../platform/db.ts';
import { type Actor, actorId, ensure } from '../accounts/actor.ts';
import { jurisdictionPrefix } from '../registry/division.ts';

export interface QueryRecord {
  kind: string; query: Record<string, unknown>; resultCount: number; subjectDivision?: string | null;
  /** Without subjectDivision: a trace code whose owner's division the insert looks up itself. */
  subjectCode?: string;
}

/**
 * The INSERT of one query-log entry with its parameters numbered from `$first`, for a caller that folds it into a
 * statement of its own (a data-modifying WITH item) instead of spending a round trip on it. `from` is a FROM clause
 * the row is selected from (one row), or empty. An operator's division (and a subject code's) is read by the insert
 * itself.
 */
export function queryLogInsert(actor: Actor, r: QueryRecord, first = 1, from = ''): { sql: string; params: unknown[] } {
  const jurisdiction = actor.jurisdiction ?? null;
  const lookUp = !jurisdiction && !!actor.operatorId;
  const $ = (n: number) => `$${first + n - 1}`;
  return {
    sql: `INSERT INTO query_log (actor_id, actor_role, operator_id, actor_division, subject_division, kind, query, result_count)
     SELECT ${$(1)}, ${$(2)}, ${$(3)}::uuid, CASE WHEN ${$(9)}::boolean THEN (SELECT division_code FROM operators WHERE id = ${$(3)}::uuid) ELSE ${$(4)} END,
            COALESCE(${$(5)}, (SELECT o.division_code FROM codes c JOIN operators o ON o.id = c.owner_operator_id WHERE c.code = ${$(10)}::bpchar)),
            ${$(6)}, ${$(7)}::jsonb, ${$(8)}::integer ${from}`,
    params: [actorId(actor), actor.role, actor.operatorId ?? null, jurisdiction, r.subjectDivision ?? null, r.kind, r.query, r.resultCount, lookUp,
      r.subjectCode ?? null],
  };
}

/**
 * A WITH item that makes the current transaction's commit not wait for its WAL flush, for the INSERT above to
 * select from (`FROM no_flush_wait`). Only for a transaction that writes nothing but its query-log entry: a
 * crash of the database server or the machine can then lose the entries of the last moments' reads (at most
 * about three wal_writer_delay, 0.6 s by default) and nothing else — see docs/architecture.md ("Query log").
 */
export const NO_FLUSH_WAIT = `no_flush_wait AS (SELECT set_config('synchronous_commit', 'off', true))`;

/** Appends one entry to the query log (append-only), in the caller's transaction or on the pool. */
export async function logQuery(q: Queryable, actor: Actor, r: QueryRecord): Promise<void> {
  const { sql, params } = queryLogInsert(actor, r);
  await q.query(prepared(sql, params));
}

/** Reading the query log: admins see all; a regulator sees entries whose asker or subject lies in its jurisdiction. */
export function createQueryLogService(deps: { db: Database }) {
  return {
    async list(actor: Actor, f: { kind?: string; since?: string; limit?: number; before?: string }) {
      ensure(actor, actor.role === 'platform-admin' || actor.role === 'regulator');
      const prefix = actor.role === 'regulator' ? jurisdictionPrefix(actor.jurisdiction!) : '';
      const rows = (await deps.db.pool.query(
        `SELECT id, at, actor_id, actor_role, operator_id, actor_division, subject_division, kind, query, result_count
           FROM query_log
          WHERE ($1 = '' OR actor_division LIKE $1 || '%' OR subject_division LIKE $1 || '%')
            AND ($2::text IS NULL OR kind = $2)
            AND ($3::timestamptz IS NULL OR at >= $3)
            AND ($4::bigint IS NULL OR id < $4)
          ORDER BY id DESC LIMIT $5`,
        [prefix, f.kind ?? null, f.since ?? null, f.before ?? null, Math.min(f.limit ?? 100, 1000)],
      )).rows;
      return {
        items: rows.map((r) => ({
          id: r.id, at: r.at.toISOString(), actorId: r.actor_id, actorRole: r.actor_role, operatorId: r.operator_id,
          actorDivision: r.actor_division, subjectDivision: r.subject_division, kind: r.kind, query: r.query, resultCount: r.result_count,
        })),
      };
    },
  };
}
export type QueryLogService = ReturnType<typeof createQueryLogService>;
