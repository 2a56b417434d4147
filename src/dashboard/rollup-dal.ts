import type { Queryable } from '../platform/db.ts';

/** The watermark row: folded through `eventsSeq`; `pendingSeq` is safe once no transaction of `pendingWait` is open. */
export interface RollupState { eventsSeq: number; pendingSeq: number | null; pendingWait: string[] | null }

const num = (v: string | number | null) => (v === null ? null : Number(v));

/** Data access of the dashboard rollup (migrations/0015): the watermark, the writers of events in flight, the fold. */
export function rollupDal(q: Queryable) {
  return {
    /**
     * Locks the watermark row for this transaction, or answers null when another process holds it (it is folding):
     * the lock is the job's lease, freed by commit, rollback or a dropped connection.
     */
    async lock(): Promise<RollupState | null> {
      const r = (await q.query<{ events_seq: string; events_pending_seq: string | null; events_pending_wait: string[] | null }>(
        'SELECT events_seq, events_pending_seq, events_pending_wait FROM dashboard_rollup FOR UPDATE SKIP LOCKED')).rows[0];
      return r ? { eventsSeq: Number(r.events_seq), pendingSeq: num(r.events_pending_seq), pendingWait: r.events_pending_wait } : null;
    },

    /** The watermark as of the caller's snapshot (the dashboard reads it in the same snapshot as the counts). */
    async watermark(): Promise<number> {
      return Number((await q.query<{ s: string }>('SELECT events_seq AS s FROM dashboard_rollup')).rows[0].s);
    },

    /**
     * The highest seq committed now, and how many values the events sequence caches per backend. The safety argument
     * needs seq values handed out in order (a cache of 1, PostgreSQL's default for identity columns).
     */
    async highestSeq(): Promise<{ seq: number; cache: number }> {
      const r = (await q.query<{ seq: string | null; cache: string }>(
        `SELECT (SELECT max(seq) FROM events) AS seq,
                (SELECT seqcache FROM pg_sequence WHERE seqrelid = pg_get_serial_sequence('events', 'seq')::regclass) AS cache`)).rows[0];
      return { seq: Number(r.seq ?? 0), cache: Number(r.cache) };
    },

    /**
     * The transactions of this database, other than the caller's, that hold the lock every INSERT into events takes
     * before it draws a seq (RowExclusiveLock, kept to the end of the transaction), as pg_locks' virtual transaction
     * ids. Prepared transactions are included (their pid is null).
     */
    async eventWriters(): Promise<string[]> {
      return (await q.query<{ v: string }>(
        `SELECT DISTINCT virtualtransaction AS v FROM pg_locks
          WHERE locktype = 'relation' AND relation = 'events'::regclass AND mode = 'RowExclusiveLock'
            AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
            AND pid IS DISTINCT FROM pg_backend_pid()`)).rows.map((r) => r.v);
    },

    /** Whether any of these transactions is still open (each holds at least its own virtualxid lock until it ends). */
    async anyOpen(vxids: string[]): Promise<boolean> {
      if (vxids.length === 0) return false;
      return (await q.query<{ open: boolean }>('SELECT EXISTS (SELECT 1 FROM pg_locks WHERE virtualtransaction = ANY($1)) AS open', [vxids])).rows[0].open;
    },

    /** Records the next candidate (null clears it). */
    async setPending(seq: number | null, wait: string[] | null) {
      await q.query('UPDATE dashboard_rollup SET events_pending_seq = $1, events_pending_wait = $2', [seq, wait]);
    },

    /**
     * Adds the events with seq in (from, to] to the day counts and moves the watermark to `to`, in the caller's
     * transaction (so both happen or neither). Returns how many events were folded.
     */
    async fold(from: number, to: number): Promise<number> {
      const r = await q.query<{ n: string }>(
        `WITH counted AS (
           SELECT (event_time AT TIME ZONE 'Asia/Shanghai')::date AS day, coalesce(division_code, '') AS division_code, count(*) AS n
             FROM events WHERE seq > $1 AND seq <= $2 GROUP BY 1, 2),
         upserted AS (
           INSERT INTO event_day_counts (day, division_code, n) SELECT day, division_code, n FROM counted
           ON CONFLICT (day, division_code) DO UPDATE SET n = event_day_counts.n + excluded.n)
         SELECT coalesce(sum(n), 0) AS n FROM counted`, [from, to]);
      await q.query(
        `UPDATE dashboard_rollup SET events_seq = $1, folded_at = now(),
                events_pending_seq = CASE WHEN events_pending_seq > $1 THEN events_pending_seq END,
                events_pending_wait = CASE WHEN events_pending_seq > $1 THEN events_pending_wait END`, [to]);
      return Number(r.rows[0].n);
    },
  };
}
