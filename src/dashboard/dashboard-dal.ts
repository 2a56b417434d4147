import type { Queryable } from '../platform/db.ts';
import type { DayCounts, Metric } from './dashboard-fns.ts';

/**
 * The dashboard's aggregate reads. Each is bounded by a time range on an indexed column (or reads the small operator
 * and warning tables), and the division filter is a prefix LIKE on a text_pattern_ops index; national scope drops
 * the filter instead of matching '%'. docs/console.md lists their plans and what a province-sized store needs.
 */
const DAY = (col: string) => `to_char(${col} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD')`;

/** `AND <col> LIKE $n` when the scope has a prefix; the parameter list grows with it. */
function within(col: string, prefix: string, params: unknown[]): string {
  if (!prefix) return '';
  params.push(`${prefix}%`);
  return ` AND ${col} LIKE $${params.length}`;
}

const days = (metric: Metric, rows: Array<{ day: string; n: number }>): DayCounts => rows.map((r) => ({ day: r.day, metric, n: r.n }));

export function dashboardDal(q: Queryable) {
  return {
    /** Operators by status (all time) and by child division (approved ones), in one pass over the scope. */
    async operators(prefix: string, childDigits: number) {
      const p: unknown[] = [childDigits];
      const rows = (await q.query<{ status: string; k: string; n: number }>(
        `SELECT status, left(division_code, $1) AS k, count(*)::int AS n FROM operators WHERE true${within('division_code', prefix, p)} GROUP BY 1, 2`, p)).rows;
      return rows;
    },

    /** Registrations per day since `since`. */
    async operatorsPerDay(prefix: string, since: Date, until: Date): Promise<DayCounts> {
      const p: unknown[] = [since, until];
      return days('operators', (await q.query(
        `SELECT ${DAY('created_at')} AS day, count(*)::int AS n FROM operators
          WHERE created_at >= $1 AND created_at < $2${within('division_code', prefix, p)} GROUP BY 1`, p)).rows);
    },

    /** Batches recorded per day by operators in scope (batches carry their operator's division through the operator). */
    async batchesPerDay(prefix: string, since: Date, until: Date): Promise<DayCounts> {
      const p: unknown[] = [since, until];
      const sql = prefix
        ? `SELECT ${DAY('b.created_at')} AS day, count(*)::int AS n FROM operators o JOIN batches b ON b.operator_id = o.id
            AND b.created_at >= $1 AND b.created_at < $2 WHERE true${within('o.division_code', prefix, p)} GROUP BY 1`
        : `SELECT ${DAY('created_at')} AS day, count(*)::int AS n FROM batches WHERE created_at >= $1 AND created_at < $2 GROUP BY 1`;
      return days('batches', (await q.query(sql, p)).rows);
    },

    /**
     * Events per day (by when they happened, China time) and per child division: the rollup's counts up to the
     * watermark (days `from`..`to`), plus a live count of the events beyond it, which the rollup job keeps few. Exact
     * when run in one snapshot with the watermark read (the rollup holds exactly the events with seq <= watermark).
     */
    async eventsPerDay(prefix: string, childDigits: number, window: { since: Date; until: Date; from: string; to: string }, watermark: number) {
      const p: unknown[] = [window.since, window.until, childDigits, window.from, window.to, watermark];
      const rolled = within('division_code', prefix, p);
      const rows = (await q.query<{ day: string; k: string; n: string }>(
        `SELECT day, k, sum(n) AS n FROM (
           SELECT to_char(day, 'YYYY-MM-DD') AS day, left(division_code, $3) AS k, n FROM event_day_counts
            WHERE day >= $4::date AND day <= $5::date${rolled}
           UNION ALL
           SELECT ${DAY('event_time')}, left(coalesce(division_code, ''), $3), 1 FROM events
            WHERE seq > $6 AND event_time >= $1 AND event_time < $2${rolled}
         ) x GROUP BY 1, 2`, p)).rows;
      return rows.map((r) => ({ day: r.day, k: r.k, n: Number(r.n) }));
    },

    /**
     * Consumer scans per day. In a jurisdiction, the scans of codes its operators own (a scan carries no place of its
     * own: its location is optional and coarse); nationally, every scan.
     */
    async scansPerDay(prefix: string, since: Date, until: Date): Promise<DayCounts> {
      const p: unknown[] = [since, until];
      const sql = prefix
        ? `SELECT ${DAY('s.at')} AS day, count(*)::int AS n FROM scans s
             JOIN codes c ON c.code = s.code::bpchar JOIN operators o ON o.id = c.owner_operator_id
            WHERE s.at >= $1 AND s.at < $2${within('o.division_code', prefix, p)} GROUP BY 1`
        : `SELECT ${DAY('at')} AS day, count(*)::int AS n FROM scans WHERE at >= $1 AND at < $2 GROUP BY 1`;
      return days('scans', (await q.query(sql, p)).rows);
    },

    /** Warnings not closed, by status. */
    async warningsOpen(prefix: string) {
      const p: unknown[] = [];
      return (await q.query<{ status: string; n: number }>(
        `SELECT status, count(*)::int AS n FROM risk_warnings WHERE status <> 'closed'${within('division_code', prefix, p)} GROUP BY 1`, p)).rows;
    },

    /** Warnings raised per day. */
    async warningsPerDay(prefix: string, since: Date, until: Date): Promise<DayCounts> {
      const p: unknown[] = [since, until];
      return days('warnings', (await q.query(
        `SELECT ${DAY('first_seen_at')} AS day, count(*)::int AS n FROM risk_warnings
          WHERE first_seen_at >= $1 AND first_seen_at < $2${within('division_code', prefix, p)} GROUP BY 1`, p)).rows);
    },
  };
}
