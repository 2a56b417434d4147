import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildOperator } from '../../test/builders.ts';
import { parseCode } from '../codes/code-scheme.ts';

let t: TestApp;
before(async () => { t = await startTestApp({ SUYUAN_NODE_ID: '351' }); });
after(async () => { await t.close(); });

test('anyone reads the node identity and its code rule; the example code is a valid code of this node', async () => {
  const r = await t.call('GET', '/api/v1/node');
  assert.equal(r.status, 200);
  assert.equal(r.body.nodeId, '351');
  assert.equal(r.body.publicUrl, 'http://scan.test');
  assert.equal(r.body.codeScheme.alphabet.length, 31);
  assert.equal(r.body.codeScheme.payloadSpace, 31 ** 11);
  const parsed = parseCode(r.body.codeScheme.example);
  assert.equal(typeof parsed, 'object');
  assert.equal((parsed as { nodeId: string }).nodeId, '351');
  const nodeSetting = r.body.codeScheme.settings.find((s: { name: string }) => s.name === 'SUYUAN_NODE_ID');
  assert.equal(nodeSetting.changeable, false);
});

test('node status: administrators only, with counts that follow the store', async () => {
  const admin = await t.adminToken();
  const before = (await t.call('GET', '/api/v1/node/status', { as: admin })).body;
  await buildOperator(t);
  const after = (await t.call('GET', '/api/v1/node/status', { as: admin }));
  assert.equal(after.status, 200);
  const sum = (o: Record<string, number>) => Object.values(o).reduce((a, b) => a + b, 0);
  assert.equal(sum(after.body.operators), sum(before.operators) + 1);
  assert.ok(after.body.schema.version >= 11);
  assert.ok(after.body.database.bytes > 0);
  assert.equal((await t.call('GET', '/api/v1/node/status')).status, 401);
});
