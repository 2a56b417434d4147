import type { Logger } from './logger.ts';

/** A pass a worker runs every `everyMs`; a pass still under way is not started again. */
export interface Job { name: string; everyMs: number; run: () => Promise<unknown> }

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
