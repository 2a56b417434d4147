import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestApp, type TestApp } from './harness.ts';
import { buildBatch, buildOperator, buildSite, buildUser } from './builders.ts';
import { captureAs, receiving, retailSale, shipping, transformation, type Party } from './event-builders.ts';

// Who sees which events, on every read path, for every kind of caller. The chain: two farms (one in Putian, one in
// Guangdong) → a processor in Fuzhou mixing both batches into a new one → a distributor → a retailer (both in
// Fuzhou), plus an unrelated operator in Xiamen. The operator under test is the distributor, in the middle.
//
//   A1 farm A produces FA (Putian 350322)        A2 farm A ships FA to the processor
//   B1 farm B produces FB (Guangdong 440507)     B2 farm B ships FB to the processor
//   P0 the processor records batch PB            P1, P2 the processor receives FA and FB
//   P3 the processor mixes FA + FB into PB's code MIX     P4 the processor ships MIX to the distributor
//   D1 the distributor receives MIX              D2 the distributor ships MIX to the retailer
//   R1 the retailer receives MIX                 R2 the retailer sells MIX to consumers
//   X1 the Xiamen operator produces XB (350203)
let t: TestApp;
const ev: Record<string, string> = {};
const code: Record<'FA' | 'FB' | 'MIX' | 'XB', string> = { FA: '', FB: '', MIX: '', XB: '' };
const cred: Record<string, string | undefined> = {};

/** The distributor's relation to each event: what the one-up / one-down rule is about. */
const RELATION: Record<string, 'own' | 'one up' | 'one down' | 'two up' | 'two down' | 'other jurisdiction'> = {
  D1: 'own', D2: 'own', P4: 'one up', R1: 'one down',
  A1: 'two up', A2: 'two up', B1: 'two up', B2: 'two up', P0: 'two up', P1: 'two up', P2: 'two up', P3: 'two up',
  R2: 'two down', X1: 'other jurisdiction',
};
const LABELS = Object.keys(RELATION);
const DIST_SEES = LABELS.filter((l) => ['own', 'one up', 'one down'].includes(RELATION[l]));

/** Events each caller may read, by label; the distributor's three credentials share one rule. */
const VISIBLE: Record<string, string[]> = {
  admin: LABELS,
  national: LABELS,
  province: LABELS.filter((l) => !['B1', 'B2'].includes(l)),
  city: ['P0', 'P1', 'P2', 'P3', 'P4', 'D1', 'D2', 'R1', 'R2'],
  cityOut: ['X1'],
  distAdmin: DIST_SEES, distStaff: DIST_SEES, distKey: DIST_SEES,
};
const CALLERS = [...Object.keys(VISIBLE), 'public'];
const ROLE_OF: Record<string, string> = {
  admin: 'platform-admin', national: 'regulator', province: 'regulator', city: 'regulator', cityOut: 'regulator',
  distAdmin: 'operator-admin', distStaff: 'operator-staff', distKey: 'operator-staff',
};

