import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { RoleChar } from '../events/events-fns.ts';
import { applyLevel, compareSeq, frontierKeys, handover, leadsTo, orderedEvents, presentEvent, startTrace, type TraceState } from './trace-fns.ts';
import type { LineageEvent, TraceDirection } from './trace-types.ts';

let seq = 0;
function ev(eventType: string, ids: Array<[string, RoleChar]>, extra: Partial<LineageEvent> = {}): LineageEvent {
  const n = ++seq;
  return {
    seq: String(n), eventId: `E${n}`, eventType, action: null, bizStep: null, eventTime: new Date(Date.UTC(2026, 0, 1, 0, 0, n)),
    recordTime: new Date(Date.UTC(2026, 0, 2)), operatorId: null, counterpartyId: null, divisionCode: null,
    ids: ids.map(([key, role]) => ({ key, role })), body: { type: eventType }, ...extra,
  };
}
const obj = (key: string, extra: Partial<LineageEvent> = {}) => ev('ObjectEvent', [[key, 'q']], extra);
const mix = (inputs: string[], outputs: string[]) => ev('TransformationEvent', [...inputs.map((k) => [k, 'j'] as [string, RoleChar]), ...outputs.map((k) => [k, 'k'] as [string, RoleChar])]);
const pack = (parent: string, children: string[]) => ev('AggregationEvent', [[parent, 'p'], ...children.map((k) => [k, 'c'] as [string, RoleChar])], { action: 'ADD' });

/** Runs a trace over an in-memory store the way the service does: one "query" per level. */
function run(store: LineageEvent[], start: string[], direction: TraceDirection, maxNodes?: number): { s: TraceState; queries: string[][] } {
  const s = startTrace(start, direction, maxNodes);
  const queries: string[][] = [];
  while (s.frontier.size > 0) {
    const keys = frontierKeys(s);
    queries.push(keys);
    applyLevel(s, store.filter((e) => e.ids.some((i) => keys.includes(i.key))));
  }
  return { s, queries };
}
const ids = (s: TraceState) => orderedEvents(s).map((e) => e.eventId);
const edges = (s: TraceState) => [...s.edges.values()].map((e) => `${e.kind}:${e.from}>${e.to}@${e.event.eventId}`).sort();

// Two farms' batches F1, F2 mixed into P; P repacked into Q with a third input F3; P also packed into pallet S.
function chain() {
  seq = 0;
  const e = {
    f1: obj('F1'), f2: obj('F2'), f3: obj('F3'), mixP: mix(['F1', 'F2'], ['P']), shipP: obj('P', { bizStep: 'shipping', operatorId: 'proc', counterpartyId: 'dist' }),
    recvP: obj('P', { bizStep: 'receiving', operatorId: 'dist', counterpartyId: 'proc' }), mixQ: mix(['P', 'F3'], ['Q']), packS: pack('S', ['P']),
    shipS: obj('S', { bizStep: 'shipping', operatorId: 'dist', counterpartyId: 'shop' }), sellQ: obj('Q', { bizStep: 'retail_selling', operatorId: 'shop' }),
  };
  return { e, store: Object.values(e) };
}

test('backward: outputs lead to inputs and containers to contents, to any depth; events leading downstream stay out', () => {
  const { store } = chain();
  const { s, queries } = run(store, ['Q'], 'backward');
  assert.deepEqual([...s.nodes].sort(), [['F1', 2], ['F2', 2], ['F3', 1], ['P', 1], ['Q', 0]]);
  // P's packing into S and its consumption are downstream of Q's origins only through Q itself.
  assert.deepEqual(ids(s), ['E1', 'E2', 'E3', 'E4', 'E5', 'E6', 'E7', 'E10']);
  assert.deepEqual(edges(s), [
    'handover:P>P@E5', 'handover:P>P@E6', 'transformation:F1>P@E4', 'transformation:F2>P@E4', 'transformation:F3>Q@E7', 'transformation:P>Q@E7',
  ]);
  assert.deepEqual(queries, [['Q'], ['F3', 'P'], ['F1', 'F2']], 'one batched query per level');
  assert.equal(s.truncated, false);
});

test('forward: inputs lead to outputs and contents to their containers; sibling inputs and the start\'s own making stay out', () => {
  const { store } = chain();
  const { s } = run(store, ['F1'], 'forward');
  assert.deepEqual([...s.nodes.keys()].sort(), ['F1', 'P', 'Q', 'S']);
  assert.deepEqual(ids(s), ['E1', 'E4', 'E5', 'E6', 'E7', 'E8', 'E9', 'E10']);
  assert.deepEqual(edges(s), [
    'aggregation:P>S@E8', 'handover:P>P@E5', 'handover:P>P@E6', 'handover:S>S@E9', 'transformation:F1>P@E4', 'transformation:P>Q@E7',
  ]);
  const fromP = run(store, ['P'], 'forward').s;
  assert.ok(!ids(fromP).includes('E4'), 'the transformation that made P is upstream of P');
});

