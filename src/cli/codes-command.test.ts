import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createTestDatabase } from '../../test/harness.ts';
import { buildUscc } from '../../test/builders.ts';
import { loadConfig } from '../platform/config.ts';
import { createServices } from '../app/services.ts';
import type { Actor } from '../accounts/actor.ts';
import type { OperatorType } from '../registry/registry-types.ts';

const root = path.resolve(import.meta.dirname, '../..');
const PUBLIC_URL = 'http://scan.test';
let tdb: Awaited<ReturnType<typeof createTestDatabase>>;
let dir: string;
let owner: { id: string; uscc: string; name: string };
let printer: { id: string; uscc: string; name: string };

before(async () => {
  tdb = await createTestDatabase();
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'suyuan-codes-cli-'));
  const s = createServices(tdb.db, loadConfig({ DATABASE_URL: tdb.url, PUBLIC_URL, LOG_LEVEL: 'silent' }));
  const admin: Actor = { role: 'platform-admin' };
  const approved = async (name: string, types: OperatorType[], division: string) => {
    const o = await s.registry.register(admin, { uscc: buildUscc(division), name, types, divisionCode: division });
    await s.registry.review(admin, o.id, 'approve');
    return { id: o.id, uscc: o.uscc, name };
  };
  owner = await approved('闽侯县测试蔬菜专业合作社', ['producer'], '350121');
  printer = await approved('福州测试标签印刷有限公司', ['printer'], '350104');
});
after(async () => {
  await tdb.drop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function cli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['bin/suyuan.js', ...args], { cwd: root, env: { ...process.env, DATABASE_URL: tdb.url, PUBLIC_URL } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}
const poolCount = async () => (await tdb.db.pool.query('SELECT count(*)::int AS n FROM code_pools')).rows[0].n as number;

test('`codes pool create`, `show` and `export`: a pool for the printer, its summary, and every code as CSV with scan URLs', async () => {
  // The owner by its USCC as people type it, the printer by its id.
  const typed = owner.uscc.toLowerCase().replace(/(.{6})/g, '$1 ');
  const created = await cli(['codes', 'pool', 'create', '--owner', typed, '--printer', printer.id, '--kind', 'item', '--size', '6000', '--note', '菜心预印卷', '--json']);
  assert.equal(created.code, 0, created.stderr);
  const pool = JSON.parse(created.stdout);
  assert.deepEqual([pool.ownerOperatorId, pool.printerOperatorId, pool.kind, pool.size, pool.counts], [owner.id, printer.id, 'item', 6000, { unassigned: 6000, active: 0, void: 0 }]);
  assert.match(created.stderr, /issuing 6000 codes: [\d.]+ s/);

  const file = path.join(dir, 'pool.csv');
  // Independent commands run side by side: each CLI start costs seconds.
  const [shown, exported, toStdout] = await Promise.all([
    cli(['codes', 'pool', 'show', pool.id]), cli(['codes', 'pool', 'export', pool.id, '--out', file]), cli(['codes', 'pool', 'export', pool.id]),
  ]);
  assert.equal(shown.code, 0, shown.stderr);
  for (const part of [pool.id, `${owner.name} (${owner.uscc})`, `${printer.name} (${printer.uscc})`, '未激活 / unassigned: 6000', '菜心预印卷']) assert.ok(shown.stdout.includes(part), part);

  assert.equal(exported.code, 0, exported.stderr);
  assert.match(exported.stderr, /exporting: 6000\/6000/, 'progress for a pool larger than one page');
  assert.match(exported.stderr, /exported 6000 codes/);
  const rows = fs.readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
  assert.equal(rows[0], 'code,display,kind,scan_url,digital_link');
  const codes = rows.slice(1).map((r) => r.split(','));
  assert.equal(codes.length, 6000);
  assert.equal(new Set(codes.map((c) => c[0])).size, 6000, 'no code twice');
  for (const c of codes) assert.equal(c[3], `${PUBLIC_URL}/t/${c[0]}`);
  const inDb = (await tdb.db.pool.query('SELECT code FROM codes WHERE pool_id = $1 ORDER BY seq', [pool.id])).rows.map((r) => r.code);
  assert.deepEqual(codes.map((c) => c[0]), inDb, 'in issue order');

  assert.equal(toStdout.code, 0, toStdout.stderr);
  assert.equal(toStdout.stdout, fs.readFileSync(file, 'utf8'), 'standard output carries only the CSV');
});

test('refusals exit 1 with the problem in Chinese and English, and create nothing', async () => {
  const before = await poolCount();
  const cases: Array<[string[], string]> = [
    [['create', '--owner', owner.uscc, '--printer', owner.uscc, '--kind', 'item', '--size', '10'], `NOT_A_PRINTER: “${owner.name}”不是印刷企业 / "${owner.name}" is not a label printer`],
    [['create', '--owner', buildUscc('350121'), '--kind', 'item', '--size', '10'], 'OPERATOR_NOT_FOUND'],
    [['create', '--owner', owner.uscc, '--kind', 'item', '--size', '100001'], 'SIZE_INVALID: --size 须为 1 到 100000 之间的整数 / --size must be a whole number from 1 to 100000'],
    [['create', '--owner', owner.uscc, '--kind', 'pallet', '--size', '10'], 'KIND_INVALID'],
    [['show', '00000000-0000-4000-8000-000000000000'], 'POOL_NOT_FOUND: 码池不存在 / Code pool not found'],
    [['export', 'not-a-pool'], 'POOL_ID_INVALID'],
  ];
  const results = await Promise.all(cases.map(([args]) => cli(['codes', 'pool', ...args])));
  for (const [i, [args, problem]] of cases.entries()) {
    const r = results[i];
    assert.equal(r.code, 1, `${args.join(' ')}: ${r.stderr}`);
    assert.ok(r.stderr.includes(problem), `${args.join(' ')}: ${r.stderr}`);
  }
  assert.equal(await poolCount(), before);
});
