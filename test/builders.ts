import { USCC_ALPHABET, usccCheckChar } from '../src/registry/uscc.ts';
import type { TestApp } from './harness.ts';
import type { BatchView } from '../src/batches/batches-service.ts';

let counter = 0;
const COUNTER_OFFSET = Math.floor(Math.random() * 1000);
/** A valid, unique USCC for the given division (organisation code body made from a counter). */
export function buildUscc(division = '350102', prefix = '91'): string {
  counter++;
  let body = '';
  // Unique within a process: the clock in ms, then the call's counter (a random term here once made two codes of one
  // test file collide, about once in a thousand runs). Processes start their counters at different offsets.
  let n = Date.now() * 1000 + ((counter + COUNTER_OFFSET) % 1000);
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

/** One operator of a built chain: its registration and admin token, its site, and its product where it makes one. */
export interface ChainOperator extends BuiltOperator { divisionCode: string; siteId: string; productId: string | null }
/** An event a record stored: its EPCIS eventID, CBV hash ID and place in the node's sequence. */
export interface ChainEvent { eventId: string; hashId: string; seq: string }
/** What buildChain made: four operators, two batches (with their batch codes) and nine events in order. */
export interface BuiltChain {
  farm: ChainOperator; processor: ChainOperator; market: ChainOperator; supermarket: ChainOperator;
  /** Batch codes: the farm's harvest (青菜, 1000 kg) and the processor's output (净菜, 1500 袋, a new code). */
  codes: { harvest: string; processed: string };
  /** Batch ids of the same two batches. */
  batches: { harvest: string; processed: string };
  events: {
    harvest: ChainEvent; farmShipping: ChainEvent; processorReceiving: ChainEvent; transformation: ChainEvent; processorShipping: ChainEvent;
    marketReceiving: ChainEvent; marketSale: ChainEvent; supermarketReceiving: ChainEvent; retailSale: ChainEvent;
  };
}

/**
 * Records a whole chain through the native records API, each step as its operator's admin:
 *  1. the farm harvests 1000 kg of 青菜 (batch `codes.harvest`);
 *  2. it ships 800 kg to the processor with a commitment certificate; the processor receives them (certificate, invoice);
 *  3. the processor makes 1500 袋 of 净菜 from them (transformation: new batch, new code `codes.processed`);
 *  4. it ships 1500 袋 to the market; the market receives them;
 *  5. the market sells 1000 袋 to the supermarket (sale to an operator, with invoice); the supermarket receives them;
 *  6. the supermarket sells 2 袋 to a consumer (retail sale).
 * Divisions default to 闽侯县 350121 (farm), 鼓楼区 350102 (processor), 思明区 350203 (market), 湖里区 350206
 * (supermarket): a Fuzhou regulator (350100) covers the first two, a Xiamen one (350200) the last two.
 */
export async function buildChain(t: TestApp, opts: { divisions?: Partial<Record<'farm' | 'processor' | 'market' | 'supermarket', string>> } = {}): Promise<BuiltChain> {
  const n = ++counter;
  const post = async (as: string, kind: string, body: unknown) => {
    const r = await t.call('POST', `/api/v1/records/${kind}`, { as, body });
    if (r.status !== 201) throw new Error(`record ${kind} failed: ${r.status} ${r.text}`);
    return r.body as { event: ChainEvent; batches: Array<{ id: string; batchCode: { code: string } }> };
  };
  const event = (r: { event: ChainEvent }): ChainEvent => ({ eventId: r.event.eventId, hashId: r.event.hashId, seq: r.event.seq });
  const party = async (role: 'farm' | 'processor' | 'market' | 'supermarket', name: string, types: string[], siteKind: string, product?: { name: string; unit: string; spec: string }): Promise<ChainOperator> => {
    const divisionCode = opts.divisions?.[role] ?? { farm: '350121', processor: '350102', market: '350203', supermarket: '350206' }[role];
    const o = await buildOperator(t, { division: divisionCode, types, name: `${name}${n}` });
    const site = await buildSite(t, o, { name: `${name}${n}场所`, divisionCode, kind: siteKind });
    const p = product ? await buildProduct(t, o, { ...product, categoryCode: 'AGRI.VEG.LEAFY', shelfLifeDays: 5 }) : null;
    return { ...o, divisionCode, siteId: site.id, productId: p?.id ?? null };
  };
  const farm = await party('farm', '绿源蔬菜合作社', ['producer'], 'farm_plot', { name: '青菜', unit: 'kg', spec: '散装' });
  const processor = await party('processor', '鲜切净菜加工厂', ['processor'], 'plant', { name: '净菜', unit: '袋', spec: '500g/袋' });
  const market = await party('market', '海峡农产品批发市场', ['wholesale_market'], 'stall');
  const supermarket = await party('supermarket', '鲜丰超市湖里店', ['retailer'], 'shop');
  const certificate = { type: 'commitment', number: `HG-${n}`, issuer: farm.name, issuedOn: '2024-05-01' };

  const harvest = await post(farm.adminToken, 'harvest', { productId: farm.productId, siteId: farm.siteId, lotNumber: `QC-${n}`, quantity: 1000, harvestedOn: '2024-05-01' });
  const harvestCode = harvest.batches[0].batchCode.code;
  const farmShipping = await post(farm.adminToken, 'shipping', { siteId: farm.siteId, to: { uscc: processor.uscc }, goods: [{ code: harvestCode, quantity: 800 }], vehiclePlate: '闽A12345', certificates: [certificate] });
  const processorReceiving = await post(processor.adminToken, 'receiving', {
    siteId: processor.siteId, from: { operatorId: farm.id }, goods: [{ code: harvestCode, quantity: 800 }], certificates: [certificate], invoices: [{ number: `FP-${n}`, issuedOn: '2024-05-01' }],
  });
  const transformation = await post(processor.adminToken, 'transformation', {
    siteId: processor.siteId, kind: 'processing', inputs: [{ code: harvestCode, quantity: 800 }], outputs: [{ productId: processor.productId, quantity: 1500, lotNumber: `JC-${n}` }],
  });
  const processedCode = transformation.batches[0].batchCode.code;
  const processorShipping = await post(processor.adminToken, 'shipping', { siteId: processor.siteId, to: { operatorId: market.id }, goods: [{ code: processedCode, quantity: 1500 }] });
  const marketReceiving = await post(market.adminToken, 'receiving', { siteId: market.siteId, from: { uscc: processor.uscc }, goods: [{ code: processedCode, quantity: 1500 }] });
  const marketSale = await post(market.adminToken, 'sale', {
    siteId: market.siteId, to: { operatorId: supermarket.id }, goods: [{ code: processedCode, quantity: 1000 }], price: { amount: '3500.00' }, invoiceNo: `XS-${n}`,
  });
  const supermarketReceiving = await post(supermarket.adminToken, 'receiving', { siteId: supermarket.siteId, from: { operatorId: market.id }, goods: [{ code: processedCode, quantity: 1000 }] });
  const retailSale = await post(supermarket.adminToken, 'sale', { siteId: supermarket.siteId, goods: [{ code: processedCode, quantity: 2 }], price: { amount: 9.8 } });
  return {
    farm, processor, market, supermarket,
    codes: { harvest: harvestCode, processed: processedCode },
    batches: { harvest: harvest.batches[0].id, processed: transformation.batches[0].id },
    events: {
      harvest: event(harvest), farmShipping: event(farmShipping), processorReceiving: event(processorReceiving), transformation: event(transformation),
      processorShipping: event(processorShipping), marketReceiving: event(marketReceiving), marketSale: event(marketSale),
      supermarketReceiving: event(supermarketReceiving), retailSale: event(retailSale),
    },
  };
}
