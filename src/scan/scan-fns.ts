import { createHash } from 'node:crypto';
import { divisionPath } from '../registry/division.ts';
import type { EpcisEvent } from '../events/events-fns.ts';
import type {
  CloneReason, Place, PublicCertificate, PublicInspection, ScanFact, StepKind, SuspectedClone, TimelineStep,
} from './scan-types.ts';

const HOUR = 3_600_000;
/** Two scans of one item farther apart than this… */
export const CLONE_DISTANCE_KM = 300;
/** …within this time cannot both be the same physical label (about 50 km/h door to door, with a margin for coarse coordinates). */
export const CLONE_WINDOW_MS = 6 * HOUR;
/** The window in which one item's scans are counted. */
export const CLONE_VOLUME_WINDOW_MS = 24 * HOUR;
/** More distinct browsers than this in the window: one item is not passed around that much. */
export const CLONE_MAX_DEVICES = 50;
/** More scans than this in the window. */
export const CLONE_MAX_SCANS = 200;
/** How far back the clone rule looks; older scans no longer count. */
export const CLONE_LOOKBACK_DAYS = 30;
const EARTH_RADIUS_KM = 6371;

/** Great-circle distance between two points in kilometres (haversine). */
export function distanceKm(a: { lat: number; lng: number }, b: { lat: number; lng: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLng = (b.lng - a.lng) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLng / 2) ** 2;
  return 2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h)));
}

/**
 * The clone rule for an ITEM code (batch codes are legitimately scanned by many people): the code looks copied when
 * two located scans lie more than CLONE_DISTANCE_KM apart within CLONE_WINDOW_MS, or when within
 * CLONE_VOLUME_WINDOW_MS it was scanned more than CLONE_MAX_SCANS times or by more than CLONE_MAX_DEVICES distinct
 * user agents. Returns the reason that fired first and the time of the scan at which it fired, or null.
 */
export function suspectClone(scans: readonly ScanFact[]): SuspectedClone | null {
  const s = [...scans].sort((a, b) => a.at.getTime() - b.at.getTime());
  let found: { reason: CloneReason; at: number } | null = null;
  const fire = (reason: CloneReason, at: number) => { if (!found || at < found.at) found = { reason, at }; };

  const located = s.filter((x): x is ScanFact & { lat: number; lng: number } => x.lat !== null && x.lng !== null);
  far: for (let j = 1; j < located.length; j++) {
    const later = located[j];
    for (let i = j - 1; i >= 0 && later.at.getTime() - located[i].at.getTime() <= CLONE_WINDOW_MS; i--) {
      if (distanceKm(located[i], later) > CLONE_DISTANCE_KM) { fire('far_apart', later.at.getTime()); break far; }
    }
  }

  // A sliding 24-hour window over the scans, counting scans per user agent.
  const agents = new Map<string, number>();
  let manyScans = false;
  let manyDevices = false;
  for (let lo = 0, hi = 0; hi < s.length && !(manyScans && manyDevices); hi++) {
    const ua = s[hi].uaHash ?? '';
    agents.set(ua, (agents.get(ua) ?? 0) + 1);
    for (; s[hi].at.getTime() - s[lo].at.getTime() > CLONE_VOLUME_WINDOW_MS; lo++) {
      const old = s[lo].uaHash ?? '';
      const n = agents.get(old)! - 1;
      if (n === 0) agents.delete(old); else agents.set(old, n);
    }
    if (!manyScans && hi - lo + 1 > CLONE_MAX_SCANS) { manyScans = true; fire('many_scans', s[hi].at.getTime()); }
    if (!manyDevices && agents.size > CLONE_MAX_DEVICES) { manyDevices = true; fire('many_devices', s[hi].at.getTime()); }
  }
  const f = found as { reason: CloneReason; at: number } | null;
  return f && { reason: f.reason, since: new Date(f.at).toISOString() };
}

/** A coordinate rounded to 0.1° (about 10 km): the scan log never keeps a finer location. */
export function coarse(deg: number): number {
  return Math.round(deg * 10) / 10;
}