const CHAIN_BACK = ['A1', 'B1', 'A2', 'B2', 'P1', 'P2', 'P3', 'P4', 'D1', 'D2', 'R1', 'R2'];
const DOWN_FROM_MIX = ['P4', 'D1', 'D2', 'R1', 'R2'];
const DOWN_FROM_FA = ['A1', 'A2', 'P1', 'P3', ...DOWN_FROM_MIX];
const dist = (labels: string[]) => ({ distAdmin: labels, distStaff: labels, distKey: labels });
/** Trace results, as the exact events in time order (the four batches, with their production events, come first), per query and caller. */
const TRACES: Array<{ code: keyof typeof code; direction: string; subject: string; want: Record<string, string[]> }> = [
  {
    code: 'MIX', direction: 'backward', subject: '350104', want: {
      admin: CHAIN_BACK, national: CHAIN_BACK, province: CHAIN_BACK.filter((l) => l[0] !== 'B'),
      // Farm A's own events lie in Putian; the processor's receipt of FA is in the city and leads to FA all the same.
      city: ['P1', 'P2', 'P3', 'P4', 'D1', 'D2', 'R1', 'R2'], cityOut: [], ...dist(['P4', 'D1', 'D2', 'R1']),
    },
  },
  {
    code: 'MIX', direction: 'forward', subject: '350104', want: {
      admin: DOWN_FROM_MIX, national: DOWN_FROM_MIX, province: DOWN_FROM_MIX, city: DOWN_FROM_MIX, cityOut: [], ...dist(['P4', 'D1', 'D2', 'R1']),
    },
  },
  {
    code: 'MIX', direction: 'both', subject: '350104', want: {
      admin: CHAIN_BACK, national: CHAIN_BACK, province: CHAIN_BACK.filter((l) => l[0] !== 'B'),
      city: ['P1', 'P2', 'P3', 'P4', 'D1', 'D2', 'R1', 'R2'], cityOut: [], ...dist(['P4', 'D1', 'D2', 'R1']),
    },
  },
  {
    // Two up from the distributor: the processor's transformation is hidden, so nothing leads from FA to MIX.
    code: 'FA', direction: 'forward', subject: '350322', want: {
      admin: DOWN_FROM_FA, national: DOWN_FROM_FA, province: DOWN_FROM_FA, city: DOWN_FROM_FA.filter((l) => l[0] !== 'A'), cityOut: [], ...dist([]),
    },
  },
  {
    code: 'FA', direction: 'backward', subject: '350322', want: {
      admin: ['A1', 'A2', 'P1'], national: ['A1', 'A2', 'P1'], province: ['A1', 'A2', 'P1'], city: ['P1'], cityOut: [], ...dist([]),
    },
  },
  {
    code: 'XB', direction: 'both', subject: '350203', want: {
      admin: ['X1'], national: ['X1'], province: ['X1'], city: [], cityOut: ['X1'], ...dist([]),
    },
  },
];

async function party(division: string, kind: string, types: string[]): Promise<Party> {
  const op = await buildOperator(t, { division, types });
  const site = await buildSite(t, op, { divisionCode: division, kind });
  return { ...op, siteId: site.id, division };
}

/** The commissioning event that recording a batch through the API stored for its batch code. */
async function productionOf(batchCode: string): Promise<string> {
  const r = await t.db.pool.query<{ event_id: string }>(
    `SELECT e.event_id FROM events e JOIN event_ids i ON i.seq = e.seq WHERE i.key = $1 AND e.biz_step = 'commissioning'`, [batchCode]);
  assert.equal(r.rows.length, 1, `one production event for ${batchCode}`);
  return r.rows[0].event_id;
}

