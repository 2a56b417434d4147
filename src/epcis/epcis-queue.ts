import type { Logger } from '../platform/logger.ts';

/**
 * The in-process worker of queued capture jobs. It drains the queue when kicked (a job was just queued here)
 * and every `pollMs` (jobs queued by another process, or left running by one that stopped). What a job is and
 * how it runs is the service's business: `runNext` processes one job and says whether there was one.
 */
export function createJobWorker(deps: { runNext: () => Promise<boolean>; pollMs?: number }) {
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
        log?.error({ err: e }, 'capture job failed');
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