/** The network a client address belongs to: IPv4 /24, IPv6 /48, so that the log never keeps a full address. */
export function ipPrefix(ip: string): string {
  const v4 = /^(?:::ffff:)?(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.\d{1,3}$/i.exec(ip);
  if (v4) return `${v4[1]}.${v4[2]}.${v4[3]}.0/24`;
  const addr = ip.split('%')[0].toLowerCase();
  if (!addr.includes(':')) return addr;
  const [head, tail] = addr.split('::');
  const groups = (part: string | undefined) => (part ? part.split(':').filter(Boolean) : []);
  const left = groups(head);
  // A compressed address has zeros in place of the '::'; only the first three groups matter here.
  const all = tail === undefined ? left : [...left, ...Array(Math.max(0, 8 - left.length - groups(tail).length)).fill('0'), ...groups(tail)];
  return `${all.slice(0, 3).map((g) => parseInt(g, 16).toString(16)).join(':')}::/48`;
}

/** A salted SHA-256 of a value the scan log must not keep in clear (user agent, IP prefix). */
export function saltedHash(salt: string, value: string): string {
  return createHash('sha256').update(`${salt}\u0000${value}`, 'utf8').digest('hex');
}

function qualities(header: string | undefined): Array<{ tag: string; q: number }> {
  return (header ?? '').split(',').map((part) => {
    const [tag, ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => /^\s*q=([0-9.]+)\s*$/.exec(p)?.[1]).find((x) => x !== undefined);
    return { tag: tag.trim(), q: q === undefined ? 1 : Number(q) };
  }).filter((x) => x.tag && !Number.isNaN(x.q));
}

/**
 * True when the client asks for HTML at least as much as for JSON, as browsers do. `Accept: application/json`, a
 * bare wildcard (curl, fetch) and no Accept header get JSON, so API clients keep the JSON they always had.
 */
export function prefersHtml(accept: string | undefined): boolean {
  let html = 0;
  let json = 0;
  for (const { tag, q } of qualities(accept)) {
    if (tag === 'text/html' || tag === 'application/xhtml+xml') html = Math.max(html, q);
    else if (tag === 'application/json' || tag.endsWith('+json')) json = Math.max(json, q);
  }
  return html > 0 && html >= json;
}

export type Lang = 'zh' | 'en';

/** The page language: `?lang=` when given, else English only when the browser ranks English above Chinese. */
export function pickLang(query: string | undefined, acceptLanguage: string | undefined): Lang {
  if (query === 'zh' || query === 'en') return query;
  let zh = 0;
  let en = 0;
  for (const { tag, q } of qualities(acceptLanguage)) {
    if (tag === 'zh' || tag.startsWith('zh-')) zh = Math.max(zh, q);
    else if (tag === 'en' || tag.startsWith('en-')) en = Math.max(en, q);
  }
  return en > zh ? 'en' : 'zh';
}

/** The calendar date of an event where it happened (its eventTimeZoneOffset), China Standard Time when it names none. */
export function localDate(at: Date, offset: unknown): string {
  const m = typeof offset === 'string' ? /^([+-])(\d{2}):(\d{2})$/.exec(offset) : null;
  const minutes = m ? (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3])) : 480;
  return new Date(at.getTime() + minutes * 60_000).toISOString().slice(0, 10);
}

/** A division code with its full name (province down), or nulls. */
export function place(code: string | null): { divisionCode: string | null; division: string | null } {
  return code ? { divisionCode: code, division: divisionPath(code).join(' ') || null } : { divisionCode: null, division: null };
}

/** An event of the scanned batch or item, with what the store knows about it beside its body. */
export interface ConsumerEventRow {
  eventType: string;
  bizStep: string | null;
  disposition: string | null;
  eventTime: Date;
  divisionCode: string | null;
  operatorId: string | null;
  /** The roles (event_ids.role) in which the event names the scanned batch's or item's codes. */
  roles: string[];
  /** The kind of the site in bizLocation, when it is a Suyuan site. */
  siteKind: string | null;
  body: EpcisEvent;
}

/** A raw-material batch that went into the scanned product: its origin division and production date. */
export interface InputOrigin { divisionCode: string; producedOn: string }

const text = (v: unknown): string | null => (typeof v === 'string' && v.trim() ? v.trim() : typeof v === 'number' ? String(v) : null);
const PASS = /^(pass(ed)?|ok|qualified|conformant|合格|阴性|未检出|negative)$/i;
const FAIL = /^(fail(ed)?|unqualified|non_?conformant|不合格|阳性|positive)$/i;
// Steps of one day are told in the order goods flow, whatever order they were recorded in.
const FLOW: readonly StepKind[] = ['raw_material', 'harvested', 'produced', 'processed', 'repacked', 'shipped', 'arrived', 'sold', 'retailed'];
// Timeline entries are few: a consumer reads a short story, not a ledger.
const MAX_TIMELINE_STEPS = 20;

function stepOf(e: ConsumerEventRow): { step: StepKind; place: string | null } | null {
  if (e.eventType === 'TransformationEvent') {
    // Only the transformation that made the scanned product; one that used it up elsewhere is another product's story.
    if (!e.roles.some((r) => r === 'o' || r === 'k')) return null;
    return { step: e.bizStep === 'repackaging' ? 'repacked' : 'processed', place: null };
  }
  switch (e.bizStep) {
    case 'commissioning': return { step: e.body['sy:record'] === 'harvest' ? 'harvested' : 'produced', place: null };
    case 'shipping': return { step: 'shipped', place: null };
    case 'receiving': return { step: 'arrived', place: e.siteKind };
    case 'retail_selling': return { step: 'retailed', place: null };
    case 'urn:suyuan:bizstep:selling': return { step: 'sold', place: null };
    default: return null;
  }
}

