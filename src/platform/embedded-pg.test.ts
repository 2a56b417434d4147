import { test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { sharedBuffers } from './embedded-pg.ts';

const GB = 2 ** 30;

test('the embedded server takes a quarter of the memory for its buffer cache, between 128 MB and 4 GB', () => {
  assert.equal(sharedBuffers({}, 24 * GB), '4096MB');
  assert.equal(sharedBuffers({}, 8 * GB), '2048MB');
  assert.equal(sharedBuffers({}, 256 * 2 ** 20), '128MB');
});

test('SUYUAN_PG_SHARED_BUFFERS overrides the sizing, and a malformed value is refused with a clear message', () => {
  assert.equal(sharedBuffers({ SUYUAN_PG_SHARED_BUFFERS: '512MB' }, 24 * GB), '512MB');
  assert.equal(sharedBuffers({ SUYUAN_PG_SHARED_BUFFERS: ' 1 GB ' }, 24 * GB), '1GB');
  assert.throws(() => sharedBuffers({ SUYUAN_PG_SHARED_BUFFERS: 'lots' }, 24 * GB), /SUYUAN_PG_SHARED_BUFFERS.*512MB/);
});

test('the test server runs with the sized buffer cache', async () => {
  const c = new pg.Client({ connectionString: process.env.SUYUAN_TEST_PG });
  await c.connect();
  try {
    const { rows } = await c.query<{ setting: string; unit: string }>(`SELECT setting, unit FROM pg_settings WHERE name = 'shared_buffers'`);
    assert.equal(rows[0].unit, '8kB');
    assert.equal(`${Number(rows[0].setting) * 8 / 1024}MB`, sharedBuffers());
  } finally {
    await c.end();
  }
});
