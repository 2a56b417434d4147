import type { Logger } from './logger.ts';

/** A pass a worker runs every `everyMs`; a pass still under way is not started again. */
interface Job { name: string; everyMs: number; run: () => Promise<unknown> }

/**
 * A process's background loop: each job ticks on its own timer, never overlapping itself; a failed pass is logged as
 * `{label} {job} failed` and the next tick tries again. Whether a pass has work (a lease, a lock) is the job's own
 * business. stop() clears the timers and waits for the passes under way, so the database can be closed after.
 */
export function createWorker(label: string, jobs: readonly Job[]) {
  let log: Logger | undefined;
  let timers: NodeJS.Timeout[] = [];
  const running = new Map<string, Promise<void>>();

  return {
    start(logger: Logger): void {
      log = logger;
      for (const job of jobs) {
        const timer = setInterval(() => {
          if (running.has(job.name)) return;
          running.set(job.name, job.run().then(() => undefined, (e) => log?.error({ err: e }, `${label} ${job.name} failed`))
            .finally(() => running.delete(job.name)));
        }, job.everyMs);
        // A pending tick must not keep a CLI process or a test alive.
        timer.unref();
        timers.push(timer);
      }
    },
    async stop(): Promise<void> {
      for (const t of timers) clearInterval(t);
      timers = [];
      await Promise.all(running.values());
    },
  };
}

/**
 * A queue's in-process worker: it drains the queue when kicked (work was just queued here) and every `pollMs` (work
 * queued by another process, or left running by one that stopped); a failed pass is logged as `{label} failed` and
 * draining goes on. What the work is and how it runs is the service's business: `runNext` does one piece and says
 * whether there was one.
 */
export function createQueueWorker(label: string, deps: { runNext: () => Promise<boolean>; pollMs?: number }) {
  const pollMs = deps.pollMs ?? 5000;
  let log: Logger | undefined;
  let stopped = true;
  let timer: NodeJS.Timeout | undefined;
  let draining: Promise<void> | undefined;
  let again = false;

  async function drain(): Promise<void> {
    do {
      again = false;
      try {
        while (!stopped && (await deps.runNext()));
      } catch (e) {
        log?.error({ err: e }, `${label} failed`);
        again = true;
      }
    } while (again && !stopped);
  }

  function schedule() {
    if (stopped) return;
    clearTimeout(timer);
    timer = setTimeout(kick, pollMs);
    // A pending poll must not keep a CLI process or a test alive.
    timer.unref();
  }

  /** Starts draining now, or right after the current pass when one is under way. */
  function kick(): void {
    if (stopped) return;
    if (draining) { again = true; return; }
    draining = drain().finally(() => { draining = undefined; schedule(); });
  }

  return {
    kick,
    /** Starts the worker; it first picks up whatever an earlier process left queued or running. */
    start(logger: Logger): void {
      log = logger;
      stopped = false;
      kick();
    },
    /** Stops polling and waits for the job under way, so the database can be closed after. */
    async stop(): Promise<void> {
      stopped = true;
      clearTimeout(timer);
      await draining;
    },
  };
}
