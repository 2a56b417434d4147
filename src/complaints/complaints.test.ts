import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from '../../test/harness.ts';
import { buildChain, buildUser, type BuiltChain } from '../../test/builders.ts';
import { generateCode } from '../codes/code-scheme.ts';

// The chain of test/builders: the farm (闽侯 350121) harvests 青菜 (codes.harvest), the processor (鼓楼 350102) makes
// 净菜 of it (codes.processed), sold on in Xiamen. A complaint about 净菜 belongs to the processor's division.
let t: TestApp;
let chain: BuiltChain;
let admin: string;
let fuzhou: string;
let xiamen: string;
let national: string;
before(async () => {
  t = await startTestApp();
  admin = await t.adminToken();
  chain = await buildChain(t);
  fuzhou = (await buildUser(t, 'regulator', { jurisdiction: '350100' })).token;
  xiamen = (await buildUser(t, 'regulator', { jurisdiction: '350200' })).token;
  national = (await buildUser(t, 'regulator', { jurisdiction: '000000' })).token;
});
after(async () => { await t?.close(); });

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 7)]);
let ipCounter = 0;
/** A fresh client address per call unless one is given: the rate limit is per address. */
function submit(fields: Record<string, string | undefined>, opts: { photo?: { bytes: Uint8Array; type: string; name?: string }; ip?: string } = {}) {
  const form = new FormData();
  for (const [k, v] of Object.entries(fields)) if (v !== undefined) form.append(k, v);
  if (opts.photo) form.append('photo', new Blob([new Uint8Array(opts.photo.bytes)], { type: opts.photo.type }), opts.photo.name ?? 'photo.png');
  return t.call('POST', '/api/v1/complaints', { body: form, headers: { 'x-forwarded-for': opts.ip ?? `198.51.100.${++ipCounter}` } });
}
let complaintRef = '';
let complaintId = '';

test('a consumer reports a problem from the scan page: text, category, contact, photo, the code and its scan → a reference number', async () => {
  const scan = await t.call('GET', `/t/${chain.codes.processed}`, { headers: { accept: 'application/json' } });
  assert.equal(scan.status, 200, scan.text);
  const r = await submit({
    text: '食用后腹泻，家中三人出现相同症状', category: 'illness', contact: '13800138000', code: `http://scan.test/t/${chain.codes.processed}`, scanId: scan.body.scanId,
  }, { photo: { bytes: PNG, type: 'image/jpeg', name: 'x.jpg' } });
  assert.equal(r.status, 201, r.text);
  assert.match(r.body.reference, /^TS-\d{8}-\d{6}$/);
  assert.equal(r.body.status, 'received');
  complaintRef = r.body.reference;
  const journal = await t.db.pool.query(`SELECT actor_role FROM journal WHERE type = 'complaint.received' ORDER BY seq DESC LIMIT 1`);
  assert.equal(journal.rows[0].actor_role, 'public');
});

test('intake refuses what it cannot take: no text, too long, unknown category or code, a photo that is no image or too large, JSON, a foreign scan', async () => {
  const code = chain.codes.processed;
  const no = async (r: Promise<any>, status: number, problem: string, field?: string) => {
    const x = await r;
    assert.deepEqual([x.status, x.body.code, ...(field ? [x.body.field] : [])], [status, problem, ...(field ? [field] : [])], x.text);
  };
  await no(submit({ category: 'quality', code }), 400, 'VALIDATION_FAILED', 'text');
  await no(submit({ text: 'x'.repeat(2001), category: 'quality', code }), 400, 'VALIDATION_FAILED', 'text');
  assert.equal((await submit({ text: '字'.repeat(2000), category: 'label', code })).status, 201, '2000 characters are fine');
  await no(submit({ text: '变质', category: 'smell', code }), 400, 'VALIDATION_FAILED', 'category');
  await no(submit({ text: '变质', category: 'quality', code: generateCode('350', 'batch') }), 404, 'CODE_UNKNOWN', 'code');
  await no(submit({ text: '变质', category: 'quality', code: 'not a code' }), 400, 'CODE_FORMAT', 'code');
  await no(submit({ text: '变质', category: 'quality', code }, { photo: { bytes: Buffer.from('GIF89a not admitted'), type: 'image/png' } }), 400, 'COMPLAINT_PHOTO_TYPE', 'photo');
  const big = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024)]);
  await no(submit({ text: '变质', category: 'quality', code }, { photo: { bytes: big, type: 'image/png' } }), 413, 'COMPLAINT_PHOTO_TOO_LARGE', 'photo');
  const exact = Buffer.concat([PNG, Buffer.alloc(5 * 1024 * 1024 - PNG.length)]);
  assert.equal((await submit({ text: '变质', category: 'quality', code }, { photo: { bytes: exact, type: 'image/png' } })).status, 201, 'exactly 5 MB is fine');
  await no(t.call('POST', '/api/v1/complaints', { body: { text: '变质', category: 'quality', code } }), 400, 'COMPLAINT_MULTIPART_REQUIRED');
  const other = await t.call('GET', `/t/${chain.codes.harvest}`, { headers: { accept: 'application/json' } });
  await no(submit({ text: '变质', category: 'quality', code, scanId: other.body.scanId }), 400, 'COMPLAINT_SCAN_UNKNOWN', 'scanId');
});