before(async () => {
  t = await startTestApp();
  const farmA = await party('350322', 'farm_plot', ['producer']);
  const farmB = await party('440507', 'farm_plot', ['producer']);
  const proc = await party('350104', 'plant', ['processor']);
  const distributor = await party('350102', 'warehouse', ['wholesale_market']);
  const retailer = await party('350103', 'shop', ['retailer']);
  const other = await party('350203', 'farm_plot', ['producer']);

  code.FA = (await buildBatch(t, farmA, { siteId: farmA.siteId })).batchCode!.code;
  code.FB = (await buildBatch(t, farmB, { siteId: farmB.siteId })).batchCode!.code;
  code.XB = (await buildBatch(t, other, { siteId: other.siteId })).batchCode!.code;
  const pb = await buildBatch(t, proc, { siteId: proc.siteId });
  // The mix is labelled with a pre-printed code activated for PB: a transformation's output must be a code no event has named.
  const pool = await t.call('POST', '/api/v1/code-pools', { as: proc.adminToken, body: { ownerOperatorId: proc.id, kind: 'batch', size: 1 } });
  const activated = await t.call('POST', `/api/v1/code-pools/${pool.body.id}/activate`, { as: proc.adminToken, body: { batchId: pb.id, count: 1 } });
  assert.equal(activated.status, 200, activated.text);
  code.MIX = activated.body.codes[0];

  ev.A1 = await productionOf(code.FA);
  ev.B1 = await productionOf(code.FB);
  ev.X1 = await productionOf(code.XB);
  ev.P0 = await productionOf(pb.batchCode!.code);
  [ev.A2] = await captureAs(t, farmA, [shipping(farmA, proc, code.FA)]);
  [ev.B2] = await captureAs(t, farmB, [shipping(farmB, proc, code.FB)]);
  [ev.P1, ev.P2, ev.P3, ev.P4] = await captureAs(t, proc, [
    receiving(proc, farmA, code.FA), receiving(proc, farmB, code.FB), transformation(proc, [code.FA, code.FB], [code.MIX]), shipping(proc, distributor, code.MIX),
  ]);
  [ev.D1, ev.D2] = await captureAs(t, distributor, [receiving(distributor, proc, code.MIX), shipping(distributor, retailer, code.MIX)]);
  [ev.R1, ev.R2] = await captureAs(t, retailer, [receiving(retailer, distributor, code.MIX), retailSale(retailer, code.MIX)]);

  cred.admin = await t.adminToken();
  cred.national = (await buildUser(t, 'regulator', { jurisdiction: '000000' })).token;
  cred.province = (await buildUser(t, 'regulator', { jurisdiction: '350000' })).token;
  cred.city = (await buildUser(t, 'regulator', { jurisdiction: '350100' })).token;
  cred.cityOut = (await buildUser(t, 'regulator', { jurisdiction: '350200' })).token;
  cred.distAdmin = distributor.adminToken;
  cred.distStaff = (await buildUser(t, 'operator-staff', { operatorId: distributor.id })).token;
  const key = await t.call('POST', `/api/v1/operators/${distributor.id}/api-keys`, { as: distributor.adminToken, body: { name: 'ERP' } });
  cred.distKey = key.body.key;
});
after(async () => { await t?.close(); });

const labelOf = (id: string) => Object.keys(ev).find((l) => ev[l] === id) ?? `unknown ${id}`;

/** Calls a read path as a caller and returns the response with the query-log rows the call appended. */
async function read(caller: string, path: string) {
  const last = (await t.db.pool.query<{ id: string | null }>('SELECT max(id)::text AS id FROM query_log')).rows[0].id ?? '0';
  const res = await t.call('GET', path, { as: cred[caller] });
  const logged = (await t.db.pool.query<{ kind: string; actor_role: string; result_count: number; subject_division: string | null }>(
    'SELECT kind, actor_role, result_count, subject_division FROM query_log WHERE id > $1 ORDER BY id', [last])).rows;
  return { res, logged };
}

test('the chain was captured as planned, and every event has a relation to the distributor', () => {
  assert.deepEqual(Object.keys(ev).sort(), [...LABELS].sort());
  assert.equal(new Set(Object.values(ev)).size, LABELS.length);
});

test('event by id: each caller reads exactly the events it may see; the rest are 404 as if they did not exist', async () => {
  for (const caller of CALLERS) {
    for (const label of LABELS) {
      const { res, logged } = await read(caller, `/api/v1/events/${encodeURIComponent(ev[label])}`);
      if (caller === 'public') {
        assert.deepEqual([res.status, res.body.code, logged.length], [401, 'AUTH_REQUIRED', 0], `${caller} ${label}`);
        continue;
      }
      const visible = VISIBLE[caller].includes(label);
      if (visible) assert.deepEqual([res.status, res.body.eventID], [200, ev[label]], `${caller} reads ${label}`);
      else assert.deepEqual([res.status, res.body.code], [404, 'EVENT_NOT_FOUND'], `${caller} must not see ${label} (${RELATION[label]})`);
      assert.equal(logged.length, 1, `${caller} ${label} logged once`);
      assert.deepEqual([logged[0].kind, logged[0].actor_role, logged[0].result_count], ['event', ROLE_OF[caller], visible ? 1 : 0], `${caller} ${label} log`);
    }
  }
});

