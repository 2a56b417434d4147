import { USCC_ALPHABET, usccCheckChar } from '../src/registry/uscc.ts';
import type { TestApp } from './harness.ts';
import type { BatchView } from '../src/batches/batches-service.ts';

let counter = 0;
/** A valid, unique USCC for the given division (organisation code body made from a counter). */
export function buildUscc(division = '350102', prefix = '91'): string {
  counter++;
  let body = '';
  let n = Date.now() * 1000 + counter + Math.floor(Math.random() * 1000);
  for (let i = 0; i < 9; i++) { body += USCC_ALPHABET[n % 31]; n = Math.floor(n / 31); }
  const b17 = prefix + division + body;
  return b17 + usccCheckChar(b17);
}

export interface BuiltOperator { id: string; uscc: string; name: string; adminUsername: string; adminToken: string }

/**
 * Registers an operator through the API (as the public would), optionally approves it as admin, and logs in
 * its operator-admin account.
 */
export async function buildOperator(t: TestApp, opts: { division?: string; types?: string[]; approve?: boolean; name?: string } = {}): Promise<BuiltOperator> {
  const uscc = buildUscc(opts.division ?? '350102');
  const username = `op${uscc.slice(-8).toLowerCase()}${++counter}`;
  const name = opts.name ?? `测试主体${counter}`;
  const r = await t.call('POST', '/api/v1/operators', {
    body: { uscc, name, types: opts.types ?? ['producer'], divisionCode: opts.division ?? '350102', account: { username, password: 'secret-pass-1' } },
  });
  if (r.status !== 201) throw new Error(`register failed: ${r.status} ${r.text}`);
  if (opts.approve !== false) {
    const a = await t.call('POST', `/api/v1/operators/${r.body.id}/review`, { as: await t.adminToken(), body: { action: 'approve' } });
    if (a.status !== 200) throw new Error(`approve failed: ${a.status} ${a.text}`);
  }
  return { id: r.body.id, uscc, name, adminUsername: username, adminToken: await t.login(username, 'secret-pass-1') };
}

/** Creates a user through the API as admin and returns its session token. */
export async function buildUser(t: TestApp, role: string, extra: { operatorId?: string; jurisdiction?: string } = {}): Promise<{ id: string; token: string; username: string }> {
  const username = `${role.replace(/[^a-z]/g, '')}${++counter}${Math.floor(Math.random() * 1e6)}`;
  const r = await t.call('POST', '/api/v1/users', { as: await t.adminToken(), body: { username, password: 'secret-pass-1', displayName: username, role, ...extra } });
  if (r.status !== 201) throw new Error(`create user failed: ${r.status} ${r.text}`);
  return { id: r.body.id, username, token: await t.login(username, 'secret-pass-1') };
}

/** Adds a product to the operator through the API as its operator-admin and returns the product as the API shows it. */
export async function buildProduct(
  t: TestApp, operator: Pick<BuiltOperator, 'id' | 'adminToken'>,
  opts: { name?: string; categoryCode?: string; spec?: string; unit?: string; shelfLifeDays?: number; gtin?: string } = {},
): Promise<{ id: string; operatorId: string; name: string; categoryCode: string; gtin: string | null; keyTraced: boolean }> {
  const body = { name: opts.name ?? `测试产品${++counter}`, categoryCode: opts.categoryCode ?? 'AGRI.VEG.LEAFY', spec: opts.spec ?? '500g/袋', unit: opts.unit ?? '袋', shelfLifeDays: opts.shelfLifeDays ?? 7, gtin: opts.gtin };
  const r = await t.call('POST', `/api/v1/operators/${operator.id}/products`, { as: operator.adminToken, body });
  if (r.status !== 201) throw new Error(`create product failed: ${r.status} ${r.text}`);
  return r.body;
}

/** Adds a site to an operator through the API as its admin. */
export async function buildSite(t: TestApp, operator: Pick<BuiltOperator, 'id' | 'adminToken'>, opts: { name?: string; divisionCode?: string; kind?: string } = {}): Promise<{ id: string; name: string; divisionCode: string }> {
  const body = { name: opts.name ?? `测试基地${++counter}`, kind: opts.kind ?? 'farm_plot', divisionCode: opts.divisionCode ?? '350121' };
  const r = await t.call('POST', `/api/v1/operators/${operator.id}/sites`, { as: operator.adminToken, body });
  if (r.status !== 201) throw new Error(`create site failed: ${r.status} ${r.text}`);
  return r.body;
}

/** Records a batch through the API as the operator's admin, building a product and a site when none are given. */
export async function buildBatch(
  t: TestApp, operator: Pick<BuiltOperator, 'id' | 'adminToken'>,
  opts: { productId?: string; siteId?: string; lotNumber?: string; quantity?: number | string; producedOn?: string; expiresOn?: string } = {},
): Promise<BatchView> {
  const body = {
    productId: opts.productId ?? (await buildProduct(t, operator)).id,
    siteId: opts.siteId ?? (await buildSite(t, operator)).id,
    lotNumber: opts.lotNumber ?? `L${Date.now().toString(36)}${++counter}`,
    quantity: opts.quantity ?? 100,
    producedOn: opts.producedOn ?? '2024-05-01',
    expiresOn: opts.expiresOn,
  };
  const r = await t.call('POST', '/api/v1/batches', { as: operator.adminToken, body });
  if (r.status !== 201) throw new Error(`create batch failed: ${r.status} ${r.text}`);
  return r.body;
}
