import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildOperator, buildBatch } from '../../test/builders.ts';

let t: TestApp;
before(async () => { t = await startTestApp(); });
after(async () => { await t.close(); });

test('an item code traces back through its batch: the batch history is the item history', async () => {
  const farm = await buildOperator(t);
  const batch = await buildBatch(t, farm);
  const issued = await t.call('POST', `/api/v1/batches/${batch.id}/item-codes`, { as: farm.adminToken, body: { count: 2 } });
  assert.equal(issued.status, 201, issued.text);
  const item: string = issued.body.codes[0];
  const r = await t.call('GET', `/api/v1/trace?code=${item}&direction=backward`, { as: farm.adminToken });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.start, [item, batch.batchCode!.code], 'the batch code is a start key');
  assert.ok(r.body.events.some((e: any) => e.bizStep === 'commissioning'), 'the batch commissioning event is in the item trace');
});
