import type { Database } from '../platform/db.ts';
import { forbidden, invalid } from '../platform/errors.ts';
import { type Actor, ensure } from '../accounts/actor.ts';
import { covers, divisionPath, getDivision, isJurisdiction } from '../registry/division.ts';
import { OPERATOR_STATUSES } from '../registry/registry-types.ts';
import type { Logger } from '../platform/logger.ts';
import { createWorker } from '../platform/worker.ts';
import { dashboardDal } from './dashboard-dal.ts';
import { childCode, dayWindow, fillSeries, scopeOf } from './dashboard-fns.ts';
import { rollupDal } from './rollup-dal.ts';
import { createEventsRollup } from './rollup.ts';

/** Who may read which area's figures: admins everywhere, a regulator inside its jurisdiction. */
export const dashboardPolicy = {
  read: (a: Actor) => a.role === 'platform-admin' || (a.role === 'regulator' && !!a.jurisdiction),
  area: (a: Actor, division: string) => a.role === 'platform-admin' || covers(a.jurisdiction!, division),
};

const nameOf = (code: string) => (code === '000000' ? '全国' : divisionPath(code).join(' ') || getDivision(code)?.name || code);

/** The regulator dashboard: counts for a jurisdiction (or a division inside it), over a window of days. */
export function createDashboardService(deps: { db: Database; now?: () => Date; rollupMs?: number; rollupChunk?: number }) {
  const now = deps.now ?? (() => new Date());
  const rollup = createEventsRollup({ db: deps.db, chunk: deps.rollupChunk });
  let stopping = false;
  // The lease is the watermark row's lock, so every server process may tick: one folds, the others skip.
  const worker = createWorker('dashboard', [{ name: 'rollup', everyMs: deps.rollupMs ?? 60_000, run: () => rollup.run({ stop: () => stopping }) }]);
  return {
    /**
     * Operators by status, open warnings, and per day over the window: registrations, batches, events, scans and
     * warnings raised; plus approved operators and events per child division for the map. One snapshot.
     */
    async overview(actor: Actor, input: { days: number; division?: string }) {
      ensure(actor, dashboardPolicy.read(actor));
      const division = input.division ?? (actor.role === 'regulator' ? actor.jurisdiction! : '000000');
      if (!isJurisdiction(division)) throw invalid('DIVISION_UNKNOWN', `行政区划代码 ${division} 不存在`, `Division code ${division} is not a GB/T 2260 division`, { field: 'division' });
      if (!dashboardPolicy.area(actor, division)) throw forbidden('OUT_OF_JURISDICTION', '该区域不在您的辖区内', 'That area is outside your jurisdiction');
      const scope = scopeOf(division);
      const w = dayWindow(now(), input.days);
      const until = new Date(w.since.getTime() + input.days * 86_400_000);

      const r = await deps.db.tx(async (q) => {
        const dal = dashboardDal(q);
        const watermark = await rollupDal(q).watermark();
        return {
          operators: await dal.operators(scope.prefix, scope.childDigits),
          operatorDays: await dal.operatorsPerDay(scope.prefix, w.since, until),
          batchDays: await dal.batchesPerDay(scope.prefix, w.since, until),
          events: await dal.eventsPerDay(scope.prefix, scope.childDigits, { since: w.since, until, from: w.from, to: w.to }, watermark),
          scanDays: await dal.scansPerDay(scope.prefix, w.since, until),
          warnings: await dal.warningsOpen(scope.prefix),
          warningDays: await dal.warningsPerDay(scope.prefix, w.since, until),
        };
      }, 'ISOLATION LEVEL REPEATABLE READ, READ ONLY');

      const byStatus = Object.fromEntries(OPERATOR_STATUSES.map((s) => [s, 0])) as Record<(typeof OPERATOR_STATUSES)[number], number>;
      const children = new Map<string, { operators: number; events: number }>();
      const child = (k: string) => {
        const code = childCode(k, scope.level);
        let c = children.get(code);
        if (!c) children.set(code, (c = { operators: 0, events: 0 }));
        return c;
      };
      for (const o of r.operators) {
        byStatus[o.status as keyof typeof byStatus] += o.n;
        if (o.status === 'approved') child(o.k).operators += o.n;
      }
      // Events with no division (captured for a party the registry does not place) count in the totals only.
      for (const e of r.events) if (e.k.length === scope.childDigits) child(e.k).events += e.n;
      const series = fillSeries(w.dates, [...r.operatorDays, ...r.batchDays, ...r.scanDays, ...r.warningDays,
        ...r.events.map((e) => ({ day: e.day, metric: 'events' as const, n: e.n }))]);
      const sum = (k: 'operators' | 'batches' | 'events' | 'scans' | 'warnings') => series.reduce((a, d) => a + d[k], 0);
      const warning = (s: string) => r.warnings.find((x) => x.status === s)?.n ?? 0;

      return {
        division: { code: division, name: nameOf(division) },
        days: input.days, from: w.from, to: w.to,
        totals: {
          operators: { ...byStatus, total: Object.values(byStatus).reduce((a, b) => a + b, 0) },
          warnings: { open: warning('open'), acknowledged: warning('acknowledged') },
          window: { operators: sum('operators'), batches: sum('batches'), events: sum('events'), scans: sum('scans'), warnings: sum('warnings') },
        },
        series,
        map: {
          level: scope.level,
          items: [...children].sort(([a], [b]) => a.localeCompare(b))
            .map(([code, c]) => ({ code, name: getDivision(code)?.name ?? code, operators: c.operators, events: c.events })),
        },
        generatedAt: now().toISOString(),
      };
    },

    /**
     * Folds the events that are safe to fold into the dashboard's rollup (`suyuan dashboard rollup`); `waitMs` waits
     * that long for capture transactions in flight. `ran: false` when another process is folding.
     */
    async rollup(actor: Actor, opts: { waitMs?: number } = {}) {
      ensure(actor, actor.role === 'platform-admin');
      return rollup.run({ waitMs: opts.waitMs });
    },
    /** Starts the scheduled rollup in this process. */
    startWorker(logger: Logger) {
      stopping = false;
      worker.start(logger);
    },
    /** Stops the schedule; a pass under way stops after its current chunk. */
    async stopWorker() {
      stopping = true;
      await worker.stop();
    },
  };
}
export type DashboardService = ReturnType<typeof createDashboardService>;
