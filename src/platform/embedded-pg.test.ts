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
    // Compared as bytes: the server shows 4GB for 4096MB, and an override may name any unit.
    const { rows } = await c.query<{ running: string; sized: string }>(
      `SELECT pg_size_bytes(current_setting('shared_buffers'))::text AS running, pg_size_bytes($1)::text AS sized`, [sharedBuffers()]);
    assert.equal(rows[0].running, rows[0].sized);
  } finally {
    await c.end();
  }
});
