import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { createQueueWorker, createWorker } from './worker.ts';

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

test('a queue worker drains what is queued, drains again when kicked mid-pass, logs a failure with its label and goes on, and waits on stop', async () => {
  const queue = ['a', 'b'];
  const done: string[] = [];
  const errors: string[] = [];
  let failNext = false;
  let release: () => void = () => {};
  let gate: Promise<void> | null = null;
  const w = createQueueWorker('demo queue', {
    pollMs: 60_000,
    runNext: async () => {
      if (failNext) { failNext = false; throw new Error('boom'); }
      const job = queue.shift();
      // With a gate, "nothing left" is said only once the test opens it: work queued meanwhile comes after the check.
      if (job === undefined && gate) await gate;
      if (job) done.push(job);
      return job !== undefined;
    },
  });
  w.start({ error: (_o: unknown, msg: string) => errors.push(msg) } as any);
  for (let k = 0; k < 100 && done.length < 2; k++) await sleep(5);
  assert.deepEqual(done, ['a', 'b'], 'what was queued before start');

  // Work queued while a pass is finding the queue empty: the kick is not lost (the poll is a minute away).
  gate = new Promise((r) => { release = r; });
  queue.push('c');
  w.kick();
  await sleep(10);
  assert.deepEqual(done, ['a', 'b', 'c']);
  queue.push('d');
  w.kick();
  gate = null;
  release();
  for (let k = 0; k < 100 && done.length < 4; k++) await sleep(5);
  assert.deepEqual(done, ['a', 'b', 'c', 'd']);

  // A failing piece is logged with the label, and draining goes on with the rest.
  failNext = true;
  queue.push('e');
  w.kick();
  for (let k = 0; k < 100 && done.length < 5; k++) await sleep(5);
  assert.deepEqual(done, ['a', 'b', 'c', 'd', 'e']);
  assert.deepEqual(errors, ['demo queue failed']);

  // stop() waits for the pass under way; nothing runs after it.
  gate = new Promise((r) => { release = r; });
  queue.push('f');
  w.kick();
  await sleep(10);
  let stopped = false;
  const stopping = w.stop().then(() => { stopped = true; });
  await sleep(10);
  assert.equal(stopped, false, 'stop() waits for the pass under way');
  gate = null;
  release();
  await stopping;
  const after = done.length;
  queue.push('g');
  w.kick();
  await sleep(20);
  assert.equal(done.length, after, 'no pass after stop()');
});