test('both: the union of the two directions from the start, not the whole connected component', () => {
  const { store } = chain();
  const both = run(store, ['P'], 'both').s;
  const back = run(store, ['P'], 'backward').s;
  const fwd = run(store, ['P'], 'forward').s;
  assert.deepEqual(ids(both), [...new Set([...ids(back), ...ids(fwd)])].sort((a, b) => Number(a.slice(1)) - Number(b.slice(1))));
  assert.deepEqual([...both.nodes.keys()].sort(), ['F1', 'F2', 'P', 'Q', 'S']);
  assert.ok(!both.nodes.has('F3'), 'F3 is an input of Q, reached only by going forward then back');
});

test('aggregation backward: a container leads to its contents', () => {
  const { store } = chain();
  const { s } = run(store, ['S'], 'backward');
  assert.deepEqual([...s.nodes.keys()].sort(), ['F1', 'F2', 'P', 'S']);
  assert.deepEqual(edges(s).filter((x) => x.startsWith('aggregation')), ['aggregation:P>S@E8']);
});

test('cycles terminate: every key is expanded once per direction', () => {
  seq = 0;
  const store = [mix(['A'], ['B']), mix(['B'], ['A']), mix(['B'], ['B'])];
  const { s, queries } = run(store, ['A'], 'both');
  assert.deepEqual([...s.nodes.keys()].sort(), ['A', 'B']);
  assert.ok(queries.length <= 3, `levels: ${queries.length}`);
  assert.deepEqual(edges(s), ['transformation:A>B@E1', 'transformation:B>A@E2']);
});

test('size guard: nodes stop at the limit, the trace says truncated, and edges only join admitted nodes', () => {
  seq = 0;
  const inputs = Array.from({ length: 10 }, (_, i) => `I${i}`);
  const store = [mix(inputs, ['OUT']), ...inputs.map((k) => mix([`${k}x`], [k]))];
  const { s } = run(store, ['OUT'], 'backward', 5);
  assert.equal(s.nodes.size, 5);
  assert.equal(s.truncated, true);
  for (const e of s.edges.values()) assert.ok(s.nodes.has(e.from) && s.nodes.has(e.to));
  assert.equal(run(store, ['OUT'], 'backward').s.truncated, false);
});

test('hand-overs: from the recorder to the counterparty, reversed on inbound steps; none without a counterparty', () => {
  assert.deepEqual(handover({ bizStep: 'shipping', operatorId: 'a', counterpartyId: 'b' }), { from: 'a', to: 'b' });
  assert.deepEqual(handover({ bizStep: 'urn:suyuan:bizstep:selling', operatorId: 'a', counterpartyId: 'b' }), { from: 'a', to: 'b' });
  assert.deepEqual(handover({ bizStep: 'receiving', operatorId: 'b', counterpartyId: 'a' }), { from: 'a', to: 'b' });
  assert.equal(handover({ bizStep: 'retail_selling', operatorId: 'a', counterpartyId: null }), null);
});

test('leadsTo: only the matching roles of linking events lead on', () => {
  seq = 0;
  const t = mix(['A', 'B'], ['C']);
  assert.deepEqual(leadsTo(t, 'C', 'k', 'backward'), { kind: 'transformation', keys: ['A', 'B'] });
  assert.equal(leadsTo(t, 'C', 'k', 'forward'), null);
  assert.deepEqual(leadsTo(t, 'A', 'j', 'forward'), { kind: 'transformation', keys: ['C'] });
  assert.equal(leadsTo(obj('A'), 'A', 'q', 'forward'), null);
  assert.deepEqual(leadsTo(pack('S', ['A']), 'A', 'c', 'forward'), { kind: 'aggregation', keys: ['S'] });
});

test('events are ordered by time then sequence, and presented with eventID, recordTime and seq', () => {
  assert.ok(compareSeq('9', '10') < 0 && compareSeq('10', '9') > 0 && compareSeq('11', '11') === 0);
  const p = presentEvent({ eventId: 'ni:///x', recordTime: new Date('2026-01-02T00:00:00Z'), seq: '42', body: { type: 'ObjectEvent', recordTime: 'forged' } });
  assert.deepEqual(p, { type: 'ObjectEvent', eventID: 'ni:///x', recordTime: '2026-01-02T00:00:00.000Z', 'sy:seq': '42' });
});
