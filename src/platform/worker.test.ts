import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createWorker } from './worker.ts';

test('a worker ticks each job on its own timer, never overlapping a pass, logs a failure with its label and waits on stop', async () => {
  let inFlight = 0;
  let most = 0;
  let slowRuns = 0;
  let fails = 0;
  const errors: string[] = [];
  const logger = { error: (_o: unknown, msg: string) => errors.push(msg) } as any;
  const w = createWorker('demo', [
    { name: 'slow', everyMs: 5, run: async () => { most = Math.max(most, ++inFlight); await sleep(40); inFlight--; slowRuns++; } },
    { name: 'broken', everyMs: 5, run: async () => { fails++; throw new Error('boom'); } },
  ]);
  w.start(logger);
  // At least two passes of each (timers may run late on a busy machine), then stop.
  const t0 = Date.now();
  while ((slowRuns < 2 || fails < 2) && Date.now() - t0 < 5000) await sleep(10);
  await w.stop();
  assert.equal(most, 1, 'a pass under way is not started again');
  assert.equal(inFlight, 0, 'stop() waited for the pass under way');
  assert.ok(slowRuns >= 2, `slow ran ${slowRuns} times`);
  assert.ok(fails >= 2, 'a failing job is tried again on the next tick');
  assert.deepEqual([...new Set(errors)], ['demo broken failed']);
  const after = slowRuns + fails;
  await sleep(30);
  assert.equal(slowRuns + fails, after, 'no tick after stop()');
});