function inspectionOf(e: ConsumerEventRow): PublicInspection | null {
  const ins = e.body['sy:inspection'];
  if (e.bizStep !== 'inspecting' || !ins || typeof ins !== 'object' || ins.public !== true) return null;
  const declared = text(ins.result) ?? '';
  const result = e.disposition === 'conformant' || PASS.test(declared) ? 'pass'
    : e.disposition === 'non_conformant' || FAIL.test(declared) ? 'fail' : 'unknown';
  const items = (Array.isArray(ins.items) ? ins.items : []).map((it: any) => {
    if (typeof it === 'string') return { name: it.trim(), result: null, value: null, limit: null };
    const unit = text(it?.unit);
    const measured = (v: unknown) => { const x = text(v); return x && unit ? `${x} ${unit}` : x; };
    return { name: text(it?.name ?? it?.item) ?? '', result: verdict(text(it?.result)), value: measured(it?.value), limit: measured(it?.limit) };
  }).filter((it: { name: string }) => it.name);
  // The lab is left out: a rapid-test lab is often a market's or a buyer's, whose name consumers may not see.
  return { date: localDate(e.eventTime, e.body.eventTimeZoneOffset), kind: text(ins.kind), result, items, reportNo: text(ins.reportNo), ...place(e.divisionCode) };
}

const SUYUAN_CERT = /^urn:suyuan:cert:([^:]+):(.+)$/;

function certificatesOf(e: ConsumerEventRow): PublicCertificate[] {
  const listed = Array.isArray(e.body['sy:certificates']) ? e.body['sy:certificates'] : [];
  const out: PublicCertificate[] = listed.filter((c: unknown) => c && typeof c === 'object')
    .map((c: any) => ({ type: text(c.type), number: text(c.number), issuer: text(c.issuer), issuedOn: text(c.issuedOn), uri: null }));
  // certificationInfo names the same certificates as URIs when sy:certificates lists them; read it only otherwise.
  if (out.length === 0) {
    for (const uri of [e.body.certificationInfo].flat().map(text).filter((u): u is string => !!u)) {
      const m = SUYUAN_CERT.exec(uri);
      out.push(m ? { type: m[1], number: safeDecode(m[2]), issuer: null, issuedOn: null, uri: null } : { type: null, number: null, issuer: null, issuedOn: null, uri });
    }
  }
  return out.filter((c) => c.type || c.number || c.uri);
}

function safeDecode(s: string): string {
  try { return decodeURIComponent(s); } catch { return s; }
}

/** An inspection verdict as 'pass' or 'fail' when it reads as one, else as written. */
function verdict(v: string | null): string | null {
  return v === null ? null : PASS.test(v) ? 'pass' : FAIL.test(v) ? 'fail' : v;
}

const DAY = /^\d{4}-\d{2}-\d{2}$/;

/**
 * What a consumer may learn from the events of the scanned batch or item: public inspections, certificates the
 * producer (or a regulator) recorded, and a timeline of step kinds with date and division. Quantities, prices,
 * parties, vehicles and invoices in the events are never read.
 */
export function consumerFacts(events: readonly ConsumerEventRow[], producerId: string | null, inputs: readonly InputOrigin[]) {
  // A declared error withdraws the event it repeats.
  const live = events.filter((e) => !e.body.errorDeclaration);
  const inspections = live.map(inspectionOf).filter((x): x is PublicInspection => !!x);
  const certificates: PublicCertificate[] = [];
  const seenCert = new Set<string>();
  // Another operator's certificate may carry its own name as issuer; the producer's own and a regulator's are safe.
  for (const e of live.filter((x) => x.operatorId === null || x.operatorId === producerId)) {
    for (const c of certificatesOf(e)) {
      const key = JSON.stringify([c.type, c.number, c.uri]);
      if (!seenCert.has(key)) { seenCert.add(key); certificates.push(c); }
    }
  }
  const steps: TimelineStep[] = inputs.map((i) => ({ step: 'raw_material' as const, place: null, date: i.producedOn, ...place(i.divisionCode) }));
  for (const e of live) {
    const s = stepOf(e);
    // A production or harvest is dated by the day it names (ilmd), not by when it was recorded.
    const day = e.bizStep === 'commissioning' && DAY.test(e.body.ilmd?.['sy:producedOn']) ? e.body.ilmd['sy:producedOn'] : null;
    if (s) steps.push({ ...s, date: day ?? localDate(e.eventTime, e.body.eventTimeZoneOffset), ...place(e.divisionCode) });
  }
  const seenStep = new Set<string>();
  const timeline = steps
    .map((s, i) => ({ s, i }))
    .sort((a, b) => a.s.date.localeCompare(b.s.date) || FLOW.indexOf(a.s.step) - FLOW.indexOf(b.s.step) || a.i - b.i)
    .map(({ s }) => s)
    .filter((s) => { const k = `${s.step}|${s.place}|${s.date}|${s.divisionCode}`; if (seenStep.has(k)) return false; seenStep.add(k); return true; })
    .slice(0, MAX_TIMELINE_STEPS);
  const origins = new Map<string, Place>();
  for (const i of inputs) { const p = place(i.divisionCode); if (p.divisionCode) origins.set(p.divisionCode, { divisionCode: p.divisionCode, division: p.division ?? p.divisionCode }); }
  return { inspections, certificates, timeline, inputOrigins: [...origins.values()] };
}
