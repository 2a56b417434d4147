/**
 * Where the time of a benchmarked call goes: every SQL statement is timed from the call to its result (round
 * trip included) and summed by its opening words. Statements a service runs side by side overlap, so the
 * JavaScript share is the time during which no statement was in flight.
 */
import { performance } from 'node:perf_hooks';
import type { Database, Prepared, Queryable } from '../src/platform/db.ts';

export interface Share { label: string; calls: number; ms: number }
export interface Taken { shares: Share[]; busyMs: number }

export class StatementClock {
  private readonly byLabel = new Map<string, Share>();
  private inFlight = 0;
  private busySince = 0;
  private busyMs = 0;

  private begin() {
    if (this.inFlight++ === 0) this.busySince = performance.now();
  }

  private end(text: string, ms: number) {
    if (--this.inFlight === 0) this.busyMs += performance.now() - this.busySince;
    // The trace's last statement opens with the same WITH item as every query-log write that skips the flush wait.
    const label = text.replace(/\s+/g, ' ').trim().replace(/^WITH no_flush_wait AS \(.*?\)\), /, 'WITH …, ').slice(0, 72);
    const s = this.byLabel.get(label) ?? { label, calls: 0, ms: 0 };
    s.calls++;
    s.ms += ms;
    this.byLabel.set(label, s);
  }

  /** The same Queryable, with its statements timed. */
  wrap<Q extends Queryable>(q: Q): Q {
    return new Proxy(q, {
      get: (target, prop) => {
        if (prop === 'query') {
          return async (statement: string | Prepared, values?: unknown[]) => {
            const t0 = performance.now();
            this.begin();
            const label = typeof statement === 'string' ? statement : statement.text;
            let streaming = false;
            try {
              const r: unknown = await (typeof statement === 'string' ? target.query(statement, values) : target.query(statement));
              // A COPY FROM STDIN is a stream the caller writes into: it is in flight until the stream finishes.
              const stream = r as { once?: (ev: string, f: () => void) => void; then?: unknown } | null;
              if (stream && typeof stream.once === 'function') {
                streaming = true;
                let done = false;
                const finish = () => { if (!done) { done = true; this.end(label, performance.now() - t0); } };
                stream.once('finish', finish);
                stream.once('error', finish);
                stream.once('close', finish);
              }
              return r;
            } finally {
              if (!streaming) this.end(label, performance.now() - t0);
            }
          };
        }
        const v = Reflect.get(target, prop);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    });
  }

  /** A Database whose pool queries and transactions (BEGIN and COMMIT included) are timed. */
  database(db: Database): Database {
    const tx: Database['tx'] = async (fn, mode) => {
      const t0 = performance.now();
      this.begin();
      let inside = 0;
      try {
        return await db.tx(async (q) => {
          const t1 = performance.now();
          this.end('BEGIN … COMMIT (connection, transaction, WAL flush)', t1 - t0);
          try {
            return await fn(this.wrap(q));
          } finally {
            inside = performance.now();
            this.begin();
          }
        }, mode);
      } finally {
        this.end('BEGIN … COMMIT (connection, transaction, WAL flush)', performance.now() - inside);
        // Both halves count as one call.
        this.byLabel.get('BEGIN … COMMIT (connection, transaction, WAL flush)')!.calls--;
      }
    };
    return { pool: this.wrap(db.pool), tx, close: () => db.close() };
  }

  /** The statements timed since the last take, slowest first, and the time some statement was in flight; resets. */
  take(): Taken {
    const shares = [...this.byLabel.values()].sort((a, b) => b.ms - a.ms);
    const busyMs = this.busyMs;
    this.byLabel.clear();
    this.busyMs = 0;
    return { shares, busyMs };
  }
}

/**
 * A breakdown as table rows: per statement, statements per call, time per unit (an event of a capture, or the
 * call itself) and share of the total; then the JavaScript time (no statement in flight).
 */
export function breakdown({ shares, busyMs }: Taken, totalMs: number, calls: number, units: number, unit: string): string[] {
  const per = (ms: number) => (ms / units >= 0.1 ? `${(ms / units).toFixed(2)} ms` : `${((ms * 1000) / units).toFixed(1)} µs`);
  const pct = (ms: number) => `${((ms / totalMs) * 100).toFixed(1)}%`;
  const overlap = shares.reduce((n, s) => n + s.ms, 0) > busyMs * 1.01;
  return [
    `| step | statements per call | time per ${unit} | share |`,
    '| --- | ---: | ---: | ---: |',
    ...shares.map((s) => `| \`${s.label}\` | ${(s.calls / calls).toFixed(2)} | ${per(s.ms)} | ${pct(s.ms)} |`),
    `| JavaScript (no statement in flight) |  | ${per(totalMs - busyMs)} | ${pct(totalMs - busyMs)} |`,
    ...(overlap ? ['', 'Some statements ran side by side, so the shares add up to more than 100%.'] : []),
  ];
}
