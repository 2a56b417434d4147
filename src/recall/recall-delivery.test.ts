import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildOperator, buildProduct, buildSite, buildUser, type BuiltOperator } from '../../test/builders.ts';
import { captureInTx } from '../events/events-service.ts';
import type { Actor } from '../accounts/actor.ts';
import { createRecallService, type RecallService } from './recall-service.ts';

// A farm (福州 闽侯) ships one batch to six buyers in Fuzhou; each buyer registers a webhook on a local server. The
// notice steps, the outbox and escalation run in a second service over the same database whose clock the test
// moves, with small chunks so that a failure can land between them; the app's own worker is stopped.
let t: TestApp;
let svc: RecallService;
let now = Date.now();
let regulator: Actor;
let regulatorToken: string;
let farm: BuiltOperator;
const buyers: Array<BuiltOperator & { secret: string }> = [];
let code: string;
let incidentId: string;

interface Received { path: string; key: string; signature: string; event: string; body: string; status: number }
const received: Received[] = [];
/** Idempotency keys whose endpoint answers 500 to the first two attempts. */
const flaky = new Set<string>();
const failures = new Map<string, number>();
let server: http.Server;
let hookUrl: string;

before(async () => {
  server = http.createServer((req, res) => {
    let body = '';
    req.on('data', (c) => { body += c; });
    req.on('end', () => {
      const key = String(req.headers['idempotency-key']);
      const failed = failures.get(key) ?? 0;
      const status = req.url!.startsWith('/broken/') || (flaky.has(key) && failed < 2) ? 500 : 200;
      if (status === 500) failures.set(key, failed + 1);
      received.push({ path: req.url!, key, signature: String(req.headers['x-suyuan-signature']), event: String(req.headers['x-suyuan-event']), body, status });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  hookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  t = await startTestApp({ SUYUAN_WEBHOOK_ALLOW_PRIVATE: 'true' });
  await t.services.recall.stopWorker();
  svc = createRecallService({ db: t.db, capture: captureInTx, publicUrl: 'http://scan.test', noticeChunk: 2, now: () => new Date(now), allowPrivateWebhooks: true });
  const user = await buildUser(t, 'regulator', { jurisdiction: '350100' });
  regulatorToken = user.token;
  regulator = { role: 'regulator', userId: user.id, jurisdiction: '350100' };

  farm = await buildOperator(t, { division: '350121', types: ['producer'] });
  const site = await buildSite(t, farm, { divisionCode: '350121' });
  const product = await buildProduct(t, farm, { unit: 'kg' });
  const harvest = await t.call('POST', '/api/v1/records/harvest', { as: farm.adminToken, body: { productId: product.id, siteId: site.id, quantity: 600, harvestedOn: '2024-05-01' } });
  code = harvest.body.batches[0].batchCode.code;
  for (let k = 0; k < 6; k++) {
    const b = await buildOperator(t, { division: '350102', types: ['retailer'] });
    const ship = await t.call('POST', '/api/v1/records/shipping', { as: farm.adminToken, body: { to: { operatorId: b.id }, goods: [{ code, quantity: 100 }] } });
    assert.equal(ship.status, 201, ship.text);
    const hook = await t.call('POST', '/api/v1/inbox/webhooks', { as: b.adminToken, body: { url: `${hookUrl}/hook/${k}` } });
    assert.equal(hook.status, 201, hook.text);
    buyers.push({ ...b, secret: hook.body.secret });
  }
  const opened = await t.call('POST', '/api/v1/incidents', { as: regulatorToken, body: { codes: [code], reason: 'failed_inspection', severity: 'level_1', escalateAfterMinutes: 30 } });
  assert.equal(opened.status, 201, opened.text);
  incidentId = opened.body.incident.id;
});
after(async () => {
  await t?.close();
  server?.close();
});

const count = async (sql: string, params: unknown[] = []) => Number((await t.db.pool.query(sql, params)).rows[0].n);

test('webhook registration refuses private and plain-http URLs unless the node admits them', async () => {
  const strict = createRecallService({ db: t.db, capture: captureInTx, publicUrl: 'http://scan.test' });
  const actor: Actor = { role: 'operator-admin', operatorId: buyers[0].id, userId: 'x' };
  for (const [url, code] of [['http://example.com/h', 'WEBHOOK_URL_NOT_HTTPS'], ['https://127.0.0.1/h', 'WEBHOOK_URL_PRIVATE'], ['https://10.1.2.3/h', 'WEBHOOK_URL_PRIVATE'],
    ['https://[::1]/h', 'WEBHOOK_URL_PRIVATE'], ['https://user:pw@example.com/h', 'WEBHOOK_URL_INVALID'], ['ftp://example.com', 'WEBHOOK_URL_INVALID']] as const) {
    await assert.rejects(strict.addWebhook(actor, { url }), (e: any) => e.code === code, url);
  }
  const staff = await t.call('GET', '/api/v1/inbox/webhooks', { as: buyers[0].adminToken });
  assert.deepEqual(staff.body.items.map((w: any) => w.url), [`${hookUrl}/hook/0`]);
  assert.equal(staff.body.items[0].secret, undefined, 'the secret is shown once, at registration');
});

test('a failure in the middle of sending notices is resumed: every operator gets exactly one notice, none is skipped', async () => {
  // Seven recipients (the farm and six buyers) in chunks of two: the third chunk fails after four notices are committed.
  await t.db.pool.query(`
    CREATE FUNCTION test_injected_crash() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF (SELECT count(*) FROM recall_notices WHERE incident_id = NEW.incident_id) >= 4 THEN RAISE EXCEPTION 'injected crash'; END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_injected_crash BEFORE INSERT ON recall_notices FOR EACH ROW EXECUTE FUNCTION test_injected_crash();`);
  const first = await svc.issueNotices(regulator, incidentId, { kind: 'hold' });
  assert.equal(first.run.status, 'failed');
  assert.match(first.run.lastError!, /create_notices: injected crash/);
  assert.deepEqual(first.run.steps.map((s) => [s.name, s.status, s.attempts]), [['refresh_affected', 'done', 1], ['select_recipients', 'done', 1], ['create_notices', 'failed', 1]]);
  assert.equal(await count('SELECT count(*) AS n FROM recall_notices WHERE incident_id = $1', [incidentId]), 4);
  assert.equal(await count('SELECT count(*) AS n FROM notice_outbox o JOIN recall_notices n ON n.id = o.notice_id WHERE n.incident_id = $1', [incidentId]),
    await count(`SELECT count(*) AS n FROM recall_notices WHERE incident_id = $1 AND operator_id <> $2`, [incidentId, farm.id]), 'each committed notice has its outbox rows');
  await t.db.pool.query('DROP TRIGGER test_injected_crash ON recall_notices; DROP FUNCTION test_injected_crash()');

  // Not due before its backoff; then the worker's pass resumes it from the failed step.
  assert.equal(await svc.resumeRuns(), 0);
  now += 60_000;
  assert.equal(await svc.resumeRuns(), 1);
  const runs = (await t.call('GET', `/api/v1/incidents/${incidentId}/runs`, { as: regulatorToken })).body.items;
  assert.equal(runs.length, 1);
  assert.deepEqual([runs[0].status, runs[0].attempts], ['succeeded', 2]);
  assert.deepEqual(runs[0].steps.map((s: any) => [s.name, s.status, s.attempts]), [['refresh_affected', 'done', 1], ['select_recipients', 'done', 1], ['create_notices', 'done', 2]]);

  const perOperator = (await t.db.pool.query('SELECT operator_id, count(*)::int AS n FROM recall_notices WHERE incident_id = $1 GROUP BY 1', [incidentId])).rows;
  assert.deepEqual(perOperator.map((r) => r.n), [1, 1, 1, 1, 1, 1, 1]);
  assert.deepEqual(new Set(perOperator.map((r) => r.operator_id)), new Set([farm.id, ...buyers.map((b) => b.id)]));
  const outbox = (await t.db.pool.query(
    `SELECT n.operator_id, o.message FROM notice_outbox o JOIN recall_notices n ON n.id = o.notice_id WHERE n.incident_id = $1`, [incidentId])).rows;
  assert.equal(outbox.length, 6, 'one webhook delivery per buyer, none for the farm (it registered none)');
  assert.deepEqual(new Set(outbox.map((r) => r.operator_id)), new Set(buyers.map((b) => b.id)));

  // A manual resume of a finished run changes nothing.
  const again = await t.call('POST', `/api/v1/incidents/${incidentId}/runs/${runs[0].id}/resume`, { as: regulatorToken });
  assert.deepEqual([again.status, again.body.status, again.body.attempts], [200, 'succeeded', 2]);
  assert.equal(await count('SELECT count(*) AS n FROM recall_notices WHERE incident_id = $1', [incidentId]), 7);
});

test('webhooks: signed POSTs, retried with backoff after failures, delivered once per notice and channel', async () => {
  const keyOf = async (b: BuiltOperator) => (await t.db.pool.query(
    `SELECT o.idempotency_key FROM notice_outbox o JOIN recall_notices n ON n.id = o.notice_id WHERE n.incident_id = $1 AND n.operator_id = $2`, [incidentId, b.id])).rows[0].idempotency_key;
  const flakyKey = await keyOf(buyers[0]);
  flaky.add(flakyKey);

  assert.equal(await svc.dispatchOutbox(), 6);
  assert.equal(received.filter((r) => r.status === 200).length, 5);
  assert.equal(await svc.dispatchOutbox(), 0, 'the failed delivery waits for its backoff');
  now += 31_000;
  assert.equal(await svc.dispatchOutbox(), 1);
  assert.equal(await svc.dispatchOutbox(), 0);
  now += 61_000;
  assert.equal(await svc.dispatchOutbox(), 1);
  now += 3_600_000;
  assert.equal(await svc.dispatchOutbox(), 0, 'nothing is sent twice');

  assert.deepEqual(received.filter((r) => r.key === flakyKey).map((r) => r.status), [500, 500, 200]);
  const okPerKey = new Map<string, number>();
  for (const r of received) if (r.status === 200) okPerKey.set(r.key, (okPerKey.get(r.key) ?? 0) + 1);
  assert.deepEqual([...okPerKey.values()], [1, 1, 1, 1, 1, 1]);
  const row = (await t.db.pool.query('SELECT status, attempts, last_status FROM notice_outbox WHERE idempotency_key = $1', [flakyKey])).rows[0];
  assert.deepEqual(row, { status: 'delivered', attempts: 3, last_status: 200 });

  for (const [k, b] of buyers.entries()) {
    const r = received.find((x) => x.path === `/hook/${k}` && x.status === 200)!;
    const [, ts, sig] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.signature)!;
    assert.equal(sig, createHmac('sha256', b.secret).update(`${ts}.${r.body}`).digest('hex'), 'the signature verifies with the operator\'s secret');
    const payload = JSON.parse(r.body);
    assert.deepEqual([r.event, payload.type, payload.kind, payload.incident.id, payload.lines[0].code, payload.lines[0].onHand], ['recall.notice', 'recall.notice', 'hold', incidentId, code, '100']);
    assert.equal(payload.inbox, `http://scan.test/api/v1/inbox/${payload.noticeId}`);
  }
  const notices = (await t.call('GET', `/api/v1/incidents/${incidentId}/notices`, { as: regulatorToken })).body.notices;
  assert.deepEqual(notices.find((n: any) => n.operator.id === buyers[0].id).webhookDeliveries, { pending: 0, delivered: 1, dead: 0 });
});

test('a webhook whose name comes to resolve to a private address is not called', async () => {
  // Registered while its name pointed elsewhere; now it resolves to this machine (DNS rebinding).
  const strict = createRecallService({
    db: t.db, capture: captureInTx, publicUrl: 'http://scan.test', now: () => new Date(now),
    webhooks: { lookup: ((_host: string, opts: any, cb: any) => (opts?.all ? cb(null, [{ address: '127.0.0.1', family: 4 }]) : cb(null, '127.0.0.1', 4))) as any },
  });
  const port = new URL(hookUrl).port;
  const { rows: [hook] } = await t.db.pool.query<{ id: string }>(
    `INSERT INTO operator_webhooks (operator_id, url, secret) VALUES ($1, $2, 'x') RETURNING id`, [buyers[2].id, `https://hooks.example.test:${port}/hook/rebound`]);
  const { rows: [notice] } = await t.db.pool.query<{ id: string }>('SELECT id FROM recall_notices WHERE incident_id = $1 AND operator_id = $2', [incidentId, buyers[2].id]);
  await t.db.pool.query(
    `INSERT INTO notice_outbox (notice_id, webhook_id, message, idempotency_key, payload, status, next_attempt_at, created_at)
     VALUES ($1, $2, 'notice', 'rebound', '{"type":"recall.notice"}', 'pending', $3, $3)`, [notice.id, hook.id, new Date(now)]);
  try {
    assert.equal(await strict.dispatchOutbox(), 1);
    const row = (await t.db.pool.query('SELECT status, last_status, last_error FROM notice_outbox WHERE idempotency_key = $1', ['rebound'])).rows[0];
    assert.equal(row.status, 'pending', 'a failure like any other: retried later, and dead after the last attempt');
    assert.equal(row.last_status, null);
    assert.match(row.last_error, /WEBHOOK_ADDRESS_PRIVATE: hooks\.example\.test resolves to 127\.0\.0\.1/);
    assert.ok(!received.some((r) => r.path === '/hook/rebound'), 'nothing reached the endpoint');
  } finally {
    await t.db.pool.query(`DELETE FROM notice_outbox WHERE idempotency_key = 'rebound'`);
    await t.db.pool.query('DELETE FROM operator_webhooks WHERE id = $1', [hook.id]);
  }
});

test('unacknowledged notices escalate after the configured time, once; the reminders are delivered once even by concurrent senders', async () => {
  const mine = (await t.call('GET', '/api/v1/inbox', { as: buyers[1].adminToken })).body.items[0];
  assert.equal((await t.call('POST', `/api/v1/inbox/${mine.id}/ack`, { as: buyers[1].adminToken })).status, 200);
  const created = (await t.db.pool.query('SELECT min(created_at) AS at FROM recall_notices WHERE incident_id = $1', [incidentId])).rows[0].at.getTime();

  now = created + 29 * 60_000;
  assert.equal(await svc.escalateOverdue(), 0, 'not before 30 minutes');
  now = created + 32 * 60_000;
  assert.equal(await svc.escalateOverdue(), 6, 'all but the acknowledged notice');
  assert.equal(await svc.escalateOverdue(), 0, 'once');
  const escalated = (await t.db.pool.query('SELECT operator_id FROM recall_notices WHERE incident_id = $1 AND escalated_at IS NOT NULL', [incidentId])).rows.map((r) => r.operator_id);
  assert.ok(!escalated.includes(buyers[1].id));
  const progress = (await t.call('GET', `/api/v1/incidents/${incidentId}/progress`, { as: regulatorToken })).body;
  assert.deepEqual(progress.notices, { total: 7, acknowledged: 1, responded: 0, escalated: 6, unanswered: 6 });

  const before = received.length;
  const sent = await Promise.all([svc.dispatchOutbox(), svc.dispatchOutbox()]);
  assert.equal(sent[0] + sent[1], 5, 'five reminders (the farm has no webhook), split between the senders');
  const reminders = received.slice(before);
  assert.equal(new Set(reminders.map((r) => r.key)).size, 5);
  assert.ok(reminders.every((r) => r.event === 'recall.notice.escalated' && r.status === 200));
  const journal = await count(`SELECT count(*) AS n FROM journal WHERE type = 'recall.notice_escalated'`);
  assert.equal(journal, 6);
});

/** Waits until `n` backends wait on an advisory lock: the stalled worker has reached the gate. */
async function stalled(n = 1) {
  for (let k = 0; k < 200; k++) {
    if (await count(`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event = 'advisory'`) >= n) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error('the worker never reached the gate');
}

test('a worker that stops in the middle of sending notices (a crash: nothing recorded) is taken over after its lease; nothing is sent twice or skipped', async () => {
  const opened = await svc.openIncident(regulator, { codes: [code], reason: 'complaint', severity: 'level_2' });
  const id = opened.incident.id;
  // The first worker stalls before its third chunk of notices (four committed), as a process that died would: it
  // records nothing more. The gate is a lock the test holds.
  await t.db.pool.query(`
    CREATE TABLE test_gate (incident_id uuid);
    CREATE FUNCTION test_stall() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (SELECT 1 FROM test_gate g WHERE g.incident_id = NEW.incident_id)
         AND (SELECT count(*) FROM recall_notices WHERE incident_id = NEW.incident_id) >= 4 THEN PERFORM pg_advisory_xact_lock(4242); END IF;
      RETURN NEW;
    END $$;
    CREATE TRIGGER test_stall BEFORE INSERT ON recall_notices FOR EACH ROW EXECUTE FUNCTION test_stall();`);
  await t.db.pool.query('INSERT INTO test_gate VALUES ($1)', [id]);
  const gate = await t.db.pool.connect();
  try {
    await gate.query('SELECT pg_advisory_lock(4242)');
    const first = svc.issueNotices(regulator, id, { kind: 'recall' });
    await stalled();
    assert.equal(await count('SELECT count(*) AS n FROM recall_notices WHERE incident_id = $1', [id]), 4);
    await t.db.pool.query('DELETE FROM test_gate');

    // Within its lease nobody takes the run; past it, the worker's pass does, and finishes the notices.
    assert.equal(await svc.resumeRuns(), 0);
    now += 6 * 60_000;
    assert.equal(await svc.resumeRuns(), 1);
    const [run] = (await t.call('GET', `/api/v1/incidents/${id}/runs`, { as: regulatorToken })).body.items;
    assert.deepEqual([run.status, run.attempts], ['succeeded', 2]);
    assert.deepEqual(run.steps.map((s: any) => [s.name, s.status, s.attempts]), [['refresh_affected', 'done', 1], ['select_recipients', 'done', 1], ['create_notices', 'done', 2]]);
    assert.equal(run.steps[2].output.createdInLastAttempt, 3);

    // The stalled worker wakes up: its chunk finds its notices sent, and it stops at its next record.
    await gate.query('SELECT pg_advisory_unlock(4242)');
    const woke = await first;
    assert.deepEqual([woke.run.status, woke.run.attempts, woke.run.steps[2].output], ['succeeded', 2, run.steps[2].output]);
  } finally {
    gate.release();
    await t.db.pool.query('DROP TRIGGER test_stall ON recall_notices; DROP FUNCTION test_stall(); DROP TABLE test_gate');
  }
  const perOperator = (await t.db.pool.query('SELECT operator_id, count(*)::int AS n FROM recall_notices WHERE incident_id = $1 GROUP BY 1', [id])).rows;
  assert.deepEqual(new Set(perOperator.map((r) => r.operator_id)), new Set([farm.id, ...buyers.map((b) => b.id)]));
  assert.ok(perOperator.every((r) => r.n === 1), 'one notice per operator');
  assert.equal(await count('SELECT count(*) AS n FROM notice_outbox o JOIN recall_notices n ON n.id = o.notice_id WHERE n.incident_id = $1', [id]), 6,
    'one webhook delivery per buyer');
});

test('a worker that stalls in a step without a heartbeat and wakes after the run was taken over records nothing', async () => {
  const opened = await svc.openIncident(regulator, { codes: [code], reason: 'complaint', severity: 'level_3' });
  const id = opened.incident.id;
  // The first worker stalls while storing the refreshed affected set.
  await t.db.pool.query(`
    CREATE FUNCTION test_stall() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN PERFORM pg_advisory_xact_lock(4243); RETURN NEW; END $$;
    CREATE TRIGGER test_stall BEFORE UPDATE ON incident_affected FOR EACH ROW WHEN (OLD.incident_id = '${id}') EXECUTE FUNCTION test_stall();`);
  const gate = await t.db.pool.connect();
  try {
    await gate.query('SELECT pg_advisory_lock(4243)');
    const first = svc.issueNotices(regulator, id, { kind: 'hold' });
    await stalled();
    now += 6 * 60_000;
    // The second worker waits for the first one's lock on the incident; let the first go once the second is queued.
    const second = svc.resumeRuns();
    for (let k = 0; k < 200 && await count(`SELECT count(*) AS n FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND wait_event <> 'advisory'`) === 0; k++) {
      await new Promise((r) => setTimeout(r, 25));
    }
    await gate.query('SELECT pg_advisory_unlock(4243)');
    assert.equal(await second, 1);
    await first;
  } finally {
    gate.release();
    await t.db.pool.query('DROP TRIGGER test_stall ON incident_affected; DROP FUNCTION test_stall()');
  }
  const [run] = (await t.call('GET', `/api/v1/incidents/${id}/runs`, { as: regulatorToken })).body.items;
  assert.deepEqual([run.status, run.attempts], ['succeeded', 2]);
  // The stalled worker neither ran the later steps nor rewrote their records.
  assert.deepEqual(run.steps.map((s: any) => [s.name, s.status, s.attempts]), [['refresh_affected', 'done', 2], ['select_recipients', 'done', 1], ['create_notices', 'done', 1]]);
  const perOperator = (await t.db.pool.query('SELECT count(*)::int AS n FROM recall_notices WHERE incident_id = $1 GROUP BY operator_id', [id])).rows;
  assert.equal(perOperator.length, 7);
  assert.ok(perOperator.every((r) => r.n === 1));
});

test('a delivery that keeps failing is given up after its last attempt, and one to a revoked webhook is never sent', async () => {
  const sender = createRecallService({
    db: t.db, capture: captureInTx, publicUrl: 'http://scan.test', now: () => new Date(now), allowPrivateWebhooks: true, webhooks: { maxAttempts: 2, retryBaseMs: 1000 },
  });
  const { rows: [notice] } = await t.db.pool.query<{ id: string }>('SELECT id FROM recall_notices WHERE incident_id = $1 AND operator_id = $2', [incidentId, buyers[3].id]);
  const hook = async (url: string) => (await t.db.pool.query<{ id: string }>(
    `INSERT INTO operator_webhooks (operator_id, url, secret) VALUES ($1, $2, 'x') RETURNING id`, [buyers[3].id, url])).rows[0].id;
  const [broken, revoked] = [await hook(`${hookUrl}/broken/3`), await hook(`${hookUrl}/revoked/3`)];
  for (const [id, key] of [[broken, 'gives-up'], [revoked, 'revoked']]) {
    await t.db.pool.query(
      `INSERT INTO notice_outbox (notice_id, webhook_id, message, idempotency_key, payload, status, next_attempt_at, created_at)
       VALUES ($1, $2, 'notice', $3, '{"type":"recall.notice"}', 'pending', $4, $4)`, [notice.id, id, key, new Date(now)]);
  }
  await t.db.pool.query('UPDATE operator_webhooks SET revoked_at = now() WHERE id = $1', [revoked]);
  const row = async (key: string) => (await t.db.pool.query('SELECT status, attempts, last_status, last_error FROM notice_outbox WHERE idempotency_key = $1', [key])).rows[0];
  const posts = (path: string) => received.filter((r) => r.path === path).length;
  try {
    await sender.dispatchOutbox();
    assert.deepEqual(await row('gives-up'), { status: 'pending', attempts: 1, last_status: 500, last_error: 'HTTP 500' });
    assert.deepEqual(await row('revoked'), { status: 'dead', attempts: 1, last_status: null, last_error: 'webhook revoked' });
    now += 1500;
    await sender.dispatchOutbox();
    assert.deepEqual(await row('gives-up'), { status: 'dead', attempts: 2, last_status: 500, last_error: 'HTTP 500' });
    now += 3_600_000;
    await sender.dispatchOutbox();
    assert.equal((await row('gives-up')).attempts, 2, 'a dead delivery is not tried again');
    assert.deepEqual([posts('/broken/3'), posts('/revoked/3')], [2, 0]);
    // The notice itself stays in the operator's inbox.
    const inbox = (await t.call('GET', '/api/v1/inbox', { as: buyers[3].adminToken })).body.items;
    assert.ok(inbox.some((n: any) => n.id === notice.id));
  } finally {
    await t.db.pool.query(`DELETE FROM notice_outbox WHERE idempotency_key IN ('gives-up', 'revoked')`);
    await t.db.pool.query('DELETE FROM operator_webhooks WHERE id = ANY($1::uuid[])', [[broken, revoked]]);
  }
});
