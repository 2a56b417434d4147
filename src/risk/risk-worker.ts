import type { Logger } from '../platform/logger.ts';

/**
 * The risk engine's background work in one process: every `pollMs` it evaluates captures waiting in the outbox (of
 * this process or any other), and every `scheduleMs` it offers to run the scheduled rules, which only the instance
 * holding the database lease does. A pass still under way is not started again; stop() waits for it.
 */
export function createRiskWorker(deps: { drain: () => Promise<unknown>; scheduled: () => Promise<unknown>; pollMs: number; scheduleMs: number | null }) {
  let log: Logger | undefined;
  let timers: NodeJS.Timeout[] = [];
  const running = new Map<string, Promise<void>>();

  const every = (what: string, ms: number, fn: () => Promise<unknown>) => {
    const timer = setInterval(() => {
      if (running.has(what)) return;
      running.set(what, fn().then(() => undefined, (e) => log?.error({ err: e }, `risk ${what} failed`)).finally(() => running.delete(what)));
    }, ms);
    // A pending tick must not keep a CLI process or a test alive.
    timer.unref();
    timers.push(timer);
  };

  return {
    /** Starts polling the outbox and, when a schedule is configured, ticking the scheduled run. */
    start(logger: Logger): void {
      log = logger;
      every('outbox', deps.pollMs, deps.drain);
      if (deps.scheduleMs) every('schedule', deps.scheduleMs, deps.scheduled);
    },
    /** Stops the timers and waits for the passes under way, so the database can be closed after. */
    async stop(): Promise<void> {
      for (const t of timers) clearInterval(t);
      timers = [];
      await Promise.all(running.values());
    },
  };
}