test('the complaint reaches the regulator of the origin operator\'s division: listed newest first with its status; others do not see it', async () => {
  const list = async (as: string) => (await t.call('GET', '/api/v1/complaints', { as })).body.items as any[];
  const mine = await list(fuzhou);
  const c = mine.find((x) => x.reference === complaintRef);
  assert.ok(c, 'the processor lies in Fuzhou');
  complaintId = c.id;
  assert.deepEqual([c.category, c.status, c.divisionCode, c.operator.id, c.product.name, c.code, c.contact, c.photo.contentType],
    ['illness', 'received', '350102', chain.processor.id, '净菜', chain.codes.processed, '13800138000', 'image/png']);
  assert.ok(mine.every((x, k) => k === 0 || mine[k - 1].receivedAt >= x.receivedAt), 'newest first');
  assert.equal(mine.length, 3);
  assert.equal((await list(xiamen)).length, 0, 'Xiamen does not see complaints about Fuzhou goods');
  assert.equal((await list(national)).length, 3);
  assert.equal((await list(admin)).length, 3);
  assert.equal((await t.call('GET', '/api/v1/complaints', { as: chain.processor.adminToken })).status, 403, 'operators never see complaints');
  assert.equal((await t.call('GET', `/api/v1/complaints/${complaintId}`, { as: xiamen })).status, 404);
  const one = await t.call('GET', `/api/v1/complaints/${complaintId}`, { as: fuzhou });
  assert.deepEqual([one.status, one.body.text, one.body.scanId !== null], [200, '食用后腹泻，家中三人出现相同症状', true]);
  const photo = await t.call('GET', `/api/v1/complaints/${complaintId}/photo`, { as: fuzhou });
  assert.equal(photo.status, 200);
  assert.equal(photo.headers.get('content-type'), 'image/png', 'served as what its bytes are, not as what the upload claimed');
  assert.equal((await t.call('GET', `/api/v1/complaints/${complaintId}/photo`, { as: xiamen })).status, 404);
  const log = await t.db.pool.query(`SELECT count(*)::int AS n FROM query_log WHERE kind LIKE 'complaints.%'`);
  assert.ok(log.rows[0].n >= 5, 'reads are logged');
});

test('a regulator moves a complaint on: investigating, then closed with a note; never back', async () => {
  const status = (body: unknown, as = fuzhou) => t.call('POST', `/api/v1/complaints/${complaintId}/status`, { as, body });
  assert.equal((await status({ status: 'investigating' }, xiamen)).status, 404);
  const a = await status({ status: 'investigating' });
  assert.deepEqual([a.status, a.body.status], [200, 'investigating'], a.text);
  assert.deepEqual([(await status({ status: 'closed' })).body.code], ['COMPLAINT_NOTE_REQUIRED']);
  const b = await status({ status: 'closed', note: '已抽检同批次净菜，移交稽查' });
  assert.deepEqual([b.body.status, b.body.statusNote], ['closed', '已抽检同批次净菜，移交稽查']);
  assert.match(b.body.statusChangedAt, /^\d{4}-/);
  const back = await status({ status: 'investigating' });
  assert.deepEqual([back.status, back.body.code], [409, 'COMPLAINT_STATUS']);
  const listed = (await t.call('GET', '/api/v1/complaints?status=closed', { as: fuzhou })).body.items;
  assert.deepEqual(listed.map((x: any) => x.id), [complaintId]);
  const journal = await t.db.pool.query(`SELECT payload FROM journal WHERE type = 'complaint.status' AND subject_id = $1 ORDER BY seq`, [complaintId]);
  assert.deepEqual(journal.rows.map((r) => r.payload.to), ['investigating', 'closed']);
});

test('at most 5 complaints per client address an hour: the sixth is refused with 429, another address is not', async () => {
  const code = chain.codes.harvest;
  for (let k = 0; k < 5; k++) assert.equal((await submit({ text: `第 ${k + 1} 次`, category: 'other', code }, { ip: '203.0.113.7' })).status, 201);
  const sixth = await submit({ text: '第 6 次', category: 'other', code }, { ip: '203.0.113.7' });
  assert.deepEqual([sixth.status, sixth.body.code, sixth.headers.get('retry-after')], [429, 'COMPLAINT_RATE_LIMITED', '3600']);
  assert.match(sixth.body.message.zh, /过于频繁/);
  assert.deepEqual([sixth.body.status, sixth.body.retryAfterSeconds, sixth.headers.get('content-type')], [429, 3600, 'application/problem+json; charset=utf-8']);
  assert.equal((await submit({ text: '另一位消费者', category: 'other', code }, { ip: '203.0.113.8' })).status, 201);
});

test('complaints through the intake make the complaint-cluster rule fire at its threshold, not below', async () => {
  const fresh = await buildChain(t);
  const about = { category: 'quality', code: fresh.codes.processed };
  const cluster = async () => {
    await t.services.risk.run({ role: 'platform-admin', username: 'admin' });
    const r = await t.call('GET', `/api/v1/risk/warnings?rule=complaint_cluster&operatorId=${fresh.processor.id}`, { as: fuzhou });
    return r.body.items as any[];
  };
  await submit({ text: '有异味', ...about });
  await submit({ text: '发霉', ...about });
  assert.deepEqual(await cluster(), [], 'two complaints are below the threshold of three');
  await submit({ text: '包装内有异物', ...about });
  const [w] = await cluster();
  assert.ok(w, 'the third complaint raises the warning');
  assert.deepEqual([w.subject.startsWith('product:'), w.divisionCode, w.codes, w.facts.complaints], [true, '350102', [fresh.codes.processed], 3]);
  // The warning opens an incident in one click.
  const opened = await t.call('POST', `/api/v1/risk/warnings/${w.id}/incident`, { as: fuzhou });
  assert.deepEqual([opened.status, opened.body.incident.reason, opened.body.incident.severity, opened.body.incident.holdProposal], [201, 'complaint', 'level_3', null]);
});