test('EPCIS query: GET /epcis/events lists exactly the visible events; GET /epcis/events/{id} hides the rest', async () => {
  for (const caller of CALLERS) {
    const { res, logged } = await read(caller, '/epcis/events?perPage=1000');
    if (caller === 'public') {
      assert.deepEqual([res.status, res.body.code, logged.length], [401, 'AUTH_REQUIRED', 0], caller);
      continue;
    }
    assert.equal(res.status, 200, `${caller}: ${res.text}`);
    const listed = res.body.epcisBody.queryResults.resultsBody.eventList.map((e: { eventID: string }) => labelOf(e.eventID));
    assert.deepEqual(listed.sort(), [...VISIBLE[caller]].sort(), `${caller} lists`);
    assert.deepEqual([logged.length, logged[0].actor_role, logged[0].result_count], [1, ROLE_OF[caller], VISIBLE[caller].length], `${caller} list logged`);
    for (const label of LABELS) {
      const one = await read(caller, `/epcis/events/${encodeURIComponent(ev[label])}`);
      const visible = VISIBLE[caller].includes(label);
      assert.equal(one.res.status, visible ? 200 : 404, `${caller} ${label} (${RELATION[label]})`);
      if (visible) assert.equal(one.res.body.epcisBody.queryResults.resultsBody.eventList[0].eventID, ev[label]);
      assert.deepEqual([one.logged.length, one.logged[0].result_count], [1, visible ? 1 : 0], `${caller} ${label} logged`);
    }
  }
});

test('trace backward, forward and both: each caller gets exactly the events it may see, reached only through them', async () => {
  for (const q of TRACES) {
    for (const caller of CALLERS) {
      const { res, logged } = await read(caller, `/api/v1/trace?code=${code[q.code]}&direction=${q.direction}`);
      const what = `${caller} traces ${q.code} ${q.direction}`;
      if (caller === 'public') {
        assert.deepEqual([res.status, res.body.code, logged.length], [401, 'AUTH_REQUIRED', 0], what);
        continue;
      }
      assert.equal(res.status, 200, `${what}: ${res.text}`);
      assert.deepEqual(res.body.events.map((e: { eventID: string }) => labelOf(e.eventID)), q.want[caller], what);
      for (const e of res.body.events) assert.ok(VISIBLE[caller].includes(labelOf(e.eventID)), `${what}: ${labelOf(e.eventID)} is visible to it`);
      assert.equal(logged.length, 1, `${what}: logged once`);
      assert.deepEqual(logged[0], { kind: 'trace', actor_role: ROLE_OF[caller], result_count: q.want[caller].length, subject_division: q.subject }, what);
    }
  }
});

test('the graph of the full chain: the mix links both farms\' batches, hand-overs name the operators', async () => {
  const { res } = await read('admin', `/api/v1/trace?code=${code.MIX}&direction=backward`);
  const nodes = new Map(res.body.nodes.map((n: any) => [n.key, n]));
  assert.deepEqual([...nodes.keys()].sort(), [code.FA, code.FB, code.MIX].sort());
  const mix: any = nodes.get(code.MIX);
  assert.equal(mix.depth, 0);
  assert.equal(mix.operator.divisionCode, '350104');
  assert.equal((nodes.get(code.FA) as any).site.divisionCode, '350322');
  const links = res.body.edges.filter((e: any) => e.kind === 'transformation').map((e: any) => `${e.from}>${e.to}@${labelOf(e.eventID)}`).sort();
  assert.deepEqual(links, [`${code.FA}>${code.MIX}@P3`, `${code.FB}>${code.MIX}@P3`].sort());
  const handovers = res.body.edges.filter((e: any) => e.kind === 'handover');
  assert.deepEqual(handovers.map((e: any) => labelOf(e.eventID)).sort(), ['A2', 'B2', 'D1', 'D2', 'P1', 'P2', 'P4', 'R1'], 'every hand-over between operators; the sale to consumers is none');
  const p4 = handovers.find((e: any) => labelOf(e.eventID) === 'P4');
  assert.deepEqual([p4.fromOperator.divisionCode, p4.toOperator.divisionCode, p4.bizStep], ['350104', '350102', 'shipping']);
  const d1 = handovers.find((e: any) => labelOf(e.eventID) === 'D1');
  assert.deepEqual([d1.fromOperator.divisionCode, d1.toOperator.divisionCode], ['350104', '350102'], 'a receipt comes from the counterparty');
});
