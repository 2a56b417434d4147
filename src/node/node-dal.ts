import type { Queryable } from '../platform/db.ts';

/** What an administrator checks first: store size, schema version, and counts of what the node holds. */
export async function nodeStatus(q: Queryable) {
  const [db, mig, counts] = await Promise.all([
    q.query(`SELECT current_setting('server_version') AS server_version, pg_database_size(current_database())::bigint AS bytes`),
    q.query(`SELECT max(version) AS version, count(*)::int AS applied FROM schema_migrations`),
    q.query(`SELECT
        (SELECT json_object_agg(status, n) FROM (SELECT status, count(*)::int AS n FROM operators GROUP BY status) s) AS operators,
        (SELECT json_object_agg(role, n) FROM (SELECT role, count(*)::int AS n FROM users WHERE active GROUP BY role) s) AS users,
        (SELECT json_object_agg(kind || ':' || status, n) FROM (SELECT kind, status, count(*)::int AS n FROM codes GROUP BY kind, status) s) AS codes,
        (SELECT reltuples::bigint FROM pg_class WHERE oid = 'events'::regclass) AS events_estimate,
        (SELECT max(seq) FROM events) AS last_seq`),
  ]);
  const c = counts.rows[0];
  return {
    database: { serverVersion: db.rows[0].server_version as string, bytes: Number(db.rows[0].bytes) },
    schema: { version: Number(mig.rows[0].version), applied: mig.rows[0].applied as number },
    operators: (c.operators ?? {}) as Record<string, number>,
    activeUsers: (c.users ?? {}) as Record<string, number>,
    codes: (c.codes ?? {}) as Record<string, number>,
    events: { estimate: Math.max(0, Number(c.events_estimate)), lastSeq: c.last_seq === null ? null : Number(c.last_seq) },
  };
}
