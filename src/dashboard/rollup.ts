import { setTimeout as sleep } from 'node:timers/promises';
import type { Database } from '../platform/db.ts';
import { rollupDal } from './rollup-dal.ts';

/**
 * The events rollup job: folds events into `event_day_counts` in seq order behind the watermark, a chunk per
 * transaction (the counts and the watermark move together, so a crash neither double-counts nor skips).
 *
 * Which seq is safe to fold: events.seq comes from a sequence, so a transaction can draw seq 5, stay open, and
 * commit after another has committed seq 6. Folding 6 and moving the watermark past 5 would lose 5 for good. So a
 * seq becomes safe in two steps. First the job reads M, the highest committed seq, then lists the transactions that
 * write events (every INSERT into events holds RowExclusiveLock on it from before it draws a seq until its
 * transaction ends). Seq values are handed out in order, so a transaction holding a seq below M drew it before M was
 * read: it was then either over or still holding that lock, so it is on the list. Once none of the listed
 * transactions is open, every seq <= M is final (committed or never to be), and the job folds up to M. With no writer
 * in flight that is at once; otherwise the candidate waits in the watermark row for a later pass, and meanwhile the
 * dashboard counts the events beyond the watermark live. docs/console.md has the alternatives considered.
 */
export function createEventsRollup(deps: { db: Database; chunk?: number }) {
  const chunk = deps.chunk ?? 100_000;
  const { db } = deps;

  /** Decides how far folding is safe now, under the watermark row's lock; null when another process holds it. */
  async function plan() {
    return db.tx(async (q) => {
      const dal = rollupDal(q);
      const s = await dal.lock();
      if (!s) return null;
      let safe = s.eventsSeq;
      let pending: { seq: number; wait: string[] } | null = s.pendingSeq !== null && s.pendingSeq > safe ? { seq: s.pendingSeq, wait: s.pendingWait ?? [] } : null;
      if (pending && !(await dal.anyOpen(pending.wait))) {
        safe = pending.seq;
        pending = null;
      }
      const top = await dal.highestSeq();
      if (top.cache !== 1) {
        throw new Error(`events.seq 的序列缓存为 ${top.cache}，汇总需要 1 / the sequence of events.seq caches ${top.cache} values; the rollup needs 1 (values handed out in order)`);
      }
      // Keep a candidate still waiting rather than replace it: under steady load a newer one would never clear.
      if (top.seq > safe && !pending) {
        const writers = await dal.eventWriters();
        if (writers.length === 0) safe = top.seq;
        else pending = { seq: top.seq, wait: writers };
      }
      if ((pending?.seq ?? null) !== s.pendingSeq) await dal.setPending(pending?.seq ?? null, pending?.wait ?? null);
      return { watermark: s.eventsSeq, safe, pending: pending?.seq ?? null };
    });
  }

  /** Folds up to `safe`, one chunk per transaction; stops early when another process takes over or `stop()` says so. */
  async function foldTo(safe: number, stop: () => boolean) {
    let folded = 0;
    let watermark: number | null = null;
    while (!stop()) {
      const step = await db.tx(async (q) => {
        const dal = rollupDal(q);
        const s = await dal.lock();
        if (!s || s.eventsSeq >= safe) return { done: true, n: 0, at: s?.eventsSeq ?? null };
        const to = Math.min(s.eventsSeq + chunk, safe);
        return { done: to >= safe, n: await dal.fold(s.eventsSeq, to), at: to };
      });
      folded += step.n;
      if (step.at !== null) watermark = step.at;
      if (step.done) break;
    }
    return { folded, watermark };
  }

  return {
    /**
     * One pass: folds every event that is safe now. With `waitMs`, waits up to that long for the writers in flight
     * to finish and folds what they leave (the CLI); the scheduled pass does not wait and picks it up next time.
     */
    async run(opts: { waitMs?: number; stop?: () => boolean } = {}) {
      const stop = opts.stop ?? (() => false);
      const deadline = Date.now() + (opts.waitMs ?? 0);
      let folded = 0;
      for (;;) {
        const p = await plan();
        if (!p) return { ran: false as const };
        const f = p.safe > p.watermark ? await foldTo(p.safe, stop) : { folded: 0, watermark: p.watermark };
        folded += f.folded;
        const watermark = f.watermark ?? p.watermark;
        if (p.pending === null || stop() || Date.now() >= deadline) return { ran: true as const, folded, watermark, pending: p.pending };
        await sleep(100);
      }
    },
  };
}
export type EventsRollup = ReturnType<typeof createEventsRollup>;
