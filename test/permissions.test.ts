import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './harness.ts';
import { buildOperator, buildUser } from './builders.ts';
import type { Role } from '../src/accounts/actor.ts';

// For every declared route and every role it does not admit, the call is refused before anything runs:
// 401 AUTH_REQUIRED for anonymous callers, 403 FORBIDDEN for signed-in ones. Finer rules (own operator vs
// another, jurisdiction) are tested per capability.
let t: TestApp;
const tokens: Partial<Record<Role, string>> = {};
before(async () => {
  t = await startTestApp();
  const farm = await buildOperator(t, { types: ['producer'] });
  const printer = await buildOperator(t, { types: ['printer'] });
  tokens['platform-admin'] = await t.adminToken();
  tokens.regulator = (await buildUser(t, 'regulator', { jurisdiction: '350000' })).token;
  tokens['operator-admin'] = farm.adminToken;
  tokens['operator-staff'] = (await buildUser(t, 'operator-staff', { operatorId: farm.id })).token;
  tokens.printer = printer.adminToken;
});
after(async () => { await t.close(); });

const SAMPLE: Record<string, string> = {
  id: '00000000-0000-4000-8000-000000000000', keyId: '00000000-0000-4000-8000-000000000000', code: '350B00000000000X',
  gtin: '06901234567892', lot: 'L1', serial: 'S1', eventID: 'x', epc: 'x',
};

test('every route refuses the roles it does not declare', async () => {
  const routes = t.app.declaredRoutes.filter((r) => !r.allow.includes('public'));
  assert.ok(routes.length > 10, `expected many protected routes, got ${routes.length}`);
  let checked = 0;
  for (const r of routes) {
    const path = r.url.replace(/:(\w+)/g, (_m, name: string) => encodeURIComponent(SAMPLE[name] ?? 'x'));
    for (const role of ['public', 'platform-admin', 'regulator', 'operator-admin', 'operator-staff', 'printer'] as Role[]) {
      if (r.allow.includes(role)) continue;
      const res = await t.call(r.method, path, { as: tokens[role], body: ['POST', 'PUT', 'PATCH'].includes(r.method) ? {} : undefined });
      const want = role === 'public' ? [401, 'AUTH_REQUIRED'] : [403, 'FORBIDDEN'];
      assert.deepEqual([res.status, res.body?.code], want, `${r.method} ${r.url} as ${role}`);
      checked++;
    }
  }
  console.log(`permissions: ${routes.length} protected routes, ${checked} refused role/route pairs checked`);
});

test('every route declares its roles in the OpenAPI document', async () => {
  const doc = (await t.call('GET', '/openapi.json')).body;
  for (const r of t.app.declaredRoutes) {
    const p = r.url.replace(/:(\w+)/g, '{$1}');
    const op = doc.paths[p]?.[r.method.toLowerCase()];
    if (!op) continue; // hidden routes (health, the document itself)
    assert.match(op.description ?? '', /allowed: /, `${r.method} ${r.url}`);
  }
});
